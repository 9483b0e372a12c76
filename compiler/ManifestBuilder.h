// Builds the runtime manifest and the constants blob of a compiled program:
// one buffer per value that crosses a kernel boundary, kernels with their
// argument lists and byte/flop estimates, and the placement of every node of
// the source model. It does not decide anything: fusion, buffer assignment
// and code generation already have.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "ir/Graph.h"
#include "ir/Kernel.h"
#include "passes/BufferAssignment.h"
#include "runtime/src/Manifest.h"

namespace dlc {

struct SourceNodes {
  // Non-source nodes of the model as loaded, in order: name -> op name.
  std::vector<std::pair<std::string, std::string>> nodes;
};

SourceNodes captureSourceNodes(const ir::Graph& graph);

struct ManifestParts {
  rt::Manifest manifest;
  std::vector<uint8_t> constants;
};

StatusOr<ManifestParts> buildManifest(const ir::Graph& graph, const ir::KernelPlan& plan,
                                      const passes::BufferAssignment& buffers,
                                      const std::vector<std::string>& symbols,
                                      const SourceNodes& source, bool fused);

}  // namespace dlc
