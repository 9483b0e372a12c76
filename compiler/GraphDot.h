// Graphviz export of a graph and its kernels (`dlc build --dot`).
//
// Every kernel is a `subgraph cluster_k<id>` labelled "k<id> <kind>:
// <label>"; every node is labelled "name\nop\ntype"; graph inputs and
// constants sit outside the clusters; graph outputs are drawn bold. Without
// a plan the nodes are drawn unclustered. It only renders text: it never
// runs Graphviz.
#pragma once

#include <string>

#include "ir/Graph.h"
#include "ir/Kernel.h"

namespace dlc {

std::string graphToDot(const ir::Graph& graph, const ir::KernelPlan* plan);

}  // namespace dlc
