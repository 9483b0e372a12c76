#include "passes/ConstantFold.h"

#include <algorithm>

#include "compiler/reference/Interpreter.h"

namespace dlc::passes {

namespace {

bool isFoldable(const ir::Graph& graph, const ir::Node& node) {
  if (ir::isSource(node.op) || node.inputs.empty()) return false;
  if (node.type.shape.hasBatch() || graph.isOutput(&node)) return false;
  if (node.type.shape.numElements() > kMaxFoldedElements) return false;
  return std::all_of(node.inputs.begin(), node.inputs.end(), [](const ir::Node* in) {
    return in->op == ir::OpKind::Constant && !in->value.empty();
  });
}

}  // namespace

StatusOr<bool> ConstantFold::run(ir::Graph& graph) {
  bool changed = false;
  for (const auto& owned : graph.nodes()) {
    ir::Node& node = *owned;
    if (!isFoldable(graph, node)) continue;
    std::vector<const Tensor*> operands;
    for (const ir::Node* in : node.inputs) operands.push_back(&in->value);
    StatusOr<Tensor> value = ref::evaluateNode(node, operands);
    if (!value.ok())
      return value.status().withContext(strCat("constant-fold: ", node.describe()));
    if (value->type() != node.type)
      return internalError("constant-fold: ", node.describe(), " evaluated to ",
                           value->type().str(), " but its type is ", node.type.str());
    for (const std::string& o : node.origins) graph.addFoldedOrigin(o);
    node.op = ir::OpKind::Constant;
    node.inputs.clear();
    node.attrs = ir::Attributes();
    node.origins.clear();
    node.kernel = -1;
    node.value = std::move(value).value();
    changed = true;
  }
  return changed;
}

}  // namespace dlc::passes
