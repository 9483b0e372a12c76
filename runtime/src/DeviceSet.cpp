// Device names -> devices, and copies between devices. See DeviceSet.h.
#include "runtime/src/DeviceSet.h"

#include <algorithm>

#include "runtime/src/CpuDevice.h"
#include "runtime/src/CudaDevice.h"

namespace dlc::rt {

std::optional<DeviceName> parseDeviceName(std::string_view name) {
  for (auto [prefix, kind] : {std::pair<std::string_view, DeviceKind>{"/device:CPU:", DeviceKind::CPU},
                              {"/device:GPU:", DeviceKind::CUDA}}) {
    if (name.substr(0, prefix.size()) != prefix) continue;
    std::string_view digits = name.substr(prefix.size());
    if (digits.empty() || digits.size() > 9) return std::nullopt;
    int index = 0;
    for (char c : digits) {
      if (c < '0' || c > '9') return std::nullopt;
      index = index * 10 + (c - '0');
    }
    return DeviceName{kind, index};
  }
  return std::nullopt;
}

namespace {

const char* prefixOf(DeviceKind kind) {
  return kind == DeviceKind::CUDA ? "/device:GPU:" : "/device:CPU:";
}

// GPUs this machine has: the given device's ordinal space when it is a GPU,
// else what the driver lists (nothing without a driver).
int physicalGpuCount(const DeviceSetOptions& options) {
  int count = int(listCudaDevices().size());
  if (options.device && options.device->kind() == DeviceKind::CUDA) {
    auto given = parseDeviceName(options.device->name());
    if (given) count = std::max(count, given->index + 1);
  }
  return count;
}

std::string joinNames(const std::vector<std::string>& names) {
  std::string out;
  for (const std::string& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

}  // namespace

std::vector<std::string> availableDeviceNames(const DeviceSetOptions& options) {
  const int split = std::max(options.virtualDevices, 1);
  std::vector<std::string> names;
  for (int i = 0; i < split; ++i)
    names.push_back(strCat("/device:CPU:", i, i > 0 ? " (virtual)" : ""));
  const int gpus = physicalGpuCount(options);
  if (gpus == 0) return names;
  for (int i = 0; i < std::max(gpus, split); ++i)
    names.push_back(strCat("/device:GPU:", i, i > 0 && i < split ? " (virtual)" : ""));
  return names;
}

StatusOr<std::unique_ptr<DeviceSet>> DeviceSet::resolve(const std::vector<std::string>& names,
                                                        const DeviceSetOptions& options) {
  if (options.virtualDevices < 1)
    return invalidArgument("virtual devices must be >= 1, got ", options.virtualDevices);
  std::unique_ptr<DeviceSet> set(new DeviceSet());
  for (const std::string& name : names) {
    if (set->byName_.count(name)) continue;
    DLC_ASSIGN_OR_RETURN(Device * device, set->resolveOne(name, options));
    set->byName_[name] = device;
    set->names_.push_back(name);
  }
  return set;
}

Device* DeviceSet::find(const std::string& name) const {
  auto it = byName_.find(name);
  return it == byName_.end() ? nullptr : it->second;
}

StatusOr<Device*> DeviceSet::baseOf(DeviceKind kind, const DeviceSetOptions& options) {
  if (options.device && options.device->name() == strCat(prefixOf(kind), 0))
    return options.device;
  if (kind == DeviceKind::CPU) {
    DLC_ASSIGN_OR_RETURN(CpuDevice * cpu, defaultCpuDevice());
    return static_cast<Device*>(cpu);
  }
  return gpu(0, options);
}

StatusOr<Device*> DeviceSet::gpu(int ordinal, const DeviceSetOptions& options) {
  std::string name = strCat(prefixOf(DeviceKind::CUDA), ordinal);
  Status available = cudaAvailable();
  if (!available.ok())
    return unavailable("model needs ", name, ", but this machine has ",
                       joinNames(availableDeviceNames(options)), " (", available.message(), ")");
  auto device = cudaDevice(ordinal);
  if (device.ok()) return *device;
  // The GPU exists but could not be opened (no context, no memory, ...):
  // the driver's reason, not a list of devices that includes it.
  if (device.status().code() != StatusCode::kNotFound)
    return device.status().withContext(strCat("model needs ", name));
  std::string message = strCat("model needs ", name, ", but this machine has ",
                               joinNames(availableDeviceNames(options)));
  if (physicalGpuCount(options) > 0)
    message += strCat("; use --virtual-devices ", ordinal + 1, " to split GPU:0");
  return notFound(message);
}

StatusOr<Device*> DeviceSet::resolveOne(const std::string& name, const DeviceSetOptions& options) {
  std::optional<DeviceName> parsed = parseDeviceName(name);
  if (!parsed)
    return invalidArgument("\"", name,
                           "\" is not a device name (expected /device:CPU:<n> or /device:GPU:<n>)");
  if (options.device && options.device->name() == name) return options.device;
  const int split = std::max(options.virtualDevices, 1);
  if (parsed->index == 0) return baseOf(parsed->kind, options);
  if (parsed->index < split) {
    DLC_ASSIGN_OR_RETURN(Device * base, baseOf(parsed->kind, options));
    virtual_.push_back(std::make_unique<VirtualDevice>(*base, name));
    return static_cast<Device*>(virtual_.back().get());
  }
  if (parsed->kind == DeviceKind::CUDA) return gpu(parsed->index, options);
  return notFound("model needs ", name, ", but this machine has ",
                  joinNames(availableDeviceNames(options)), "; use --virtual-devices ",
                  parsed->index + 1, " to split CPU:0");
}

Status copyAcross(Device& from, const void* src, Stream& fromStream, Device& to, void* dst,
                  Stream& toStream, size_t bytes, std::vector<uint8_t>& hostStaging) {
  if (&physicalOf(from) == &physicalOf(to))
    return to.copyDeviceToDevice(dst, src, bytes, toStream);
  // The producer's work must be done before its bytes leave the device.
  DLC_RETURN_IF_ERROR(from.synchronize(fromStream));
  if (from.hostAccessible()) {
    DLC_RETURN_IF_ERROR(to.copyHostToDevice(dst, src, bytes, toStream));
    return to.synchronize(toStream);
  }
  if (to.hostAccessible()) {
    DLC_RETURN_IF_ERROR(from.copyDeviceToHost(dst, src, bytes, fromStream));
    return from.synchronize(fromStream);
  }
  if (hostStaging.size() < bytes) hostStaging.resize(bytes);
  DLC_RETURN_IF_ERROR(from.copyDeviceToHost(hostStaging.data(), src, bytes, fromStream));
  DLC_RETURN_IF_ERROR(from.synchronize(fromStream));
  DLC_RETURN_IF_ERROR(to.copyHostToDevice(dst, hostStaging.data(), bytes, toStream));
  return to.synchronize(toStream);
}

}  // namespace dlc::rt
