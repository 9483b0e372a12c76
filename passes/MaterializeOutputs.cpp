// See MaterializeOutputs.h.
#include "passes/MaterializeOutputs.h"

#include <string>
#include <unordered_set>

#include "ir/ShapeInference.h"

namespace dlc::passes {

StatusOr<bool> MaterializeOutputs::run(ir::Graph& graph) {
  std::vector<ir::Node*> outs = graph.outputs();
  std::unordered_set<const ir::Node*> seen;
  bool changed = false;
  for (ir::Node*& out : outs) {
    bool repeated = !seen.insert(out).second;
    if (!ir::isSource(out->op) && !repeated) continue;
    // reshape keeps row-major order, so the same dims are a copy. The batch
    // extent is written as -1 (inferred: N again).
    std::vector<int64_t> dims = out->type.shape.dims();
    for (int64_t& d : dims)
      if (d == ir::kBatch) d = -1;
    ir::Attributes attrs;
    attrs.set("shape", dims);
    std::string name = out->name + "/output";
    if (graph.find(name)) name = graph.uniqueName(name);
    ir::Node* copy = graph.addNode(ir::OpKind::Reshape, name, {out}, std::move(attrs));
    copy->device = out->device;
    copy->location = out->location;
    copy->origins = out->origins;
    DLC_RETURN_IF_ERROR(ir::inferNodeType(*copy));
    out = copy;
    changed = true;
  }
  if (changed) graph.setOutputs(std::move(outs));
  return changed;
}

}  // namespace dlc::passes
