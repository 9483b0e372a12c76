// The CudaDevice class behind CudaDevice.h's functions: one GPU's primary
// context, a memory pool, non-blocking streams, timing events, modules,
// 1-D launches with the DlcArgs ABI, and CUDA Graph capture/replay.
//
// Every call first makes the device's context current on the calling
// thread, so runs may come from any thread. Copies and launches are
// asynchronous on their stream (copies from pageable host memory return once
// the source may be reused, as the driver does); synchronize() waits.
// Capture uses the thread-local mode: beginCapture and endCapture are called
// from the same thread, and nothing allocates on it in between. Internal to
// libdlcrt; created only by cudaDevice(), never destroyed.
#pragma once

#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "runtime/src/CudaDriver.h"
#include "runtime/src/CudaMemoryPool.h"
#include "runtime/src/Device.h"

namespace dlc::rt {

class CudaDevice final : public Device {
 public:
  // Retains GPU `ordinal`'s primary context and describes the GPU.
  static StatusOr<std::unique_ptr<CudaDevice>> create(const cu::Driver& driver, int ordinal);

  DeviceInfo info() const override;
  bool hostAccessible() const override { return false; }

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
  void setMeasuredHostTransfers(double hostToDeviceGBs, double deviceToHostGBs);

  bool supportsCapture() const override { return true; }
  Status beginCapture(Stream& stream) override;
  StatusOr<std::unique_ptr<CapturedWork>> endCapture(Stream& stream) override;
  Status replay(CapturedWork& work, Stream& stream) override;

  // Makes this device's context current on the calling thread.
  Status makeCurrent() const;
  const cu::Driver& driver() const { return driver_; }
  const std::string& arch() const { return arch_; }  // "sm_90"
  CudaMemoryPool::Stats poolStats() const { return pool_->stats(); }

 private:
  CudaDevice(const cu::Driver& driver, int ordinal) : driver_(driver), ordinal_(ordinal) {}
  // The stream's handle, or an error when it belongs to another device.
  StatusOr<cu::CUstream> streamOf(Stream& stream) const;

  const cu::Driver& driver_;
  int ordinal_;
  cu::CUdevice device_ = 0;
  cu::CUcontext context_ = nullptr;
  std::string arch_;
  int maxSharedOptin_ = 0;
  DeviceInfo info_;  // fixed once created; measurements live apart
  std::unique_ptr<CudaMemoryPool> pool_;
  mutable std::mutex measuredMutex_;
  std::optional<double> measuredGBs_, hostToDeviceGBs_, deviceToHostGBs_;
};

// What the driver reports about GPU `ordinal` (no context is created).
StatusOr<DeviceInfo> describeCudaDevice(const cu::Driver& driver, int ordinal);

}  // namespace dlc::rt
