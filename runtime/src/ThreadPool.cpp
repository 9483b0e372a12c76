#include "runtime/src/ThreadPool.h"

#include "runtime/src/Manifest.h"

#include <algorithm>
#include <chrono>

namespace dlc::rt {

namespace {

constexpr size_t kWorkerStackBytes = size_t(8) << 20;
// A kernel's buffers take up to kCpuKernelStackBytes; 1 MiB more is left
// for the caller's own frames.
constexpr size_t kCallerMinStackBytes = size_t(kCpuKernelStackBytes) + (size_t(1) << 20);
constexpr int64_t kChunksPerThread = 4;
// How long a worker (or a waiting caller) polls before it sleeps.
constexpr std::chrono::microseconds kSpin{100};

// Polls `ready` for up to kSpin; true if it became ready.
template <typename Ready>
bool spinUntil(Ready ready) {
  auto deadline = std::chrono::steady_clock::now() + kSpin;
  for (int i = 0;; ++i) {
    if (ready()) return true;
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#endif
    if ((i & 63) == 63 && std::chrono::steady_clock::now() > deadline) return ready();
  }
}

struct WorkerStart {
  ThreadPool* pool;
  int index;
};

// Whether the current thread's stack is big enough to run kernels.
bool callerStackIsLarge() {
  thread_local int cached = -1;
  if (cached < 0) {
    pthread_attr_t attr;
    size_t size = 0;
    if (pthread_getattr_np(pthread_self(), &attr) == 0) {
      pthread_attr_getstacksize(&attr, &size);
      pthread_attr_destroy(&attr);
    }
    cached = size >= kCallerMinStackBytes ? 1 : 0;
  }
  return cached == 1;
}

}  // namespace

StatusOr<std::unique_ptr<ThreadPool>> ThreadPool::create(int numThreads,
                                                         BeforeJoinHook beforeJoin) {
  if (numThreads < 1) return invalidArgument("thread pool size ", numThreads, " must be >= 1");
  std::unique_ptr<ThreadPool> pool(new ThreadPool(numThreads, std::move(beforeJoin)));
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setstacksize(&attr, kWorkerStackBytes);
  for (int i = 0; i < numThreads; ++i) {
    auto* start = new WorkerStart{pool.get(), i};
    pthread_t t;
    if (int err = pthread_create(&t, &attr, &ThreadPool::workerMain, start); err != 0) {
      delete start;
      pthread_attr_destroy(&attr);
      return unavailable("cannot start CPU worker thread ", i, " of ", numThreads,
                         " (pthread_create error ", err, ")");
    }
    pool->workers_.push_back(t);
  }
  pthread_attr_destroy(&attr);
  return pool;
}

ThreadPool::~ThreadPool() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stop_ = true;
  }
  for (int i = 0; i < numThreads_; ++i) wake_[i].notify_all();
  for (pthread_t t : workers_) pthread_join(t, nullptr);
}

void* ThreadPool::workerMain(void* arg) {
  auto* start = static_cast<WorkerStart*>(arg);
  ThreadPool* pool = start->pool;
  int index = start->index;
  delete start;
  pool->workerLoop(index);
  return nullptr;
}

void ThreadPool::runChunks(Job& job) {
  for (;;) {
    int64_t c = job.next.fetch_add(1, std::memory_order_relaxed);
    if (c >= job.numChunks) return;
    int64_t begin = c * job.chunkSize;
    (*job.fn)(begin, std::min(job.extent, begin + job.chunkSize));
    job.done.fetch_add(1, std::memory_order_release);
  }
}

