#include "runtime/src/Bandwidth.h"

#include <algorithm>
#include <chrono>
#include <fstream>
#include <string>
#include <vector>

#include "runtime/src/CpuDevice.h"
#include "runtime/src/Report.h"

namespace dlc::rt {

namespace {

size_t lastLevelCacheBytes() {
  size_t best = 0;
  for (int i = 0; i < 8; ++i) {
    std::ifstream in(strCat("/sys/devices/system/cpu/cpu0/cache/index", i, "/size"));
    std::string s;
    if (!(in >> s)) break;
    size_t v = 0, k = 0;
    while (k < s.size() && s[k] >= '0' && s[k] <= '9') v = v * 10 + size_t(s[k++] - '0');
    if (k < s.size() && (s[k] == 'K' || s[k] == 'k')) v <<= 10;
    else if (k < s.size() && s[k] == 'M') v <<= 20;
    best = std::max(best, v);
  }
  return best;
}

size_t pickArrayBytes(const Device& device, size_t requested) {
  if (requested) return requested;
  size_t bytes = std::max(lastLevelCacheBytes() * 8, size_t(64) << 20);
  const int64_t memoryBytes = device.info().memoryBytes;
  if (memoryBytes > 0) bytes = std::min(bytes, size_t(memoryBytes) / 16);
  return std::max(bytes, size_t(1) << 20);
}

StatusOr<double> measureCpu(CpuDevice& dev, size_t bytes, int reps) {
  const int64_t n = int64_t(bytes / sizeof(double));
  std::vector<double*> arrays;
  for (int i = 0; i < 3; ++i) {
    auto p = dev.allocate(size_t(n) * sizeof(double));
    if (!p.ok()) {
      for (double* a : arrays) dev.deallocate(a);
      return p.status();
    }
    arrays.push_back(static_cast<double*>(*p));
  }
  double *a = arrays[0], *b = arrays[1], *c = arrays[2];
  ThreadPool& pool = dev.pool();
  // First touch from the threads that later use the pages.
  pool.parallelFor(n, [&](int64_t lo, int64_t hi) {
    for (int64_t i = lo; i < hi; ++i) a[i] = 1.0, b[i] = 2.0, c[i] = 0.0;
  });
  using Clock = std::chrono::steady_clock;
  std::vector<double> rates;
  const double scalar = 3.0;
  for (int r = 0; r < reps + 1; ++r) {
    auto t0 = Clock::now();
    pool.parallelFor(n, [&](int64_t lo, int64_t hi) {
      for (int64_t i = lo; i < hi; ++i) c[i] = a[i];
    });
    pool.parallelFor(n, [&](int64_t lo, int64_t hi) {
      for (int64_t i = lo; i < hi; ++i) a[i] = b[i] + scalar * c[i];
    });
    double s = std::chrono::duration<double>(Clock::now() - t0).count();
    if (r > 0 && s > 0) rates.push_back(double(5 * n * int64_t(sizeof(double))) / s / 1e9);
  }
  for (double* p : arrays) dev.deallocate(p);
  if (rates.empty()) return internalError("bandwidth measurement took no time");
  return medianOf(std::move(rates));
}

StatusOr<double> measureByCopy(Device& dev, size_t bytes, int reps) {
  DLC_ASSIGN_OR_RETURN(void* src, dev.allocate(bytes));
  auto dst = dev.allocate(bytes);
  if (!dst.ok()) {
    dev.deallocate(src);
    return dst.status();
  }
  std::vector<double> rates;
  Status st = [&]() -> Status {
    DLC_ASSIGN_OR_RETURN(auto stream, dev.createStream());
    DLC_ASSIGN_OR_RETURN(auto start, dev.createEvent());
    DLC_ASSIGN_OR_RETURN(auto end, dev.createEvent());
    for (int r = 0; r < reps + 1; ++r) {
      DLC_RETURN_IF_ERROR(dev.record(*start, *stream));
      DLC_RETURN_IF_ERROR(dev.copyDeviceToDevice(*dst, src, bytes, *stream));
      DLC_RETURN_IF_ERROR(dev.record(*end, *stream));
      DLC_RETURN_IF_ERROR(dev.synchronize(*stream));
      DLC_ASSIGN_OR_RETURN(double ms, dev.elapsedMs(*start, *end));
      if (r > 0 && ms > 0) rates.push_back(2.0 * double(bytes) / (ms * 1e-3) / 1e9);
    }
    return Status::OK();
  }();
  dev.deallocate(*dst);
  dev.deallocate(src);
  DLC_RETURN_IF_ERROR(st);
  if (rates.empty()) return internalError("bandwidth measurement took no time");
  return medianOf(std::move(rates));
}

}  // namespace

StatusOr<double> measureBandwidthGBs(Device& device, size_t bytesPerArray, int reps) {
  if (reps < 1) return invalidArgument("bandwidth measurement needs reps >= 1, got ", reps);
  size_t bytes = pickArrayBytes(device, bytesPerArray);
  StatusOr<double> gbs = internalError("unreachable");
  if (auto* cpu = dynamic_cast<CpuDevice*>(&device)) gbs = measureCpu(*cpu, bytes, reps);
  else gbs = measureByCopy(device, bytes, reps);
  if (gbs.ok()) device.setMeasuredBandwidth(*gbs);
  return gbs;
}

}  // namespace dlc::rt
