#include "passes/FoldBatchNorm.h"

#include <cmath>

#include "passes/Rewrite.h"

namespace dlc::passes {

namespace {

using ir::Node;
using ir::OpKind;

bool isConstant(const Node* n) { return n->op == OpKind::Constant && !n->value.empty(); }

bool isFloatConstant(const Node* n) { return isConstant(n) && ir::isFloat(n->value.dtype()); }

// A new constant named after `base`, on `device`, placed right before `user`.
Node* addConstantBefore(ir::Graph& graph, const std::string& base, Tensor value,
                        const std::string& device, Node* user) {
  Node* c = graph.addConstant(graph.find(base) ? graph.uniqueName(base) : base, std::move(value));
  c->device = device;
  graph.moveBefore(c, user);
  return c;
}

// Folds `bn` into `producer` (conv2d or dense) if every precondition holds.
bool tryFold(ir::Graph& graph, Node* bn, Node* producer, const BatchNormAffine& affine) {
  Node* w = producer->inputs[1];
  Node* b = producer->inputs.size() > 2 ? producer->inputs[2] : nullptr;
  if (!isFloatConstant(w) || (b && !isFloatConstant(b)) || w->value.rank() < 2) return false;
  const int64_t channels = int64_t(affine.multiplier.size());
  // Per-element channel of w: conv2d OIHW -> dim 0; dense [in,out] -> dim 1.
  int64_t outer = 1, inner = 1;
  const auto& wd = w->value.dims();
  if (producer->op == OpKind::Conv2D) {
    if (wd[0] != channels) return false;
    for (size_t i = 1; i < wd.size(); ++i) inner *= wd[i];
  } else {
    if (producer->type.shape.rank() != 2 || wd.size() != 2 || wd[1] != channels) return false;
    outer = wd[0];
  }
  if (b && (b->value.rank() != 1 || b->value.dims()[0] != channels)) return false;

  Tensor newW(w->value.dtype(), wd);
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t c = 0; c < channels; ++c)
      for (int64_t i = 0; i < inner; ++i) {
        int64_t idx = (o * channels + c) * inner + i;
        newW.setFromDouble(idx, w->value.getAsDouble(idx) * affine.multiplier[size_t(c)]);
      }
  Tensor newB(b ? b->value.dtype() : w->value.dtype(), {channels});
  for (int64_t c = 0; c < channels; ++c) {
    double old = b ? b->value.getAsDouble(c) : 0.0;
    newB.setFromDouble(c, old * affine.multiplier[size_t(c)] + affine.offset[size_t(c)]);
  }

  Node* wNode = addConstantBefore(graph, w->name + "_bn", std::move(newW), w->device, producer);
  Node* bNode = addConstantBefore(graph, (b ? b->name : producer->name + ".bias") + "_bn",
                                  std::move(newB), b ? b->device : w->device, producer);
  producer->inputs = {producer->inputs[0], wNode, bNode};
  replaceNode(graph, bn, producer);
  return true;
}

}  // namespace

std::optional<BatchNormAffine> constantBatchNormAffine(const Node& bn) {
  if (bn.op != OpKind::BatchNorm || bn.inputs.size() != 5) return std::nullopt;
  for (size_t i = 1; i < 5; ++i)
    if (!isFloatConstant(bn.inputs[i]) || bn.inputs[i]->value.rank() != 1) return std::nullopt;
  const Tensor& scale = bn.inputs[1]->value;
  const Tensor& bias = bn.inputs[2]->value;
  const Tensor& mean = bn.inputs[3]->value;
  const Tensor& var = bn.inputs[4]->value;
  int64_t c = scale.numElements();
  if (bias.numElements() != c || mean.numElements() != c || var.numElements() != c)
    return std::nullopt;
  double eps = bn.attrs.getFloat("epsilon", 1e-5);
  BatchNormAffine affine;
  for (int64_t i = 0; i < c; ++i) {
    double m = scale.getAsDouble(i) / std::sqrt(var.getAsDouble(i) + eps);
    affine.multiplier.push_back(m);
    affine.offset.push_back(bias.getAsDouble(i) - mean.getAsDouble(i) * m);
  }
  return affine;
}

StatusOr<bool> FoldBatchNorm::run(ir::Graph& graph) {
  std::unordered_set<const Node*> live = graph.liveNodes();
  auto users = graph.computeUsers();
  // Collect first: folding adds constants to the node list.
  std::vector<Node*> candidates;
  for (const auto& n : graph.nodes())
    if (n->op == OpKind::BatchNorm && live.count(n.get())) candidates.push_back(n.get());
  bool changed = false;
  for (Node* bn : candidates) {
    Node* producer = bn->inputs[0];
    if (producer->op != OpKind::Conv2D && producer->op != OpKind::Dense) continue;
    if (users[producer].size() != 1 || graph.isOutput(producer)) continue;
    if (producer->type != bn->type || producer->inputs.size() < 2) continue;
    std::optional<BatchNormAffine> affine = constantBatchNormAffine(*bn);
    if (!affine) continue;
    if (!tryFold(graph, bn, producer, *affine)) continue;
    changed = true;
    // The producer took over the batch norm's users: a later batch norm
    // reading it must see them (it may fold only where it is the sole user).
    users = graph.computeUsers();
  }
  return changed;
}

}  // namespace dlc::passes
