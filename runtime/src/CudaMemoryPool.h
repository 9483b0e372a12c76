// Device memory for one GPU, kept in a pool: sizes are rounded up to a size
// class (256 bytes at least, then four classes per power of two, so at most
// 25% is wasted), and a freed block goes back to its class's free list to be
// reused by the next allocation of that class instead of cuMemFree/cuMemAlloc
// (both synchronise the device and cost tens of microseconds).
//
// A released block may still be read by work queued on a stream, so it is
// first held as pending; the first allocation that would reuse a pending
// block synchronises the context once and then recycles every pending block.
// While a CUDA Graph capture is under way on the GPU (captureBegan ..
// captureEnded) the context is not synchronised: the driver refuses that
// (CUDA_ERROR_STREAM_CAPTURE_UNSUPPORTED) from any thread and it would
// invalidate the capture, so pending blocks wait and fresh memory is taken.
// When cuMemAlloc runs out of memory the pool frees its cached blocks and
// tries once more. Thread-safe. The caller makes the device's context
// current; the pool never switches contexts and never allocates host memory.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "runtime/src/CudaDriver.h"

namespace dlc::rt {

class CudaMemoryPool {
 public:
  // `name` ("/device:GPU:0") prefixes errors.
  CudaMemoryPool(const cu::Driver& driver, std::string name);
  // Frees every block it holds (the caller made the context current).
  ~CudaMemoryPool();
  CudaMemoryPool(const CudaMemoryPool&) = delete;
  CudaMemoryPool& operator=(const CudaMemoryPool&) = delete;

  // A block of at least `bytes` (>= 256, 256-byte aligned). allocate(0)
  // returns a unique block too.
  StatusOr<cu::CUdeviceptr> allocate(size_t bytes);
  // Returns `ptr` to the pool; false when it did not come from allocate()
  // (or was released already).
  bool release(cu::CUdeviceptr ptr);
  // Frees every cached (not in use) block with cuMemFree.
  Status trim();
  // Brackets a stream capture on this GPU (any thread); see above.
  void captureBegan();
  void captureEnded();

  struct Stats {
    int64_t driverAllocations = 0;  // cuMemAlloc calls that succeeded
    int64_t reuses = 0;             // allocations served from the pool
    size_t bytesInUse = 0;          // in blocks handed out
    size_t bytesCached = 0;         // in free and pending blocks
  };
  Stats stats() const;

  // The size class of `bytes`: what a block for it really holds. 0 when the
  // size is too large to round (more than 2^62 bytes).
  static size_t sizeClass(size_t bytes);

 private:
  // Moves every pending block to the free lists after synchronising.
  Status recyclePendingLocked();
  Status freeCachedLocked();

  const cu::Driver& driver_;
  std::string name_;
  mutable std::mutex mutex_;
  std::map<size_t, std::vector<cu::CUdeviceptr>> free_;     // by size class
  std::map<size_t, std::vector<cu::CUdeviceptr>> pending_;  // released, maybe in use
  std::unordered_map<cu::CUdeviceptr, size_t> live_;        // block -> its class
  Stats stats_;
  int capturing_ = 0;  // captures under way on this GPU
};

}  // namespace dlc::rt
