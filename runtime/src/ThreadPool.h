// A fixed pool of worker threads running parallel_for over [0, extent).
//
// Workers are pthreads with 8 MiB stacks (generated kernels may use up to
// 256 KiB of stack). The calling thread takes chunks too when its own stack
// is at least 1 MiB; otherwise it only waits. The workers serve one
// parallelFor at a time; a caller that finds them busy with another caller's
// job does not wait: it runs its own chunks one by one on its own thread and
// hands the rest to the workers as soon as they are free (a caller with a
// small stack waits instead). Concurrent callers, such as several Models on
// the default device, therefore make progress together and share the cores.
// It does not do work stealing across jobs, nested parallelism (fn must not
// call parallelFor) or per-chunk cost modelling: chunks are equal slices of
// the extent.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <pthread.h>
#include <vector>

#include "support/Status.h"

namespace dlc::rt {

class ThreadPool {
 public:
  using ChunkFn = std::function<void(int64_t begin, int64_t end)>;

  // `numThreads` >= 1 threads at most work on one parallelFor.
  static StatusOr<std::unique_ptr<ThreadPool>> create(int numThreads);
  ~ThreadPool();
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  int numThreads() const { return numThreads_; }

  // Calls fn on disjoint chunks covering [0, extent) and returns when all are
  // done. Chunks number at most 4 per thread. Safe to call from several
  // threads at once (see above).
  void parallelFor(int64_t extent, const ChunkFn& fn);

  // Calls fn(0, extent) on the calling thread (through the workers only when
  // the caller's stack is too small for kernels): for work too small to be
  // worth waking other cores.
  void runSerial(int64_t extent, const ChunkFn& fn);

 private:
  explicit ThreadPool(int numThreads) : numThreads_(numThreads) {}
  static void* workerMain(void* arg);
  void workerLoop(int index);
  void runChunks();

  const int numThreads_;
  std::vector<pthread_t> workers_;
  std::mutex jobMutex_;  // held by the caller whose job the workers serve

  std::mutex mutex_;
  std::condition_variable wake_;
  std::condition_variable done_;
  // generation_ and pending_ change under mutex_; they are atomics so that
  // workers and the caller can spin on them briefly before sleeping (waking
  // a sleeping thread costs tens of microseconds, while the kernels of one
  // model run arrive microseconds apart).
  std::atomic<uint64_t> generation_{0};
  std::atomic<bool> stop_{false};
  int activeWorkers_ = 0;             // workers with index < this take part in the job
  std::atomic<int> pending_{0};       // active workers not finished yet

  const ChunkFn* fn_ = nullptr;
  int64_t extent_ = 0;
  int64_t chunkSize_ = 1;
  int64_t numChunks_ = 0;
  std::atomic<int64_t> nextChunk_{0};
};

}  // namespace dlc::rt
