// Model: a loaded artifact ready to run — the runtime's executor.
//
// Loading reads and validates the artifact, loads its code on the device,
// and copies the constants to device memory once. A run plans temporary
// memory for the batch (MemoryPlan; the arena grows, never shrinks), binds
// inputs/outputs (caller buffers are used in place when the device can
// address host memory; otherwise they are staged through device buffers),
// runs the kernels in manifest order and records each kernel's time with
// device events. Reports use the runs at the most recent batch size.
//
// Runs on one Model are serialized by a mutex; use one Model per thread for
// concurrency. Models on one CPU device share its ThreadPool, which never
// makes a second caller wait while the workers are busy (the caller runs its
// own chunks), so concurrent Models make progress together. Runtime-allocated
// outputs are owned by the Model and reused by its next run, whichever thread
// makes it. It does not schedule kernels across devices (the manifest names
// one device per kernel; all run on the Model's device).
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "runtime/src/Artifact.h"
#include "runtime/src/Device.h"
#include "runtime/src/MemoryPlan.h"
#include "runtime/src/Report.h"
#include "runtime/src/TensorRef.h"
#include "support/Tensor.h"

namespace dlc::rt {

struct ModelOptions {
  // nullptr: the process-wide CPU device.
  Device* device = nullptr;
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
  Device& device() { return *device_; }

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

  // For tests and tools: the arena size of the last run, and where buffer
  // `id` lived in it (device address).
  int64_t arenaBytes() const;
  void* lastAddress(int bufferId) const;

 private:
  Model() = default;
  Status initialize(Artifact artifact, const ModelOptions& options);
  Status ensureArena(void*& base, int64_t& capacity, int64_t bytes);
  Status bindBuffers(int64_t batch, const std::vector<TensorRef>& inputs,
                     std::vector<TensorRef>& outputs);
  Status runKernels(int64_t batch);
  void recordTimes(int64_t batch, double runMs);
  void clearTimings();

  std::string source_;
  Manifest manifest_;
  ModelOptions options_;
  Device* device_ = nullptr;
  std::unique_ptr<LoadedModule> module_;
  std::unique_ptr<Stream> stream_;
  std::vector<std::unique_ptr<Event>> events_;  // kernels + 1

  void* constants_ = nullptr;
  void* arena_ = nullptr;  // temps
  int64_t arenaCapacity_ = 0;
  void* staging_ = nullptr;  // inputs/outputs when not bound in place
  int64_t stagingCapacity_ = 0;
  std::vector<Tensor> ownedOutputs_;  // runtime-allocated outputs
  MemoryPlan plan_;
  std::vector<void*> addresses_;  // per buffer, this run

  mutable std::mutex mutex_;
  int64_t timedBatch_ = 0;
  std::vector<std::vector<double>> kernelMs_;
  std::vector<double> runMs_;
};

}  // namespace dlc::rt
