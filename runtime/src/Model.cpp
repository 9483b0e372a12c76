// Model, loading: devices, code modules, constants; reports. The run
// itself is in ModelRun.cpp. See Model.h.
#include "runtime/src/Model.h"

#include <algorithm>

#include "runtime/src/CpuDevice.h"
#include "runtime/src/CpuFeatures.h"

namespace dlc::rt {

namespace {

const char* targetForKind(DeviceKind kind) { return kind == DeviceKind::CUDA ? "cuda" : "cpu"; }

const char* defaultDeviceOf(const std::string& target) {
  return target == "cuda" ? "/device:GPU:0" : "/device:CPU:0";
}

bool isTransfer(const KernelDesc& k) { return k.kind == "transfer"; }

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
  DLC_RETURN_IF_ERROR(resolveDevices());
  DLC_RETURN_IF_ERROR(loadCode(art));
  const size_t numKernels = manifest_.kernels.size();
  hostTimed_.assign(numKernels, false);
  hostMs_.assign(numKernels, 0.0);
  hostStaging_.resize(numKernels);
  for (size_t k = 0; k < numKernels; ++k) {
    Device& device = *physicals_[size_t(homes_[size_t(kernelHome_[k])].physical)].device;
    DLC_ASSIGN_OR_RETURN(std::unique_ptr<Event> start, device.createEvent());
    DLC_ASSIGN_OR_RETURN(std::unique_ptr<Event> end, device.createEvent());
    startEvents_.push_back(std::move(start));
    endEvents_.push_back(std::move(end));
    const KernelDesc& d = manifest_.kernels[k];
    if (isTransfer(d))
      hostTimed_[k] = homes_[size_t(bufferHome_[size_t(d.args[0])])].physical !=
                      homes_[size_t(kernelHome_[k])].physical;
  }
  DLC_RETURN_IF_ERROR(copyConstants(art));
  ownedOutputs_.resize(manifest_.outputs.size());
  kernelMs_.resize(numKernels);
  graphsUsable_ = options.useGraphs && physicals_.size() == 1 && numKernels > 0 &&
                  physicals_.front().device->supportsCapture();
  return Status::OK();
}

// Finds a device for every device name of the manifest. An artifact from
// before the devices list runs every kernel on one device: the given one,
// else the target's.
Status Model::resolveDevices() {
  std::vector<std::string> names = manifest_.devices;
  const bool legacy = names.empty();
  std::string context = source_;
  if (legacy) {
    context = strCat(source_, ": compiled for target \"", manifest_.target, "\"");
    if (options_.device && manifest_.target != targetForKind(options_.device->kind()))
      return unsupported(context, ", but ", options_.device->name(), " runs target \"",
                         targetForKind(options_.device->kind()), "\"");
    names = {options_.device ? options_.device->name() : defaultDeviceOf(manifest_.target)};
  }
  auto set = DeviceSet::resolve(names, {options_.device, options_.virtualDevices});
  if (!set.ok()) return set.status().withContext(context);
  devices_ = std::move(*set);
  if (legacy) {
    for (const KernelDesc& k : manifest_.kernels)
      if (!k.device.empty() && k.device != names[0])
        return unsupported(context, ": kernel k", k.id, " [", k.label, "] is placed on ", k.device,
                           ", but this model runs on ", names[0]);
  }
  for (const std::string& name : names) {
    Home home;
    home.name = name;
    home.device = devices_->find(name);
    Device* physical = &physicalOf(*home.device);
    auto it = std::find_if(physicals_.begin(), physicals_.end(),
                           [&](const Physical& p) { return p.device == physical; });
    home.physical = int(it - physicals_.begin());
    if (it == physicals_.end()) {
      Physical p;
      p.device = physical;
      DLC_ASSIGN_OR_RETURN(p.stream, physical->createStream());
      physicals_.push_back(std::move(p));
    }
    homes_.push_back(std::move(home));
  }
  auto homeOf = [&](const std::string& device) {
    if (legacy || device.empty()) return 0;
    for (size_t h = 0; h < homes_.size(); ++h)
      if (homes_[h].name == device) return int(h);
    return 0;  // validateManifest: every named device is listed
  };
  for (const KernelDesc& k : manifest_.kernels) kernelHome_.push_back(homeOf(k.device));
  for (const BufferDesc& b : manifest_.buffers) bufferHome_.push_back(homeOf(b.device));
  return Status::OK();
}

// One module per physical device, holding the kernels that run on it.
Status Model::loadCode(const Artifact& art) {
  launchIndex_.assign(manifest_.kernels.size(), -1);
  bool onCpu = false;
  for (size_t k = 0; k < manifest_.kernels.size(); ++k) {
    const KernelDesc& d = manifest_.kernels[k];
    if (isTransfer(d)) continue;
    Physical& p = physicals_[size_t(homes_[size_t(kernelHome_[k])].physical)];
    launchIndex_[k] = int(p.kernels.size());
    p.kernels.push_back(d);
    onCpu = onCpu || p.device->kind() == DeviceKind::CPU;
  }
  // Kernels built for newer x86 extensions than this CPU has would die with
  // SIGILL on their first instruction: refuse them before loading the code.
  if (onCpu) DLC_RETURN_IF_ERROR(checkCpuFeatures(manifest_.cpu, source_));
  for (Physical& p : physicals_) {
    if (p.kernels.empty()) continue;
    const bool gpu = p.device->kind() == DeviceKind::CUDA;
    if (gpu && art.cudaCode.empty())
      return dataLoss(source_, ": ", p.kernels.size(), " kernel(s) run on ", p.device->name(),
                      ", but the artifact has no CUDA code section");
    DLC_ASSIGN_OR_RETURN(p.module,
                         p.device->loadModule(gpu ? art.cudaCode : art.code, p.kernels, source_));
  }
  return Status::OK();
}

// The constants section, once per physical device that reads a constant.
Status Model::copyConstants(const Artifact& art) {
  std::vector<bool> needed(physicals_.size(), homes_.size() == 1);
  for (const BufferDesc& b : manifest_.buffers)
    if (b.kind == BufferKind::Constant) needed[size_t(homes_[size_t(bufferHome_[size_t(b.id)])].physical)] = true;
  for (size_t i = 0; i < physicals_.size(); ++i) {
    if (!needed[i]) continue;
    Physical& p = physicals_[i];
    DLC_ASSIGN_OR_RETURN(p.constants, p.device->allocate(art.constants.size()));
    DLC_RETURN_IF_ERROR(p.device->copyHostToDevice(p.constants, art.constants.data(),
                                                   art.constants.size(), *p.stream));
    DLC_RETURN_IF_ERROR(p.device->synchronize(*p.stream));
  }
  return Status::OK();
}

Model::~Model() {
  // Nothing queued may outlive the memory and modules released below.
  (void)synchronizeAll();
  captured_.reset();
  for (Home& h : homes_) {
    Device& device = *physicals_[size_t(h.physical)].device;
    if (h.arena) device.deallocate(h.arena);
    if (h.staging) device.deallocate(h.staging);
  }
  for (Physical& p : physicals_)
    if (p.constants) p.device->deallocate(p.constants);
}

Device& Model::device() {
  return *homes_[size_t(kernelHome_.empty() ? 0 : kernelHome_.front())].device;
}

Status Model::ensureArena(Device& device, void*& base, int64_t& capacity, int64_t bytes) {
  if (base && bytes <= capacity) return Status::OK();
  if (base) device.deallocate(base);
  base = nullptr;
  capacity = 0;
  DLC_ASSIGN_OR_RETURN(base, device.allocate(size_t(bytes)));
  capacity = bytes;
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

Report Model::report() const {
  std::lock_guard<std::mutex> lock(mutex_);
  int64_t batch = timedBatch_ > 0 ? timedBatch_ : 1;
  int64_t peak = 0;
  if (timedBatch_ == 0) {
    auto plan = planMemory(manifest_, batch);
    peak = plan.ok() ? plan->arenaBytes : 0;
  } else {
    for (const Home& h : homes_) peak += h.arenaBytes;
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
  int64_t total = 0;
  for (const Home& h : homes_) total += h.arenaBytes;
  return total;
}

void* Model::lastAddress(int bufferId) const {
  std::lock_guard<std::mutex> lock(mutex_);
  if (bufferId < 0 || size_t(bufferId) >= addresses_.size()) return nullptr;
  return addresses_[size_t(bufferId)];
}

}  // namespace dlc::rt
