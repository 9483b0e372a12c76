// The host CPU as a dlc device: aligned host memory, synchronous streams,
// timestamp events, and kernels from a CpuModule run by a thread pool.
//
// The pool size is the number of hardware threads available to the process,
// or DLC_NUM_THREADS when set. Every call is synchronous: a kernel has
// finished when launch returns, and an event records the time it was
// recorded at. It does not pin threads or know about NUMA.
#pragma once

#include <memory>
#include <mutex>
#include <optional>

#include "runtime/src/Device.h"
#include "runtime/src/ThreadPool.h"

namespace dlc::rt {

class CpuDevice final : public Device {
 public:
  // numThreads <= 0: DLC_NUM_THREADS, else the available hardware threads.
  static StatusOr<std::unique_ptr<CpuDevice>> create(int numThreads = 0);

  DeviceInfo info() const override;
  bool hostAccessible() const override { return true; }

  StatusOr<void*> allocate(size_t bytes) override;
  void deallocate(void* ptr) override;
  Status copyHostToDevice(void* dst, const void* src, size_t bytes, Stream& stream) override;
  Status copyDeviceToHost(void* dst, const void* src, size_t bytes, Stream& stream) override;
  Status copyDeviceToDevice(void* dst, const void* src, size_t bytes, Stream& stream) override;

  StatusOr<std::unique_ptr<Stream>> createStream() override;
  StatusOr<std::unique_ptr<Event>> createEvent() override;
  Status record(Event& event, Stream& stream) override;
  Status synchronize(Stream& stream) override;
  StatusOr<double> elapsedMs(const Event& start, const Event& end) override;

  StatusOr<std::unique_ptr<LoadedModule>> loadModule(const std::vector<uint8_t>& code,
                                                     const std::vector<KernelDesc>& kernels,
                                                     const std::string& source) override;
  Status launch(LoadedModule& module, int index, void* const* args, int64_t batch, int64_t work,
                Stream& stream) override;

  void setMeasuredBandwidth(double gbs) override;

  ThreadPool& pool() { return *pool_; }

 private:
  CpuDevice() = default;
  DeviceInfo info_;  // fixed once created; the measurement lives apart
  std::unique_ptr<ThreadPool> pool_;
  mutable std::mutex measuredMutex_;
  std::optional<double> measuredGBs_;
};

// The number of threads DLC_NUM_THREADS asks for (error if it is not a
// positive integer), or the available hardware threads when it is unset.
StatusOr<int> cpuThreadCount();

// The process-wide CPU device shared by models that are not given one.
StatusOr<CpuDevice*> defaultCpuDevice();
// The default device when it has already been created, else nullptr.
CpuDevice* existingDefaultCpuDevice();

}  // namespace dlc::rt
