#include "passes/LowerBatchNorm.h"

#include "ir/ShapeInference.h"
#include "passes/FoldBatchNorm.h"
#include "passes/Rewrite.h"

namespace dlc::passes {

namespace {

using ir::Node;
using ir::OpKind;

// A [C,1,...,1] constant of `dtype` holding `values`, placed before `user`.
Node* channelConstant(ir::Graph& graph, const std::string& base, ir::DType dtype, int rank,
                      const std::vector<double>& values, Node* user) {
  std::vector<int64_t> dims(size_t(rank - 1), 1);
  dims[0] = int64_t(values.size());
  Tensor t(dtype, dims);
  for (size_t i = 0; i < values.size(); ++i) t.setFromDouble(int64_t(i), values[i]);
  Node* c = graph.addConstant(graph.find(base) ? graph.uniqueName(base) : base, std::move(t));
  c->device = user->device;
  graph.moveBefore(c, user);
  return c;
}

Node* elementwise(ir::Graph& graph, OpKind op, const std::string& base, Node* a, Node* b,
                  Node* bn) {
  Node* n = graph.addNode(op, graph.find(base) ? graph.uniqueName(base) : base, {a, b});
  n->type = bn->type;
  n->device = bn->device;
  n->origins = bn->origins;
  graph.moveBefore(n, bn);
  return n;
}

}  // namespace

StatusOr<bool> LowerBatchNorm::run(ir::Graph& graph) {
  std::unordered_set<const Node*> live = graph.liveNodes();
  std::vector<Node*> candidates;
  for (const auto& n : graph.nodes())
    if (n->op == OpKind::BatchNorm && live.count(n.get())) candidates.push_back(n.get());
  bool changed = false;
  for (Node* bn : candidates) {
    const ir::TensorType& type = bn->type;
    int rank = type.shape.rank();
    if (!ir::isFloat(type.dtype) || rank < 2 || type.shape.dim(1) < 0) continue;
    std::optional<BatchNormAffine> affine = constantBatchNormAffine(*bn);
    if (!affine || int64_t(affine->multiplier.size()) != type.shape.dim(1)) continue;
    Node* m = channelConstant(graph, bn->name + ".mul_c", type.dtype, rank, affine->multiplier, bn);
    Node* t = channelConstant(graph, bn->name + ".add_c", type.dtype, rank, affine->offset, bn);
    Node* mul = elementwise(graph, OpKind::Mul, bn->name + ".mul", bn->inputs[0], m, bn);
    Node* add = elementwise(graph, OpKind::Add, bn->name + ".add", mul, t, bn);
    DLC_RETURN_IF_ERROR(ir::inferNodeType(*mul));
    DLC_RETURN_IF_ERROR(ir::inferNodeType(*add));
    DLC_CHECK(add->type == bn->type, "lower-batch-norm changed the type of ", bn->name);
    graph.replaceAllUsesWith(bn, add);
    changed = true;
  }
  return changed;
}

}  // namespace dlc::passes
