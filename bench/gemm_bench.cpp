// gemm_bench: how fast the CPU backend's contraction kernels run, next to the
// machine's theoretical f32 peak.
//
// Each benchmark compiles one kernel with dlc::cpu::compile (O2, host CPU),
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

  explicit CompiledKernel(const std::string& irText,
                          const dlc::cpu::CpuCompileOptions& options = {}) {
    auto graph = dlc::ir::parseGraph(irText, "<bench>");
    if (!graph.ok()) { error = graph.status().toString(); return; }
    auto plan = dlc::ir::buildKernelPlan(**graph);
    if (!plan.ok()) { error = plan.status().toString(); return; }
    auto mod = dlc::cpu::compile(**graph, *plan, options);
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

// conv2d y = conv(x[n, c, h, w], w[o, c / groups, k, k]) + bias, stride 1,
// padding k / 2 (the output plane is the input's), computed as
// state.range(0) says: 0 the direct convolution, 1 the im2col GEMM (the
// choice --conv-algorithm direct / im2col forces), 2 auto.
void benchConv(benchmark::State& state, int64_t n, int64_t c, int64_t h, int64_t w, int64_t o,
               int64_t k, int64_t groups) {
  const int64_t algorithm = state.range(0);
  const unsigned threads = unsigned(state.range(1));
  auto dims = [](std::initializer_list<int64_t> d) {
    std::string s = "f32[";
    for (int64_t v : d) s += std::to_string(v) + ",";
    s.back() = ']';
    return s;
  };
  const int64_t pad = k / 2;
  std::string text = "graph @g(%x: " + dims({n, c, h, w}) + ", %w: " +
                     dims({o, c / groups, k, k}) + ", %b: " + dims({o}) +
                     ") {\n  %y = conv2d(%x, %w, %b) {groups = " + std::to_string(groups) +
                     ", pads = [" + std::to_string(pad) + "," + std::to_string(pad) + "," +
                     std::to_string(pad) + "," + std::to_string(pad) + "]} : " +
                     dims({n, o, h, w}) + "  #k0\n  return %y\n}\n";
  dlc::cpu::CpuCompileOptions options;
  // DLC_BENCH_CPU=x86-64-v3: the code for another CPU (CpuCompileOptions::cpu).
  if (const char* cpu = std::getenv("DLC_BENCH_CPU")) options.cpu = cpu;
  options.conv = algorithm == 0   ? dlc::cpu::ConvAlgorithm::kDirect
                 : algorithm == 1 ? dlc::cpu::ConvAlgorithm::kIm2col
                                  : dlc::cpu::ConvAlgorithm::kAuto;
  CompiledKernel kernel(text, options);
  if (!kernel.error.empty()) {
    state.SkipWithError(kernel.error.c_str());
    return;
  }
  std::vector<float> x(size_t(n * c * h * w)), wt(size_t(o * (c / groups) * k * k)),
      bias(static_cast<size_t>(o)), y(size_t(n * o * h * w));
  for (size_t i = 0; i < x.size(); ++i) x[i] = float(i % 17) * 0.01f;
  for (size_t i = 0; i < wt.size(); ++i) wt[i] = float(i % 13) * 0.02f;
  std::vector<void*> args = {x.data(), wt.data(), bias.data(), y.data()};
  for (auto _ : state) {
    kernel.run(args.data(), threads);
    benchmark::DoNotOptimize(y.data());
    benchmark::ClobberMemory();
  }
  const double flops = 2.0 * double(n * o * h * w) * double(c / groups * k * k);
  state.counters["GFLOP/s"] =
      benchmark::Counter(flops * 1e-9, benchmark::Counter::kIsIterationInvariantRate);
  state.counters["peak_GFLOP/s"] = peakModel().gflops(threads);
  state.SetLabel(std::string(algorithm == 0 ? "direct" : algorithm == 1 ? "im2col" : "auto") +
                 " threads=" + std::to_string(threads));
}

// The CNN example's convs at batch 64; then wider 3x3 convs (32 and 64
// channels), a depthwise 3x3 and a pointwise conv, to place the direct /
// im2col rule (compiler/backends/cpu/DirectConvChoice.cpp).
void BM_ConvCnn1(benchmark::State& state) { benchConv(state, 64, 1, 28, 28, 8, 3, 1); }
void BM_ConvCnn2(benchmark::State& state) { benchConv(state, 64, 8, 14, 14, 16, 3, 1); }
void BM_Conv32x28(benchmark::State& state) { benchConv(state, 8, 32, 28, 28, 32, 3, 1); }
void BM_Conv48x28(benchmark::State& state) { benchConv(state, 8, 48, 28, 28, 48, 3, 1); }
void BM_Conv64x56(benchmark::State& state) { benchConv(state, 2, 64, 56, 56, 64, 3, 1); }
void BM_Conv128x28(benchmark::State& state) { benchConv(state, 2, 128, 28, 28, 128, 3, 1); }
void BM_Conv256x14(benchmark::State& state) { benchConv(state, 4, 256, 14, 14, 256, 3, 1); }
void BM_Conv512x7(benchmark::State& state) { benchConv(state, 8, 512, 7, 7, 512, 3, 1); }
void BM_ConvDepthwise32x56(benchmark::State& state) {
  benchConv(state, 4, 32, 56, 56, 32, 3, 32);
}
void BM_ConvPointwise64to48(benchmark::State& state) {
  benchConv(state, 8, 64, 28, 28, 48, 1, 1);
}

void convArgs(benchmark::internal::Benchmark* b) {
  for (int64_t algorithm : {0, 1}) {
    b->Args({algorithm, 1});
    if (peakModel().cores > 1) b->Args({algorithm, int64_t(peakModel().cores)});
  }
  b->UseRealTime()->Unit(benchmark::kMillisecond)->Repetitions(5)->DisplayAggregatesOnly(true);
}

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
BENCHMARK(BM_ConvCnn1)->Apply(convArgs);
BENCHMARK(BM_ConvCnn2)->Apply(convArgs);
BENCHMARK(BM_Conv32x28)->Apply(convArgs);
BENCHMARK(BM_Conv48x28)->Apply(convArgs);
BENCHMARK(BM_Conv64x56)->Apply(convArgs);
BENCHMARK(BM_Conv128x28)->Apply(convArgs);
BENCHMARK(BM_Conv256x14)->Apply(convArgs);
BENCHMARK(BM_Conv512x7)->Apply(convArgs);
BENCHMARK(BM_ConvDepthwise32x56)->Apply(convArgs);
BENCHMARK(BM_ConvPointwise64to48)->Apply(convArgs);

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
