#include "passes/DCE.h"

namespace dlc::passes {

StatusOr<bool> DCE::run(ir::Graph& graph) { return graph.removeDeadNodes() > 0; }

}  // namespace dlc::passes
