// AssignDevices: gives every node without a device the default device and
// checks every device string.
//
// A device is "/device:CPU:<n>" or "/device:GPU:<n>" (n a decimal index);
// anything else is an InvalidArgument error naming the node. It does not
// check that the device exists on this machine or that a backend can run
// the node there: that is the compiler's and the runtime's business.
#pragma once

#include <string>

#include "passes/Pass.h"

namespace dlc::passes {

// True for "/device:CPU:<n>" and "/device:GPU:<n>".
bool isValidDeviceName(std::string_view device);

class AssignDevices : public Pass {
 public:
  explicit AssignDevices(std::string defaultDevice = "/device:CPU:0")
      : defaultDevice_(std::move(defaultDevice)) {}
  std::string_view name() const override { return "assign-devices"; }
  StatusOr<bool> run(ir::Graph& graph) override;

 private:
  std::string defaultDevice_;
};

}  // namespace dlc::passes
