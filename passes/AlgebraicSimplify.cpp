#include "passes/AlgebraicSimplify.h"

#include "ir/ShapeInference.h"
#include "passes/Rewrite.h"

namespace dlc::passes {

namespace {

using ir::Node;
using ir::OpKind;

bool isSplat(const Node* n, double v) {
  std::optional<double> s = splatValue(*n);
  return s && *s == v;
}

// The operand a no-op binary node passes through unchanged, or nullptr.
Node* binaryIdentityOperand(const Node& n) {
  if (n.inputs.size() != 2) return nullptr;
  Node* a = n.inputs[0];
  Node* b = n.inputs[1];
  Node* x = nullptr;
  switch (n.op) {
    case OpKind::Mul: x = isSplat(b, 1) ? a : isSplat(a, 1) ? b : nullptr; break;
    case OpKind::Add: x = isSplat(b, 0) ? a : isSplat(a, 0) ? b : nullptr; break;
    case OpKind::Sub: x = isSplat(b, 0) ? a : nullptr; break;
    case OpKind::Div: x = isSplat(b, 1) ? a : nullptr; break;
    default: return nullptr;
  }
  return x && x->type == n.type ? x : nullptr;
}

// transpose's permutation, normalised; the default reverses the dims.
std::optional<std::vector<int64_t>> transposePerm(const Node& n) {
  int rank = n.inputs[0]->type.shape.rank();
  std::vector<int64_t> perm;
  for (int i = rank - 1; i >= 0; --i) perm.push_back(i);
  perm = n.attrs.getInts("perm", perm);
  if (int(perm.size()) != rank) return std::nullopt;
  for (int64_t& p : perm) {
    StatusOr<int> axis = ir::normalizeAxis(p, rank);
    if (!axis.ok()) return std::nullopt;
    p = *axis;
  }
  return perm;
}

bool isIdentityPerm(const std::vector<int64_t>& perm) {
  for (size_t i = 0; i < perm.size(); ++i)
    if (perm[i] != int64_t(i)) return false;
  return true;
}

// The operand a no-op unary node passes through unchanged, or nullptr.
Node* unaryIdentityOperand(const Node& n) {
  if (n.inputs.size() != 1) return nullptr;
  Node* x = n.inputs[0];
  switch (n.op) {
    case OpKind::Reshape:
    case OpKind::Flatten:
    case OpKind::BroadcastTo:
    case OpKind::Cast:
      // Row-major order is kept by all of these: same type means same data.
      return x->type == n.type ? x : nullptr;
    case OpKind::Transpose: {
      auto perm = transposePerm(n);
      return perm && isIdentityPerm(*perm) && x->type == n.type ? x : nullptr;
    }
    default: return nullptr;
  }
}

// Sets new operands/attributes on `n` if shape inference agrees its type is
// unchanged; otherwise leaves it as it was.
bool rewriteInPlace(Node& n, std::vector<Node*> inputs, ir::Attributes attrs) {
  std::vector<Node*> oldInputs = n.inputs;
  ir::Attributes oldAttrs = n.attrs;
  n.inputs = std::move(inputs);
  n.attrs = std::move(attrs);
  StatusOr<ir::TensorType> type = ir::inferType(n);
  if (type.ok() && *type == n.type) return true;
  n.inputs = std::move(oldInputs);
  n.attrs = std::move(oldAttrs);
  return false;
}

// transpose(transpose(x)) -> transpose(x) and reshape(reshape(x)) ->
// reshape(x), in place. Returns whether `n` changed.
bool collapseLayoutChain(Node& n) {
  if (n.inputs.size() != 1) return false;
  Node* inner = n.inputs[0];
  if (n.op == OpKind::Transpose && inner->op == OpKind::Transpose) {
    auto outer = transposePerm(n);
    auto first = transposePerm(*inner);
    if (!outer || !first) return false;
    std::vector<int64_t> composed;
    for (int64_t p : *outer) composed.push_back((*first)[size_t(p)]);
    ir::Attributes attrs = n.attrs;
    attrs.set("perm", composed);
    if (!rewriteInPlace(n, {inner->inputs[0]}, attrs)) return false;
    addOrigins(n, inner->origins);
    return true;
  }
  if (n.op == OpKind::Reshape &&
      (inner->op == OpKind::Reshape || inner->op == OpKind::Flatten)) {
    // The resolved output dims (N is -1, which reshape reads as the batch)
    // mean the same thing whatever the new input is, unlike 0 entries.
    ir::Attributes attrs = n.attrs;
    attrs.set("shape", n.type.shape.dims());
    if (!rewriteInPlace(n, {inner->inputs[0]}, attrs)) return false;
    addOrigins(n, inner->origins);
    return true;
  }
  return false;
}

}  // namespace

StatusOr<bool> AlgebraicSimplify::run(ir::Graph& graph) {
  // Dead nodes are DCE's: rewriting them would only report phantom changes.
  std::unordered_set<const Node*> live = graph.liveNodes();
  bool changed = false;
  for (const auto& owned : graph.nodes()) {
    Node& n = *owned;
    if (ir::isSource(n.op) || !live.count(&n)) continue;
    while (collapseLayoutChain(n)) changed = true;
    Node* x = binaryIdentityOperand(n);
    if (!x) x = unaryIdentityOperand(n);
    if (!x) continue;
    if (graph.isOutput(&n) && (ir::isSource(x->op) || graph.isOutput(x))) continue;
    replaceNode(graph, &n, x);
    changed = true;
  }
  return changed;
}

}  // namespace dlc::passes
