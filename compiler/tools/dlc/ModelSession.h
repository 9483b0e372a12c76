// What the run-type subcommands share: a model given as a model file (built
// in memory) or as a compiled artifact, random inputs with a fixed seed,
// and timed runs.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "compiler/Compiler.h"
#include "compiler/tools/dlc/Args.h"
#include "runtime/src/Model.h"
#include "support/Tensor.h"

namespace dlc::cli {

// An artifact path (.dlc) is loaded; anything else is compiled in memory
// for `options` and loaded from the bytes.
StatusOr<std::unique_ptr<rt::Model>> openModel(const std::string& path,
                                               const BuildOptions& options);

// Inputs of `model` at `batch`: floats uniform in [-1, 1), u8 in [0, 255],
// integers in [0, 10), bools 0/1, from a fixed seed.
std::vector<Tensor> randomInputs(const rt::Model& model, int64_t batch, uint64_t seed);

// Runs `iterations` times (after one warm-up run); returns the outputs of
// the last run and the median wall milliseconds of a run.
struct TimedRun {
  std::vector<Tensor> outputs;
  double medianMs = 0;
};
StatusOr<TimedRun> timedRun(rt::Model& model, const std::vector<Tensor>& inputs, int iterations);

// Checks --target (only "cpu" today) and prints the error if any.
Status checkTarget(const Args& args);

// Prints "dlc <command>: <message>" to stderr and returns 1.
int fail(const std::string& command, const Status& status);

}  // namespace dlc::cli
