// CPU device: discovery, memory, events, thread pool, bandwidth.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <set>
#include <thread>

#include "runtime/src/Bandwidth.h"
#include "runtime/src/CpuDevice.h"
#include "runtime/src/DeviceDiscovery.h"
#include "runtime/src/Report.h"

namespace dlc::rt {
namespace {

TEST(Device, ListDevicesReturnsTheCpu) {
  std::vector<DeviceInfo> devices = listDevices();
  ASSERT_GE(devices.size(), 1u);
  const DeviceInfo& cpu = devices[0];
  EXPECT_EQ(cpu.name, "/device:CPU:0");
  EXPECT_EQ(cpu.kind, DeviceKind::CPU);
  EXPECT_GT(cpu.cores, 0);
  EXPECT_GE(cpu.threads, 1);
  EXPECT_GT(cpu.memoryBytes, int64_t(1) << 20);
  EXPECT_FALSE(cpu.model.empty());
  EXPECT_FALSE(cpu.peakBandwidthGBs.has_value());  // not knowable: never guessed
}

TEST(Device, AllocateCopyAndEvents) {
  auto dev = CpuDevice::create(2);
  ASSERT_TRUE(dev.ok());
  auto stream = (*dev)->createStream();
  ASSERT_TRUE(stream.ok());
  auto a = (*dev)->allocate(1000), b = (*dev)->allocate(0);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(reinterpret_cast<uintptr_t>(*a) % 64, 0u);
  EXPECT_NE(*b, nullptr);
  std::vector<uint8_t> host(1000), back(1000);
  for (size_t i = 0; i < host.size(); ++i) host[i] = uint8_t(i * 7);
  auto start = (*dev)->createEvent(), end = (*dev)->createEvent();
  ASSERT_TRUE(start.ok() && end.ok());
  EXPECT_FALSE((*dev)->elapsedMs(**start, **end).ok());  // never recorded
  ASSERT_TRUE((*dev)->record(**start, **stream).ok());
  ASSERT_TRUE((*dev)->copyHostToDevice(*a, host.data(), host.size(), **stream).ok());
  ASSERT_TRUE((*dev)->copyDeviceToHost(back.data(), *a, back.size(), **stream).ok());
  ASSERT_TRUE((*dev)->record(**end, **stream).ok());
  ASSERT_TRUE((*dev)->synchronize(**stream).ok());
  EXPECT_EQ(host, back);
  auto ms = (*dev)->elapsedMs(**start, **end);
  ASSERT_TRUE(ms.ok());
  EXPECT_GE(*ms, 0.0);
  (*dev)->deallocate(*a);
  (*dev)->deallocate(*b);
}

TEST(ThreadPool, CoversEveryIndexOnce) {
  auto pool = ThreadPool::create(4);
  ASSERT_TRUE(pool.ok());
  for (int64_t extent : {1, 2, 3, 15, 16, 17, 1000, 100003}) {
    std::vector<std::atomic<int>> hits(static_cast<size_t>(extent));
    (*pool)->parallelFor(extent, [&](int64_t b, int64_t e) {
      ASSERT_LE(0, b);
      ASSERT_LT(b, e);
      ASSERT_LE(e, extent);
      for (int64_t i = b; i < e; ++i) hits[size_t(i)]++;
    });
    for (int64_t i = 0; i < extent; ++i) ASSERT_EQ(hits[size_t(i)].load(), 1) << extent << " " << i;
  }
  (*pool)->parallelFor(0, [](int64_t, int64_t) { FAIL(); });
}

TEST(ThreadPool, UsesSeveralThreadsAndConcurrentCallers) {
  auto pool = ThreadPool::create(4);
  ASSERT_TRUE(pool.ok());
  std::mutex m;
  std::set<std::thread::id> ids;
  (*pool)->parallelFor(64, [&](int64_t, int64_t) {
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
    std::lock_guard<std::mutex> lock(m);
    ids.insert(std::this_thread::get_id());
  });
  EXPECT_GT(ids.size(), 1u);
  std::atomic<int64_t> total{0};
  std::vector<std::thread> callers;
  for (int t = 0; t < 4; ++t)
    callers.emplace_back([&] {
      for (int r = 0; r < 50; ++r)
        (*pool)->parallelFor(100, [&](int64_t b, int64_t e) { total += e - b; });
    });
  for (auto& t : callers) t.join();
  EXPECT_EQ(total.load(), 4 * 50 * 100);
}

// Caller A's job holds the workers until caller B's job has finished. If B
// waited for the workers (one job at a time), A would time out: B must run
// its own chunks while the pool is busy.
TEST(ThreadPool, CallerFindingThePoolBusyRunsItsOwnChunks) {
  auto pool = ThreadPool::create(2);
  ASSERT_TRUE(pool.ok());
  std::mutex m;
  std::condition_variable cv;
  bool aStarted = false, bDone = false, aTimedOut = false;
  std::thread a([&] {
    (*pool)->parallelFor(8, [&](int64_t begin, int64_t) {
      if (begin != 0) return;
      std::unique_lock<std::mutex> lock(m);
      aStarted = true;
      cv.notify_all();
      aTimedOut = !cv.wait_for(lock, std::chrono::seconds(5), [&] { return bDone; });
    });
  });
  {
    std::unique_lock<std::mutex> lock(m);
    cv.wait(lock, [&] { return aStarted; });
  }
  std::vector<std::atomic<int>> hits(100);
  std::set<std::thread::id> bThreads;
  std::mutex idsMutex;
  std::thread b([&] {
    (*pool)->parallelFor(100, [&](int64_t begin, int64_t end) {
      for (int64_t i = begin; i < end; ++i) hits[size_t(i)]++;
      std::lock_guard<std::mutex> lock(idsMutex);
      bThreads.insert(std::this_thread::get_id());
    });
    std::lock_guard<std::mutex> lock(m);
    bDone = true;
    cv.notify_all();
  });
  b.join();
  a.join();
  EXPECT_FALSE(aTimedOut);
  for (size_t i = 0; i < hits.size(); ++i) EXPECT_EQ(hits[i].load(), 1) << i;
  // The second caller made progress while the pool was busy.
  EXPECT_GE(bThreads.size(), 1u);
  // The pool is not stuck afterwards.
  std::atomic<int64_t> total{0};
  (*pool)->parallelFor(1000, [&](int64_t lo, int64_t hi) { total += hi - lo; });
  EXPECT_EQ(total.load(), 1000);
}

// A worker that is not running (on a busy machine it may wait milliseconds
// for a core) must not hold up the caller: the caller runs every chunk and
// returns while the worker is still held before joining. If parallelFor
// waited for it, the hook below would time out.
TEST(ThreadPool, CallerDoesNotWaitForAWorkerThatHasNotJoined) {
  std::mutex m;
  std::condition_variable cv;
  bool released = false, heldOnce = false, timedOut = false;
  auto pool = ThreadPool::create(2, [&](int worker) {
    std::unique_lock<std::mutex> lock(m);
    if (worker != 0 || heldOnce) return;  // worker 0 is the one that may join
    heldOnce = true;
    cv.notify_all();
    timedOut = !cv.wait_for(lock, std::chrono::seconds(10), [&] { return released; });
  });
  ASSERT_TRUE(pool.ok());
  std::vector<std::atomic<int>> hits(64);
  std::set<std::thread::id> threads;
  std::mutex idsMutex;
  bool sawHeld = false;
  (*pool)->parallelFor(64, [&](int64_t b, int64_t e) {
    if (b == 0) {  // the first chunk waits until the worker is held
      std::unique_lock<std::mutex> lock(m);
      sawHeld = cv.wait_for(lock, std::chrono::seconds(10), [&] { return heldOnce; });
    }
    for (int64_t i = b; i < e; ++i) hits[size_t(i)]++;
    std::lock_guard<std::mutex> lock(idsMutex);
    threads.insert(std::this_thread::get_id());
  });
  {
    std::lock_guard<std::mutex> lock(m);
    released = true;
  }
  cv.notify_all();
  EXPECT_TRUE(sawHeld);
  for (size_t i = 0; i < hits.size(); ++i) EXPECT_EQ(hits[i].load(), 1) << i;
  // Every chunk ran on the caller; the held worker woke to a finished job.
  EXPECT_EQ(threads.size(), 1u);
  EXPECT_TRUE(threads.count(std::this_thread::get_id()));
  // Later jobs still cover everything once the worker runs again.
  std::atomic<int64_t> total{0};
  for (int r = 0; r < 100; ++r)
    (*pool)->parallelFor(1000, [&](int64_t lo, int64_t hi) { total += hi - lo; });
  EXPECT_EQ(total.load(), 100 * 1000);
  pool->reset();
  std::lock_guard<std::mutex> lock(m);
  EXPECT_TRUE(heldOnce);
  EXPECT_FALSE(timedOut);
}

// With a working caller the last worker never joins a job, so a new job
// must not wake it: on 2 cores, waking it for every kernel launch made it
// take a core from the caller and the helper (31,000 context switches in
// 2,000 runs of the hidden-256 transformer block on 2 threads, 270 without).
TEST(ThreadPool, WorkingCallerDoesNotWakeTheWorkerItWillNotUse) {
  std::atomic<int> lastWoke{0}, helperWoke{0};
  auto pool = ThreadPool::create(2, [&](int worker) { (worker == 1 ? lastWoke : helperWoke)++; });
  ASSERT_TRUE(pool.ok());
  std::atomic<int64_t> total{0};
  auto job = [&](int64_t lo, int64_t hi) { total += hi - lo; };
  (*pool)->parallelFor(64, job);
  // Both workers are asleep after this (they poll for 100 us at most).
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  lastWoke = 0;
  helperWoke = 0;
  for (int r = 0; r < 200; ++r) (*pool)->parallelFor(64, job);
  // A helper that fell asleep is still woken for the next job.
  for (int r = 0; r < 3; ++r) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
    const int before = helperWoke.load();
    (*pool)->parallelFor(64, job);
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (helperWoke.load() == before && std::chrono::steady_clock::now() < deadline)
      std::this_thread::sleep_for(std::chrono::microseconds(100));
    EXPECT_GT(helperWoke.load(), before) << r;
  }
  EXPECT_EQ(total.load(), 204 * 64);
  EXPECT_EQ(lastWoke.load(), 0);
}

TEST(ThreadPool, SmallStackCallerOnlyWaits) {
  auto pool = ThreadPool::create(2);
  ASSERT_TRUE(pool.ok());
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setstacksize(&attr, 256 * 1024);
  struct Ctx {
    ThreadPool* pool;
    pthread_t caller;
    std::atomic<int> onCaller{0};
    std::atomic<int> done{0};
  } ctx{pool->get(), {}, {}, {}};
  pthread_t t;
  ASSERT_EQ(pthread_create(&t, &attr, [](void* p) -> void* {
    auto* c = static_cast<Ctx*>(p);
    c->caller = pthread_self();
    c->pool->parallelFor(40, [&](int64_t b, int64_t e) {
      if (pthread_equal(pthread_self(), c->caller)) c->onCaller++;
      c->done += int(e - b);
    });
    return nullptr;
  }, &ctx), 0);
  pthread_join(t, nullptr);
  pthread_attr_destroy(&attr);
  EXPECT_EQ(ctx.done.load(), 40);
  EXPECT_EQ(ctx.onCaller.load(), 0);
}

TEST(Device, NumThreadsFromEnvironment) {
  const char* old = std::getenv("DLC_NUM_THREADS");
  std::string saved = old ? old : "";
  setenv("DLC_NUM_THREADS", "3", 1);
  auto dev = CpuDevice::create();
  ASSERT_TRUE(dev.ok());
  EXPECT_EQ((*dev)->info().threads, 3);
  EXPECT_EQ((*dev)->pool().numThreads(), 3);
  setenv("DLC_NUM_THREADS", "lots", 1);
  auto bad = CpuDevice::create();
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().message(), "DLC_NUM_THREADS=\"lots\": expected an integer in [1, 4096]");
  if (old) setenv("DLC_NUM_THREADS", saved.c_str(), 1);
  else unsetenv("DLC_NUM_THREADS");
}

