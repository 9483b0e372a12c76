#include "runtime/src/CpuDevice.h"

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <sched.h>
#include <thread>

#include "runtime/src/CpuModule.h"
#include "runtime/src/DeviceDiscovery.h"

namespace dlc::rt {

namespace {

class CpuStream final : public Stream {};

class CpuEvent final : public Event {
 public:
  std::chrono::steady_clock::time_point time;
  bool recorded = false;
};

}  // namespace

const char* deviceKindName(DeviceKind kind) {
  return kind == DeviceKind::CUDA ? "CUDA" : "CPU";
}

StatusOr<int> cpuThreadCount() {
  if (const char* env = std::getenv("DLC_NUM_THREADS"); env && *env) {
    char* end = nullptr;
    errno = 0;
    long v = std::strtol(env, &end, 10);
    if (errno != 0 || *end != '\0' || v < 1 || v > 4096)
      return invalidArgument("DLC_NUM_THREADS=\"", env, "\": expected an integer in [1, 4096]");
    return int(v);
  }
  cpu_set_t set;
  if (sched_getaffinity(0, sizeof set, &set) == 0 && CPU_COUNT(&set) > 0) return CPU_COUNT(&set);
  unsigned hw = std::thread::hardware_concurrency();
  return hw > 0 ? int(hw) : 1;
}

StatusOr<std::unique_ptr<CpuDevice>> CpuDevice::create(int numThreads) {
  if (numThreads <= 0) {
    DLC_ASSIGN_OR_RETURN(numThreads, cpuThreadCount());
  }
  std::unique_ptr<CpuDevice> dev(new CpuDevice());
  DLC_ASSIGN_OR_RETURN(dev->pool_, ThreadPool::create(numThreads));
  dev->info_ = describeHostCpu();
  dev->info_.threads = numThreads;
  return dev;
}

DeviceInfo CpuDevice::info() const {
  DeviceInfo copy = info_;
  std::lock_guard<std::mutex> lock(measuredMutex_);
  copy.measuredBandwidthGBs = measuredGBs_;
  return copy;
}

void CpuDevice::setMeasuredBandwidth(double gbs) {
  std::lock_guard<std::mutex> lock(measuredMutex_);
  measuredGBs_ = gbs;
}

StatusOr<void*> CpuDevice::allocate(size_t bytes) {
  size_t rounded = (bytes + 63) / 64 * 64;
  if (rounded == 0) rounded = 64;
  if (rounded < bytes) return outOfRange("allocation of ", bytes, " bytes is too large");
  // More than the host (or its cgroup) has is refused before any attempt:
  // with overcommit the allocation could succeed and fail only when touched.
  if (info_.memoryBytes > 0 && bytes > uint64_t(info_.memoryBytes))
    return unavailable(info_.name, ": out of memory allocating ", bytes, " bytes: more than the ",
                       info_.memoryBytes, " bytes of memory of this device");
  void* p = std::aligned_alloc(64, rounded);
  if (!p) return unavailable(info_.name, ": out of memory allocating ", bytes, " bytes");
  return p;
}

void CpuDevice::deallocate(void* ptr) { std::free(ptr); }

Status CpuDevice::copyHostToDevice(void* dst, const void* src, size_t bytes, Stream&) {
  if (bytes) std::memcpy(dst, src, bytes);
  return Status::OK();
}
Status CpuDevice::copyDeviceToHost(void* dst, const void* src, size_t bytes, Stream&) {
  if (bytes) std::memcpy(dst, src, bytes);
  return Status::OK();
}
Status CpuDevice::copyDeviceToDevice(void* dst, const void* src, size_t bytes, Stream&) {
  if (bytes) std::memmove(dst, src, bytes);
  return Status::OK();
}

StatusOr<std::unique_ptr<Stream>> CpuDevice::createStream() {
  return std::unique_ptr<Stream>(new CpuStream());
}
StatusOr<std::unique_ptr<Event>> CpuDevice::createEvent() {
  return std::unique_ptr<Event>(new CpuEvent());
}

Status CpuDevice::record(Event& event, Stream&) {
  auto* e = dynamic_cast<CpuEvent*>(&event);
  if (!e) return invalidArgument(info_.name, ": event belongs to another device");
  e->time = std::chrono::steady_clock::now();
  e->recorded = true;
  return Status::OK();
}

Status CpuDevice::synchronize(Stream&) { return Status::OK(); }

StatusOr<double> CpuDevice::elapsedMs(const Event& start, const Event& end) {
  auto* a = dynamic_cast<const CpuEvent*>(&start);
  auto* b = dynamic_cast<const CpuEvent*>(&end);
  if (!a || !b) return invalidArgument(info_.name, ": event belongs to another device");
  if (!a->recorded || !b->recorded) return failedPrecondition(info_.name, ": event never recorded");
  return std::chrono::duration<double, std::milli>(b->time - a->time).count();
}

StatusOr<std::unique_ptr<LoadedModule>> CpuDevice::loadModule(
    const std::vector<uint8_t>& code, const std::vector<KernelDesc>& kernels,
    const std::string& source) {
  std::vector<std::string> symbols;
  for (const KernelDesc& k : kernels) symbols.push_back(k.symbol);
  DLC_ASSIGN_OR_RETURN(std::unique_ptr<CpuModule> m, CpuModule::load(code, symbols, source));
  return std::unique_ptr<LoadedModule>(std::move(m));
}

namespace {
// Kernels that move fewer bytes plus flops than this run on the calling
// thread: one core finishes them (a few microseconds) faster than the
// others wake up (tens of microseconds on a VM).
constexpr int64_t kSerialWork = int64_t(1) << 20;
}  // namespace

Status CpuDevice::launch(LoadedModule& module, int index, void* const* args, int64_t batch,
                         int64_t work, Stream&) {
  auto* m = dynamic_cast<CpuModule*>(&module);
  if (!m) return invalidArgument(info_.name, ": module was loaded for another device");
  if (index < 0 || index >= m->numKernels())
    return outOfRange(info_.name, ": kernel index ", index, " out of range");
  KernelFn fn = m->kernel(index);
  int64_t extent = m->extent(index)(batch);
  if (extent < 0)
    return internalError(m->symbol(index), "_extent(", batch, ") returned ", extent);
  if (work >= 0 && work < kSerialWork) {
    pool_->runSerial(extent, [&](int64_t begin, int64_t end) { fn(args, batch, begin, end); });
    return Status::OK();
  }
  pool_->parallelFor(extent, [&](int64_t begin, int64_t end) { fn(args, batch, begin, end); });
  return Status::OK();
}

namespace {
std::mutex gDefaultMutex;
// Deliberately never destroyed: models may outlive static destruction.
CpuDevice* gDefault = nullptr;
}  // namespace

StatusOr<CpuDevice*> defaultCpuDevice() {
  std::lock_guard<std::mutex> lock(gDefaultMutex);
  if (!gDefault) {
    DLC_ASSIGN_OR_RETURN(std::unique_ptr<CpuDevice> dev, CpuDevice::create());
    gDefault = dev.release();
  }
  return gDefault;
}

CpuDevice* existingDefaultCpuDevice() {
  std::lock_guard<std::mutex> lock(gDefaultMutex);
  return gDefault;
}

}  // namespace dlc::rt
