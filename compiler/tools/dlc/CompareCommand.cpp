// dlc compare: the fused program against the unfused one, side by side, on
// the same inputs.
#include <cmath>
#include <cstdio>
#include <iostream>
#include <nlohmann/json.hpp>

#include "compiler/tools/dlc/Commands.h"
#include "compiler/tools/dlc/ModelSession.h"

namespace dlc::cli {

static const CommandSpec kCompareSpec = withTargetFlags(
    {
    "compare",
    "dlc compare MODEL [--target cpu|cuda] [--batch N] [--iterations N] [--json] "
    "[--precision P] [--allow-tf32] [--cuda-arch sm_XX] [--no-graphs] [--strict-placement] "
    "[--virtual-devices N] [--verbose] [--format F] [--weights FILE]",
    "Builds MODEL (.json, .onnx, .keras or .h5) fused and unfused, runs both on the same\n"
    "random inputs and reports for each the kernel count, the bytes kernels read and write,\n"
    "and the median ms per run; then the max abs and max rel difference of the outputs and\n"
    "the speedup.\n"
    "max_rel_diff = max |fused - unfused| / max(|unfused|, 1e-6).",
    {{"--batch", "N", "batch size (default 1)"},
     {"--iterations", "N", "timed runs of each program (default 20)"},
     {"--json", "", "print one JSON object"}},
    1,
    1,
    },
    TargetFlagSet{/*target=*/true, /*runs=*/true});

namespace {

struct Side {
  int kernels = 0;
  int64_t bytes = 0;
  double medianMs = 0;
  std::vector<Tensor> outputs;
};

StatusOr<Side> measure(const std::string& model, BuildOptions options, const RunOptions& runOptions,
                       bool fused, int64_t batch, int iterations) {
  options.fusion = fused;
  DLC_ASSIGN_OR_RETURN(auto m, openModel(model, options, runOptions));
  DLC_ASSIGN_OR_RETURN(std::vector<Tensor> inputs, randomInputs(*m, batch, 0));
  DLC_ASSIGN_OR_RETURN(TimedRun run, timedRun(*m, inputs, iterations));
  Side side;
  side.kernels = int(m->manifest().kernels.size());
  for (const auto& k : m->manifest().kernels)
    side.bytes += k.bytesRead.at(batch) + k.bytesWritten.at(batch);
  side.medianMs = run.medianMs;
  side.outputs = std::move(run.outputs);
  return side;
}

}  // namespace

int compareCommand(const std::vector<std::string>& argv) {
  CommandStart cmd = startCommand(kCompareSpec, argv);
  if (!cmd.args) return cmd.exitCode;
  const Args& args = *cmd.args;
  auto batch = args.getIntInRange("--batch", 1, 1, kMaxBatch);
  auto iterations = args.getIntInRange("--iterations", 20, 1, kMaxIterations);
  if (!batch.ok()) return fail("compare", batch.status());
  if (!iterations.ok()) return fail("compare", iterations.status());

  auto options = buildOptionsFromArgs(args, args.get("--target", "cpu"), /*strictArch=*/true);
  if (!options.ok()) return fail("compare", options.status());
  auto runOptions = runOptionsFromArgs(args);
  if (!runOptions.ok()) return fail("compare", runOptions.status());
  const RunOptions& run = *runOptions;

  const std::string model = args.positional()[0];
  auto fused = measure(model, *options, run, /*fused=*/true, *batch, int(*iterations));
  if (!fused.ok()) return fail("compare", fused.status());
  auto unfused = measure(model, *options, run, /*fused=*/false, *batch, int(*iterations));
  if (!unfused.ok()) return fail("compare", unfused.status());

  double maxAbs = 0, maxRel = 0;
  for (size_t o = 0; o < fused->outputs.size(); ++o) {
    const Tensor& a = fused->outputs[o];
    const Tensor& b = unfused->outputs[o];
    for (int64_t i = 0; i < a.numElements(); ++i) {
      double x = a.getAsDouble(i), y = b.getAsDouble(i);
      double d = std::fabs(x - y);
      if (std::isnan(x) != std::isnan(y)) d = INFINITY;
      if (std::isnan(d)) continue;  // both NaN
      maxAbs = std::max(maxAbs, d);
      maxRel = std::max(maxRel, d / std::max(std::fabs(y), 1e-6));
    }
  }
  double speedup = fused->medianMs > 0 ? unfused->medianMs / fused->medianMs : 0;
  auto side = [](const Side& s) {
    return nlohmann::json{{"kernels", s.kernels}, {"bytes", s.bytes}, {"median_ms", s.medianMs}};
  };
  if (args.has("--json")) {
    nlohmann::json j = {{"model", model},
                        {"target", options->target},
                        {"batch", *batch},
                        {"fused", side(*fused)},
                        {"unfused", side(*unfused)},
                        {"max_abs_diff", maxAbs},
                        {"max_rel_diff", maxRel},
                        {"speedup", speedup}};
    std::cout << jsonText(j) << "\n";
    return 0;
  }
  std::printf("%s on %s at batch %lld (%lld runs each)\n", model.c_str(),
              options->target.c_str(), (long long)*batch, (long long)*iterations);
  std::printf("  %-8s %8s %14s %12s\n", "", "kernels", "bytes", "median ms");
  std::printf("  %-8s %8d %14lld %12.3f\n", "fused", fused->kernels, (long long)fused->bytes,
              fused->medianMs);
  std::printf("  %-8s %8d %14lld %12.3f\n", "unfused", unfused->kernels,
              (long long)unfused->bytes, unfused->medianMs);
  std::printf("  max abs diff %.3g, max rel diff %.3g, speedup %.2fx\n", maxAbs, maxRel, speedup);
  return 0;
}

}  // namespace dlc::cli
