// ir::Graph -> dlc's native JSON model (docs/format.md) plus a safetensors
// weights file: what `dlc import` writes.
//
// The writer emits inputs (with "N" for the batch dimension), constants,
// nodes with their attributes and devices, and outputs, in the graph's
// topological order, so that json::loadModel of the result gives a graph
// that computes exactly the same values. Constants of at most
// WriteOptions::inlineLimit elements are written inline (`value`); larger
// ones go into the safetensors file, referenced by a path relative to the
// JSON file's folder.
//
// What this deliberately does not do: write fused or compiled graphs
// (kernel marks are not part of the format), or preserve JSON formatting of
// a model that was read from JSON.
#pragma once

#include <cstdint>
#include <string>

#include "ir/Graph.h"
#include "support/Status.h"

namespace dlc::json {

struct WriteOptions {
  // The weights file, relative to the JSON file's folder; "" =
  // "<json stem>.safetensors". Not created when no constant needs it.
  std::string weightsFile;
  int64_t inlineLimit = 16;
};

// Writes `graph` to `jsonPath` (and its weights file beside it).
Status writeModel(const ir::Graph& graph, const std::string& jsonPath,
                  const WriteOptions& options = {});

}  // namespace dlc::json
