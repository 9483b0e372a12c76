// LowerPrecision (passes/LowerPrecision.h): rewrites an f32 graph to compute
// in f16 or bf16 while its signature stays f32.
//
// In node order, with P the low dtype:
//   - an f32 graph input gets one `cast(to = P)` named "<input>.<p>", placed
//     before its first reader and on that reader's device, and every reader
//     reads the cast instead (the input itself, its name and type are
//     unchanged; a first reader that already casts it to P is reused);
//   - an f32 constant's data is rounded to P (nearest even) into new storage
//     (clones share constant storage, so the old tensor is never written); a
//     finite value that would overflow to inf (f16 beyond +-65504) is an
//     error naming the constant, never a silent inf;
//   - every computed node whose result is f32 becomes P: a `cast(to = "f32")`
//     becomes `cast(to = P)` (so u8 -> f32 image casts become u8 -> P), every
//     other op is re-inferred from its now-P operands;
//   - a computed f32 graph output keeps its name and f32 type: its
//     computation moves to a P clone named "<name>.<p>" (same op, operands,
//     attributes, origins, device) and the output itself becomes
//     `cast(<name>.<p>, to = "f32")`, so artifact output names do not change.
//
// A `cast(x, to = "f32")` output whose operand is already P is the boundary
// this pass creates: it is left alone and its other readers read x, so a
// second run changes nothing. Integer, u8 and bool values are untouched (a
// comparison of two lowered values is still bool). Float attributes
// (epsilon, alpha, pad value) stay doubles: kernels apply them in f32 and
// round on store. The pass refuses a graph that is already fused (it must
// run before fusion) and leaves dead nodes in their lowered form for DCE.
#include "passes/LowerPrecision.h"

#include <cmath>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "ir/ShapeInference.h"

namespace dlc::passes {

namespace {

using ir::DType;
using ir::Node;
using ir::OpKind;

bool isCastTo(const Node& n, DType dtype) {
  return n.op == OpKind::Cast && n.attrs.getString("to", "") == ir::dtypeName(dtype);
}

// A fresh node name derived from `base` ("logits.f16", else "logits.f16.3").
std::string freshName(const ir::Graph& graph, const std::string& base) {
  return graph.find(base) ? graph.uniqueName(base) : base;
}

class LowerPrecision : public Pass {
 public:
  explicit LowerPrecision(DType precision)
      : precision_(precision),
        name_(std::string("lower-precision-") + std::string(ir::dtypeName(precision))) {}

  std::string_view name() const override { return name_; }
  StatusOr<bool> run(ir::Graph& graph) override;

 private:
  std::string where(const ir::Graph& graph) const {
    return graph.sourceFile.empty() ? graph.name : graph.sourceFile;
  }
  std::string lowSuffix() const {
    std::string suffix = ".";
    suffix += ir::dtypeName(precision_);
    return suffix;
  }

  // The f32 data of constant `node` rounded to P; a finite value that
  // overflows to inf is an error naming the node.
  StatusOr<Tensor> lowerConstant(const ir::Graph& graph, const Node& node) const;
  // Adds cast(input, to = P) before the input's first reader; returns it
  // (nullptr when nothing reads the input).
  Node* castInput(ir::Graph& graph, Node* input);
  // Rewrites a computed node against its (already lowered) operands.
  Status lowerComputed(ir::Graph& graph, Node* node);
  // Splits a lowered output into a P clone and the f32 cast that keeps the
  // output's name.
  void restoreOutput(ir::Graph& graph, Node* output);

