// A fuzzing campaign: a range of seeds (or a time budget) checked in
// parallel child processes, failures counted by class, shrunk and written
// as repros. Shared by the dlc-fuzz tool and the fixed-seed ctest.
//
// What this deliberately does not do: parse flags (FuzzMain.cpp) or decide
// what counts as a failure (Differential.h).
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "tests/fuzz/Differential.h"

namespace dlc::fuzz {

struct CampaignOptions {
  uint64_t start = 1;     // first seed
  int64_t count = 100;    // seeds start .. start+count-1 (ignored with minutes > 0)
  double minutes = 0;     // > 0: run consecutive seeds until the time is up
  int jobs = 2;           // children at a time
  double timeoutS = 60;   // per graph
  std::string outDir;     // "": failures are not shrunk or written
  bool verbose = false;   // one line per graph
};

struct CampaignStats {
  int64_t graphs = 0;
  std::array<int64_t, kNumVerdicts> byVerdict{};
  int64_t nonFiniteOutputs = 0;  // reference outputs with NaN/Inf (not compared)
  int64_t computations = 0;      // nodes checked in all
  std::vector<std::pair<uint64_t, CheckResult>> failures;  // seed, result
  double seconds = 0;
  int64_t failed() const { return graphs - byVerdict[0]; }
  std::string summary() const;
};

// Checks one seed (generation included) in this process.
CheckResult checkSeed(uint64_t seed);

CampaignStats runCampaign(const CampaignOptions& options);

}  // namespace dlc::fuzz
