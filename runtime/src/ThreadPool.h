// A fixed pool of worker threads running parallel_for over [0, extent).
//
// Workers are pthreads with 8 MiB stacks (generated kernels' buffers may
// take up to kCpuKernelStackBytes = 1 MiB of stack). The calling thread
// takes chunks too when its own stack is at least 2 MiB; otherwise it only
// waits. The workers serve one parallelFor at a time; a caller that finds
// them busy with another caller's job does not wait: it runs its own chunks
// one by one on its own thread and hands the rest to the workers as soon as
// they are free (a caller with a small stack waits instead). Concurrent
// callers, such as several Models on the default device, therefore make
// progress together and share the cores.
//
// A caller never waits for a worker that has not started on its job: the
// chunks are claimed from one counter, a worker first joins the job under
// the pool's mutex, and when the caller has run out of chunks it waits only
// for the chunks that were claimed and the workers that joined. On a busy
// machine, where a worker may not be scheduled for milliseconds, the job then
// simply runs on fewer threads instead of stalling the caller (a 10 us dense
// kernel took 0.3 ms on 2 cores with a compiler running on the other one).
// Workers that may join a working caller's job poll for the next job for
// 100 us after each one before they sleep, so the kernels of one model run
// do not each pay a wake-up; the last worker, which only ever helps callers
// that cannot run kernels, never polls (numThreads + 1 polling threads on
// numThreads cores would slow the working ones).
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

  // Called by a worker that woke up for a job, before it joins it (tests
  // use it to hold a worker back, as a busy machine would).
  using BeforeJoinHook = std::function<void(int workerIndex)>;

  // `numThreads` >= 1 threads at most work on one parallelFor.
  static StatusOr<std::unique_ptr<ThreadPool>> create(int numThreads,
                                                      BeforeJoinHook beforeJoin = nullptr);
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
  // One parallelFor's work, on the caller's stack. Chunks are claimed from
  // `next`; `done` counts finished ones. `joined` (under mutex_) counts the
  // workers inside the job; the caller returns when every chunk is done and
  // no worker is inside.
  struct Job {
    const ChunkFn* fn = nullptr;
    int64_t extent = 0;
    int64_t chunkSize = 1;
    int64_t numChunks = 0;
    int maxWorkers = 0;  // workers with index < this may join
    std::atomic<int64_t> next{0};
    std::atomic<int64_t> done{0};
    int joined = 0;
  };

  ThreadPool(int numThreads, BeforeJoinHook beforeJoin)
      : numThreads_(numThreads),
        beforeJoin_(std::move(beforeJoin)),
        wake_(new std::condition_variable[size_t(numThreads)]),
        asleep_(size_t(numThreads), 0) {}
  static void* workerMain(void* arg);
  void workerLoop(int index);
  static void runChunks(Job& job);

  const int numThreads_;
  const BeforeJoinHook beforeJoin_;
  std::vector<pthread_t> workers_;
  std::mutex jobMutex_;  // held by the caller whose job the workers serve

  std::mutex mutex_;
  // wake_[i]: worker i sleeps on it (one each, so that a job wakes only
  // the workers it may use).
  std::unique_ptr<std::condition_variable[]> wake_;
  std::condition_variable done_;
  // generation_ changes under mutex_ with each new job; it is atomic so that
  // workers can spin on it briefly before sleeping (waking a sleeping thread
  // costs tens of microseconds, while the kernels of one model run arrive
  // microseconds apart).
  std::atomic<uint64_t> generation_{0};
  std::atomic<bool> stop_{false};
  Job* job_ = nullptr;  // under mutex_: the job workers may join, if any
  // Under mutex_: asleep_[i] while worker i waits on wake_[i]. A new job
  // notifies only the sleeping workers it may use: with a working caller
  // the last worker never joins, and waking it for every kernel made it
  // take a core from the caller and the helper (with 2 threads on 2 cores,
  // a context switch per kernel launch).
  std::vector<char> asleep_;
};

}  // namespace dlc::rt
