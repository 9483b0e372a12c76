#include "ir/Op.h"

#include <array>

namespace dlc::ir {

namespace {
constexpr OpInfo kOps[] = {
#define OP(Enum, name, minIn, maxIn, traits) \
  {OpKind::Enum, name, minIn, maxIn, uint32_t(traits)},
#include "ir/Ops.def"
#undef OP
};
}  // namespace

const OpInfo& opInfo(OpKind kind) { return kOps[size_t(kind)]; }
std::string_view opName(OpKind kind) { return opInfo(kind).name; }
int numOpKinds() { return int(sizeof(kOps) / sizeof(kOps[0])); }

std::optional<OpKind> opFromName(std::string_view name) {
  for (const OpInfo& info : kOps)
    if (info.name == name) return info.kind;
  if (name == "where") return OpKind::Select;
  return std::nullopt;
}

}  // namespace dlc::ir
