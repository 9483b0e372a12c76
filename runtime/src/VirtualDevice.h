// VirtualDevice: a logical device carved out of a physical one
// (--virtual-devices N), the way TensorFlow splits one GPU into logical
// GPUs. Multi-device placement can then be built, run and tested on a
// machine with one CPU or one GPU.
//
// Every call is forwarded to the physical device: memory, streams, events,
// modules and launches are the physical device's own, so a stream or event
// created through a VirtualDevice works with the physical device and with
// every other VirtualDevice over it. Only info() differs: it reports the
// logical name and sets DeviceInfo::physical to the physical device's name.
// It does not partition the physical device's memory or cores.
#pragma once

#include <string>

#include "runtime/src/Device.h"

namespace dlc::rt {

class VirtualDevice final : public Device {
 public:
  // `physical` must outlive this device.
  VirtualDevice(Device& physical, std::string name)
      : physical_(physical), name_(std::move(name)) {}

  Device& physical() const { return physical_; }

  DeviceInfo info() const override;
  bool hostAccessible() const override { return physical_.hostAccessible(); }

  StatusOr<void*> allocate(size_t bytes) override { return physical_.allocate(bytes); }
  void deallocate(void* ptr) override { physical_.deallocate(ptr); }
  Status copyHostToDevice(void* dst, const void* src, size_t bytes, Stream& stream) override;
  Status copyDeviceToHost(void* dst, const void* src, size_t bytes, Stream& stream) override;
  Status copyDeviceToDevice(void* dst, const void* src, size_t bytes, Stream& stream) override;

  StatusOr<std::unique_ptr<Stream>> createStream() override { return physical_.createStream(); }
  StatusOr<std::unique_ptr<Event>> createEvent() override { return physical_.createEvent(); }
  Status record(Event& event, Stream& stream) override { return physical_.record(event, stream); }
  Status synchronize(Stream& stream) override { return physical_.synchronize(stream); }
  StatusOr<double> elapsedMs(const Event& start, const Event& end) override {
    return physical_.elapsedMs(start, end);
  }

  StatusOr<std::unique_ptr<LoadedModule>> loadModule(const std::vector<uint8_t>& code,
                                                     const std::vector<KernelDesc>& kernels,
                                                     const std::string& source) override {
    return physical_.loadModule(code, kernels, source);
  }
  Status launch(LoadedModule& module, int index, void* const* args, int64_t batch, int64_t work,
                Stream& stream) override {
    return physical_.launch(module, index, args, batch, work, stream);
  }

  void setMeasuredBandwidth(double gbs) override { physical_.setMeasuredBandwidth(gbs); }

  bool supportsCapture() const override { return physical_.supportsCapture(); }
  Status beginCapture(Stream& stream) override { return physical_.beginCapture(stream); }
  StatusOr<std::unique_ptr<CapturedWork>> endCapture(Stream& stream) override {
    return physical_.endCapture(stream);
  }
  Status replay(CapturedWork& work, Stream& stream) override {
    return physical_.replay(work, stream);
  }

 private:
  Device& physical_;
  std::string name_;
};

// The physical device under `device` (itself when it is not virtual).
Device& physicalOf(Device& device);

}  // namespace dlc::rt
