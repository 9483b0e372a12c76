#include "runtime/src/ThreadPool.h"

#include <algorithm>
#include <chrono>

namespace dlc::rt {

namespace {

constexpr size_t kWorkerStackBytes = size_t(8) << 20;
constexpr size_t kCallerMinStackBytes = size_t(1) << 20;
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

StatusOr<std::unique_ptr<ThreadPool>> ThreadPool::create(int numThreads) {
  if (numThreads < 1) return invalidArgument("thread pool size ", numThreads, " must be >= 1");
  std::unique_ptr<ThreadPool> pool(new ThreadPool(numThreads));
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
  wake_.notify_all();
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

void ThreadPool::runChunks() {
  for (;;) {
    int64_t c = nextChunk_.fetch_add(1, std::memory_order_relaxed);
    if (c >= numChunks_) return;
    int64_t begin = c * chunkSize_;
    (*fn_)(begin, std::min(extent_, begin + chunkSize_));
  }
}

void ThreadPool::workerLoop(int index) {
  uint64_t seen = 0;
  std::unique_lock<std::mutex> lock(mutex_);
  for (;;) {
    lock.unlock();
    spinUntil([&] { return stop_.load() || generation_.load() != seen; });
    lock.lock();
    wake_.wait(lock, [&] { return stop_ || generation_ != seen; });
    if (stop_) return;
    seen = generation_;
    if (index >= activeWorkers_) continue;
    lock.unlock();
    runChunks();
    lock.lock();
    if (--pending_ == 0) done_.notify_all();
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
  {
    std::lock_guard<std::mutex> lock(mutex_);
    fn_ = &fn;
    extent_ = extent;
    chunkSize_ = chunkSize;
    numChunks_ = numChunks;
    nextChunk_.store(firstChunk, std::memory_order_relaxed);
    activeWorkers_ = helpers;
    pending_ = helpers;
    ++generation_;
  }
  wake_.notify_all();
  if (callerWorks) runChunks();
  spinUntil([&] { return pending_.load() == 0; });
  std::unique_lock<std::mutex> lock(mutex_);
  done_.wait(lock, [&] { return pending_ == 0; });
  fn_ = nullptr;
}

}  // namespace dlc::rt
