#include "passes/AssignDevices.h"

namespace dlc::passes {

bool isValidDeviceName(std::string_view device) {
  for (std::string_view prefix : {"/device:CPU:", "/device:GPU:"}) {
    if (device.substr(0, prefix.size()) != prefix) continue;
    std::string_view index = device.substr(prefix.size());
    if (index.empty() || index.size() > 9) return false;
    for (char c : index)
      if (c < '0' || c > '9') return false;
    return true;
  }
  return false;
}

StatusOr<bool> AssignDevices::run(ir::Graph& graph) {
  const char* kExpected = "expected \"/device:CPU:<n>\" or \"/device:GPU:<n>\"";
  if (!isValidDeviceName(defaultDevice_))
    return invalidArgument("invalid default device \"", defaultDevice_, "\"; ", kExpected);
  std::string where = graph.sourceFile.empty() ? "" : graph.sourceFile + ": ";
  bool changed = false;
  for (const auto& node : graph.nodes()) {
    if (node->device.empty()) {
      node->device = defaultDevice_;
      changed = true;
    } else if (!isValidDeviceName(node->device)) {
      return invalidArgument(where, node->describe(), ": invalid device \"", node->device,
                             "\"; ", kExpected);
    }
  }
  return changed;
}

}  // namespace dlc::passes
