// Shape and type inference for every op in ir/Ops.def.
#pragma once

#include "ir/Graph.h"

namespace dlc::ir {

// Computes the output type of `node` from its operands' types and its
// attributes. Errors name the problem only; callers add the node context.
StatusOr<TensorType> inferType(const Node& node);

// inferType for one node, storing the result; the error names the node.
Status inferNodeType(Node& node);

// Infers every non-source node in order (the graph must be topologically
// sorted). The error names the file (graph.sourceFile) and the node.
Status inferTypes(Graph& graph);

}  // namespace dlc::ir
