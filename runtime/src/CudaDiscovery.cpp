// CudaDevice.h's discovery half: whether CUDA is usable, what GPUs exist
// (read from the driver; listing creates no context), and the process-wide
// CudaDevice per GPU, created on first use and never destroyed (models may
// outlive static destruction).
#include <map>
#include <mutex>

#include "runtime/src/CudaDevice.h"
#include "runtime/src/CudaDeviceImpl.h"

namespace dlc::rt {

namespace {

std::string gpuName(int ordinal) { return strCat("/device:GPU:", ordinal); }

std::mutex gDevicesMutex;
std::map<int, CudaDevice*>& devices() {
  static auto* map = new std::map<int, CudaDevice*>();
  return *map;
}

StatusOr<int> deviceCount(const cu::Driver& driver) {
  int count = 0;
  DLC_RETURN_IF_ERROR(driver.check(driver.cuDeviceGetCount(&count), "cuDeviceGetCount"));
  return count;
}

}  // namespace

StatusOr<DeviceInfo> describeCudaDevice(const cu::Driver& driver, int ordinal) {
  DeviceInfo info;
  info.name = gpuName(ordinal);
  info.kind = DeviceKind::CUDA;
  cu::CUdevice dev = 0;
  DLC_RETURN_IF_ERROR(
      driver.check(driver.cuDeviceGet(&dev, ordinal), "cuDeviceGet").withContext(info.name));
  char name[256] = {};
  DLC_RETURN_IF_ERROR(driver.check(driver.cuDeviceGetName(name, int(sizeof name) - 1, dev),
                                   "cuDeviceGetName")
                          .withContext(info.name));
  info.model = name[0] ? name : "unknown NVIDIA GPU";
  size_t memory = 0;
  if (driver.cuDeviceTotalMem(&memory, dev) == cu::CUDA_SUCCESS) info.memoryBytes = int64_t(memory);
  auto attribute = [&](int which) -> int {
    int v = 0;
    return driver.cuDeviceGetAttribute(&v, which, dev) == cu::CUDA_SUCCESS ? v : 0;
  };
  int sms = attribute(cu::CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT);
  info.cores = sms;
  info.threads = sms * attribute(cu::CU_DEVICE_ATTRIBUTE_MAX_THREADS_PER_MULTIPROCESSOR);
  int major = attribute(cu::CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR);
  int minor = attribute(cu::CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR);
  if (major > 0) info.computeCapability = strCat(major, ".", minor);
  // Double data rate: clock (kHz) x bus width (bits) / 8 x 2, in GB/s. Newer
  // drivers may not report the clock; then the peak stays unknown.
  int clockKHz = attribute(cu::CU_DEVICE_ATTRIBUTE_MEMORY_CLOCK_RATE);
  int busBits = attribute(cu::CU_DEVICE_ATTRIBUTE_GLOBAL_MEMORY_BUS_WIDTH);
  if (clockKHz > 0 && busBits > 0)
    info.peakBandwidthGBs = double(clockKHz) * double(busBits) / 8.0 * 2.0 / 1e6;
  return info;
}

Status cudaAvailable() {
  DLC_ASSIGN_OR_RETURN(const cu::Driver* driver, cu::driver());
  DLC_ASSIGN_OR_RETURN(int count, deviceCount(*driver));
  if (count < 1)
    return unavailable("no CUDA GPU: the NVIDIA driver loaded but reports no device (check "
                       "`nvidia-smi` and CUDA_VISIBLE_DEVICES)");
  return Status::OK();
}

std::vector<DeviceInfo> listCudaDevices() {
  std::vector<DeviceInfo> out;
  StatusOr<const cu::Driver*> driver = cu::driver();
  if (!driver.ok()) return out;
  StatusOr<int> count = deviceCount(**driver);
  if (!count.ok()) return out;
  for (int i = 0; i < *count; ++i) {
    {
      std::lock_guard<std::mutex> lock(gDevicesMutex);
      auto it = devices().find(i);
      if (it != devices().end()) {
        out.push_back(it->second->info());  // includes measurements
        continue;
      }
    }
    StatusOr<DeviceInfo> info = describeCudaDevice(**driver, i);
    if (info.ok()) out.push_back(*std::move(info));
  }
  return out;
}

StatusOr<Device*> cudaDevice(int ordinal) {
  DLC_RETURN_IF_ERROR(cudaAvailable());
  DLC_ASSIGN_OR_RETURN(const cu::Driver* driver, cu::driver());
  DLC_ASSIGN_OR_RETURN(int count, deviceCount(*driver));
  if (ordinal < 0 || ordinal >= count) {
    std::string have;
    for (const DeviceInfo& d : listCudaDevices())
      have += strCat(have.empty() ? "" : ", ", d.name, " (", d.model, ")");
    return notFound("no ", gpuName(ordinal), ": this machine has ",
                    have.empty() ? std::string("no CUDA GPU") : have);
  }
  std::lock_guard<std::mutex> lock(gDevicesMutex);
  auto it = devices().find(ordinal);
  if (it != devices().end()) return static_cast<Device*>(it->second);
  DLC_ASSIGN_OR_RETURN(std::unique_ptr<CudaDevice> dev, CudaDevice::create(*driver, ordinal));
  CudaDevice* created = dev.release();
  devices()[ordinal] = created;
  return static_cast<Device*>(created);
}

}  // namespace dlc::rt
