// Multi-output (sibling) fusion: the last step of the Fusion pass.
//
// Two kernels that read the same value (a graph input, a constant or another
// kernel's output) merge into one multi-output kernel when the policy agrees
// (on the CPU: two Loop kernels over one iteration space sharing a large
// value), so the value is read once. Kernels where one depends on the other
// never merge (that would be producer fusion, already refused, or a cycle).
//
// It does not move single nodes between kernels or clone anything.
#pragma once

#include "ir/Graph.h"
#include "passes/FusionGroups.h"
#include "passes/FusionPolicy.h"

namespace dlc::passes {

// Merges sibling groups; returns how many merges happened.
int mergeSiblingGroups(const ir::Graph& graph, FusionGroups& groups, const FusionPolicy& policy);

}  // namespace dlc::passes
