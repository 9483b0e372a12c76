#include "runtime/src/Model.h"

#include <chrono>

#include "runtime/src/CpuDevice.h"
#include "runtime/src/CpuFeatures.h"

namespace dlc::rt {

namespace {

const char* targetForKind(DeviceKind kind) { return kind == DeviceKind::CUDA ? "cuda" : "cpu"; }

int64_t alignUp(int64_t v) { return (v + kArenaAlignment - 1) / kArenaAlignment * kArenaAlignment; }

}  // namespace

StatusOr<std::unique_ptr<Model>> Model::load(const std::string& path, ModelOptions options) {
  DLC_ASSIGN_OR_RETURN(Artifact art, readArtifact(path));
  return fromArtifact(std::move(art), options);
}

StatusOr<std::unique_ptr<Model>> Model::loadBytes(const uint8_t* data, size_t size,
                                                  const std::string& source, ModelOptions options) {
  DLC_ASSIGN_OR_RETURN(Artifact art, parseArtifact(data, size, source));
  return fromArtifact(std::move(art), options);
}

StatusOr<std::unique_ptr<Model>> Model::fromArtifact(Artifact artifact, ModelOptions options) {
  std::unique_ptr<Model> model(new Model());
  DLC_RETURN_IF_ERROR(model->initialize(std::move(artifact), options));
  return model;
}

Status Model::initialize(Artifact art, const ModelOptions& options) {
  source_ = art.source;
  manifest_ = std::move(art.manifest);
  options_ = options;
  if (options.device) {
    device_ = options.device;
  } else {
    DLC_ASSIGN_OR_RETURN(CpuDevice * cpu, defaultCpuDevice());
    device_ = cpu;
  }
  const char* target = targetForKind(device_->kind());
  if (manifest_.target != target)
    return unsupported(source_, ": compiled for target \"", manifest_.target, "\", but ",
                       device_->name(), " runs target \"", target, "\"");
  // Kernels built for newer x86 extensions than this CPU has would die with
  // SIGILL on their first instruction: refuse them before loading the code.
  if (device_->kind() == DeviceKind::CPU)
    DLC_RETURN_IF_ERROR(checkCpuFeatures(manifest_.cpu, source_));
  for (const KernelDesc& k : manifest_.kernels) {
    if (!k.device.empty() && k.device != device_->name())
      return unsupported(source_, ": kernel k", k.id, " [", k.label, "] is placed on ", k.device,
                         ", but this model runs on ", device_->name());
  }
  DLC_ASSIGN_OR_RETURN(module_, device_->loadModule(art.code, manifest_.kernels, source_));
  DLC_ASSIGN_OR_RETURN(stream_, device_->createStream());
  for (size_t i = 0; i <= manifest_.kernels.size(); ++i) {
    DLC_ASSIGN_OR_RETURN(std::unique_ptr<Event> e, device_->createEvent());
    events_.push_back(std::move(e));
  }
  DLC_ASSIGN_OR_RETURN(constants_, device_->allocate(art.constants.size()));
  DLC_RETURN_IF_ERROR(
      device_->copyHostToDevice(constants_, art.constants.data(), art.constants.size(), *stream_));
  DLC_RETURN_IF_ERROR(device_->synchronize(*stream_));
  ownedOutputs_.resize(manifest_.outputs.size());
  kernelMs_.resize(manifest_.kernels.size());
  return Status::OK();
}

Model::~Model() {
  if (!device_) return;
  if (constants_) device_->deallocate(constants_);
  if (arena_) device_->deallocate(arena_);
  if (staging_) device_->deallocate(staging_);
}

Status Model::ensureArena(void*& base, int64_t& capacity, int64_t bytes) {
  if (base && bytes <= capacity) return Status::OK();
  if (base) device_->deallocate(base);
  base = nullptr;
  capacity = 0;
  DLC_ASSIGN_OR_RETURN(base, device_->allocate(size_t(bytes)));
  capacity = bytes;
  return Status::OK();
}

Status Model::bindBuffers(int64_t batch, const std::vector<TensorRef>& inputs,
                          std::vector<TensorRef>& outputs) {
  if (int(inputs.size()) != numInputs())
    return invalidArgument(source_, ": expected ", numInputs(), " input(s), got ", inputs.size());
  if (int(outputs.size()) != numOutputs())
    return invalidArgument(source_, ": expected ", numOutputs(), " output(s), got ", outputs.size());
  auto plan = planMemory(manifest_, batch);
  if (!plan.ok()) return plan.status().withContext(source_);
  plan_ = std::move(*plan);
  for (const BufferDesc& b : manifest_.buffers) {
    auto bytes = bytesAt(b.bytes, batch);
    if (!bytes.ok()) return bytes.status().withContext(strCat(source_, ": buffer \"", b.name, "\""));
  }
  for (int i = 0; i < numInputs(); ++i)
    DLC_RETURN_IF_ERROR(checkTensorRef(input(i), "input", i, batch, inputs[size_t(i)]));
  for (int i = 0; i < numOutputs(); ++i)
    DLC_RETURN_IF_ERROR(checkTensorRef(output(i), "output", i, batch, outputs[size_t(i)]));
  DLC_RETURN_IF_ERROR(checkNoOverlap(manifest_, batch, inputs, outputs));

  for (int i = 0; i < numOutputs(); ++i) {
    TensorRef& ref = outputs[size_t(i)];
    if (ref.data) continue;
    Tensor& owned = ownedOutputs_[size_t(i)];
    std::vector<int64_t> dims = boundDims(output(i), batch);
    if (owned.empty() || owned.dims() != dims || owned.dtype() != output(i).dtype) {
      // The batch is the caller's: the allocation may fail, never abort.
      auto fresh = Tensor::create(output(i).dtype, dims);
      if (!fresh.ok())
        return fresh.status().withContext(strCat(source_, ": output ", i, " \"", output(i).name,
                                                 "\" at batch ", batch));
      owned = std::move(fresh).value();
    }
    ref = TensorRef{owned.data(), owned.dtype(), dims};
  }

  DLC_RETURN_IF_ERROR(ensureArena(arena_, arenaCapacity_, plan_.arenaBytes));
  addresses_.assign(manifest_.buffers.size(), nullptr);
  const bool inPlace = options_.bindHostBuffers && device_->hostAccessible();
  int64_t stagingBytes = 0;
  std::vector<int64_t> stagingOffset(manifest_.buffers.size(), 0);
  for (const BufferDesc& b : manifest_.buffers) {
    switch (b.kind) {
      case BufferKind::Constant:
        addresses_[size_t(b.id)] = static_cast<uint8_t*>(constants_) + b.constOffset;
        break;
      case BufferKind::Temp:
        addresses_[size_t(b.id)] = static_cast<uint8_t*>(arena_) + tempOffset(manifest_, plan_, b.id);
        break;
      case BufferKind::Input:
      case BufferKind::Output:
        if (inPlace) {
          addresses_[size_t(b.id)] = b.kind == BufferKind::Input ? inputs[size_t(b.ioIndex)].data
                                                                 : outputs[size_t(b.ioIndex)].data;
        } else {
          stagingOffset[size_t(b.id)] = stagingBytes;
          stagingBytes += alignUp(b.bytes.at(batch));
        }
        break;
    }
  }
  if (inPlace) return Status::OK();
  DLC_RETURN_IF_ERROR(ensureArena(staging_, stagingCapacity_, stagingBytes));
  for (const BufferDesc& b : manifest_.buffers) {
    if (b.kind != BufferKind::Input && b.kind != BufferKind::Output) continue;
    addresses_[size_t(b.id)] = static_cast<uint8_t*>(staging_) + stagingOffset[size_t(b.id)];
    if (b.kind == BufferKind::Input)
      DLC_RETURN_IF_ERROR(device_->copyHostToDevice(addresses_[size_t(b.id)],
                                                    inputs[size_t(b.ioIndex)].data,
                                                    size_t(b.bytes.at(batch)), *stream_));
  }
  return Status::OK();
}

Status Model::runKernels(int64_t batch) {
  std::vector<void*> args;
  DLC_RETURN_IF_ERROR(device_->record(*events_[0], *stream_));
  for (size_t k = 0; k < manifest_.kernels.size(); ++k) {
    args.clear();
    for (int id : manifest_.kernels[k].args) args.push_back(addresses_[size_t(id)]);
    const KernelDesc& desc = manifest_.kernels[k];
    int64_t work = desc.bytesRead.at(batch) + desc.bytesWritten.at(batch) + desc.flops.at(batch);
    Status st = device_->launch(*module_, int(k), args.data(), batch, work, *stream_);
    if (!st.ok()) return st.withContext(strCat(source_, ": kernel k", manifest_.kernels[k].id));
    DLC_RETURN_IF_ERROR(device_->record(*events_[k + 1], *stream_));
  }
  return Status::OK();
}

void Model::recordTimes(int64_t batch, double runMs) {
  if (batch != timedBatch_) clearTimings();
  timedBatch_ = batch;
  auto push = [&](std::vector<double>& v, double x) {
    if (v.size() >= options_.maxTimingSamples && !v.empty()) v.erase(v.begin());
    v.push_back(x);
  };
  for (size_t k = 0; k < manifest_.kernels.size(); ++k) {
    auto ms = device_->elapsedMs(*events_[k], *events_[k + 1]);
    push(kernelMs_[k], ms.ok() ? *ms : 0.0);
  }
  push(runMs_, runMs);
}

Status Model::run(int64_t batch, const std::vector<TensorRef>& inputs,
                  std::vector<TensorRef>& outputs) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto t0 = std::chrono::steady_clock::now();
  DLC_RETURN_IF_ERROR(bindBuffers(batch, inputs, outputs));
  DLC_RETURN_IF_ERROR(runKernels(batch));
  const bool inPlace = options_.bindHostBuffers && device_->hostAccessible();
  if (!inPlace) {
    for (int i = 0; i < numOutputs(); ++i) {
      const BufferDesc& b = output(i);
      DLC_RETURN_IF_ERROR(device_->copyDeviceToHost(outputs[size_t(i)].data, addresses_[size_t(b.id)],
                                                    size_t(b.bytes.at(batch)), *stream_));
    }
  }
  DLC_RETURN_IF_ERROR(device_->synchronize(*stream_));
  double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  recordTimes(batch, ms);
  return Status::OK();
}

