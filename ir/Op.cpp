#include "ir/Op.h"

#include <array>

namespace dlc::ir {

namespace {
constexpr OpInfo kOps[] = {
#define OP(Enum, name, minIn, maxIn, traits, attrs) \
  {OpKind::Enum, name, minIn, maxIn, uint32_t(traits), attrs},
#include "ir/Ops.def"
#undef OP
};
}  // namespace

const OpInfo& opInfo(OpKind kind) { return kOps[size_t(kind)]; }
std::string_view opName(OpKind kind) { return opInfo(kind).name; }
int numOpKinds() { return int(sizeof(kOps) / sizeof(kOps[0])); }

std::vector<std::string> opAttributeNames(OpKind kind) {
  std::vector<std::string> names;
  std::string_view list = opInfo(kind).attributes;
  while (!list.empty()) {
    size_t end = list.find(' ');
    names.emplace_back(list.substr(0, end));
    list = end == std::string_view::npos ? std::string_view() : list.substr(end + 1);
  }
  return names;
}

bool opTakesAttribute(OpKind kind, std::string_view name) {
  for (const std::string& n : opAttributeNames(kind))
    if (n == name) return true;
  return false;
}

std::optional<OpKind> opFromName(std::string_view name) {
  for (const OpInfo& info : kOps)
    if (info.name == name) return info.kind;
  if (name == "where") return OpKind::Select;
  return std::nullopt;
}

}  // namespace dlc::ir