void ThreadPool::workerLoop(int index) {
  // The last worker joins only the jobs of callers that cannot run kernels
  // themselves (small stacks; see parallelFor): a working caller takes
  // numThreads - 1 helpers. It therefore sleeps instead of polling, since a
  // poll for a job it will not join takes a core from the caller and the
  // helpers: with 2 threads on 2 cores, three polling threads made a 2-step
  // dense kernel no faster than on one thread.
  const bool polls = numThreads_ == 1 || index < numThreads_ - 1;
  uint64_t seen = 0;
  for (;;) {
    if (polls) spinUntil([&] { return stop_.load() || generation_.load() != seen; });
    std::unique_lock<std::mutex> lock(mutex_);
    asleep_[size_t(index)] = 1;
    wake_[index].wait(lock, [&] { return stop_ || generation_ != seen; });
    asleep_[size_t(index)] = 0;
    if (stop_) return;
    seen = generation_;
    if (beforeJoin_) {
      lock.unlock();
      beforeJoin_(index);
      lock.lock();
    }
    // The job may have finished (or been replaced) while this worker was
    // not running; then there is nothing to join.
    Job* job = job_;
    if (job == nullptr || index >= job->maxWorkers) continue;
    ++job->joined;
    lock.unlock();
    runChunks(*job);
    lock.lock();
    if (--job->joined == 0) done_.notify_all();
  }
}

void ThreadPool::runSerial(int64_t extent, const ChunkFn& fn) {
  if (extent <= 0) return;
  if (callerStackIsLarge()) {
    fn(0, extent);
    return;
  }
  parallelFor(extent, fn);
}

void ThreadPool::parallelFor(int64_t extent, const ChunkFn& fn) {
  if (extent <= 0) return;
  const bool callerWorks = callerStackIsLarge();
  const int64_t maxChunks = int64_t(numThreads_) * kChunksPerThread;
  const int64_t chunkSize = (extent + maxChunks - 1) / maxChunks;
  const int64_t numChunks = (extent + chunkSize - 1) / chunkSize;
  auto runChunk = [&](int64_t c) {
    int64_t begin = c * chunkSize;
    fn(begin, std::min(extent, begin + chunkSize));
  };
  if (callerWorks && (numThreads_ == 1 || numChunks == 1)) {
    fn(0, extent);
    return;
  }
  std::unique_lock<std::mutex> job(jobMutex_, std::defer_lock);
  int64_t firstChunk = 0;  // chunks [0, firstChunk) are done
  if (callerWorks) {
    // While the workers serve another caller, make progress here.
    while (!job.try_lock()) {
      if (firstChunk == numChunks) return;
      runChunk(firstChunk++);
    }
  } else {
    job.lock();
  }
  const int64_t left = numChunks - firstChunk;
  if (left == 0) return;
  if (callerWorks && left == 1) {
    runChunk(firstChunk);
    return;
  }
  int helpers = callerWorks ? numThreads_ - 1 : numThreads_;
  helpers = int(std::min<int64_t>(helpers, callerWorks ? left - 1 : left));
  Job jobState;
  jobState.fn = &fn;
  jobState.extent = extent;
  jobState.chunkSize = chunkSize;
  jobState.numChunks = numChunks;
  jobState.maxWorkers = helpers;
  jobState.next.store(firstChunk, std::memory_order_relaxed);
  {
    std::lock_guard<std::mutex> lock(mutex_);
    job_ = &jobState;
    ++generation_;
    // Workers that poll see generation_ change; only sleeping ones that may
    // join are woken.
    for (int i = 0; i < helpers; ++i)
      if (asleep_[size_t(i)]) wake_[i].notify_one();
  }
  if (callerWorks) runChunks(jobState);
  // A working caller returns from runChunks with every chunk claimed: it
  // waits only for the claimed ones, and workers that have not joined yet
  // never will (job_ is cleared first). A caller that only waits keeps the
  // job open until the workers have run every chunk. Either way job_ is
  // cleared under the mutex with no worker inside, so none touches jobState
  // after it is gone.
  spinUntil([&] { return jobState.done.load(std::memory_order_acquire) == left; });
  std::unique_lock<std::mutex> lock(mutex_);
  if (callerWorks) job_ = nullptr;
  done_.wait(lock, [&] {
    return jobState.joined == 0 && jobState.done.load(std::memory_order_acquire) == left;
  });
  job_ = nullptr;
}

}  // namespace dlc::rt