int64_t Model::batchOf(const std::vector<Tensor>& inputs) const {
  for (size_t i = 0; i < inputs.size() && int(i) < numInputs(); ++i) {
    const std::vector<int64_t>& dims = input(int(i)).dims;
    if (inputs[i].rank() != int(dims.size())) continue;
    for (size_t d = 0; d < dims.size(); ++d)
      if (dims[d] == ir::kBatch) return inputs[i].dims()[d];
  }
  return 1;
}

StatusOr<std::vector<Tensor>> Model::run(const std::vector<Tensor>& inputs) {
  int64_t batch = batchOf(inputs);
  if (batch < 1) return invalidArgument(source_, ": batch must be >= 1, got ", batch);
  std::vector<TensorRef> in;
  for (const Tensor& t : inputs) in.push_back(refOf(t));
  std::vector<Tensor> out;
  std::vector<TensorRef> outRefs;
  for (int i = 0; i < numOutputs(); ++i) {
    auto bytes = bytesAt(output(i).bytes, batch);
    if (!bytes.ok()) return bytes.status().withContext(source_);
    auto fresh = Tensor::create(output(i).dtype, boundDims(output(i), batch));
    if (!fresh.ok())
      return fresh.status().withContext(strCat(source_, ": output ", i, " \"", output(i).name,
                                               "\" at batch ", batch));
    out.push_back(std::move(fresh).value());
    outRefs.push_back(refOf(out.back()));
  }
  DLC_RETURN_IF_ERROR(run(batch, in, outRefs));
  return out;
}

Report Model::report() const {
  std::lock_guard<std::mutex> lock(mutex_);
  int64_t batch = timedBatch_ > 0 ? timedBatch_ : 1;
  int64_t peak = plan_.arenaBytes;
  if (timedBatch_ == 0) {
    auto plan = planMemory(manifest_, batch);
    peak = plan.ok() ? plan->arenaBytes : 0;
  }
  return buildReport(manifest_, batch, kernelMs_, runMs_, peak);
}

void Model::resetTimings() {
  std::lock_guard<std::mutex> lock(mutex_);
  clearTimings();
}

void Model::clearTimings() {
  for (auto& v : kernelMs_) v.clear();
  runMs_.clear();
}

int64_t Model::arenaBytes() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return plan_.arenaBytes;
}

void* Model::lastAddress(int bufferId) const {
  std::lock_guard<std::mutex> lock(mutex_);
  if (bufferId < 0 || size_t(bufferId) >= addresses_.size()) return nullptr;
  return addresses_[size_t(bufferId)];
}

}  // namespace dlc::rt
