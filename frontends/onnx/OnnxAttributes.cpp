// Typed, checked access to ONNX node attributes (see OnnxAttributes.h).
#include "frontends/onnx/OnnxAttributes.h"

#include "frontends/onnx/OnnxTensor.h"
#include "onnx.pb.h"

namespace dlc::onnxfe {

namespace {

using Attr = ::onnx::AttributeProto;

// The attribute's type: the `type` field, or for IR v1 files that leave it
// out, the one value field present.
int attrType(const Attr& a) {
  if (a.type() != Attr::UNDEFINED) return a.type();
  if (a.has_f()) return Attr::FLOAT;
  if (a.has_i()) return Attr::INT;
  if (a.has_s()) return Attr::STRING;
  if (a.has_t()) return Attr::TENSOR;
  if (a.floats_size()) return Attr::FLOATS;
  if (a.ints_size()) return Attr::INTS;
  if (a.strings_size()) return Attr::STRINGS;
  return Attr::UNDEFINED;
}

Status wrongType(const Attr& a, const char* expected) {
  return invalidArgument("attribute \"", a.name(), "\" is ", onnxAttrTypeName(attrType(a)),
                         ", expected ", expected);
}

}  // namespace

std::string onnxAttrTypeName(int type) {
  if (Attr::AttributeType_IsValid(type))
    return Attr::AttributeType_Name(static_cast<Attr::AttributeType>(type));
  return strCat("type ", type);
}

const Attr* NodeAttributes::find(std::string_view name) const {
  for (const Attr& a : node_.attribute())
    if (a.name() == name) return &a;
  return nullptr;
}

StatusOr<int64_t> NodeAttributes::getInt(std::string_view name, int64_t def) const {
  const Attr* a = find(name);
  if (!a) return def;
  if (attrType(*a) != Attr::INT) return wrongType(*a, "INT");
  return int64_t(a->i());
}

StatusOr<float> NodeAttributes::getFloat(std::string_view name, float def) const {
  const Attr* a = find(name);
  if (!a) return def;
  if (attrType(*a) == Attr::INT) return float(a->i());
  if (attrType(*a) != Attr::FLOAT) return wrongType(*a, "FLOAT");
  return a->f();
}

StatusOr<std::string> NodeAttributes::getString(std::string_view name,
                                                const std::string& def) const {
  const Attr* a = find(name);
  if (!a) return def;
  if (attrType(*a) != Attr::STRING) return wrongType(*a, "STRING");
  return a->s();
}

StatusOr<std::vector<int64_t>> NodeAttributes::getInts(std::string_view name,
                                                       const std::vector<int64_t>& def) const {
  const Attr* a = find(name);
  if (!a) return def;
  // An empty list written without its type reads as UNDEFINED: accept it.
  int type = attrType(*a);
  if (type != Attr::INTS && type != Attr::UNDEFINED) return wrongType(*a, "INTS");
  return std::vector<int64_t>(a->ints().begin(), a->ints().end());
}

StatusOr<std::vector<float>> NodeAttributes::getFloats(std::string_view name,
                                                       const std::vector<float>& def) const {
  const Attr* a = find(name);
  if (!a) return def;
  int type = attrType(*a);
  if (type != Attr::FLOATS && type != Attr::UNDEFINED) return wrongType(*a, "FLOATS");
  return std::vector<float>(a->floats().begin(), a->floats().end());
}

StatusOr<Tensor> NodeAttributes::getTensor(std::string_view name) const {
  const Attr* a = find(name);
  if (!a) return invalidArgument("missing attribute \"", name, "\"");
  if (attrType(*a) != Attr::TENSOR) return wrongType(*a, "TENSOR");
  return tensorFromProto(a->t(), modelDir_, strCat("attribute \"", name, "\""));
}

}  // namespace dlc::onnxfe
