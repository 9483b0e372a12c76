// The ImportContext of one ONNX node (see NodeContext.h).
#include "frontends/onnx/NodeContext.h"

#include "compiler/reference/Interpreter.h"
#include "ir/ShapeInference.h"
#include "onnx.pb.h"
#include "passes/ConstantFold.h"

namespace dlc::onnxfe {

namespace {

const std::string kEmpty;

std::vector<int64_t> toIrExtents(const std::vector<int64_t>& entries) {
  std::vector<int64_t> out;
  for (int64_t e : entries) out.push_back(e == kSymbolicN ? ir::kBatch : e);
  return out;
}

// Reshape's target [N, -1, ...] holds two "-1"s once N is written as
// ir::kBatch: the literal -1 is resolved here from the input's static extents.
StatusOr<std::vector<int64_t>> resolveInferred(const ShapeValue& v, const ir::Shape& in) {
  std::vector<int64_t> out = v.entries;
  int inferred = -1;
  int64_t known = 1;
  for (size_t i = 0; i < out.size(); ++i) {
    if (out[i] == -1) {
      if (inferred >= 0) return invalidArgument("shape ", v.str(), " has two -1 entries");
      inferred = int(i);
    } else if (out[i] == 0 && int(i) < in.rank()) {
      out[i] = in.dim(int(i)) == ir::kBatch ? kSymbolicN : in.dim(int(i));
      if (out[i] != kSymbolicN) known *= out[i];
    } else if (out[i] != kSymbolicN) {
      known *= out[i];
    }
  }
  if (inferred >= 0) {
    int64_t total = in.staticElements();
    if (known <= 0 || total % known != 0)
      return invalidArgument("cannot reshape ", in.str(), " to ", v.str());
    out[size_t(inferred)] = total / known;
  }
  return toIrExtents(out);
}

}  // namespace

NodeContext::NodeContext(ImportState& state, const ::onnx::NodeProto& node, int index)
    : state_(state),
      node_(node),
      index_(index),
      opType_(node.op_type()),
      name_(node.name().empty() ? strCat(node.op_type(), "_", index) : node.name()),
      attrs_(node, state.modelDir) {}

int NodeContext::numInputs() const { return node_.input_size(); }
int NodeContext::numOutputs() const { return node_.output_size(); }

const std::string& NodeContext::inputName(int i) const {
  return i >= 0 && i < node_.input_size() ? node_.input(i) : kEmpty;
}
const std::string& NodeContext::outputName(int i) const {
  return i >= 0 && i < node_.output_size() ? node_.output(i) : kEmpty;
}

bool NodeContext::hasInput(int i) const { return !inputName(i).empty(); }

const OnnxValue* NodeContext::value(int i) const {
  if (!hasInput(i)) return nullptr;
  auto it = state_.values.find(inputName(i));
  return it == state_.values.end() ? nullptr : &it->second;
}

StatusOr<ir::Node*> NodeContext::input(int i) {
  if (!hasInput(i)) return static_cast<ir::Node*>(nullptr);
  const OnnxValue* v = value(i);
  if (!v) return error(StatusCode::kInvalidArgument,
                       strCat("input \"", inputName(i), "\" is not defined"));
  if (!v->node)
    return error(StatusCode::kUnsupported,
                 strCat("input ", i, " \"", inputName(i), "\" is the shape value ",
                        v->shape->str(),
                        ", which depends on the batch size N and is used as data; dlc folds "
                        "shape values only through Shape, Gather, Concat, Slice, Squeeze, "
                        "Unsqueeze, Cast, Identity and Add/Sub/Mul/Div into shape inputs"));
  return v->node;
}

const Tensor* NodeContext::constantInput(int i) {
  const OnnxValue* v = value(i);
  if (!v || !v->node || v->node->op != ir::OpKind::Constant || v->node->value.empty())
    return nullptr;
  return &v->node->value;
}

std::optional<ShapeValue> NodeContext::shapeValueInput(int i) {
  const OnnxValue* v = value(i);
  if (!v) return std::nullopt;
  if (v->shape) return v->shape;
  const Tensor* t = constantInput(i);
  if (!t) return std::nullopt;
  auto sv = shapeValueFromTensor(*t);
  if (!sv.ok()) return std::nullopt;
  return std::move(sv).value();
}

StatusOr<std::vector<int64_t>> NodeContext::intsInput(int i) {
  const OnnxValue* v = value(i);
  if (v && v->shape && v->shape->hasBatch())
    return error(StatusCode::kUnsupported,
                 strCat("input ", i, " \"", inputName(i), "\" is the shape value ",
                        v->shape->str(), ", which depends on the batch size N; a constant is "
                        "needed here"));
  const Tensor* t = constantInput(i);
  if (!t || (t->dtype() != ir::DType::I32 && t->dtype() != ir::DType::I64))
    return error(StatusCode::kUnsupported,
                 strCat("input ", i, " \"", inputName(i),
                        "\" must be a constant list of integers (an initializer, a Constant or "
                        "a folded shape computation)"));
  if (t->dtype() == ir::DType::I64)
    return std::vector<int64_t>(t->as<int64_t>(), t->as<int64_t>() + t->numElements());
  return std::vector<int64_t>(t->as<int32_t>(), t->as<int32_t>() + t->numElements());
}

StatusOr<std::vector<int64_t>> NodeContext::shapeInput(int i) {
  const OnnxValue* v = value(i);
  if (!v || !v->shape || !v->shape->hasBatch()) return intsInput(i);
  if (opType_ == "Reshape" && hasInput(0)) {
    const OnnxValue* data = value(0);
    if (data && data->node) {
      auto resolved = resolveInferred(*v->shape, data->node->type.shape);
      if (!resolved.ok()) return withNode(resolved.status());
      return resolved;
    }
  }
  return toIrExtents(v->shape->entries);
}

bool NodeContext::outputUsed(int i) const {
  return !outputName(i).empty() && state_.used.count(outputName(i)) != 0;
}

bool NodeContext::outputBound(int i) const {
  return !outputName(i).empty() && state_.values.count(outputName(i)) != 0;
}

Status NodeContext::withNode(const Status& s) const {
  if (s.ok()) return s;
  return s.withContext(strCat(state_.file, ": node \"", name_, "\" (", opType_, ")"));
}

Status NodeContext::error(StatusCode code, const std::string& message) const {
  return withNode(Status(code, message));
}

StatusOr<int64_t> NodeContext::attrInt(std::string_view name, int64_t def) const {
  auto r = attrs_.getInt(name, def);
  if (!r.ok()) return withNode(r.status());
  return r;
}
StatusOr<float> NodeContext::attrFloat(std::string_view name, float def) const {
  auto r = attrs_.getFloat(name, def);
  if (!r.ok()) return withNode(r.status());
  return r;
}
StatusOr<std::string> NodeContext::attrString(std::string_view name,
                                              const std::string& def) const {
  auto r = attrs_.getString(name, def);
  if (!r.ok()) return withNode(r.status());
  return r;
}
StatusOr<std::vector<int64_t>> NodeContext::attrInts(std::string_view name,
                                                     const std::vector<int64_t>& def) const {
  auto r = attrs_.getInts(name, def);
  if (!r.ok()) return withNode(r.status());
  return r;
}
StatusOr<std::vector<float>> NodeContext::attrFloats(std::string_view name,
                                                     const std::vector<float>& def) const {
  auto r = attrs_.getFloats(name, def);
  if (!r.ok()) return withNode(r.status());
  return r;
}
StatusOr<Tensor> NodeContext::attrTensor(std::string_view name) const {
  auto r = attrs_.getTensor(name);
  if (!r.ok()) return withNode(r.status());
  return r;
}

std::string NodeContext::irName(std::string_view suffix) const {
  return suffix.empty() ? name_ : strCat(name_, "/", suffix);
}

StatusOr<ir::Node*> NodeContext::emit(ir::OpKind op, std::vector<ir::Node*> inputs,
                                      ir::Attributes attrs, std::string_view suffix) {
  for (const ir::Node* in : inputs)
    if (!in)
      return error(StatusCode::kInternal, strCat("converter passed a null operand to ",
                                                 ir::opName(op)));
  ir::Node* node = state_.graph->addNode(op, irName(suffix), std::move(inputs), std::move(attrs));
  node->location = strCat("graph.node[", index_, "]");
  node->origins = {name_};
  auto type = ir::inferType(*node);
  if (!type.ok())
    return error(type.status().code(),
                 strCat(ir::opName(op), ": ", type.status().message()));
  node->type = *type;

  bool allConstant = !node->inputs.empty();
  for (const ir::Node* in : node->inputs)
    allConstant = allConstant && in->op == ir::OpKind::Constant && !in->value.empty();
  if (!allConstant || node->type.shape.hasBatch() ||
      node->type.shape.numElements() > passes::kMaxFoldedElements)
    return node;
  std::vector<const Tensor*> operands;
  for (const ir::Node* in : node->inputs) operands.push_back(&in->value);
  auto folded = ref::evaluateNode(*node, operands);
  if (!folded.ok())
    return error(folded.status().code(),
                 strCat("folding ", ir::opName(op), ": ", folded.status().message()));
  if (folded->type() != node->type)
    return error(StatusCode::kInternal,
                 strCat("folding ", ir::opName(op), " gave ", folded->type().str(),
                        " but its type is ", node->type.str()));
  node->op = ir::OpKind::Constant;
  node->inputs.clear();
  node->attrs = ir::Attributes();
  node->origins.clear();
  node->value = std::move(folded).value();
  return node;
}

ir::Node* NodeContext::constant(Tensor value, std::string_view suffix) {
  ir::Node* node = state_.graph->addConstant(irName(suffix.empty() ? "const" : suffix),
                                             std::move(value));
  node->location = strCat("graph.node[", index_, "]");
  return node;
}

ir::Node* NodeContext::scalar(ir::DType dtype, double value, std::string_view suffix) {
  Tensor t(dtype, {});
  t.setFromDouble(0, value);
  return constant(std::move(t), suffix);
}

Status NodeContext::setOutput(int i, ir::Node* node) {
  if (i < 0 || i >= numOutputs())
    return error(StatusCode::kInternal,
                 strCat("converter set output ", i, " of ", numOutputs()));
  if (!node) return error(StatusCode::kInternal, strCat("converter set output ", i, " to null"));
  if (outputName(i).empty()) return Status::OK();  // an output left out
  state_.values[outputName(i)] = OnnxValue{node, std::nullopt};
  return Status::OK();
}

Status NodeContext::setShapeOutput(int i, const ShapeValue& v) {
  if (i < 0 || i >= numOutputs() || outputName(i).empty()) return Status::OK();
  OnnxValue bound;
  bound.shape = v;
  if (!v.hasBatch()) bound.node = constant(v.toTensor(), "");
  state_.values[outputName(i)] = std::move(bound);
  return Status::OK();
}

}  // namespace dlc::onnxfe
