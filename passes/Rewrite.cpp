#include "passes/Rewrite.h"

#include <algorithm>

namespace dlc::passes {

void addOrigins(ir::Node& to, const std::vector<std::string>& origins) {
  for (const std::string& o : origins)
    if (std::find(to.origins.begin(), to.origins.end(), o) == to.origins.end())
      to.origins.push_back(o);
}

void replaceNode(ir::Graph& graph, ir::Node* from, ir::Node* to) {
  graph.replaceAllUsesWith(from, to);
  if (ir::isSource(to->op)) {
    for (const std::string& o : from->origins)
      if (std::find(graph.foldedOrigins.begin(), graph.foldedOrigins.end(), o) ==
          graph.foldedOrigins.end())
        graph.foldedOrigins.push_back(o);
  } else {
    addOrigins(*to, from->origins);
  }
}

std::optional<double> splatValue(const ir::Node& node) {
  if (node.op != ir::OpKind::Constant || node.value.empty()) return std::nullopt;
  int64_t n = node.value.numElements();
  if (n == 0) return std::nullopt;
  double first = node.value.getAsDouble(0);
  for (int64_t i = 1; i < n; ++i)
    if (node.value.getAsDouble(i) != first) return std::nullopt;
  return first;
}

std::unordered_set<const ir::Node*> liveNodes(const ir::Graph& graph) {
  std::unordered_set<const ir::Node*> live;
  std::vector<const ir::Node*> stack(graph.outputs().begin(), graph.outputs().end());
  while (!stack.empty()) {
    const ir::Node* n = stack.back();
    stack.pop_back();
    if (!live.insert(n).second) continue;
    for (const ir::Node* in : n->inputs) stack.push_back(in);
  }
  for (const ir::Node* in : graph.inputs()) live.insert(in);
  return live;
}

}  // namespace dlc::passes
