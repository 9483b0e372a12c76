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
  // The CUDA check (CudaCheck.h) on seeds divisible by cudaEvery (1: every
  // seed; 0: none), and the determinism check (each CPU mode built twice)
  // on seeds divisible by determinismEvery. A seed's checks depend only on
  // the seed, so `dlc-fuzz --seed S` with the same flags reproduces it.
  // Building twice costs ~85% more CPU time per graph than the rest of the
  // CPU check, hence one seed in 10 by default.
  int64_t cudaEvery = 0;
  int64_t determinismEvery = 10;
  bool cpu = true;  // false: only the CUDA check (replaying a CUDA failure)
  std::vector<std::string> cudaCpuOnlyOps;  // CheckOptions::cudaCpuOnlyOps
};

// The checks `options` asks for on `seed`.
CheckOptions checksFor(uint64_t seed, const CampaignOptions& options);

struct CampaignStats {
  int64_t graphs = 0;
  std::array<int64_t, kNumVerdicts> byVerdict{};
  int64_t nonFiniteOutputs = 0;  // reference outputs with NaN/Inf (not compared)
  int64_t computations = 0;      // nodes checked in all
  // Graphs the CUDA check was asked for; of their CUDA modes (2 per graph)
  // those compared in the emulation, on a GPU, not run on a GPU for want of
  // one, and not built for want of NVRTC (a failing graph counts the modes
  // done before it failed); CPU modes built twice for determinism.
  int64_t cudaGraphs = 0;
  int64_t cudaEmulated = 0, cudaOnGpu = 0, cudaGpuSkipped = 0, cudaNotBuilt = 0;
  int64_t determinismChecks = 0;
  std::vector<std::pair<uint64_t, CheckResult>> failures;  // seed, result
  double seconds = 0;
  int64_t failed() const { return graphs - byVerdict[0]; }
  std::string summary() const;
};

// Checks one seed (generation included) in this process.
CheckResult checkSeed(uint64_t seed, const CheckOptions& checks = {});

CampaignStats runCampaign(const CampaignOptions& options);

}  // namespace dlc::fuzz
