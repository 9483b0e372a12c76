// The IR verifier: run after every pass in tests and debug builds.
//
// Checks: topological order, operands present in the graph, arity from the
// op table, stored types equal to inferred types, constants carry data of
// their type, unique names, outputs present, fusion annotations consistent.
#pragma once

#include "ir/Graph.h"

namespace dlc::ir {

Status verify(const Graph& graph);

}  // namespace dlc::ir
