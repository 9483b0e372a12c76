// dlc bench: one model on several targets and batch sizes, fused and
// unfused, side by side: median ms per run, throughput (items/s), the GPU's
// speedup over the CPU, as a table, JSON and an SVG plot.
//
// A target that cannot run here (no GPU, no driver, a build that fails) is
// reported with its reason and the other targets still run. It measures
// whole runs as a caller sees them (host inputs in, host outputs out); the
// per-kernel view is `dlc run --log-device-placement`.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>

#include "compiler/tools/dlc/Commands.h"
#include "compiler/tools/dlc/ModelSession.h"
#include "compiler/tools/dlc/SvgPlot.h"
#include "runtime/src/CudaDevice.h"

namespace dlc::cli {

static const CommandSpec kBenchSpec = withTargetFlags(
    {
        "bench",
        "dlc bench MODEL [--targets cpu,cuda] [--batch 1,64,1024,8192] [--iterations N] "
        "[--json] [--svg FILE] [--precision P] [--allow-tf32] [--cuda-arch sm_XX] [--no-graphs] "
        "[--strict-placement] [--virtual-devices N] [--verbose] [--format F] [--weights FILE]",
        "Builds MODEL fused and unfused for every target and runs both at every batch size on\n"
        "the same random inputs: the median ms per run (host inputs in, outputs back), the\n"
        "throughput in items (batch rows) per second, and the GPU's speedup over the CPU.\n"
        "A target that cannot run here is reported with the reason; the others still run.",
        {{"--targets", "LIST", "comma-separated targets: cpu, cuda (default cpu)"},
         {"--batch", "LIST", "comma-separated batch sizes (default 1,64,1024)"},
         {"--iterations", "N", "timed runs per program and batch, after a warm-up (default 20)"},
         {"--json", "", "print one JSON object"},
         {"--svg", "FILE", "write a log-log plot of ms per run against the batch size"}},
        1,
        1,
    },
    TargetFlagSet{/*target=*/false, /*runs=*/true});

namespace {

struct Result {
  std::string target, device;
  int64_t batch = 0;
  double fusedMs = 0, unfusedMs = 0;
  int fusedKernels = 0, unfusedKernels = 0;
  double maxAbsDiffVsCpu = -1;  // < 0: not compared
};

struct BenchRun {
  std::string modelName;
  std::vector<Result> results;
  std::map<std::string, std::string> unavailable;  // target -> reason
  std::vector<std::string> errors;                 // a batch that failed on a target
};

double itemsPerSecond(int64_t batch, double ms) { return ms > 0 ? double(batch) * 1000.0 / ms : 0; }

double maxAbsDiff(const std::vector<Tensor>& a, const std::vector<Tensor>& b) {
  double worst = 0;
  for (size_t o = 0; o < a.size() && o < b.size(); ++o) {
    if (a[o].numElements() != b[o].numElements()) return INFINITY;
    for (int64_t i = 0; i < a[o].numElements(); ++i) {
      double x = a[o].getAsDouble(i), y = b[o].getAsDouble(i);
      if (std::isnan(x) && std::isnan(y)) continue;
      double d = std::isnan(x) != std::isnan(y) ? INFINITY : std::fabs(x - y);
      worst = std::max(worst, d);
    }
  }
  return worst;
}

// Why `target` cannot run on this machine, or "" when it can.
std::string unavailableReason(const std::string& target) {
  if (target != "cuda") return "";
  Status cuda = rt::cudaAvailable();
  return cuda.ok() ? "" : cuda.message();
}

// Runs every batch of one target; the CPU's fused outputs (kept per batch in
// `cpuOutputs` when target is cpu) are the reference for other targets.
void benchTarget(const Args& args, const std::string& model, const std::string& target,
                 const std::vector<int64_t>& batches, int iterations, BenchRun& bench,
                 std::map<int64_t, std::vector<Tensor>>& cpuOutputs) {
  if (std::string why = unavailableReason(target); !why.empty()) {
    bench.unavailable[target] = why;
    return;
  }
  auto options = buildOptionsFromArgs(args, target, /*strictArch=*/false);
  if (!options.ok()) {
    bench.unavailable[target] = options.status().message();
    return;
  }
  auto runOptions = runOptionsFromArgs(args);
  if (!runOptions.ok()) {
    bench.unavailable[target] = runOptions.status().message();
    return;
  }
  const RunOptions& run = *runOptions;
  BuildOptions unfusedOptions = *options;
  unfusedOptions.fusion = false;
  auto fused = openModel(model, *options, run);
  if (!fused.ok()) {
    bench.unavailable[target] = fused.status().message();
    return;
  }
  auto unfused = openModel(model, unfusedOptions, run);
  if (!unfused.ok()) {
    bench.unavailable[target] = unfused.status().message();
    return;
  }
  bench.modelName = (*fused)->manifest().modelName;
  for (int64_t batch : batches) {
    auto inputs = randomInputs(**fused, batch, /*seed=*/0);
    if (!inputs.ok()) {
      bench.errors.push_back(target + " at batch " + std::to_string(batch) + ": " +
                             inputs.status().message());
      continue;
    }
    auto f = timedRun(**fused, *inputs, iterations);
    if (!f.ok()) {
      bench.errors.push_back(target + " fused at batch " + std::to_string(batch) + ": " +
                             f.status().message());
      continue;
    }
    auto u = timedRun(**unfused, *inputs, iterations);
    if (!u.ok()) {
      bench.errors.push_back(target + " unfused at batch " + std::to_string(batch) + ": " +
                             u.status().message());
      continue;
    }
    Result r;
    r.target = target;
    r.device = (*fused)->device().name();
    r.batch = batch;
    r.fusedMs = f->medianMs;
    r.unfusedMs = u->medianMs;
    r.fusedKernels = int((*fused)->manifest().kernels.size());
    r.unfusedKernels = int((*unfused)->manifest().kernels.size());
    if (target == "cpu") {
      cpuOutputs[batch] = std::move(f->outputs);
    } else if (auto cpu = cpuOutputs.find(batch); cpu != cpuOutputs.end()) {
      r.maxAbsDiffVsCpu = maxAbsDiff(f->outputs, cpu->second);
    }
    bench.results.push_back(r);
  }
}

const Result* find(const BenchRun& bench, const std::string& target, int64_t batch) {
  for (const Result& r : bench.results)
    if (r.target == target && r.batch == batch) return &r;
  return nullptr;
}

struct Speedup {
  int64_t batch;
  double fused, unfused;
};

std::vector<Speedup> gpuSpeedups(const BenchRun& bench, const std::vector<int64_t>& batches) {
  std::vector<Speedup> out;
  for (int64_t batch : batches) {
    const Result* cpu = find(bench, "cpu", batch);
    const Result* gpu = find(bench, "cuda", batch);
    if (!cpu || !gpu || gpu->fusedMs <= 0 || gpu->unfusedMs <= 0) continue;
    out.push_back({batch, cpu->fusedMs / gpu->fusedMs, cpu->unfusedMs / gpu->unfusedMs});
  }
  return out;
}

nlohmann::json benchJson(const std::string& model, const BenchRun& bench,
                         const std::vector<std::string>& targets,
                         const std::vector<int64_t>& batches, int iterations) {
  nlohmann::json results = nlohmann::json::array();
  for (const Result& r : bench.results) {
    nlohmann::json j = {{"target", r.target},
                        {"device", r.device},
                        {"batch", r.batch},
                        {"fused_ms", r.fusedMs},
                        {"unfused_ms", r.unfusedMs},
                        {"fused_items_per_s", itemsPerSecond(r.batch, r.fusedMs)},
                        {"unfused_items_per_s", itemsPerSecond(r.batch, r.unfusedMs)},
                        {"fused_kernels", r.fusedKernels},
                        {"unfused_kernels", r.unfusedKernels},
                        {"fusion_speedup", r.fusedMs > 0 ? r.unfusedMs / r.fusedMs : 0}};
    if (r.maxAbsDiffVsCpu >= 0)
      j["max_abs_diff_vs_cpu"] =
          std::isfinite(r.maxAbsDiffVsCpu) ? nlohmann::json(r.maxAbsDiffVsCpu) : nlohmann::json("inf");
    results.push_back(j);
  }
  nlohmann::json speedups = nlohmann::json::array();
  for (const Speedup& s : gpuSpeedups(bench, batches))
    speedups.push_back({{"batch", s.batch}, {"fused", s.fused}, {"unfused", s.unfused}});
  nlohmann::json unavailable = nlohmann::json::object();
  for (const auto& [target, reason] : bench.unavailable) unavailable[target] = reason;
  return {{"model", model},
          {"model_name", bench.modelName},
          {"targets", targets},
          {"batches", batches},
          {"iterations", iterations},
          {"results", results},
          {"speedup_gpu_over_cpu", speedups},
          {"unavailable", unavailable},
          {"errors", bench.errors}};
}

void printTable(const std::string& model, const BenchRun& bench,
                const std::vector<int64_t>& batches, int iterations) {
  std::printf("%s: median of %d runs per program and batch\n", model.c_str(), iterations);
  std::printf("  %-6s %7s %12s %12s %16s %16s\n", "target", "batch", "fused ms", "unfused ms",
              "fused items/s", "unfused items/s");
  for (const Result& r : bench.results)
    std::printf("  %-6s %7lld %12.4f %12.4f %16.0f %16.0f\n", r.target.c_str(),
                (long long)r.batch, r.fusedMs, r.unfusedMs, itemsPerSecond(r.batch, r.fusedMs),
                itemsPerSecond(r.batch, r.unfusedMs));
  std::vector<Speedup> speedups = gpuSpeedups(bench, batches);
  if (!speedups.empty()) {
    std::printf("GPU over CPU (CPU ms / GPU ms):\n");
    for (const Speedup& s : speedups)
      std::printf("  batch %lld: fused %.2fx, unfused %.2fx\n", (long long)s.batch, s.fused,
                  s.unfused);
  }
  for (const auto& [target, reason] : bench.unavailable)
    std::printf("%s unavailable: %s\n", target.c_str(), reason.c_str());
  for (const std::string& e : bench.errors) std::printf("error: %s\n", e.c_str());
}

LogLogPlot benchPlot(const std::string& model, const BenchRun& bench,
                     const std::vector<std::string>& targets) {
  static const char* kColors[] = {"#1f77b4", "#2ca02c", "#d62728", "#9467bd"};
  LogLogPlot plot;
  plot.title = (bench.modelName.empty() ? model : bench.modelName) + ": median time per run";
  plot.xLabel = "batch size (items per run)";
  plot.yLabel = "median ms per run";
  for (size_t t = 0; t < targets.size(); ++t) {
    for (bool fused : {true, false}) {
      PlotSeries s;
      s.label = targets[t] + (fused ? " fused" : " unfused");
      s.color = kColors[t % 4];
      s.dashed = !fused;
      for (const Result& r : bench.results)
        if (r.target == targets[t]) s.points.push_back({double(r.batch), fused ? r.fusedMs : r.unfusedMs});
      if (!s.points.empty()) plot.series.push_back(std::move(s));
    }
  }
  return plot;
}

}  // namespace

int benchCommand(const std::vector<std::string>& argv) {
  CommandStart cmd = startCommand(kBenchSpec, argv);
  if (!cmd.args) return cmd.exitCode;
  const Args& args = *cmd.args;
  auto targets = args.getStrings("--targets", {"cpu"});
  if (!targets.ok()) return fail("bench", targets.status());
  std::vector<std::string> unique;
  for (const std::string& t : *targets) {
    if (Status s = checkTargetName(t); !s.ok()) return fail("bench", s.withContext("--targets"));
    if (std::find(unique.begin(), unique.end(), t) == unique.end()) unique.push_back(t);
  }
  // The CPU runs first: its outputs are the reference for the others.
  std::stable_partition(unique.begin(), unique.end(), [](const std::string& t) { return t == "cpu"; });
  auto batches = args.getInts("--batch", {1, 64, 1024});
  if (!batches.ok()) return fail("bench", batches.status());
  for (int64_t b : *batches)
    if (b < 1 || b > kMaxBatch)
      return fail("bench", outOfRange("--batch values must be between 1 and ", kMaxBatch,
                                      ", got ", b));
  auto iterations = args.getIntInRange("--iterations", 20, 1, kMaxIterations);
  if (!iterations.ok()) return fail("bench", iterations.status());
  // Flag values are checked once, before any build, so a typo fails fast.
  if (auto checked = buildOptionsFromArgs(args, unique.front(), /*strictArch=*/false); !checked.ok())
    return fail("bench", checked.status());

  const std::string model = args.positional()[0];
  BenchRun bench;
  std::map<int64_t, std::vector<Tensor>> cpuOutputs;
  for (const std::string& target : unique)
    benchTarget(args, model, target, *batches, int(*iterations), bench, cpuOutputs);

  if (args.has("--svg")) {
    std::string file = args.get("--svg");
    std::ofstream svg(file, std::ios::binary);
    svg << renderLogLogSvg(benchPlot(model, bench, unique));
    if (!svg) return fail("bench", unavailable("cannot write ", file));
  }
  if (args.has("--json"))
    std::cout << jsonText(benchJson(model, bench, unique, *batches, int(*iterations))) << "\n";
  else
    printTable(model, bench, *batches, int(*iterations));
  if (bench.results.empty())
    return fail("bench", unavailable("no target could run ", model));
  return bench.errors.empty() ? 0 : 1;
}

}  // namespace dlc::cli
