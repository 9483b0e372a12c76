// measureHostTransfers (CudaDevice.h): host<->device copy rates of a GPU over
// pinned (page-locked) host memory, timed with events on one stream; the
// median of `reps` timed copies per direction after one untimed warm-up.
// Pageable copies are slower and vary with the host; they are not measured.
#include <algorithm>
#include <cstring>
#include <vector>

#include "runtime/src/CudaDevice.h"
#include "runtime/src/CudaDeviceImpl.h"
#include "runtime/src/Report.h"

namespace dlc::rt {

namespace {

constexpr size_t kDefaultBytes = size_t(64) << 20;

// Times `reps` + 1 copies issued by `copy`, returns the median GB/s of all
// but the first.
template <typename Copy>
StatusOr<double> timeCopies(CudaDevice& dev, Stream& stream, size_t bytes, int reps, Copy copy) {
  DLC_ASSIGN_OR_RETURN(auto start, dev.createEvent());
  DLC_ASSIGN_OR_RETURN(auto end, dev.createEvent());
  std::vector<double> rates;
  for (int r = 0; r < reps + 1; ++r) {
    DLC_RETURN_IF_ERROR(dev.record(*start, stream));
    DLC_RETURN_IF_ERROR(copy());
    DLC_RETURN_IF_ERROR(dev.record(*end, stream));
    DLC_RETURN_IF_ERROR(dev.synchronize(stream));
    DLC_ASSIGN_OR_RETURN(double ms, dev.elapsedMs(*start, *end));
    if (r > 0 && ms > 0) rates.push_back(double(bytes) / (ms * 1e-3) / 1e9);
  }
  if (rates.empty()) return internalError(dev.name(), ": host transfer measurement took no time");
  return medianOf(std::move(rates));
}

}  // namespace

Status measureHostTransfers(Device& device, size_t bytes, int reps) {
  auto* dev = dynamic_cast<CudaDevice*>(&device);
  if (!dev)
    return invalidArgument(device.name(), ": host transfer rates are measured on CUDA devices only");
  if (reps < 1) return invalidArgument("host transfer measurement needs reps >= 1, got ", reps);
  if (bytes == 0) {
    bytes = kDefaultBytes;
    int64_t memory = dev->info().memoryBytes;
    if (memory > 0) bytes = std::min(bytes, size_t(memory) / 16);
    bytes = std::max(bytes, size_t(1) << 20);
  }
  const cu::Driver& driver = dev->driver();
  DLC_RETURN_IF_ERROR(dev->makeCurrent());
  void* host = nullptr;
  DLC_RETURN_IF_ERROR(driver
                          .check(driver.cuMemHostAlloc(&host, bytes, cu::CU_MEMHOSTALLOC_PORTABLE),
                                 "cuMemHostAlloc")
                          .withContext(strCat(dev->name(), ": pinning ", bytes, " bytes")));
  std::memset(host, 1, bytes);
  StatusOr<void*> buffer = dev->allocate(bytes);
  if (!buffer.ok()) {
    (void)driver.cuMemFreeHost(host);
    return buffer.status();
  }
  double toDevice = 0, toHost = 0;
  Status st = [&]() -> Status {
    DLC_ASSIGN_OR_RETURN(auto stream, dev->createStream());
    DLC_ASSIGN_OR_RETURN(toDevice, timeCopies(*dev, *stream, bytes, reps, [&] {
                           return dev->copyHostToDevice(*buffer, host, bytes, *stream);
                         }));
    DLC_ASSIGN_OR_RETURN(toHost, timeCopies(*dev, *stream, bytes, reps, [&] {
                           return dev->copyDeviceToHost(host, *buffer, bytes, *stream);
                         }));
    return Status::OK();
  }();
  dev->deallocate(*buffer);
  (void)dev->makeCurrent();
  (void)driver.cuMemFreeHost(host);
  DLC_RETURN_IF_ERROR(st);
  dev->setMeasuredHostTransfers(toDevice, toHost);
  return Status::OK();
}

}  // namespace dlc::rt
