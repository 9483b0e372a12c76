// Small graph-rewrite helpers shared by the simplification passes: moving
// origins along with a rewrite, recognising constant splats. Liveness is ir::Graph::liveNodes().
//
// These keep the passes' bookkeeping identical (every rewrite preserves the
// source-model names a node implements); they make no rewriting decisions.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "ir/Graph.h"

namespace dlc::passes {

// Appends the origins `to` does not already have, keeping their order.
void addOrigins(ir::Node& to, const std::vector<std::string>& origins);

// Replaces every use of `from` by `to` and hands `from`'s origins to `to`
// (to graph.foldedOrigins when `to` is a graph input or constant, which
// implement no model node). `from` is left dead for DCE.
void replaceNode(ir::Graph& graph, ir::Node* from, ir::Node* to);

// The value of a constant whose elements are all equal; nullopt otherwise
// (not a constant, empty, or mixed values).
std::optional<double> splatValue(const ir::Node& node);

}  // namespace dlc::passes
