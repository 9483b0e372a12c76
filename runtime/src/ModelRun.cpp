// Model, running: binding buffers on their home devices, issuing kernels
// and transfers, capture and replay, and recording times. See Model.h.
#include "runtime/src/Model.h"

#include <chrono>

namespace dlc::rt {

namespace {

int64_t alignUp(int64_t v) { return (v + kArenaAlignment - 1) / kArenaAlignment * kArenaAlignment; }

bool isTransfer(const KernelDesc& k) { return k.kind == "transfer"; }

double msSince(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace

// Lays out, per device, the slots its temps use (all of them when the
// model has one device), and grows its arena to fit.
Status Model::planHomes() {
  for (size_t h = 0; h < homes_.size(); ++h) {
    Home& home = homes_[h];
    if (homes_.size() == 1) {
      home.slotOffsets = plan_.slotOffsets;
      home.arenaBytes = plan_.arenaBytes;
    } else {
      std::vector<bool> used(manifest_.slots.size(), false);
      for (const BufferDesc& b : manifest_.buffers)
        if (b.kind == BufferKind::Temp && bufferHome_[size_t(b.id)] == int(h)) used[size_t(b.slot)] = true;
      home.slotOffsets.assign(manifest_.slots.size(), -1);
      int64_t offset = 0;
      for (size_t s = 0; s < used.size(); ++s) {
        if (!used[s]) continue;
        home.slotOffsets[s] = offset;
        offset += alignUp(plan_.slotBytes[s]);
      }
      home.arenaBytes = offset;
    }
    DLC_RETURN_IF_ERROR(ensureArena(*physicals_[size_t(home.physical)].device, home.arena,
                                    home.arenaCapacity, home.arenaBytes));
  }
  return Status::OK();
}

bool Model::inPlace(const Home& home) const {
  return options_.bindHostBuffers && home.device->hostAccessible();
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

  DLC_RETURN_IF_ERROR(planHomes());
  addresses_.assign(manifest_.buffers.size(), nullptr);
  std::vector<int64_t> stagingBytes(homes_.size(), 0);
  std::vector<bool> staged(homes_.size(), false);
  std::vector<int64_t> stagingOffset(manifest_.buffers.size(), 0);
  for (const BufferDesc& b : manifest_.buffers) {
    const int h = bufferHome_[size_t(b.id)];
    const Home& home = homes_[size_t(h)];
    switch (b.kind) {
      case BufferKind::Constant:
        addresses_[size_t(b.id)] =
            static_cast<uint8_t*>(physicals_[size_t(home.physical)].constants) + b.constOffset;
        break;
      case BufferKind::Temp:
        addresses_[size_t(b.id)] =
            static_cast<uint8_t*>(home.arena) + home.slotOffsets[size_t(b.slot)];
        break;
      case BufferKind::Input:
      case BufferKind::Output:
        if (inPlace(home)) {
          addresses_[size_t(b.id)] = b.kind == BufferKind::Input ? inputs[size_t(b.ioIndex)].data
                                                                 : outputs[size_t(b.ioIndex)].data;
        } else {
          staged[size_t(h)] = true;
          stagingOffset[size_t(b.id)] = stagingBytes[size_t(h)];
          stagingBytes[size_t(h)] += alignUp(b.bytes.at(batch));
        }
        break;
    }
  }
  for (size_t h = 0; h < homes_.size(); ++h) {
    if (!staged[h]) continue;
    Home& home = homes_[h];
    DLC_RETURN_IF_ERROR(ensureArena(*physicals_[size_t(home.physical)].device, home.staging,
                                    home.stagingCapacity, stagingBytes[h]));
  }
  for (const BufferDesc& b : manifest_.buffers) {
    if (b.kind != BufferKind::Input && b.kind != BufferKind::Output) continue;
    Home& home = homes_[size_t(bufferHome_[size_t(b.id)])];
    if (inPlace(home)) continue;
    addresses_[size_t(b.id)] = static_cast<uint8_t*>(home.staging) + stagingOffset[size_t(b.id)];
    if (b.kind == BufferKind::Input)
      DLC_RETURN_IF_ERROR(home.device->copyHostToDevice(addresses_[size_t(b.id)],
                                                        inputs[size_t(b.ioIndex)].data,
                                                        size_t(b.bytes.at(batch)), streamOf(home)));
  }
  return Status::OK();
}

// A transfer: args[0] on its home device -> args[1] on the kernel's device.
Status Model::runTransfer(size_t k, int64_t batch, bool timed) {
  const KernelDesc& d = manifest_.kernels[k];
  const BufferDesc& to = manifest_.buffers[size_t(d.args[1])];
  Home& src = homes_[size_t(bufferHome_[size_t(d.args[0])])];
  Home& dst = homes_[size_t(kernelHome_[k])];
  Device& timer = *physicals_[size_t(dst.physical)].device;
  const size_t bytes = size_t(to.bytes.at(batch));
  const bool events = timed && !hostTimed_[k];
  // A copy between physical devices is timed on the host, from the moment
  // the producer's work is done.
  if (hostTimed_[k]) DLC_RETURN_IF_ERROR(src.device->synchronize(streamOf(src)));
  auto t0 = std::chrono::steady_clock::now();
  if (events) DLC_RETURN_IF_ERROR(timer.record(*startEvents_[k], streamOf(dst)));
  Status st = copyAcross(*src.device, addresses_[size_t(d.args[0])], streamOf(src), *dst.device,
                         addresses_[size_t(d.args[1])], streamOf(dst), bytes, hostStaging_[k]);
  if (!st.ok())
    return st.withContext(strCat(source_, ": transfer k", d.id, " [", d.label, "]"));
  if (events) DLC_RETURN_IF_ERROR(timer.record(*endEvents_[k], streamOf(dst)));
  if (hostTimed_[k]) hostMs_[k] = msSince(t0);
  return Status::OK();
}

// Issues every kernel in manifest order; `timed` records events around each.
Status Model::issueKernels(int64_t batch, bool timed) {
  std::vector<void*> args;
  for (size_t k = 0; k < manifest_.kernels.size(); ++k) {
    const KernelDesc& desc = manifest_.kernels[k];
    if (isTransfer(desc)) {
      DLC_RETURN_IF_ERROR(runTransfer(k, batch, timed));
      continue;
    }
    Home& home = homes_[size_t(kernelHome_[k])];
    Physical& physical = physicals_[size_t(home.physical)];
    Stream& stream = *physical.stream;
    args.clear();
    for (int id : desc.args) args.push_back(addresses_[size_t(id)]);
    int64_t work = desc.bytesRead.at(batch) + desc.bytesWritten.at(batch) + desc.flops.at(batch);
    if (timed) DLC_RETURN_IF_ERROR(physical.device->record(*startEvents_[k], stream));
    Status st = home.device->launch(*physical.module, launchIndex_[k], args.data(), batch, work,
                                    stream);
    if (!st.ok()) return st.withContext(strCat(source_, ": kernel k", desc.id));
    if (timed) DLC_RETURN_IF_ERROR(physical.device->record(*endEvents_[k], stream));
  }
  return Status::OK();
}

Status Model::runKernels(int64_t batch) { return issueKernels(batch, /*timed=*/true); }

// CUDA Graphs: the first run at a binding runs eagerly (and is timed per
// kernel); the second captures every kernel into one graph; later runs at
// that binding replay it. Returns whether the kernels ran by replay.
StatusOr<bool> Model::replayCaptured(int64_t batch) {
  if (!graphsUsable_) return false;
  Physical& p = physicals_.front();
  if (captured_ && batch == capturedBatch_ && addresses_ == capturedAddresses_) {
    DLC_RETURN_IF_ERROR(p.device->replay(*captured_, *p.stream));
    return true;
  }
  const bool seenBefore = batch == lastBatch_ && addresses_ == lastAddresses_;
  lastBatch_ = batch;
  lastAddresses_ = addresses_;
  if (!seenBefore) return false;
  captured_.reset();
  DLC_RETURN_IF_ERROR(p.device->synchronize(*p.stream));
  if (!p.device->beginCapture(*p.stream).ok()) {
    graphsUsable_ = false;
    return false;
  }
  Status issued = issueKernels(batch, /*timed=*/false);
  auto work = p.device->endCapture(*p.stream);
  if (!issued.ok() || !work.ok()) {
    // The device cannot capture this model; it runs kernel by kernel.
    graphsUsable_ = false;
    return false;
  }
  captured_ = std::move(*work);
  capturedBatch_ = batch;
  capturedAddresses_ = addresses_;
  DLC_RETURN_IF_ERROR(p.device->replay(*captured_, *p.stream));
  return true;
}

Status Model::synchronizeAll() {
  for (Physical& p : physicals_)
    if (p.device && p.stream) DLC_RETURN_IF_ERROR(p.device->synchronize(*p.stream));
  return Status::OK();
}

void Model::recordTimes(int64_t batch, double runMs, bool perKernel) {
  if (batch != timedBatch_) clearTimings();
  timedBatch_ = batch;
  auto push = [&](std::vector<double>& v, double x) {
    if (v.size() >= options_.maxTimingSamples && !v.empty()) v.erase(v.begin());
    v.push_back(x);
  };
  if (perKernel) {
    for (size_t k = 0; k < manifest_.kernels.size(); ++k) {
      if (hostTimed_[k]) {
        push(kernelMs_[k], hostMs_[k]);
        continue;
      }
      Device& device = *physicals_[size_t(homes_[size_t(kernelHome_[k])].physical)].device;
      auto ms = device.elapsedMs(*startEvents_[k], *endEvents_[k]);
      push(kernelMs_[k], ms.ok() ? *ms : 0.0);
    }
  }
  push(runMs_, runMs);
}

Status Model::run(int64_t batch, const std::vector<TensorRef>& inputs,
                  std::vector<TensorRef>& outputs) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto t0 = std::chrono::steady_clock::now();
  bool replayed = false;
  Status st = [&]() -> Status {
    DLC_RETURN_IF_ERROR(bindBuffers(batch, inputs, outputs));
    DLC_ASSIGN_OR_RETURN(replayed, replayCaptured(batch));
    if (!replayed) DLC_RETURN_IF_ERROR(runKernels(batch));
    for (int i = 0; i < numOutputs(); ++i) {
      const BufferDesc& b = output(i);
      Home& home = homes_[size_t(bufferHome_[size_t(b.id)])];
      if (inPlace(home)) continue;
      DLC_RETURN_IF_ERROR(home.device->copyDeviceToHost(
          outputs[size_t(i)].data, addresses_[size_t(b.id)], size_t(b.bytes.at(batch)),
          streamOf(home)));
    }
    return synchronizeAll();
  }();
  if (!st.ok()) {
    // Work queued before the failure may still read or write the caller's
    // buffers: wait for it before returning them (best effort).
    (void)synchronizeAll();
    return st;
  }
  lastRunReplayed_ = replayed;
  recordTimes(batch, msSince(t0), /*perKernel=*/!replayed);
  return Status::OK();
}

bool Model::lastRunReplayed() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return lastRunReplayed_;
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

}  // namespace dlc::rt
