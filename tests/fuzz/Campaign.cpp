// Seeds in parallel children, counts, shrinking (Campaign.h).
#include "tests/fuzz/Campaign.h"

#include <chrono>
#include <cstdio>

#include "tests/fuzz/GraphGen.h"
#include "tests/fuzz/Isolate.h"
#include "tests/fuzz/Shrink.h"

namespace dlc::fuzz {

CheckResult checkSeed(uint64_t seed, const CheckOptions& checks) {
  FuzzCase c = generateCase(seed);
  return checkGraph(*c.graph, c.runs, checks);
}

CheckOptions checksFor(uint64_t seed, const CampaignOptions& options) {
  CheckOptions checks;
  checks.cpu = options.cpu;
  checks.cudaCpuOnlyOps = options.cudaCpuOnlyOps;
  checks.cuda = options.cudaEvery > 0 && seed % uint64_t(options.cudaEvery) == 0;
  checks.determinism =
      options.determinismEvery > 0 && seed % uint64_t(options.determinismEvery) == 0;
  return checks;
}

namespace {

// The command line that checks `seed` as the campaign did.
std::string reproCommand(uint64_t seed, const CheckOptions& checks) {
  return strCat("dlc-fuzz --seed ", seed, checkFlags(checks));
}

}  // namespace

std::string CampaignStats::summary() const {
  std::string s = strCat(graphs, " graphs (", computations, " nodes) in ", int64_t(seconds),
                         " s:");
  for (int v = 0; v < kNumVerdicts; ++v)
    s += strCat(" ", verdictName(Verdict(v)), "=", byVerdict[size_t(v)]);
  s += strCat(", outputs with NaN/Inf in the reference (not compared)=", nonFiniteOutputs);
  if (cudaGraphs == 0) {
    s += "; cuda not asked";
  } else {
    s += strCat("; cuda on ", cudaGraphs, " graphs, modes emulated=", cudaEmulated,
                " on-gpu=", cudaOnGpu,
                " gpu-skipped=", cudaGpuSkipped, " (no CUDA device)");
    if (cudaNotBuilt > 0) s += strCat(" not-built=", cudaNotBuilt, " (no NVRTC)");
  }
  s += strCat("; determinism checks=", determinismChecks);
  return s;
}

CampaignStats runCampaign(const CampaignOptions& options) {
  using Clock = std::chrono::steady_clock;
  auto start = Clock::now();
  auto elapsed = [&] { return std::chrono::duration<double>(Clock::now() - start).count(); };
  CampaignStats stats;
  int64_t count = options.minutes > 0 ? INT64_MAX : options.count;
  runIsolatedPool(
      count,
      [&](int64_t i) {
        uint64_t seed = options.start + uint64_t(i);
        return checkSeed(seed, checksFor(seed, options));
      },
      [&](int64_t i, const CheckResult& got) {
        CheckResult r = got;
        uint64_t seed = options.start + uint64_t(i);
        ++stats.graphs;
        if (r.verdict == Verdict::kCrash || r.verdict == Verdict::kTimeout) {
          // The child left no count: regenerate (cheap, deterministic).
          FuzzCase c = generateCase(seed);
          for (const auto& n : c.graph->nodes()) r.computations += ir::isSource(n->op) ? 0 : 1;
        }
        ++stats.byVerdict[size_t(r.verdict)];
        stats.nonFiniteOutputs += r.nonFiniteOutputs;
        stats.computations += r.computations;
        stats.cudaGraphs += checksFor(seed, options).cuda ? 1 : 0;
        stats.cudaEmulated += r.cudaEmulated;
        stats.cudaOnGpu += r.cudaOnGpu;
        stats.cudaGpuSkipped += r.cudaGpuSkipped;
        stats.cudaNotBuilt += r.cudaNotBuilt;
        stats.determinismChecks += r.determinismChecks;
        if (r.verdict != Verdict::kPass) {
          stats.failures.push_back({seed, r});
          fprintf(stderr, "seed %llu: %s: %s (repro: %s)\n", (unsigned long long)seed,
                  verdictName(r.verdict), r.message.c_str(),
                  reproCommand(seed, checksFor(seed, options)).c_str());
        } else if (options.verbose) {
          fprintf(stderr, "seed %llu: pass (%d nodes)\n", (unsigned long long)seed,
                  r.computations);
        }
        // Progress: CUDA checks take seconds per graph, so report them 10x as often.
        if (stats.graphs % (options.cudaEvery > 0 ? 100 : 1000) == 0) {
          stats.seconds = elapsed();
          fprintf(stderr, "%s\n", stats.summary().c_str());
        }
      },
      options.jobs, options.timeoutS,
      [&] { return options.minutes <= 0 || elapsed() < options.minutes * 60; });
  if (!options.outDir.empty()) {
    for (const auto& [seed, r] : stats.failures) {
      if (r.verdict == Verdict::kInvalidGraph) continue;
      FuzzCase c = generateCase(seed);
      ShrinkOptions so;
      so.timeoutS = options.timeoutS;
      so.verbose = options.verbose;
      so.checks = optionsFor(r, checksFor(seed, options));
      ShrunkCase s = shrinkCase(c, r, so);
      std::string dir = strCat(options.outDir, "/seed-", seed);
      Status st = writeRepro(s, seed, checksFor(seed, options), r, dir);
      fprintf(stderr, "seed %llu: shrunk %d -> %d nodes: %s\n", (unsigned long long)seed,
              r.computations, s.result.computations,
              st.ok() ? dir.c_str() : st.toString().c_str());
    }
  }
  stats.seconds = elapsed();
  return stats;
}

}  // namespace dlc::fuzz
