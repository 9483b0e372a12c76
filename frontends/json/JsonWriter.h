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

// What writeModel wrote, for `dlc import`'s summary line.
struct WriteSummary {
  int64_t inputs = 0;
  int64_t constants = 0;        // all constants ...
  int64_t inlineConstants = 0;  // ... of which written inline
  int64_t nodes = 0;            // computations (not inputs or constants)
  int64_t renamed = 0;          // names the format does not allow, renamed
  int64_t weightBytes = 0;      // tensor bytes in the weights file
  std::string weightsPath;      // "" when no weights file was written
};

// Writes `graph` to `jsonPath` (and its weights file beside it); fills
// `summary` when given.
Status writeModel(const ir::Graph& graph, const std::string& jsonPath,
                  const WriteOptions& options = {}, WriteSummary* summary = nullptr);

}  // namespace dlc::json
