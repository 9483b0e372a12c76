// Model: a loaded artifact ready to run — the runtime's executor.
//
// Loading reads and validates the artifact, finds a device for every device
// name the manifest uses (DeviceSet: physical, or virtual with
// virtualDevices), loads one code module per physical device (the CPU
// shared object for kernels on CPU devices, the CUDA code for those on GPUs;
// a kernel's launch index is its position among that device's kernels) and
// copies the constants once to every physical device that reads them. A
// run plans temporary memory for the batch (MemoryPlan; one arena per
// device holding the slots of that device's temps; arenas grow, never
// shrink), binds inputs/outputs on their home devices (caller buffers are
// used in place when the device can address host memory; otherwise they are
// staged through device buffers), runs the kernels in manifest order on one
// stream per physical device, executes "transfer" kernels as copies
// (DeviceSet's copyAcross), and records each kernel's time with device
// events (host time for copies between physical devices). Reports use the
// runs at the most recent batch size.
//
// With useGraphs, a model whose every kernel runs on one capture-capable
// device (a GPU) captures its kernels once per binding (batch and buffer
// addresses; after one eager run that records per-kernel times) and then
// replays the capture with one call, so small models do not pay a launch
// per kernel. Capture failures fall back to eager runs.
//
// Runs on one Model are serialized by a mutex; use one Model per thread for
// concurrency. Models on one CPU device share its ThreadPool, which never
// makes a second caller wait while the workers are busy (the caller runs its
// own chunks), so concurrent Models make progress together. Runtime-allocated
// outputs are owned by the Model and reused by its next run, whichever thread
// makes it. It does not overlap work on different devices: kernels run in
// manifest order, and a copy between physical devices waits for its bytes.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "runtime/src/Artifact.h"
#include "runtime/src/Device.h"
#include "runtime/src/DeviceSet.h"
#include "runtime/src/MemoryPlan.h"
#include "runtime/src/Report.h"
#include "runtime/src/TensorRef.h"
#include "support/Tensor.h"

namespace dlc::rt {

struct ModelOptions {
  // Serves the manifest device of its own name (its CPU or GPU :0 also
  // bases the virtual devices). nullptr: the process-wide CPU device and
  // the GPUs by ordinal (CudaDevice.h).
  Device* device = nullptr;
  // Each kind of device is split into this many logical devices, so that a
  // model placed on /device:CPU:0..N-1 (or GPU) runs on one CPU (or GPU).
  int virtualDevices = 1;
  // Replay whole runs as one captured graph where every kernel runs on one
  // capture-capable device (CUDA Graphs).
  bool useGraphs = true;
  // Use caller buffers in place when the device can address them. false
  // stages every input/output through device memory (what a GPU does).
  bool bindHostBuffers = true;
  // Kernel times kept per kernel (oldest dropped first).
  size_t maxTimingSamples = 1000;
};

class Model {
 public:
  static StatusOr<std::unique_ptr<Model>> load(const std::string& path, ModelOptions options = {});
  static StatusOr<std::unique_ptr<Model>> loadBytes(const uint8_t* data, size_t size,
                                                    const std::string& source = "<memory>",
                                                    ModelOptions options = {});
  static StatusOr<std::unique_ptr<Model>> fromArtifact(Artifact artifact, ModelOptions options = {});
  ~Model();
  Model(const Model&) = delete;
  Model& operator=(const Model&) = delete;

  const Manifest& manifest() const { return manifest_; }
  const std::string& source() const { return source_; }
  // The device of the first kernel (the model's device when it has one).
  Device& device();
  // Every device the model uses, by manifest name.
  const DeviceSet& devices() const { return *devices_; }
  // True when the last run replayed a captured graph.
  bool lastRunReplayed() const;

  int numInputs() const { return int(manifest_.inputs.size()); }
  int numOutputs() const { return int(manifest_.outputs.size()); }
  const BufferDesc& input(int i) const { return manifest_.buffers[size_t(manifest_.inputs[size_t(i)])]; }
  const BufferDesc& output(int i) const { return manifest_.buffers[size_t(manifest_.outputs[size_t(i)])]; }

