// gemm_bench: how fast the CPU backend's contraction kernels run, next to the
// machine's theoretical f32 peak.
//
// Each benchmark compiles one kernel with dlc::cpu::compile (O3, host CPU),
// dlopens the shared object and times dlc_k0 over its whole extent, split
// into one chunk per thread (one std::thread per chunk, as the runtime's
// pool would). Reported counters:
//   GFLOP/s   2*M*N*K / time (median of the repetitions)
//   peak      cores x GHz x FMA units x lanes x 2 for the threads used
//   of_peak   GFLOP/s / peak
// Peak assumptions (read from /proc/cpuinfo): lanes = 16 with avx512f, 8 with
// avx2+fma, 4 otherwise; 2 FMA units per core (Intel Xeon Gold/Platinum,
// Sapphire Rapids, Zen 4; some Xeon Silver/Bronze parts have 1, which
// halves the peak); GHz = the first "cpu MHz" line (on a VM, usually the
// nominal frequency; turbo may exceed it). It does not pin threads or
// control the frequency governor.
#include <dlfcn.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <benchmark/benchmark.h>

#include "compiler/backends/cpu/CpuBackend.h"
#include "ir/Kernel.h"
#include "ir/Parser.h"

namespace {

struct PeakModel {
  unsigned cores = 1;
  double ghz = 0;
  unsigned fmaUnits = 2;
  unsigned lanes = 4;
  double gflops(unsigned threads) const { return threads * ghz * fmaUnits * lanes * 2; }
};

PeakModel readPeakModel() {
  PeakModel m;
  m.cores = std::max(1u, std::thread::hardware_concurrency());
  std::ifstream in("/proc/cpuinfo");
  std::string line;
  bool haveMhz = false, haveFlags = false;
  while (std::getline(in, line)) {
    if (!haveMhz && line.rfind("cpu MHz", 0) == 0) {
      m.ghz = std::atof(line.substr(line.find(':') + 1).c_str()) / 1000.0;
      haveMhz = true;
    } else if (!haveFlags && line.rfind("flags", 0) == 0) {
      std::istringstream flags(line.substr(line.find(':') + 1));
      bool avx512 = false, avx2 = false, fma = false;
      for (std::string f; flags >> f;) {
        avx512 |= f == "avx512f";
        avx2 |= f == "avx2";
        fma |= f == "fma";
      }
      m.lanes = avx512 ? 16 : (avx2 && fma) ? 8 : 4;
      haveFlags = true;
    }
  }
  return m;
}

const PeakModel& peakModel() {
  static const PeakModel m = readPeakModel();
  return m;
}

using KernelFn = void (*)(void* const*, int64_t, int64_t, int64_t);
using ExtentFn = int64_t (*)(int64_t);

// One compiled single-kernel graph, loaded with dlopen.
struct CompiledKernel {
  void* handle = nullptr;
  std::string path;
  KernelFn fn = nullptr;
  ExtentFn extent = nullptr;
  std::string error;

  explicit CompiledKernel(const std::string& irText) {
    auto graph = dlc::ir::parseGraph(irText, "<bench>");
    if (!graph.ok()) { error = graph.status().toString(); return; }
    auto plan = dlc::ir::buildKernelPlan(**graph);
    if (!plan.ok()) { error = plan.status().toString(); return; }
    auto mod = dlc::cpu::compile(**graph, *plan, dlc::cpu::CpuCompileOptions{});
    if (!mod.ok()) { error = mod.status().toString(); return; }
    char name[] = "/tmp/dlc-gemm-bench-XXXXXX.so";
    int fd = mkstemps(name, 3);
    if (fd < 0) { error = "mkstemps failed"; return; }
    close(fd);
    path = name;
    std::ofstream(path, std::ios::binary)
        .write(reinterpret_cast<const char*>(mod->sharedObject.data()),
               std::streamsize(mod->sharedObject.size()));
    handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (!handle) { error = dlerror(); return; }
    fn = reinterpret_cast<KernelFn>(dlsym(handle, mod->symbols[0].c_str()));
    extent = reinterpret_cast<ExtentFn>(dlsym(handle, (mod->symbols[0] + "_extent").c_str()));
    if (!fn || !extent) error = "kernel symbols missing";
  }
  ~CompiledKernel() {
    if (handle) dlclose(handle);
    if (!path.empty()) unlink(path.c_str());
  }

