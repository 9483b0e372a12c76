// The device interface: what the executor needs from a place that runs
// kernels. CpuDevice implements it today; a CUDA device implements the same
// calls (device pointers, streams, events, a module loaded from PTX/cubin).
//
// Memory is addressed by opaque device pointers (void*). On the CPU they are
// host pointers and `hostAccessible()` is true, which lets the executor bind
// caller buffers without copies. Streams order work; events mark points on a
// stream and time the work between them. A LoadedModule is the
// backend-specific form of an artifact's code section; launching kernel i runs
// its symbol over [0, extent(batch)).
//
// This header does not discover devices (DeviceDiscovery.h) nor plan memory
// (MemoryPlan.h).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "runtime/src/Manifest.h"
#include "support/Status.h"

namespace dlc::rt {

enum class DeviceKind { CPU, CUDA };
const char* deviceKindName(DeviceKind kind);  // "CPU", "CUDA"

// What is known about a device. Unknown values are std::nullopt / 0, never a
// guess.
struct DeviceInfo {
  std::string name;                // "/device:CPU:0"
  DeviceKind kind = DeviceKind::CPU;
  std::string model;               // "AMD EPYC 9654 96-Core Processor"
  int cores = 0;                   // physical cores (CPU) / SMs (CUDA)
  int threads = 0;                 // hardware threads the runtime uses
  int64_t memoryBytes = 0;
  std::optional<double> peakBandwidthGBs;      // theoretical, only when known
  std::optional<double> measuredBandwidthGBs;  // set by measureBandwidthGBs
  // CUDA only: "9.0", and host<->device copy rates when measured.
  std::string computeCapability;
  std::optional<double> measuredHostToDeviceGBs;
  std::optional<double> measuredDeviceToHostGBs;
  // A logical device carved out of a physical one (--virtual-devices):
  // the physical device's name; empty for a physical device.
  std::string physical;
};

class Stream {
 public:
  virtual ~Stream() = default;
};

class Event {
 public:
  virtual ~Event() = default;
};

// A recorded sequence of work on a stream (a CUDA Graph), replayed with one
// call.
class CapturedWork {
 public:
  virtual ~CapturedWork() = default;
};

// A code section loaded for one device, with every kernel symbol resolved.
class LoadedModule {
 public:
  virtual ~LoadedModule() = default;
  virtual int numKernels() const = 0;
};

class Device {
 public:
  virtual ~Device() = default;

  // A snapshot (a copy): safe to call while another thread records a
  // measured bandwidth.
  virtual DeviceInfo info() const = 0;
  std::string name() const { return info().name; }
  DeviceKind kind() const { return info().kind; }
  // True when device pointers are host pointers (no copies needed).
  virtual bool hostAccessible() const = 0;

  // Memory. allocate(0) returns a valid, unique pointer. Alignment >= 64.
  virtual StatusOr<void*> allocate(size_t bytes) = 0;
  virtual void deallocate(void* ptr) = 0;
  virtual Status copyHostToDevice(void* dst, const void* src, size_t bytes, Stream& stream) = 0;
  virtual Status copyDeviceToHost(void* dst, const void* src, size_t bytes, Stream& stream) = 0;
  virtual Status copyDeviceToDevice(void* dst, const void* src, size_t bytes, Stream& stream) = 0;

  // Ordering and timing.
  virtual StatusOr<std::unique_ptr<Stream>> createStream() = 0;
  virtual StatusOr<std::unique_ptr<Event>> createEvent() = 0;
  virtual Status record(Event& event, Stream& stream) = 0;
  virtual Status synchronize(Stream& stream) = 0;
  // Milliseconds between two recorded events (after synchronize).
  virtual StatusOr<double> elapsedMs(const Event& start, const Event& end) = 0;

  // Code. `code` is the artifact's code section for this device's kind (a
  // shared object for the CPU, CudaCode.h for CUDA); `kernels` the kernels
  // this module runs, in launch-index order (their symbols, and on CUDA
  // their launch geometry). `source` names the artifact in errors.
  virtual StatusOr<std::unique_ptr<LoadedModule>> loadModule(
      const std::vector<uint8_t>& code, const std::vector<KernelDesc>& kernels,
      const std::string& source) = 0;
  // Runs kernel `index` of `module` on `args` (params then outputs) at `batch`.
  // `work` estimates the bytes the kernel moves plus its flops at this batch
  // (-1: unknown); a device may run small kernels without spreading them
  // over its cores, where waking the cores would cost more than the work.
  virtual Status launch(LoadedModule& module, int index, void* const* args, int64_t batch,
                        int64_t work, Stream& stream) = 0;

  // Records a measured bandwidth, seen by later info() calls. Thread-safe.
  virtual void setMeasuredBandwidth(double gbs) = 0;

  // Capture and replay (CUDA Graphs). Devices without it return false and
  // the executor launches kernel by kernel. Between beginCapture and
  // endCapture, work issued on `stream` is recorded, not run.
  virtual bool supportsCapture() const { return false; }
  virtual Status beginCapture(Stream&) { return unsupported(name(), ": no capture support"); }
  virtual StatusOr<std::unique_ptr<CapturedWork>> endCapture(Stream&) {
    return unsupported(name(), ": no capture support");
  }
  virtual Status replay(CapturedWork&, Stream&) { return unsupported(name(), ": no capture support"); }
};

}  // namespace dlc::rt
