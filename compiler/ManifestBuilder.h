// Builds the runtime manifest and the constants blob of a compiled program:
// one buffer per value that crosses a kernel boundary, kernels with their
// argument lists and byte/flop estimates, and the placement of every node of
// the source model. It does not decide anything: fusion, buffer assignment
// and code generation already have.
//
// A program whose kernels run on several devices gets every buffer homed on
// one device (BufferDesc::device): a kernel output where its kernel runs, a
// graph input where its first reader runs, a constant once per device that
// reads it (all sharing one copy of its bytes in the constants section).
// Wherever a kernel reads a value homed on another device, a "transfer"
// kernel is inserted right before it that copies the value into a new temp
// on the reader's device (with its own slot); later readers on that device
// reuse the copy. One-device programs have no transfers and no buffer
// devices, exactly as before.
#pragma once

#include <map>
#include <unordered_map>
#include <string>
#include <vector>

#include "ir/Graph.h"
#include "ir/Kernel.h"
#include "passes/BufferAssignment.h"
#include "support/Tensor.h"
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

// What the backend produced for one kernel of the plan.
struct KernelCode {
  std::string symbol;     // "dlc_k3"
  rt::CudaLaunch launch;  // GPU kernels only
  std::string engine;     // GPU kernels only: "nvrtc" or a library
};

// `code[k]` belongs to plan.kernels[k]; `fallbacks` maps source-model node
// names to the reason soft placement moved them (NodePlacement::fallback);
// `storedConstants` gives the bytes to store for constants a backend reads
// in a layout of its own (the CPU's pre-packed dense weights), by node.
StatusOr<ManifestParts> buildManifest(const ir::Graph& graph, const ir::KernelPlan& plan,
                                      const passes::BufferAssignment& buffers,
                                      const std::vector<KernelCode>& code,
                                      const SourceNodes& source, bool fused,
                                      const std::map<std::string, std::string>& fallbacks = {},
                                      const std::unordered_map<const ir::Node*, Tensor>*
                                          storedConstants = nullptr);

// The label of a transfer kernel: "h1 CPU:0->CPU:1".
std::string transferLabel(const std::string& value, const std::string& from,
                          const std::string& to);

}  // namespace dlc