  DType precision_;
  std::string name_;
  // f32 values that stay f32 (inputs, boundary casts, constant outputs) ->
  // the node holding the same value in P, which their readers read instead.
  std::unordered_map<const Node*, Node*> lowOf_;
  bool changed_ = false;
};

StatusOr<Tensor> LowerPrecision::lowerConstant(const ir::Graph& graph, const Node& node) const {
  const Tensor& value = node.value;
  Tensor low(precision_, value.dims());
  const float* src = value.as<float>();
  for (int64_t i = 0; i < value.numElements(); ++i) {
    low.setFromDouble(i, src[i]);
    if (std::isfinite(src[i]) && std::isinf(low.getAsDouble(i)))
      return invalidArgument(where(graph), ": ", node.describe(), ": element ", i, " = ",
                             src[i], " is beyond the range of ", ir::dtypeName(precision_),
                             " (it would become inf); build with --precision bf16 or f32");
  }
  return low;
}

Node* LowerPrecision::castInput(ir::Graph& graph, Node* input) {
  Node* firstReader = nullptr;
  for (const auto& n : graph.nodes())
    for (const Node* in : n->inputs)
      if (in == input && !firstReader) firstReader = n.get();
  if (!firstReader) return nullptr;
  // A first reader that already casts the input to P (an earlier run) serves.
  if (isCastTo(*firstReader, precision_)) return firstReader;
  ir::Attributes attrs;
  attrs.set("to", std::string(ir::dtypeName(precision_)));
  Node* cast = graph.addNode(OpKind::Cast, freshName(graph, input->name + lowSuffix()), {input},
                             std::move(attrs));
  cast->type = ir::TensorType{precision_, input->type.shape};
  cast->device = firstReader->device.empty() ? input->device : firstReader->device;
  cast->origins.clear();  // implements no source-model node
  graph.moveBefore(cast, firstReader);
  changed_ = true;
  return cast;
}

Status LowerPrecision::lowerComputed(ir::Graph& graph, Node* node) {
  for (Node*& in : node->inputs)
    if (auto it = lowOf_.find(in); it != lowOf_.end()) in = it->second;
  const ir::TensorType before = node->type;
  const bool wasF32 = before.dtype == DType::F32;
  // The output boundary: cast(x: P, to = "f32") stays; readers read x.
  if (wasF32 && isCastTo(*node, DType::F32) && node->inputs.size() == 1 &&
      node->inputs[0]->type.dtype == precision_ && graph.isOutput(node)) {
    lowOf_[node] = node->inputs[0];
    return Status::OK();
  }
  if (wasF32 && node->op == OpKind::Cast)
    node->attrs.set("to", std::string(ir::dtypeName(precision_)));
  Status inferred = ir::inferNodeType(*node);
  if (!inferred.ok())
    return internalError(where(graph), ": lower-precision left an inconsistent node: ",
                         inferred.message());
  const DType want = wasF32 ? precision_ : before.dtype;
  if (node->type.dtype != want || node->type.shape != before.shape)
    return internalError(where(graph), ": ", node->describe(), ": lower-precision expected ",
                         ir::dtypeName(want), before.shape.str(), ", got ", node->type.str());
  changed_ |= node->type != before;
  return Status::OK();
}

void LowerPrecision::restoreOutput(ir::Graph& graph, Node* output) {
  Node* low = graph.addNode(output->op, freshName(graph, output->name + lowSuffix()),
                            output->inputs, output->attrs);
  low->type = output->type;
  low->device = output->device;
  low->location = output->location;
  low->origins = output->origins;
  graph.moveBefore(low, output);
  for (const auto& n : graph.nodes())
    if (n.get() != low)
      for (Node*& in : n->inputs)
        if (in == output) in = low;
  ir::Attributes attrs;
  attrs.set("to", std::string(ir::dtypeName(DType::F32)));
  output->op = OpKind::Cast;
  output->inputs = {low};
  output->attrs = std::move(attrs);
  output->type.dtype = DType::F32;
}

StatusOr<bool> LowerPrecision::run(ir::Graph& graph) {
  if (precision_ != DType::F16 && precision_ != DType::BF16)
    return invalidArgument("lower-precision lowers to f16 or bf16, not ",
                           ir::dtypeName(precision_));
  for (const auto& n : graph.nodes())
    if (!ir::isSource(n->op) && n->kernel >= 0)
      return failedPrecondition(where(graph), ": lower-precision must run before fusion, but ",
                                n->describe(), " is already in kernel #k", n->kernel);
  lowOf_.clear();
  changed_ = false;
  std::unordered_set<const Node*> f32Outputs;
  for (const Node* out : graph.outputs())
    if (out->type.dtype == DType::F32) f32Outputs.insert(out);

  for (Node* input : graph.inputs())
    if (input->type.dtype == DType::F32)
      if (Node* cast = castInput(graph, input)) lowOf_[input] = cast;

  // The nodes as they are now: casts added above and clones added below are
  // already in their final form.
  std::vector<Node*> order;
  for (const auto& n : graph.nodes()) order.push_back(n.get());
  std::unordered_set<const Node*> inputCasts;
  for (const auto& [input, cast] : lowOf_) inputCasts.insert(cast);
  auto users = graph.computeUsers();

  for (Node* node : order) {
    if (node->op == OpKind::Input || inputCasts.count(node)) continue;
    if (node->op != OpKind::Constant) {
      DLC_RETURN_IF_ERROR(lowerComputed(graph, node));
      continue;
    }
    if (node->type.dtype != DType::F32) continue;
    // A constant output keeps its f32 data; its readers (if any: after an
    // earlier run they read the copy) get a P copy.
    if (graph.isOutput(node) && users[node].empty()) continue;
    DLC_ASSIGN_OR_RETURN(Tensor low, lowerConstant(graph, *node));
    changed_ = true;
    if (!graph.isOutput(node)) {
      node->type = low.type();
      node->value = std::move(low);
      continue;
    }
    Node* copy = graph.addConstant(freshName(graph, node->name + lowSuffix()), std::move(low));
    copy->device = node->device;
    graph.moveBefore(copy, node);
    lowOf_[node] = copy;
  }

  std::unordered_set<const Node*> restored;
  for (Node* out : graph.outputs())
    if (!ir::isSource(out->op) && f32Outputs.count(out) && out->type.dtype == precision_ &&
        restored.insert(out).second) {
      restoreOutput(graph, out);
      changed_ = true;
    }
  return changed_;
}

}  // namespace

std::unique_ptr<Pass> createLowerPrecisionPass(ir::DType precision) {
  return std::make_unique<LowerPrecision>(precision);
}

}  // namespace dlc::passes
