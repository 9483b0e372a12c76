#include "bench/limits/StreamBench.h"

#include <emmintrin.h>

#include <algorithm>
#include <barrier>
#include <chrono>
#include <cstdlib>
#include <memory>

#include "bench/limits/Stats.h"
#include "bench/limits/ThreadTeam.h"

namespace dlc::bench {

namespace {

constexpr float kScalar = 3.0f;
constexpr int64_t kAlignFloats = 16;  // partition slices start on 64-byte lines

// The kernels are plain loops the compiler vectorises for the baseline ISA
// (SSE2 on x86-64): they are memory-bound, and wider vectors do not move
// more bytes (bench/README.md). This file is built with loop-to-memcpy
// idiom recognition off (bench/CMakeLists.txt), so copy stays a loop.
using Kernel = void (*)(float* __restrict a, float* __restrict b, float* __restrict c, int64_t lo,
                        int64_t hi);

__attribute__((noinline)) void copyKernel(float* __restrict a, float* __restrict,
                                          float* __restrict c, int64_t lo, int64_t hi) {
  for (int64_t i = lo; i < hi; ++i) c[i] = a[i];
}
__attribute__((noinline)) void scaleKernel(float* __restrict, float* __restrict b,
                                           float* __restrict c, int64_t lo, int64_t hi) {
  for (int64_t i = lo; i < hi; ++i) b[i] = kScalar * c[i];
}
__attribute__((noinline)) void addKernel(float* __restrict a, float* __restrict b,
                                         float* __restrict c, int64_t lo, int64_t hi) {
  for (int64_t i = lo; i < hi; ++i) c[i] = a[i] + b[i];
}
__attribute__((noinline)) void triadKernel(float* __restrict a, float* __restrict b,
                                           float* __restrict c, int64_t lo, int64_t hi) {
  for (int64_t i = lo; i < hi; ++i) a[i] = b[i] + kScalar * c[i];
}
// Streaming stores (movntps): lo is 16-byte aligned (a slice start), the
// tail after the last whole vector is stored normally.
__attribute__((noinline)) void copyNtKernel(float* __restrict a, float* __restrict,
                                            float* __restrict c, int64_t lo, int64_t hi) {
  int64_t i = lo;
  for (; i + 4 <= hi; i += 4) _mm_stream_ps(c + i, _mm_load_ps(a + i));
  for (; i < hi; ++i) c[i] = a[i];
  _mm_sfence();
}
__attribute__((noinline)) void triadNtKernel(float* __restrict a, float* __restrict b,
                                             float* __restrict c, int64_t lo, int64_t hi) {
  const __m128 s = _mm_set1_ps(kScalar);
  int64_t i = lo;
  for (; i + 4 <= hi; i += 4)
    _mm_stream_ps(a + i, _mm_add_ps(_mm_load_ps(b + i), _mm_mul_ps(s, _mm_load_ps(c + i))));
  for (; i < hi; ++i) a[i] = b[i] + kScalar * c[i];
  _mm_sfence();
}

struct KernelDef {
  const char* name;
  Kernel fn;
  int wordsStream;
  int wordsWriteAllocate;
  int output;      // 0: a, 1: b, 2: c
  float expected;  // every output element after the kernel, from a=1 b=2 c=0
};

// In this order each kernel's inputs are the previous kernels' outputs, and
// every kernel is idempotent, so repetitions do not change the values.
constexpr KernelDef kKernels[] = {
    {"copy", copyKernel, 2, 3, 2, 1.0f},          // c = 1
    {"scale", scaleKernel, 2, 3, 1, 3.0f},        // b = 3
    {"add", addKernel, 3, 4, 2, 4.0f},            // c = 4
    {"triad", triadKernel, 3, 4, 0, 15.0f},       // a = 3 + 3*4
    {"copy_nt", copyNtKernel, 2, 2, 2, 15.0f},    // c = 15
    {"triad_nt", triadNtKernel, 3, 3, 0, 48.0f},  // a = 3 + 3*15
};
constexpr int kNumKernels = int(sizeof(kKernels) / sizeof(kKernels[0]));

struct FreeDeleter {
  void operator()(float* p) const { std::free(p); }
};
using Array = std::unique_ptr<float, FreeDeleter>;

StatusOr<Array> allocateArray(int64_t n) {
  void* p = nullptr;
  // 2 MiB alignment: slices start on page boundaries and the kernel may use
  // transparent huge pages where they are enabled.
  if (posix_memalign(&p, size_t(2) << 20, size_t(n) * sizeof(float)) != 0 || !p)
    return outOfRange("cannot allocate an array of ", n * int64_t(sizeof(float)), " bytes");
  return Array(static_cast<float*>(p));
}

struct Mismatch {
  int64_t count = 0;
  int64_t firstIndex = -1;
  float firstValue = 0;
};

}  // namespace

StatusOr<std::vector<StreamKernelResult>> runStream(const std::vector<int>& cpus,
                                                    int64_t arrayBytes, int reps) {
  if (reps < 1) return invalidArgument("STREAM needs at least 1 repetition, got ", reps);
  const int64_t n = arrayBytes / int64_t(sizeof(float));
  if (n < kAlignFloats) return invalidArgument("STREAM arrays need at least 64 bytes");
  DLC_ASSIGN_OR_RETURN(Array aArray, allocateArray(n));
  DLC_ASSIGN_OR_RETURN(Array bArray, allocateArray(n));
  DLC_ASSIGN_OR_RETURN(Array cArray, allocateArray(n));
  float* arrays[3] = {aArray.get(), bArray.get(), cArray.get()};

  const int threads = int(cpus.size());
  int64_t slice = (n + threads - 1) / threads;
  slice = (slice + kAlignFloats - 1) / kAlignFloats * kAlignFloats;
  std::barrier<> sync(threads);
  std::vector<std::vector<double>> seconds(kNumKernels);
  std::vector<std::vector<Mismatch>> mismatches(kNumKernels, std::vector<Mismatch>(threads));

  using Clock = std::chrono::steady_clock;
  auto body = [&](int t) {
    const int64_t lo = std::min(n, int64_t(t) * slice), hi = std::min(n, lo + slice);
    float *a = arrays[0], *b = arrays[1], *c = arrays[2];
    for (int64_t i = lo; i < hi; ++i) a[i] = 1.0f, b[i] = 2.0f, c[i] = 0.0f;
    for (int k = 0; k < kNumKernels; ++k) {
      const KernelDef& def = kKernels[k];
      for (int r = 0; r <= reps; ++r) {
        sync.arrive_and_wait();
        Clock::time_point t0 = Clock::now();
        def.fn(a, b, c, lo, hi);
        sync.arrive_and_wait();
        if (t == 0 && r > 0)
          seconds[k].push_back(std::chrono::duration<double>(Clock::now() - t0).count());
      }
      Mismatch& m = mismatches[k][t];
      const float* out = arrays[def.output];
      for (int64_t i = lo; i < hi; ++i) {
        if (out[i] == def.expected) continue;
        if (m.count++ == 0) m.firstIndex = i, m.firstValue = out[i];
      }
    }
  };
  DLC_RETURN_IF_ERROR(runPinned(cpus, body));

  std::vector<StreamKernelResult> results;
  for (int k = 0; k < kNumKernels; ++k) {
    const KernelDef& def = kKernels[k];
    for (const Mismatch& m : mismatches[k]) {
      if (m.count == 0) continue;
      return dataLoss("STREAM ", def.name, ": ", m.count, " wrong elements in ", "abc"[def.output],
                      "[], first ", "abc"[def.output], "[", m.firstIndex, "] = ", m.firstValue,
                      ", expected ", def.expected);
    }
    StreamKernelResult r;
    r.name = def.name;
    r.wordsStream = def.wordsStream;
    r.wordsWriteAllocate = def.wordsWriteAllocate;
    r.seconds = seconds[k];
    std::vector<double> rates, ratesWa;
    for (double s : r.seconds) {
      if (s <= 0) return internalError("STREAM ", def.name, ": a repetition took no time");
      const double elementGb = double(n) * sizeof(float) / s / 1e9;
      rates.push_back(def.wordsStream * elementGb);
      ratesWa.push_back(def.wordsWriteAllocate * elementGb);
    }
    r.bestGBs = *std::max_element(rates.begin(), rates.end());
    r.medianGBs = median(rates);
    r.bestGBsWriteAllocate = *std::max_element(ratesWa.begin(), ratesWa.end());
    r.medianGBsWriteAllocate = median(ratesWa);
    results.push_back(std::move(r));
  }
  return results;
}

}  // namespace dlc::bench
