// Attribute readers and operand checks shared by the shape-inference rules.
// They validate kinds and lengths and name the attribute or operand at
// fault; they do not know any op's semantics.
#include "ir/ShapeInferenceInternal.h"

namespace dlc::ir::infer {

std::string op(const Node& node) { return std::string(opName(node.op)); }

std::string operandName(const Node& node, size_t i) {
  static const char* const kBinary[] = {"a", "b"};
  static const char* const kSelect[] = {"cond", "a", "b"};
  static const char* const kDense[] = {"x", "w", "b"};
  static const char* const kLayerNorm[] = {"x", "gamma", "beta"};
  static const char* const kBatchNorm[] = {"x", "scale", "bias", "mean", "var"};
  static const char* const kGather[] = {"data", "indices"};
  auto pick = [&](const char* const* names, size_t n) -> std::string {
    return i < n ? names[i] : strCat("operand ", i);
  };
  switch (node.op) {
    case OpKind::Select: return pick(kSelect, 3);
    case OpKind::Dense:
    case OpKind::Conv2D: return pick(kDense, 3);
    case OpKind::LayerNorm: return pick(kLayerNorm, 3);
    case OpKind::BatchNorm: return pick(kBatchNorm, 5);
    case OpKind::Concat: return strCat("operand ", i);
    case OpKind::Gather: return pick(kGather, 2);
    default: break;
  }
  if (opInfo(node.op).maxInputs == 2) return pick(kBinary, 2);
  return i == 0 ? "x" : strCat("operand ", i);
}

const TensorType& operandType(const Node& node, size_t i) { return node.inputs[i]->type; }

namespace {
Status wrongKind(const Node& node, const std::string& name, const char* expected,
                 const AttrValue& v) {
  return invalidArgument(op(node), " attribute '", name, "' must be ", expected, ", got ",
                         attrToString(v));
}
}  // namespace

StatusOr<int64_t> intAttr(const Node& node, const std::string& name, int64_t def) {
  const AttrValue* v = node.attrs.find(name);
  if (!v) return def;
  if (auto* i = std::get_if<int64_t>(v)) return *i;
  return wrongKind(node, name, "an integer", *v);
}

StatusOr<int64_t> requiredIntAttr(const Node& node, const std::string& name) {
  if (!node.attrs.has(name))
    return invalidArgument(op(node), " requires attribute '", name, "'");
  return intAttr(node, name, 0);
}

StatusOr<bool> boolAttr(const Node& node, const std::string& name, bool def) {
  DLC_ASSIGN_OR_RETURN(int64_t v, intAttr(node, name, def ? 1 : 0));
  if (v != 0 && v != 1)
    return invalidArgument(op(node), " attribute '", name, "' must be 0 or 1, got ", v);
  return v == 1;
}

StatusOr<double> floatAttr(const Node& node, const std::string& name, double def) {
  const AttrValue* v = node.attrs.find(name);
  if (!v) return def;
  if (auto* d = std::get_if<double>(v)) return *d;
  if (auto* i = std::get_if<int64_t>(v)) return double(*i);
  return wrongKind(node, name, "a number", *v);
}

StatusOr<std::string> stringAttr(const Node& node, const std::string& name,
                                 const std::string& def) {
  const AttrValue* v = node.attrs.find(name);
  if (!v) return def;
  if (auto* s = std::get_if<std::string>(v)) return *s;
  return wrongKind(node, name, "a string", *v);
}

StatusOr<std::optional<std::vector<int64_t>>> optionalIntsAttr(const Node& node,
                                                               const std::string& name) {
  const AttrValue* v = node.attrs.find(name);
  if (!v) return std::optional<std::vector<int64_t>>();
  if (auto* l = std::get_if<std::vector<int64_t>>(v))
    return std::optional<std::vector<int64_t>>(*l);
  if (auto* i = std::get_if<int64_t>(v))
    return std::optional<std::vector<int64_t>>(std::vector<int64_t>{*i});
  return wrongKind(node, name, "a list of integers", *v);
}

StatusOr<std::vector<int64_t>> requiredIntsAttr(const Node& node, const std::string& name) {
  DLC_ASSIGN_OR_RETURN(auto v, optionalIntsAttr(node, name));
  if (!v) return invalidArgument(op(node), " requires attribute '", name, "'");
  return *v;
}

StatusOr<std::vector<int64_t>> intsAttr(const Node& node, const std::string& name,
                                        std::vector<int64_t> def, int expectedLength) {
  DLC_ASSIGN_OR_RETURN(auto v, optionalIntsAttr(node, name));
  std::vector<int64_t> out = v ? *v : std::move(def);
  if (expectedLength >= 0 && int64_t(out.size()) != expectedLength)
    return invalidArgument(op(node), " attribute '", name, "' must have ", expectedLength,
                           " entries, got ", attrToString(out));
  return out;
}

StatusOr<int> axisAttrValue(const Node& node, const std::string& name, int64_t axis,
                            int rank) {
  if (axis < -rank || axis >= rank || rank == 0)
    return invalidArgument(op(node), " attribute '", name, "' = ", axis,
                           " is out of range for rank ", rank, " (", operandName(node, 0), " ",
                           operandType(node, 0).str(), ")");
  return int(axis < 0 ? axis + rank : axis);
}

Status checkDType(const Node& node, size_t i, DTypeClass cls) {
  DType t = operandType(node, i).dtype;
  const char* expected = nullptr;
  switch (cls) {
    case DTypeClass::Any: return Status::OK();
    case DTypeClass::Float:
      if (!isFloat(t)) expected = "a float (f32, f16, bf16)";
      break;
    case DTypeClass::Numeric:
      if (!isFloat(t) && t != DType::I32 && t != DType::I64)
        expected = "a float or i32/i64";
      break;
    case DTypeClass::Bool:
      if (t != DType::Bool) expected = "bool";
      break;
  }
  if (!expected) return Status::OK();
  return invalidArgument(op(node), " expects ", operandName(node, i), " of dtype ", expected,
                         ", got ", operandType(node, i).str());
}

Status checkSameDType(const Node& node, size_t first, size_t last) {
  for (size_t i = first + 1; i < last; ++i)
    if (operandType(node, i).dtype != operandType(node, first).dtype)
      return invalidArgument(op(node), " expects operands of the same dtype, got ",
                             operandName(node, first), " ", operandType(node, first).str(),
                             " and ", operandName(node, i), " ", operandType(node, i).str());
  return Status::OK();
}

Status checkRank(const Node& node, size_t i, int rank, bool atLeast) {
  int r = operandType(node, i).shape.rank();
  if (atLeast ? r >= rank : r == rank) return Status::OK();
  return invalidArgument(op(node), " expects ", operandName(node, i), " of rank ",
                         atLeast ? ">= " : "", rank, ", got ", operandType(node, i).str());
}

Status checkStatic(const Node& node, size_t i, int dim, const char* what) {
  if (operandType(node, i).shape.dim(dim) != kBatch) return Status::OK();
  return invalidArgument(op(node), " cannot have the batch symbol N as the ", what, " of ",
                         operandName(node, i), ", got ", operandType(node, i).str());
}

}  // namespace dlc::ir::infer
