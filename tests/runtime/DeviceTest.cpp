// CPU device: discovery, memory, events, thread pool, bandwidth.
#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <set>
#include <thread>

#include "runtime/src/Bandwidth.h"
#include "runtime/src/CpuDevice.h"
#include "runtime/src/DeviceDiscovery.h"

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

}  // namespace
}  // namespace dlc::rt
