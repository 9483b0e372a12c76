// What the dlc subcommands share: the common start (parse, --help, target
// check), a model given as a model file (built in memory) or as a compiled
// artifact, opened on the devices its manifest names (a GPU model on a
// machine without CUDA is one clear error, never a crash), random inputs
// with a fixed seed, timed runs, and JSON output that never throws. It
// implements no subcommand itself; the target flags are in TargetOptions.h.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "compiler/Compiler.h"
#include "compiler/tools/dlc/Args.h"
#include "compiler/tools/dlc/TargetOptions.h"
#include "runtime/src/Model.h"
#include "support/Tensor.h"

namespace dlc::cli {

// Limits of --batch and --iterations.
inline constexpr int64_t kMaxBatch = int64_t(1) << 31;
inline constexpr int64_t kMaxIterations = 1000000;

// The start every subcommand shares: parses `argv` for `spec`; a usage error
// is printed to stderr (exit code 2), --help prints the help to stdout (exit
// code 0), and when `spec` has a --target flag, an unknown target is an
// error (exit code 1). `args` is set when the command should go on;
// otherwise the command returns `exitCode`.
struct CommandStart {
  std::optional<Args> args;
  int exitCode = 0;
};
CommandStart startCommand(const CommandSpec& spec, const std::vector<std::string>& argv);

// An artifact path (.dlc) is loaded; anything else is compiled in memory
// for `options` (its build log printed to stderr when options.verbose) and
// loaded from the bytes. A model with kernels on a GPU needs CUDA: where
// there is none, the error says what is missing and how to install it.
StatusOr<std::unique_ptr<rt::Model>> openModel(const std::string& path,
                                               const BuildOptions& options,
                                               const RunOptions& run = {});

// True when a kernel or buffer of `manifest` lives on a GPU.
bool needsGpu(const rt::Manifest& manifest);

// OK when CUDA can run `manifest`'s GPU kernels (or it has none); else
// "<source> runs on /device:GPU:0, but CUDA cannot be used here: <why>".
Status checkGpuAvailable(const rt::Manifest& manifest, const std::string& source);

// The runtime options for `run`: the devices are found by the manifest's
// names (the CPU, the GPUs by ordinal, or virtual devices).
rt::ModelOptions modelOptionsFor(const RunOptions& run);

// Prints `result.log` to stderr, one line each (for --verbose).
void printBuildLog(const BuildResult& result);

// Inputs of `model` at `batch`: floats uniform in [-1, 1), u8 in [0, 255],
// integers in [0, 10), bools 0/1, from a fixed seed. A size that overflows
// or cannot be allocated is an error naming the input, never an abort.
StatusOr<std::vector<Tensor>> randomInputs(const rt::Model& model, int64_t batch, uint64_t seed);

// Runs `iterations` times (after one warm-up run); returns the outputs of
// the last run and the median wall milliseconds of a run.
struct TimedRun {
  std::vector<Tensor> outputs;
  double medianMs = 0;
};
StatusOr<TimedRun> timedRun(rt::Model& model, const std::vector<Tensor>& inputs, int iterations);

// `j` as indented text; bytes that are not UTF-8 (file names, model names)
// become U+FFFD instead of throwing.
std::string jsonText(const nlohmann::json& j);

// Prints "dlc <command>: <message>" to stderr and returns 1.
int fail(const std::string& command, const Status& status);

// Runs `body`; an exception escaping it (a bug: dlc reports errors as
// Status) is printed as "dlc: internal error: <what>" and gives exit code 1.
int guardInternalErrors(const std::function<int()>& body);

}  // namespace dlc::cli
