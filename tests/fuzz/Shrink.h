// Greedy shrinking of a failing case, and writing it as a regression repro.
//
// shrinkCase keeps one failing batch size and then repeatedly tries, first
// hit wins, until nothing applies: making a single node the only output
// (earliest first, which drops everything after it), bypassing a node by
// one of its operands of the same type, and cutting a node loose by making
// it a graph input whose value is what the reference computed for it. A
// candidate is kept when it still fails with the same verdict on the same
// backend (failedBackend: a CUDA failure is not traded for a CPU one); each
// one runs in a child process (Isolate.h), checked with options.checks.
//
// writeRepro writes the result as a native JSON model (json::writeModel)
// plus one .npy per input and a README.txt with the command that found it,
// the replay command, the batch, the verdict and its message.
//
// What this deliberately does not do: shrink constants' values or shapes,
// or change the verdict's class while shrinking.
#pragma once

#include <memory>
#include <string>

#include "tests/fuzz/Differential.h"

namespace dlc::fuzz {

struct ShrinkOptions {
  double timeoutS = 60;     // per candidate
  int maxAttempts = 300;    // candidates tried in all
  double maxSeconds = 180;  // wall time in all
  bool verbose = false;
  CheckOptions checks;      // what each candidate is checked with (optionsFor)
};

struct ShrunkCase {
  std::unique_ptr<ir::Graph> graph;
  InputSet inputs;
  CheckResult result;  // the failure of the shrunk case
  int attempts = 0;
  int accepted = 0;
};

ShrunkCase shrinkCase(const FuzzCase& c, const CheckResult& failure, const ShrinkOptions& options);

// Writes `s` into `dir` (created): model.json, <input>.npy, README.txt.
// `checks` are those the campaign ran on `seed` (the README gives both
// commands with their flags).
Status writeRepro(const ShrunkCase& s, uint64_t seed, const CheckOptions& checks,
                  const CheckResult& original, const std::string& dir);

}  // namespace dlc::fuzz
