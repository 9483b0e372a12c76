// See CudaMemoryPool.h.
#include "runtime/src/CudaMemoryPool.h"

#include <utility>

namespace dlc::rt {

namespace {
constexpr size_t kMinBlock = 256;
constexpr size_t kMaxBlock = size_t(1) << 62;
}  // namespace

size_t CudaMemoryPool::sizeClass(size_t bytes) {
  if (bytes <= kMinBlock) return kMinBlock;
  if (bytes > kMaxBlock) return 0;
  // The largest power of two below `bytes`, split into four steps.
  size_t base = size_t(1) << (63 - __builtin_clzll((unsigned long long)(bytes - 1)));
  size_t step = base / 4 < kMinBlock ? kMinBlock : base / 4;
  return (bytes + step - 1) / step * step;
}

CudaMemoryPool::CudaMemoryPool(const cu::Driver& driver, std::string name)
    : driver_(driver), name_(std::move(name)) {}

CudaMemoryPool::~CudaMemoryPool() {
  std::lock_guard<std::mutex> lock(mutex_);
  // Everything still queued must finish before its memory goes away.
  (void)driver_.cuCtxSynchronize();
  for (auto& [cls, blocks] : pending_)
    for (cu::CUdeviceptr p : blocks) (void)driver_.cuMemFree(p);
  for (auto& [cls, blocks] : free_)
    for (cu::CUdeviceptr p : blocks) (void)driver_.cuMemFree(p);
  for (auto& [p, cls] : live_) (void)driver_.cuMemFree(p);
}

Status CudaMemoryPool::recyclePendingLocked() {
  if (pending_.empty() || capturing_ > 0) return Status::OK();
  cu::CUresult synced = driver_.cuCtxSynchronize();
  // A capture begun elsewhere (not through this pool's device) refuses the
  // synchronisation: the pending blocks stay pending.
  if (synced == cu::CUDA_ERROR_STREAM_CAPTURE_UNSUPPORTED ||
      synced == cu::CUDA_ERROR_STREAM_CAPTURE_INVALIDATED)
    return Status::OK();
  DLC_RETURN_IF_ERROR(driver_.check(synced, "cuCtxSynchronize").withContext(name_));
  for (auto& [cls, blocks] : pending_) {
    std::vector<cu::CUdeviceptr>& list = free_[cls];
    list.insert(list.end(), blocks.begin(), blocks.end());
  }
  pending_.clear();
  return Status::OK();
}

Status CudaMemoryPool::freeCachedLocked() {
  Status first = Status::OK();
  for (auto& [cls, blocks] : free_) {
    for (cu::CUdeviceptr p : blocks) {
      Status st = driver_.check(driver_.cuMemFree(p), "cuMemFree_v2");
      if (st.ok()) stats_.bytesCached -= cls;
      else if (first.ok()) first = st.withContext(name_);
    }
  }
  free_.clear();
  return first;
}

StatusOr<cu::CUdeviceptr> CudaMemoryPool::allocate(size_t bytes) {
  size_t cls = sizeClass(bytes);
  if (cls == 0) return outOfRange(name_, ": allocation of ", bytes, " bytes is too large");
  std::lock_guard<std::mutex> lock(mutex_);
  auto takeFree = [&]() -> cu::CUdeviceptr {
    auto it = free_.find(cls);
    if (it == free_.end() || it->second.empty()) return 0;
    cu::CUdeviceptr p = it->second.back();
    it->second.pop_back();
    live_[p] = cls;
    stats_.bytesCached -= cls;
    stats_.bytesInUse += cls;
    ++stats_.reuses;
    return p;
  };
  if (cu::CUdeviceptr p = takeFree()) return p;
  if (auto it = pending_.find(cls); it != pending_.end() && !it->second.empty()) {
    DLC_RETURN_IF_ERROR(recyclePendingLocked());
    if (cu::CUdeviceptr p = takeFree()) return p;
  }
  cu::CUdeviceptr p = 0;
  cu::CUresult r = driver_.cuMemAlloc(&p, cls);
  if (r == cu::CUDA_ERROR_OUT_OF_MEMORY && capturing_ == 0) {
    // Give the cached blocks back to the driver and try once more (not
    // while a capture is under way: cuMemFree may synchronise).
    DLC_RETURN_IF_ERROR(recyclePendingLocked());
    DLC_RETURN_IF_ERROR(freeCachedLocked());
    r = driver_.cuMemAlloc(&p, cls);
  }
  if (r != cu::CUDA_SUCCESS)
    return driver_.check(r, "cuMemAlloc_v2")
        .withContext(strCat(name_, ": allocating ", bytes, " bytes (", stats_.bytesInUse,
                            " bytes in use)"));
  live_[p] = cls;
  stats_.bytesInUse += cls;
  ++stats_.driverAllocations;
  return p;
}

bool CudaMemoryPool::release(cu::CUdeviceptr ptr) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = live_.find(ptr);
  if (it == live_.end()) return false;
  size_t cls = it->second;
  live_.erase(it);
  pending_[cls].push_back(ptr);
  stats_.bytesInUse -= cls;
  stats_.bytesCached += cls;
  return true;
}

Status CudaMemoryPool::trim() {
  std::lock_guard<std::mutex> lock(mutex_);
  DLC_RETURN_IF_ERROR(recyclePendingLocked());
  return freeCachedLocked();
}

void CudaMemoryPool::captureBegan() {
  std::lock_guard<std::mutex> lock(mutex_);
  ++capturing_;
}

void CudaMemoryPool::captureEnded() {
  std::lock_guard<std::mutex> lock(mutex_);
  if (capturing_ > 0) --capturing_;
}

CudaMemoryPool::Stats CudaMemoryPool::stats() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return stats_;
}

}  // namespace dlc::rt
