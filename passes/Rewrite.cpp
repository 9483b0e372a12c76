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
    for (const std::string& o : from->origins) graph.addFoldedOrigin(o);
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

}  // namespace dlc::passes
