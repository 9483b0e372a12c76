// Fusion questions routed by device. See DeviceFusionPolicy.h.
#include "compiler/DeviceFusionPolicy.h"

#include <algorithm>

#include "passes/SoftPlacement.h"

namespace dlc {

int DeviceFusionPolicy::maxOperands() const {
  return std::max(cpu_.maxOperands(), gpu_.maxOperands());
}

const passes::FusionPolicy& DeviceFusionPolicy::forDevice(const std::string& device) const {
  return passes::isGpuDevice(device) ? gpu_ : cpu_;
}

passes::FusionDecision DeviceFusionPolicy::canFuseProducer(const ir::Node& producer,
                                                           const ir::Node& consumer,
                                                           const passes::FusionState& state) const {
  return forDevice(consumer.device).shouldFuseProducer(producer, consumer, state);
}

passes::FusionDecision DeviceFusionPolicy::canDuplicate(const ir::Node& producer) const {
  // The clones run where the producer's consumers run, which is the
  // producer's device: fusion never crosses a device boundary.
  return forDevice(producer.device).shouldDuplicate(producer, /*numConsumerKernels=*/2);
}

passes::FusionDecision DeviceFusionPolicy::canMergeSiblings(
    const ir::Node& shared, const passes::SiblingState& state) const {
  return forDevice(state.deviceA).shouldMergeSiblings(shared, state);
}

}  // namespace dlc