TEST(Device, MeasuresBandwidth) {
  auto dev = CpuDevice::create(2);
  ASSERT_TRUE(dev.ok());
  auto gbs = measureBandwidthGBs(**dev, size_t(16) << 20, 3);
  ASSERT_TRUE(gbs.ok()) << gbs.status().message();
  EXPECT_GT(*gbs, 0.1);
  EXPECT_LT(*gbs, 10000.0);
  ASSERT_TRUE((*dev)->info().measuredBandwidthGBs.has_value());
  EXPECT_DOUBLE_EQ(*(*dev)->info().measuredBandwidthGBs, *gbs);
  EXPECT_FALSE(measureBandwidthGBs(**dev, 1 << 20, 0).ok());
}

// The bandwidth measurement and the report share one median: the mean of the
// middle two for an even count (Bandwidth once took the upper one).
TEST(Device, BandwidthAndReportShareOneMedian) {
  EXPECT_DOUBLE_EQ(medianOf({4.0, 1.0, 3.0, 2.0}), 2.5);
  EXPECT_DOUBLE_EQ(medianOf({5.0, 1.0, 3.0}), 3.0);
  EXPECT_DOUBLE_EQ(medianOf({}), 0.0);
}

// info() is a snapshot: readers on other threads see either no measurement or
// a whole one while another thread records measurements (race-free under TSan).
TEST(Device, MeasuredBandwidthIsPublishedRaceFree) {
  auto dev = CpuDevice::create(1);
  ASSERT_TRUE(dev.ok());
  EXPECT_FALSE((*dev)->info().measuredBandwidthGBs.has_value());
  std::atomic<bool> stop{false}, started{false};
  std::thread writer([&] {
    for (int i = 1; !stop; i = i % 1000 + 1) {
      (*dev)->setMeasuredBandwidth(double(i));
      started = true;
    }
  });
  while (!started) std::this_thread::yield();
  int seen = 0;
  for (int i = 0; i < 200000; ++i) {
    DeviceInfo info = (*dev)->info();
    EXPECT_EQ(info.name, "/device:CPU:0");
    if (!info.measuredBandwidthGBs) continue;
    double v = *info.measuredBandwidthGBs;
    ASSERT_TRUE(v >= 1.0 && v <= 1000.0 && v == double(int(v))) << v;
    ++seen;
  }
  stop = true;
  writer.join();
  EXPECT_GT(seen, 0);
}

}  // namespace
}  // namespace dlc::rt