  // Runs at `batch` on caller host buffers. An output whose data is nullptr
  // is allocated by the runtime: on return it points to model-owned memory
  // (valid until the next run by any thread) and its dims/dtype are filled
  // in; an allocation that fails is an error, never an abort.
  Status run(int64_t batch, const std::vector<TensorRef>& inputs, std::vector<TensorRef>& outputs);
  // Runs on host tensors; the batch is read from the first input that has
  // the batch dimension (1 if none has). Returns freshly allocated outputs.
  StatusOr<std::vector<Tensor>> run(const std::vector<Tensor>& inputs);
  // The batch of `inputs`: read from the first input that has the batch
  // dimension (1 if none has), as run(inputs) does.
  int64_t batchOf(const std::vector<Tensor>& inputs) const;

  Report report() const;
  void resetTimings();

  // For tests and tools: the arena size of the last run (all devices), and
  // where buffer `id` lived (device address).
  int64_t arenaBytes() const;
  void* lastAddress(int bufferId) const;

 private:
  // A physical device: its stream, its code, its copy of the constants.
  struct Physical {
    Device* device = nullptr;
    std::unique_ptr<Stream> stream;
    std::unique_ptr<LoadedModule> module;
    std::vector<KernelDesc> kernels;  // the module's kernels, launch order
    void* constants = nullptr;
  };
  // A device name of the manifest: where its buffers live this run.
  struct Home {
    std::string name;
    Device* device = nullptr;  // the (maybe virtual) device
    int physical = 0;          // index into physicals_
    void* arena = nullptr;     // its temps
    int64_t arenaCapacity = 0;
    int64_t arenaBytes = 0;        // this run
    std::vector<int64_t> slotOffsets;  // per slot; -1 when no temp here uses it
    void* staging = nullptr;   // its inputs/outputs when not bound in place
    int64_t stagingCapacity = 0;
  };

  Model() = default;
  Status initialize(Artifact artifact, const ModelOptions& options);
  Status resolveDevices();
  Status loadCode(const Artifact& art);
  Status copyConstants(const Artifact& art);
  Status ensureArena(Device& device, void*& base, int64_t& capacity, int64_t bytes);
  Status planHomes();
  bool inPlace(const Home& home) const;
  Status bindBuffers(int64_t batch, const std::vector<TensorRef>& inputs,
                     std::vector<TensorRef>& outputs);
  Status issueKernels(int64_t batch, bool timed);
  Status runTransfer(size_t k, int64_t batch, bool timed);
  Status runKernels(int64_t batch);
  StatusOr<bool> replayCaptured(int64_t batch);
  Status synchronizeAll();
  void recordTimes(int64_t batch, double runMs, bool perKernel);
  void clearTimings();
  Stream& streamOf(const Home& home) { return *physicals_[size_t(home.physical)].stream; }

  std::string source_;
  Manifest manifest_;
  ModelOptions options_;
  std::unique_ptr<DeviceSet> devices_;
  std::vector<Physical> physicals_;
  std::vector<Home> homes_;
  std::vector<int> kernelHome_;   // per kernel: index into homes_
  std::vector<int> launchIndex_;  // per kernel: index in its module; -1 for transfers
  std::vector<int> bufferHome_;   // per buffer: index into homes_
  std::vector<std::unique_ptr<Event>> startEvents_, endEvents_;  // per kernel
  std::vector<bool> hostTimed_;   // per kernel: copies between physical devices
  std::vector<double> hostMs_;    // their host-clock times, this run
  std::vector<std::vector<uint8_t>> hostStaging_;  // per kernel: GPU->GPU copies

  std::vector<Tensor> ownedOutputs_;  // runtime-allocated outputs
  MemoryPlan plan_;
  std::vector<void*> addresses_;  // per buffer, this run

  // CUDA Graphs: usable when every kernel runs on one capture-capable
  // physical device; the capture is keyed by the batch and the addresses.
  bool graphsUsable_ = false;
  std::unique_ptr<CapturedWork> captured_;
  int64_t capturedBatch_ = 0;
  std::vector<void*> capturedAddresses_;
  int64_t lastBatch_ = 0;
  std::vector<void*> lastAddresses_;
  bool lastRunReplayed_ = false;

  mutable std::mutex mutex_;
  int64_t timedBatch_ = 0;
  std::vector<std::vector<double>> kernelMs_;
  std::vector<double> runMs_;
};

}  // namespace dlc::rt
