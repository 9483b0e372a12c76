// The target flags that build, run, compare, eval and bench share: which
// device kind the code is for and how it is compiled and run there, plus how
// the model file is read.
//
//   --format F             --weights FILE        (frontends/ModelLoader.h)
//   --target cpu|cuda      --cuda-arch sm_XX     --allow-tf32
//   --precision f32|f16|bf16                     --strict-placement
//   --virtual-devices N    --verbose             --no-graphs (commands that run)
//
// This file declares the flags (with their help text), turns parsed flags
// into BuildOptions and RunOptions, and checks every value, returning an
// error that names the flag and the accepted values. It builds and runs
// nothing (ModelSession.h does).
#pragma once

#include <string>
#include <vector>

#include "compiler/Compiler.h"
#include "compiler/tools/dlc/Args.h"
#include "support/Status.h"

namespace dlc::cli {

// The targets dlc compiles for, in the order messages list them.
inline const std::vector<std::string>& knownTargets() {
  static const std::vector<std::string> kTargets = {"cpu", "cuda"};
  return kTargets;
}

// Most logical devices --virtual-devices may split a device into.
inline constexpr int64_t kMaxVirtualDevices = 64;

// Which target flags a command takes.
struct TargetFlagSet {
  bool target = true;  // --target (bench has --targets instead)
  bool runs = false;   // --no-graphs: the command runs the model
};

// `spec` with the target flags of `set` appended (after its own flags).
CommandSpec withTargetFlags(CommandSpec spec, TargetFlagSet set);

// How a command runs a model once it is built.
struct RunOptions {
  bool cudaGraphs = true;  // --no-graphs: launch kernel by kernel, no CUDA Graph replay
  // --virtual-devices N: a model placed on /device:GPU:0..N-1 (or CPU) runs
  // on one physical device of that kind.
  int virtualDevices = 1;
};

// OK for a known target name; else `unknown target "tpu" (supported: cpu, cuda)`.
Status checkTargetName(const std::string& target);

// The BuildOptions the flags ask for, for `target` (the --target value for
// single-target commands; each of --targets for bench). Checks --precision,
// --virtual-devices and --cuda-arch; --cuda-arch with target cpu is an error
// when `strictArch` (a single-target command), ignored otherwise.
StatusOr<BuildOptions> buildOptionsFromArgs(const Args& args, const std::string& target,
                                            bool strictArch);
StatusOr<RunOptions> runOptionsFromArgs(const Args& args);

}  // namespace dlc::cli
