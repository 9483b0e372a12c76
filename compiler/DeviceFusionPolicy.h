// DeviceFusionPolicy: one fusion policy for a program whose nodes run on
// several kinds of device. Each question goes to the policy of the device
// the kernel would run on (the consumer's; siblings share one device): the
// CUDA policy for "/device:GPU:<n>", the CPU policy otherwise.
//
// The base class still refuses every fusion across a device boundary, so a
// kernel never mixes devices. It adds no fusion rule of its own.
#pragma once

#include "passes/FusionPolicy.h"

namespace dlc {

class DeviceFusionPolicy : public passes::FusionPolicy {
 public:
  DeviceFusionPolicy(const passes::FusionPolicy& cpu, const passes::FusionPolicy& gpu)
      : cpu_(cpu), gpu_(gpu) {}

  std::string_view name() const override { return "per-device"; }
  // The larger limit; the per-device policy applies its own.
  int maxOperands() const override;

 protected:
  passes::FusionDecision canFuseProducer(const ir::Node& producer, const ir::Node& consumer,
                                         const passes::FusionState& state) const override;
  passes::FusionDecision canDuplicate(const ir::Node& producer) const override;
  passes::FusionDecision canMergeSiblings(const ir::Node& shared,
                                          const passes::SiblingState& state) const override;

 private:
  const passes::FusionPolicy& forDevice(const std::string& device) const;

  const passes::FusionPolicy& cpu_;
  const passes::FusionPolicy& gpu_;
};

}  // namespace dlc
