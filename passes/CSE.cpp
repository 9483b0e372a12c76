#include "passes/CSE.h"

#include <cstring>
#include <functional>
#include <unordered_map>

#include "passes/Rewrite.h"

namespace dlc::passes {

namespace {

using ir::Node;

void hashCombine(size_t& seed, size_t v) {
  seed ^= v + 0x9e3779b97f4a7c15ull + (seed << 6) + (seed >> 2);
}

bool isCommutativeBinary(const Node& n) {
  return n.inputs.size() == 2 && ir::hasTrait(n.op, ir::kCommutative);
}

size_t hashNode(const Node& n) {
  size_t h = std::hash<int>()(int(n.op));
  hashCombine(h, std::hash<std::string>()(n.type.str()));
  hashCombine(h, std::hash<std::string>()(n.device));
  hashCombine(h, std::hash<int>()(n.kernel));
  if (isCommutativeBinary(n)) {
    // Order-independent: a+b and b+a hash alike.
    hashCombine(h, std::hash<const Node*>()(n.inputs[0]) ^ std::hash<const Node*>()(n.inputs[1]));
  } else {
    for (const Node* in : n.inputs) hashCombine(h, std::hash<const Node*>()(in));
  }
  for (const auto& [key, value] : n.attrs.all()) {
    hashCombine(h, std::hash<std::string>()(key));
    hashCombine(h, std::hash<std::string>()(ir::attrToString(value)));
  }
  if (n.op == ir::OpKind::Constant && !n.value.empty()) {
    std::string_view bytes(static_cast<const char*>(n.value.data()), n.value.byteSize());
    hashCombine(h, std::hash<std::string_view>()(bytes));
  }
  return h;
}

bool sameOperands(const Node& a, const Node& b) {
  if (a.inputs == b.inputs) return true;
  return isCommutativeBinary(a) && a.inputs[0] == b.inputs[1] && a.inputs[1] == b.inputs[0];
}

bool sameValue(const Node& a, const Node& b) {
  if (a.op != b.op || a.type != b.type || a.device != b.device || a.kernel != b.kernel ||
      !(a.attrs == b.attrs) || a.inputs.size() != b.inputs.size() || !sameOperands(a, b))
    return false;
  if (a.op != ir::OpKind::Constant) return true;
  if (a.value.empty() || b.value.empty()) return false;
  return a.value.dtype() == b.value.dtype() && a.value.dims() == b.value.dims() &&
         std::memcmp(a.value.data(), b.value.data(), a.value.byteSize()) == 0;
}

}  // namespace

StatusOr<bool> CSE::run(ir::Graph& graph) {
  std::unordered_set<const Node*> live = graph.liveNodes();
  std::unordered_map<size_t, std::vector<Node*>> seen;
  bool changed = false;
  // Nodes are in topological order, so operands were already canonicalised
  // when a node is looked at, and the survivor always precedes its copy.
  for (const auto& owned : graph.nodes()) {
    Node* node = owned.get();
    if (node->op == ir::OpKind::Input || !live.count(node)) continue;
    std::vector<Node*>& bucket = seen[hashNode(*node)];
    Node* survivor = nullptr;
    for (Node* candidate : bucket) {
      if (!sameValue(*candidate, *node)) continue;
      if (graph.isOutput(candidate) && graph.isOutput(node)) continue;
      survivor = candidate;
      break;
    }
    if (!survivor) {
      bucket.push_back(node);
      continue;
    }
    replaceNode(graph, node, survivor);
    changed = true;
  }
  return changed;
}

}  // namespace dlc::passes
