// Soft placement of GPU nodes without a GPU kernel. See SoftPlacement.h.
#include "passes/SoftPlacement.h"

#include <algorithm>

namespace dlc::passes {

std::string fallbackLogLine(const PlacementFallback& f) {
  return strCat("soft placement: node ", f.node, " (", f.op, ") -> ", f.to, ": ", f.reason);
}

bool isGpuDevice(std::string_view device) {
  return device.substr(0, 12) == "/device:GPU:";
}

StatusOr<bool> SoftPlacement::run(ir::Graph& graph) {
  fallbacks_.clear();
  const std::string where = graph.sourceFile.empty() ? graph.name : graph.sourceFile;
  bool changed = false;
  for (const auto& node : graph.nodes()) {
    if (ir::isSource(node->op) || !isGpuDevice(node->device)) continue;
    std::string op(ir::opName(node->op));
    std::string reason;
    const auto& cpuOnly = options_.cpuOnlyOps;
    if (std::find(cpuOnly.begin(), cpuOnly.end(), op) != cpuOnly.end()) {
      reason = strCat(op, " is listed in --cpu-only-ops: built as having no GPU kernel");
    } else if (options_.gpuSupport) {
      Status supported = options_.gpuSupport(*node);
      if (!supported.ok()) reason = supported.message();
    }
    if (reason.empty()) continue;
    if (options_.strict)
      return unsupported(where, ": ", node->describe(), ": no kernel for ", op, " on ",
                         node->device, " (strict placement forbids the CPU fallback): ", reason);
    fallbacks_.push_back(
        {node->name, op, node->origins, node->device, options_.fallbackDevice, reason});
    node->device = options_.fallbackDevice;
    changed = true;
  }
  return changed;
}

}  // namespace dlc::passes
