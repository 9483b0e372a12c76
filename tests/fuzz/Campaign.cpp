// Seeds in parallel children, counts, shrinking (Campaign.h).
#include "tests/fuzz/Campaign.h"

#include <chrono>
#include <cstdio>

#include "tests/fuzz/GraphGen.h"
#include "tests/fuzz/Isolate.h"
#include "tests/fuzz/Shrink.h"

namespace dlc::fuzz {

CheckResult checkSeed(uint64_t seed) {
  FuzzCase c = generateCase(seed);
  return checkGraph(*c.graph, c.runs);
}

std::string CampaignStats::summary() const {
  std::string s = strCat(graphs, " graphs (", computations, " nodes) in ", int64_t(seconds),
                         " s:");
  for (int v = 0; v < kNumVerdicts; ++v)
    s += strCat(" ", verdictName(Verdict(v)), "=", byVerdict[size_t(v)]);
  s += strCat(", outputs with NaN/Inf in the reference (not compared)=", nonFiniteOutputs);
  return s;
}

CampaignStats runCampaign(const CampaignOptions& options) {
  using Clock = std::chrono::steady_clock;
  auto start = Clock::now();
  auto elapsed = [&] { return std::chrono::duration<double>(Clock::now() - start).count(); };
  CampaignStats stats;
  int64_t count = options.minutes > 0 ? INT64_MAX : options.count;
  runIsolatedPool(
      count, [&](int64_t i) { return checkSeed(options.start + uint64_t(i)); },
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
        if (r.verdict != Verdict::kPass) {
          stats.failures.push_back({seed, r});
          fprintf(stderr, "seed %llu: %s: %s\n", (unsigned long long)seed, verdictName(r.verdict),
                  r.message.c_str());
        } else if (options.verbose) {
          fprintf(stderr, "seed %llu: pass (%d nodes)\n", (unsigned long long)seed,
                  r.computations);
        }
        if (stats.graphs % 1000 == 0) fprintf(stderr, "%s\n", stats.summary().c_str());
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
      ShrunkCase s = shrinkCase(c, r, so);
      std::string dir = strCat(options.outDir, "/seed-", seed);
      Status st = writeRepro(s, seed, r, dir);
      fprintf(stderr, "seed %llu: shrunk %d -> %d nodes: %s\n", (unsigned long long)seed,
              r.computations, s.result.computations,
              st.ok() ? dir.c_str() : st.toString().c_str());
    }
  }
  stats.seconds = elapsed();
  return stats;
}

}  // namespace dlc::fuzz
