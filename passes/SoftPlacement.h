// SoftPlacement: moves every node its GPU cannot run to the CPU, as
// TensorFlow's soft device placement does, and says why.
//
// A non-source node placed on "/device:GPU:<n>" stays there when the
// backend's support check accepts it and its op is not in `cpuOnlyOps`;
// otherwise it moves to `fallbackDevice` and the move is recorded as a
// PlacementFallback (the build log line and the manifest's placement reason
// come from it). With `strict` (--strict-placement) such a node is an error
// naming the file, the node and the reason instead.
//
// It does not check that devices exist (AssignDevices and the compiler do),
// it does not move inputs or constants (they are homed where they are read),
// and it knows no backend: the support check is handed in.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "passes/Pass.h"

namespace dlc::passes {

// OK when `node` has a kernel on the GPU, else why not.
using KernelSupportFn = std::function<Status(const ir::Node& node)>;

struct SoftPlacementOptions {
  KernelSupportFn gpuSupport;           // empty: every op has a GPU kernel
  std::vector<std::string> cpuOnlyOps;  // op names treated as having no GPU kernel
  bool strict = false;                  // a node that cannot stay is an error
  std::string fallbackDevice = "/device:CPU:0";
};

// One node that moved.
struct PlacementFallback {
  std::string node;                  // the IR node
  std::string op;
  std::vector<std::string> origins;  // the source-model nodes it implements
  std::string from;                  // "/device:GPU:0"
  std::string to;                    // "/device:CPU:0"
  std::string reason;
};

// "soft placement: node X (op) -> /device:CPU:0: <reason>"
std::string fallbackLogLine(const PlacementFallback& fallback);

// True for "/device:GPU:<n>".
bool isGpuDevice(std::string_view device);

class SoftPlacement : public Pass {
 public:
  explicit SoftPlacement(SoftPlacementOptions options) : options_(std::move(options)) {}
  std::string_view name() const override { return "soft-placement"; }
  StatusOr<bool> run(ir::Graph& graph) override;

  // The nodes moved by the last run, in graph order.
  const std::vector<PlacementFallback>& fallbacks() const { return fallbacks_; }

 private:
  SoftPlacementOptions options_;
  std::vector<PlacementFallback> fallbacks_;
};

}  // namespace dlc::passes
