#include "bench/limits/FmaBench.h"

#include <immintrin.h>

#include <algorithm>
#include <barrier>
#include <chrono>

#include "bench/limits/ThreadTeam.h"

namespace dlc::bench {

namespace {

constexpr int kChains = 12;
constexpr int64_t kIterationsPerCall = int64_t(1) << 14;
// The run is cut into this many windows of time, the same on every thread;
// the result is the team's best window (as STREAM reports its best
// repetition), so a moment in which the OS preempted a thread on a shared
// machine does not hide the units' peak.
constexpr int kWindows = 10;

// Read at run time so the compiler cannot fold the arithmetic.
volatile float gMultiplier = 0.5f;
volatile float gAddend = 1.0f;

#define DLC_CHAINS(X) X(0) X(1) X(2) X(3) X(4) X(5) X(6) X(7) X(8) X(9) X(10) X(11)

using FmaKernel = float (*)(int64_t iterations, float m, float a);

// A different start per chain: equal chains would be merged into one by the
// compiler (common subexpressions), leaving a latency-bound loop.
constexpr float start(int chain) { return 1.0f + float(chain) / 16.0f; }

__attribute__((target("avx512f"), noinline)) float fmaAvx512(int64_t iterations, float m, float a) {
  const __m512 vm = _mm512_set1_ps(m), va = _mm512_set1_ps(a);
#define DECL(i) __m512 x##i = _mm512_set1_ps(start(i));
  DLC_CHAINS(DECL)
#undef DECL
  for (int64_t it = 0; it < iterations; ++it) {
#define STEP(i) x##i = _mm512_fmadd_ps(x##i, vm, va);
    DLC_CHAINS(STEP)
#undef STEP
  }
  __m512 sum = _mm512_setzero_ps();
#define SUM(i) sum = _mm512_add_ps(sum, x##i);
  DLC_CHAINS(SUM)
#undef SUM
  // Not _mm512_reduce_add_ps: GCC 12 warns about its undefined helper vector.
  alignas(64) float lanes[16];
  _mm512_store_ps(lanes, sum);
  float total = 0;
  for (float v : lanes) total += v;
  return total;
}

__attribute__((target("avx2,fma"), noinline)) float fmaAvx2(int64_t iterations, float m, float a) {
  const __m256 vm = _mm256_set1_ps(m), va = _mm256_set1_ps(a);
#define DECL(i) __m256 x##i = _mm256_set1_ps(start(i));
  DLC_CHAINS(DECL)
#undef DECL
  for (int64_t it = 0; it < iterations; ++it) {
#define STEP(i) x##i = _mm256_fmadd_ps(x##i, vm, va);
    DLC_CHAINS(STEP)
#undef STEP
  }
  __m256 sum = _mm256_setzero_ps();
#define SUM(i) sum = _mm256_add_ps(sum, x##i);
  DLC_CHAINS(SUM)
#undef SUM
  alignas(32) float lanes[8];
  _mm256_store_ps(lanes, sum);
  float total = 0;
  for (float v : lanes) total += v;
  return total;
}

__attribute__((noinline)) float mulAddSse2(int64_t iterations, float m, float a) {
  const __m128 vm = _mm_set1_ps(m), va = _mm_set1_ps(a);
#define DECL(i) __m128 x##i = _mm_set1_ps(start(i));
  DLC_CHAINS(DECL)
#undef DECL
  for (int64_t it = 0; it < iterations; ++it) {
#define STEP(i) x##i = _mm_add_ps(_mm_mul_ps(x##i, vm), va);
    DLC_CHAINS(STEP)
#undef STEP
  }
  __m128 sum = _mm_setzero_ps();
#define SUM(i) sum = _mm_add_ps(sum, x##i);
  DLC_CHAINS(SUM)
#undef SUM
  alignas(16) float lanes[4];
  _mm_store_ps(lanes, sum);
  return lanes[0] + lanes[1] + lanes[2] + lanes[3];
}

#undef DLC_CHAINS

struct IsaDef {
  const char* isa;
  int vectorBits;
  bool fused;
  FmaKernel fn;
};

bool cpuRuns(const std::string& isa) {
  __builtin_cpu_init();
  if (isa == "avx512f") return __builtin_cpu_supports("avx512f");
  if (isa == "avx2") return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
  return isa == "sse2";
}

StatusOr<IsaDef> findIsa(const std::string& isa) {
  if (isa == "avx512f") return IsaDef{"avx512f", 512, true, fmaAvx512};
  if (isa == "avx2") return IsaDef{"avx2", 256, true, fmaAvx2};
  if (isa == "sse2") return IsaDef{"sse2", 128, false, mulAddSse2};
  return invalidArgument("unknown vector ISA '", isa, "' (avx512f, avx2, sse2)");
}

}  // namespace

std::vector<std::string> supportedFmaIsas() {
  std::vector<std::string> isas;
  for (const char* isa : {"avx512f", "avx2", "sse2"})
    if (cpuRuns(isa)) isas.push_back(isa);
  return isas;
}

StatusOr<FmaResult> runFma(const std::vector<int>& cpus, const std::string& isa, int milliseconds) {
  DLC_ASSIGN_OR_RETURN(IsaDef def, findIsa(isa));
  if (!cpuRuns(isa)) return unsupported("this CPU does not run ", isa);
  if (milliseconds < 1) return invalidArgument("FMA run time must be >= 1 ms, got ", milliseconds);
  const int threads = int(cpus.size());
  const float m = gMultiplier, a = gAddend;
  const int lanes = def.vectorBits / 32;
  // x = x*0.5 + 1 reaches exactly 2.0 from any start in [1, 2) within 25
  // iterations: the distance to 2 halves each time.
  const float expected = float(kChains * lanes) * 2.0f;
  const double flopsPerCall = double(kIterationsPerCall) * kChains * lanes * 2.0;
  // calls[t][w]: kernel calls thread t finished in window w. The windows are
  // the same stretches of time on every thread (from the common start), so a
  // window's sum over threads is what the team did concurrently.
  std::vector<std::vector<int64_t>> calls(threads);
  std::vector<double> checks(threads);
  std::barrier<> go(threads);
  using Clock = std::chrono::steady_clock;
  const auto duration =
      std::chrono::duration_cast<Clock::duration>(std::chrono::milliseconds(milliseconds));
  const Clock::duration window = duration / kWindows;
  Clock::time_point t0;
  auto body = [&](int t) {
    if (t == 0) t0 = Clock::now() + std::chrono::microseconds(100);
    go.arrive_and_wait();  // publishes t0
    while (Clock::now() < t0) {
    }
    float check = 0;
    // Past the end only until this thread has finished one call (a thread the
    // OS kept off its CPU for the whole run).
    for (Clock::time_point now = t0; now < t0 + duration || calls[t].empty();) {
      check = def.fn(kIterationsPerCall, m, a);
      now = Clock::now();
      const size_t w = size_t((now - t0) / window);
      if (calls[t].size() <= w) calls[t].resize(w + 1, 0);
      ++calls[t][w];
    }
    checks[t] = check;
  };
  DLC_RETURN_IF_ERROR(runPinned(cpus, body));
  FmaResult r;
  r.isa = def.isa;
  r.vectorBits = def.vectorBits;
  r.fused = def.fused;
  for (int t = 0; t < threads; ++t) {
    if (checks[t] != expected)
      return dataLoss("FMA ", isa, ": thread ", t, "'s accumulators sum to ", checks[t],
                      ", expected ", expected);
    r.checksum += checks[t];
  }
  const double windowSeconds = std::chrono::duration<double>(window).count();
  size_t windows = 0;
  for (const std::vector<int64_t>& c : calls) windows = std::max(windows, c.size());
  std::vector<double> rates;  // the team's FLOP/s in each window
  for (size_t w = 0; w < windows; ++w) {
    int64_t teamCalls = 0;
    for (const std::vector<int64_t>& c : calls) teamCalls += w < c.size() ? c[w] : 0;
    rates.push_back(double(teamCalls) * flopsPerCall / windowSeconds);
  }
  r.gflops = *std::max_element(rates.begin(), rates.end()) / 1e9;
  double total = 0;
  for (double rate : rates) total += rate;
  r.gflopsMean = total / double(rates.size()) / 1e9;
  r.gflopsPerThread = r.gflops / threads;
  return r;
}

}  // namespace dlc::bench
