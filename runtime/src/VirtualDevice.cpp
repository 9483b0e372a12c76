// A logical device over a physical one. See VirtualDevice.h.
#include "runtime/src/VirtualDevice.h"

namespace dlc::rt {

DeviceInfo VirtualDevice::info() const {
  DeviceInfo info = physical_.info();
  info.physical = info.name;
  info.name = name_;
  return info;
}

Status VirtualDevice::copyHostToDevice(void* dst, const void* src, size_t bytes, Stream& stream) {
  return physical_.copyHostToDevice(dst, src, bytes, stream);
}

Status VirtualDevice::copyDeviceToHost(void* dst, const void* src, size_t bytes, Stream& stream) {
  return physical_.copyDeviceToHost(dst, src, bytes, stream);
}

Status VirtualDevice::copyDeviceToDevice(void* dst, const void* src, size_t bytes,
                                         Stream& stream) {
  return physical_.copyDeviceToDevice(dst, src, bytes, stream);
}

Device& physicalOf(Device& device) {
  if (auto* v = dynamic_cast<VirtualDevice*>(&device)) return physicalOf(v->physical());
  return device;
}

}  // namespace dlc::rt
