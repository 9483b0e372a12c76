// The CudaDevice class (CudaDeviceImpl.h): memory, copies, streams, events,
// modules, launches and capture on one GPU through the driver API. Discovery
// and the process-wide devices are in CudaDiscovery.cpp.
#include "runtime/src/CudaDeviceImpl.h"

#include <algorithm>
#include <cstdint>

#include "runtime/src/CudaLaunch.h"
#include "runtime/src/CudaModule.h"

namespace dlc::rt {

namespace {

cu::CUdeviceptr devicePtr(const void* p) { return cu::CUdeviceptr(reinterpret_cast<uintptr_t>(p)); }

class CudaStream final : public Stream {
 public:
  CudaStream(const CudaDevice& owner, cu::CUstream handle) : owner(owner), handle(handle) {}
  ~CudaStream() override {
    if (owner.makeCurrent().ok()) (void)owner.driver().cuStreamDestroy(handle);
  }
  const CudaDevice& owner;
  cu::CUstream handle;
};

class CudaEvent final : public Event {
 public:
  CudaEvent(const CudaDevice& owner, cu::CUevent handle) : owner(owner), handle(handle) {}
  ~CudaEvent() override {
    if (owner.makeCurrent().ok()) (void)owner.driver().cuEventDestroy(handle);
  }
  const CudaDevice& owner;
  cu::CUevent handle;
  bool recorded = false;
};

class CudaGraph final : public CapturedWork {
 public:
  CudaGraph(const CudaDevice& owner, cu::CUgraph graph) : owner(owner), graph(graph) {}
  ~CudaGraph() override {
    if (!owner.makeCurrent().ok()) return;
    if (exec) (void)owner.driver().cuGraphExecDestroy(exec);
    if (graph) (void)owner.driver().cuGraphDestroy(graph);
  }
  const CudaDevice& owner;
  cu::CUgraph graph = nullptr;
  cu::CUgraphExec exec = nullptr;
};

}  // namespace

StatusOr<std::unique_ptr<CudaDevice>> CudaDevice::create(const cu::Driver& driver, int ordinal) {
  std::unique_ptr<CudaDevice> dev(new CudaDevice(driver, ordinal));
  DLC_ASSIGN_OR_RETURN(dev->info_, describeCudaDevice(driver, ordinal));
  const std::string& name = dev->info_.name;
  DLC_RETURN_IF_ERROR(driver.check(driver.cuDeviceGet(&dev->device_, ordinal), "cuDeviceGet")
                          .withContext(name));
  int major = 0, minor = 0;
  DLC_RETURN_IF_ERROR(
      driver
          .check(driver.cuDeviceGetAttribute(&major, cu::CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR,
                                             dev->device_),
                 "cuDeviceGetAttribute(COMPUTE_CAPABILITY_MAJOR)")
          .withContext(name));
  DLC_RETURN_IF_ERROR(
      driver
          .check(driver.cuDeviceGetAttribute(&minor, cu::CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR,
                                             dev->device_),
                 "cuDeviceGetAttribute(COMPUTE_CAPABILITY_MINOR)")
          .withContext(name));
  dev->arch_ = strCat("sm_", major, minor);
  if (driver.cuDeviceGetAttribute(&dev->maxSharedOptin_,
                                  cu::CU_DEVICE_ATTRIBUTE_MAX_SHARED_MEMORY_PER_BLOCK_OPTIN,
                                  dev->device_) != cu::CUDA_SUCCESS)
    dev->maxSharedOptin_ = 0;  // unknown: the driver checks at load time
  // The primary context is shared with every other user of this GPU in the
  // process (the CUDA runtime included) and is deliberately never released.
  DLC_RETURN_IF_ERROR(
      driver.check(driver.cuDevicePrimaryCtxRetain(&dev->context_, dev->device_),
                   "cuDevicePrimaryCtxRetain")
          .withContext(name));
  DLC_RETURN_IF_ERROR(dev->makeCurrent());
  dev->pool_ = std::make_unique<CudaMemoryPool>(driver, name);
  return dev;
}

Status CudaDevice::makeCurrent() const {
  return driver_.check(driver_.cuCtxSetCurrent(context_), "cuCtxSetCurrent").withContext(info_.name);
}

DeviceInfo CudaDevice::info() const {
  DeviceInfo copy = info_;
  std::lock_guard<std::mutex> lock(measuredMutex_);
  copy.measuredBandwidthGBs = measuredGBs_;
  copy.measuredHostToDeviceGBs = hostToDeviceGBs_;
  copy.measuredDeviceToHostGBs = deviceToHostGBs_;
  return copy;
}

void CudaDevice::setMeasuredBandwidth(double gbs) {
  std::lock_guard<std::mutex> lock(measuredMutex_);
  measuredGBs_ = gbs;
}

void CudaDevice::setMeasuredHostTransfers(double hostToDeviceGBs, double deviceToHostGBs) {
  std::lock_guard<std::mutex> lock(measuredMutex_);
  hostToDeviceGBs_ = hostToDeviceGBs;
  deviceToHostGBs_ = deviceToHostGBs;
}

StatusOr<void*> CudaDevice::allocate(size_t bytes) {
  DLC_RETURN_IF_ERROR(makeCurrent());
  DLC_ASSIGN_OR_RETURN(cu::CUdeviceptr p, pool_->allocate(bytes));
  return reinterpret_cast<void*>(uintptr_t(p));
}

void CudaDevice::deallocate(void* ptr) {
  if (!ptr) return;
  // A pointer from elsewhere is ignored rather than handed to the driver.
  (void)pool_->release(devicePtr(ptr));
}

StatusOr<cu::CUstream> CudaDevice::streamOf(Stream& stream) const {
  auto* s = dynamic_cast<CudaStream*>(&stream);
  if (!s || &s->owner != this)
    return invalidArgument(info_.name, ": the stream belongs to another device");
  return s->handle;
}

Status CudaDevice::copyHostToDevice(void* dst, const void* src, size_t bytes, Stream& stream) {
  DLC_ASSIGN_OR_RETURN(cu::CUstream s, streamOf(stream));
  if (bytes == 0) return Status::OK();
  DLC_RETURN_IF_ERROR(makeCurrent());
  return driver_.check(driver_.cuMemcpyHtoDAsync(devicePtr(dst), src, bytes, s),
                       "cuMemcpyHtoDAsync_v2")
      .withContext(strCat(info_.name, ": copying ", bytes, " bytes to the device"));
}

Status CudaDevice::copyDeviceToHost(void* dst, const void* src, size_t bytes, Stream& stream) {
  DLC_ASSIGN_OR_RETURN(cu::CUstream s, streamOf(stream));
  if (bytes == 0) return Status::OK();
  DLC_RETURN_IF_ERROR(makeCurrent());
  return driver_.check(driver_.cuMemcpyDtoHAsync(dst, devicePtr(src), bytes, s),
                       "cuMemcpyDtoHAsync_v2")
      .withContext(strCat(info_.name, ": copying ", bytes, " bytes from the device"));
}

Status CudaDevice::copyDeviceToDevice(void* dst, const void* src, size_t bytes, Stream& stream) {
  DLC_ASSIGN_OR_RETURN(cu::CUstream s, streamOf(stream));
  if (bytes == 0 || dst == src) return Status::OK();
  cu::CUdeviceptr d = devicePtr(dst), from = devicePtr(src);
  if (d < from + bytes && from < d + bytes)
    return invalidArgument(info_.name, ": device-to-device copy of ", bytes,
                           " bytes between overlapping ranges");
  DLC_RETURN_IF_ERROR(makeCurrent());
  return driver_.check(driver_.cuMemcpyDtoDAsync(d, from, bytes, s), "cuMemcpyDtoDAsync_v2")
      .withContext(strCat(info_.name, ": copying ", bytes, " bytes on the device"));
}

StatusOr<std::unique_ptr<Stream>> CudaDevice::createStream() {
  DLC_RETURN_IF_ERROR(makeCurrent());
  cu::CUstream s = nullptr;
  DLC_RETURN_IF_ERROR(driver_.check(driver_.cuStreamCreate(&s, cu::CU_STREAM_NON_BLOCKING),
                                    "cuStreamCreate")
                          .withContext(info_.name));
  return std::unique_ptr<Stream>(new CudaStream(*this, s));
}

StatusOr<std::unique_ptr<Event>> CudaDevice::createEvent() {
  DLC_RETURN_IF_ERROR(makeCurrent());
  cu::CUevent e = nullptr;
  DLC_RETURN_IF_ERROR(driver_.check(driver_.cuEventCreate(&e, cu::CU_EVENT_DEFAULT),
                                    "cuEventCreate")
                          .withContext(info_.name));
  return std::unique_ptr<Event>(new CudaEvent(*this, e));
}

Status CudaDevice::record(Event& event, Stream& stream) {
  auto* e = dynamic_cast<CudaEvent*>(&event);
  if (!e || &e->owner != this)
    return invalidArgument(info_.name, ": the event belongs to another device");
  DLC_ASSIGN_OR_RETURN(cu::CUstream s, streamOf(stream));
  DLC_RETURN_IF_ERROR(makeCurrent());
  DLC_RETURN_IF_ERROR(
      driver_.check(driver_.cuEventRecord(e->handle, s), "cuEventRecord").withContext(info_.name));
  e->recorded = true;
  return Status::OK();
}

Status CudaDevice::synchronize(Stream& stream) {
  DLC_ASSIGN_OR_RETURN(cu::CUstream s, streamOf(stream));
  DLC_RETURN_IF_ERROR(makeCurrent());
  return driver_.check(driver_.cuStreamSynchronize(s), "cuStreamSynchronize")
      .withContext(info_.name);
}

StatusOr<double> CudaDevice::elapsedMs(const Event& start, const Event& end) {
  auto* a = dynamic_cast<const CudaEvent*>(&start);
  auto* b = dynamic_cast<const CudaEvent*>(&end);
  if (!a || !b || &a->owner != this || &b->owner != this)
    return invalidArgument(info_.name, ": the event belongs to another device");
  if (!a->recorded || !b->recorded)
    return failedPrecondition(info_.name, ": event never recorded");
  DLC_RETURN_IF_ERROR(makeCurrent());
  DLC_RETURN_IF_ERROR(driver_.check(driver_.cuEventSynchronize(b->handle), "cuEventSynchronize")
                          .withContext(info_.name));
  float ms = 0;
  DLC_RETURN_IF_ERROR(
      driver_.check(driver_.cuEventElapsedTime(&ms, a->handle, b->handle), "cuEventElapsedTime")
          .withContext(info_.name));
  return double(ms);
}

StatusOr<std::unique_ptr<LoadedModule>> CudaDevice::loadModule(
    const std::vector<uint8_t>& code, const std::vector<KernelDesc>& kernels,
    const std::string& source) {
  DLC_RETURN_IF_ERROR(makeCurrent());
  CudaTarget target{context_, arch_, maxSharedOptin_, info_.name};
  DLC_ASSIGN_OR_RETURN(std::unique_ptr<CudaModule> m,
                       CudaModule::load(driver_, target, code, kernels, source));
  return std::unique_ptr<LoadedModule>(std::move(m));
}

Status CudaDevice::launch(LoadedModule& module, int index, void* const* args, int64_t batch,
                          int64_t work, Stream& stream) {
  auto* m = dynamic_cast<CudaModule*>(&module);
  if (!m || m->context() != context_)
    return invalidArgument(info_.name, ": module was loaded for another device");
  if (index < 0 || index >= m->numKernels())
    return outOfRange(info_.name, ": kernel index ", index, " out of range");
  if (batch < 0) return invalidArgument(info_.name, ": negative batch ", batch);
  DLC_ASSIGN_OR_RETURN(cu::CUstream s, streamOf(stream));
  const CudaKernel& k = m->kernel(index);
  DLC_ASSIGN_OR_RETURN(int64_t blocks, gridBlocks(k.launch, batch, k.symbol));
  // Grid-stride kernels (maxBlocks > 0) take any grid: size it to this GPU,
  // 16 blocks per SM (two waves of 8 resident 256-thread blocks), rather
  // than to the renderer's fixed cap.
  if (k.launch.maxBlocks > 0 && info_.cores > 0)
    blocks = std::min<int64_t>(blocks, int64_t(info_.cores) * 16);
  if (k.numArgs > 0 && !args) return invalidArgument(k.symbol, ": no buffers given");
  DlcArgs packed{};
  for (int i = 0; i < k.numArgs; ++i) packed.ptr[i] = args[i];
  packed.batch = batch;
  void* params[] = {&packed};
  DLC_RETURN_IF_ERROR(makeCurrent());
  return driver_
      .check(driver_.cuLaunchKernel(k.function, unsigned(blocks), 1, 1, unsigned(k.launch.threads),
                                    1, 1, unsigned(k.launch.sharedBytes), s, params, nullptr),
             "cuLaunchKernel")
      .withContext(strCat(info_.name, ": ", k.symbol, " at batch ", batch, " (", blocks,
                          " blocks of ", k.launch.threads, " threads)"));
}

Status CudaDevice::beginCapture(Stream& stream) {
  DLC_ASSIGN_OR_RETURN(cu::CUstream s, streamOf(stream));
  DLC_RETURN_IF_ERROR(makeCurrent());
  // Counted before the capture starts, so that no other thread's
  // allocation synchronises the context once it has.
  pool_->captureBegan();
  Status begun =
      driver_
          .check(driver_.cuStreamBeginCapture(s, cu::CU_STREAM_CAPTURE_MODE_THREAD_LOCAL),
                 "cuStreamBeginCapture_v2")
          .withContext(info_.name);
  if (!begun.ok()) pool_->captureEnded();
  return begun;
}

StatusOr<std::unique_ptr<CapturedWork>> CudaDevice::endCapture(Stream& stream) {
  DLC_ASSIGN_OR_RETURN(cu::CUstream s, streamOf(stream));
  DLC_RETURN_IF_ERROR(makeCurrent());
  cu::CUgraph graph = nullptr;
  cu::CUresult ended = driver_.cuStreamEndCapture(s, &graph);
  pool_->captureEnded();
  DLC_RETURN_IF_ERROR(driver_.check(ended, "cuStreamEndCapture").withContext(info_.name));
  auto work = std::make_unique<CudaGraph>(*this, graph);
  DLC_RETURN_IF_ERROR(driver_
                          .check(driver_.cuGraphInstantiateWithFlags(&work->exec, graph, 0),
                                 "cuGraphInstantiateWithFlags")
                          .withContext(info_.name));
  return std::unique_ptr<CapturedWork>(std::move(work));
}

Status CudaDevice::replay(CapturedWork& work, Stream& stream) {
  auto* g = dynamic_cast<CudaGraph*>(&work);
  if (!g || &g->owner != this)
    return invalidArgument(info_.name, ": the captured work belongs to another device");
  DLC_ASSIGN_OR_RETURN(cu::CUstream s, streamOf(stream));
  DLC_RETURN_IF_ERROR(makeCurrent());
  return driver_.check(driver_.cuGraphLaunch(g->exec, s), "cuGraphLaunch").withContext(info_.name);
}

}  // namespace dlc::rt
