// DeviceSet: the devices a model runs on, found by the names its manifest
// uses, and how bytes move between them.
//
//   /device:CPU:0   the CPU device (ModelOptions::device when that is a CPU
//                   device, else the process-wide one)
//   /device:CPU:n   a VirtualDevice n over it, when virtualDevices > n
//   /device:GPU:n   a VirtualDevice n over GPU 0, when virtualDevices > n >= 1;
//                   otherwise the GPU with ordinal n (cudaDevice)
//
// A name this machine lacks is an error listing the devices it has:
//   model needs /device:GPU:1, but this machine has /device:CPU:0,
//   /device:GPU:0; use --virtual-devices 2 to split GPU:0
// and a GPU where CUDA is unusable says why (cudaAvailable()).
//
// It does not allocate memory, load code or run kernels (Model does).
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "runtime/src/Device.h"
#include "runtime/src/VirtualDevice.h"
#include "support/Status.h"

namespace dlc::rt {

struct DeviceName {
  DeviceKind kind = DeviceKind::CPU;
  int index = 0;
};

// "/device:CPU:<n>" or "/device:GPU:<n>"; nullopt for anything else.
std::optional<DeviceName> parseDeviceName(std::string_view name);

struct DeviceSetOptions {
  // Serves the name device->name(), and is the base of the virtual devices
  // of its kind. nullptr: the process-wide CPU device and cudaDevice(n).
  Device* device = nullptr;
  // Each kind of device is split into this many logical devices.
  int virtualDevices = 1;
};

class DeviceSet {
 public:
  // Resolves every name in `names`; errors name the device and list what
  // this machine has.
  static StatusOr<std::unique_ptr<DeviceSet>> resolve(const std::vector<std::string>& names,
                                                      const DeviceSetOptions& options);

  // The device serving `name`, or nullptr when it is not in the set.
  Device* find(const std::string& name) const;
  // The resolved names, in the order given.
  const std::vector<std::string>& names() const { return names_; }

 private:
  DeviceSet() = default;
  StatusOr<Device*> resolveOne(const std::string& name, const DeviceSetOptions& options);
  StatusOr<Device*> baseOf(DeviceKind kind, const DeviceSetOptions& options);
  StatusOr<Device*> gpu(int ordinal, const DeviceSetOptions& options);

  std::vector<std::string> names_;
  std::map<std::string, Device*> byName_;
  std::vector<std::unique_ptr<VirtualDevice>> virtual_;
};

// The devices this machine offers with `virtualDevices`, as names, virtual
// ones marked: "/device:CPU:0", "/device:CPU:1 (virtual)".
std::vector<std::string> availableDeviceNames(const DeviceSetOptions& options);

// Copies `bytes` from `src` (memory of `from`, ordered on `fromStream`) to
// `dst` (memory of `to`, on `toStream`), between any two devices:
// device-to-device on one physical device, else through the host (staged
// in `hostStaging` when neither side can address host memory). Returns
// when the bytes are in place unless both sides share a physical device,
// where the copy is ordered on `toStream` (the same stream then).
Status copyAcross(Device& from, const void* src, Stream& fromStream, Device& to, void* dst,
                  Stream& toStream, size_t bytes, std::vector<uint8_t>& hostStaging);

}  // namespace dlc::rt