  void run(void* const* args, unsigned threads) const {
    int64_t total = extent(1);
    if (threads <= 1) {
      fn(args, 1, 0, total);
      return;
    }
    std::vector<std::thread> pool;
    for (unsigned t = 0; t < threads; ++t) {
      int64_t lo = total * t / threads, hi = total * (t + 1) / threads;
      pool.emplace_back([=, this] { fn(args, 1, lo, hi); });
    }
    for (std::thread& th : pool) th.join();
  }
};

// y[m, n] = a[m, k] * b[k, n] (matmul) or x[m, k] * w[k, n] + bias (dense).
void benchContraction(benchmark::State& state, bool dense, int64_t m, int64_t n, int64_t k) {
  unsigned threads = unsigned(state.range(0));
  auto shape = [](int64_t r, int64_t c) {
    return "f32[" + std::to_string(r) + "," + std::to_string(c) + "]";
  };
  std::string text =
      dense ? "graph @g(%x: " + shape(m, k) + ", %w: " + shape(k, n) + ", %b: f32[" +
                  std::to_string(n) + "]) {\n  %y = dense(%x, %w, %b) : " + shape(m, n) +
                  "  #k0\n  return %y\n}\n"
            : "graph @g(%a: " + shape(m, k) + ", %b: " + shape(k, n) +
                  ") {\n  %y = matmul(%a, %b) : " + shape(m, n) + "  #k0\n  return %y\n}\n";
  CompiledKernel kernel(text);
  if (!kernel.error.empty()) {
    state.SkipWithError(kernel.error.c_str());
    return;
  }
  std::vector<float> a(size_t(m * k)), b(size_t(k * n)), bias(static_cast<size_t>(n)), y(size_t(m * n));
  for (size_t i = 0; i < a.size(); ++i) a[i] = float(i % 17) * 0.01f;
  for (size_t i = 0; i < b.size(); ++i) b[i] = float(i % 13) * 0.02f;
  std::vector<void*> args = {a.data(), b.data()};
  if (dense) args.push_back(bias.data());
  args.push_back(y.data());
  for (auto _ : state) {
    kernel.run(args.data(), threads);
    benchmark::DoNotOptimize(y.data());
    benchmark::ClobberMemory();
  }
  const double flops = 2.0 * double(m) * double(n) * double(k);
  const PeakModel& peak = peakModel();
  state.counters["GFLOP/s"] =
      benchmark::Counter(flops * 1e-9, benchmark::Counter::kIsIterationInvariantRate);
  state.counters["peak_GFLOP/s"] = peak.gflops(threads);
  state.SetLabel("threads=" + std::to_string(threads));
}

void BM_MatMul1024(benchmark::State& state) { benchContraction(state, false, 1024, 1024, 1024); }
void BM_DenseBatch1(benchmark::State& state) { benchContraction(state, true, 1, 1024, 1024); }
void BM_Dense256x784x128(benchmark::State& state) {
  benchContraction(state, true, 256, 128, 784);
}

// The transformer blocks' MLP up-projections: hidden 256 at sequence 128
// (batch 1), hidden 768 at batch 8 (1024 rows).
void BM_DenseTfm256(benchmark::State& state) { benchContraction(state, true, 128, 1024, 256); }
void BM_DenseTfm768Batch8(benchmark::State& state) {
  benchContraction(state, true, 1024, 3072, 768);
}

// The hidden-768 block's MLP at batch 1 (128 rows): up 768 -> 3072, down
// 3072 -> 768, and one of its 768 -> 768 projections.
void BM_DenseTfm768Up(benchmark::State& state) { benchContraction(state, true, 128, 3072, 768); }
void BM_DenseTfm768Down(benchmark::State& state) {
  benchContraction(state, true, 128, 768, 3072);
}
void BM_DenseTfm768Proj(benchmark::State& state) { benchContraction(state, true, 128, 768, 768); }

void threadArgs(benchmark::internal::Benchmark* b) {
  b->Arg(1);
  if (peakModel().cores > 1) b->Arg(int64_t(peakModel().cores));
  b->UseRealTime()->Unit(benchmark::kMillisecond)->Repetitions(5)->DisplayAggregatesOnly(true);
}

}  // namespace

BENCHMARK(BM_MatMul1024)->Apply(threadArgs);
BENCHMARK(BM_DenseBatch1)->Apply(threadArgs);
BENCHMARK(BM_Dense256x784x128)->Apply(threadArgs);
BENCHMARK(BM_DenseTfm256)->Apply(threadArgs);
BENCHMARK(BM_DenseTfm768Batch8)->Apply(threadArgs);
BENCHMARK(BM_DenseTfm768Up)->Apply(threadArgs);
BENCHMARK(BM_DenseTfm768Down)->Apply(threadArgs);
BENCHMARK(BM_DenseTfm768Proj)->Apply(threadArgs);

int main(int argc, char** argv) {
  const PeakModel& p = peakModel();
  std::printf(
      "theoretical f32 peak: %u cores x %.2f GHz x %u FMA units x %u lanes x 2 = %.1f GFLOP/s\n"
      "(per core %.1f GFLOP/s; FMA unit count assumed, see gemm_bench.cpp)\n",
      p.cores, p.ghz, p.fmaUnits, p.lanes, p.gflops(p.cores), p.gflops(1));
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
