// The dlc build pipeline: model file -> IR -> passes -> [precision lowering]
// -> [soft placement] -> fusion -> buffer assignment -> backend code (LLVM for
// the kernels on CPU devices, CUDA C++ via NVRTC for those on GPU devices) ->
// manifest with transfers between devices + constants (an artifact).
//
// This is straight-line code, in the spirit of Halide's Lower.cpp: each step
// is one call, observable through --dump-ir and --time-passes. It does not
// run anything (see the runtime) and knows no op semantics.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "compiler/backends/cpu/CpuBackend.h"
#include "frontends/ModelLoader.h"
#include "ir/Graph.h"
#include "ir/Kernel.h"
#include "passes/BufferAssignment.h"
#include "passes/PassManager.h"
#include "passes/SoftPlacement.h"
#include "runtime/src/Manifest.h"

namespace dlc {

struct BuildOptions {
  // --format and --weights: how the model file is read (frontends/ModelLoader.h).
  frontends::LoadOptions load;
  std::string target = "cpu";  // "cpu" or "cuda"
  // --cpu: the CPU the code is for (cpu::CpuCompileOptions::cpu): "native",
  // "generic" (x86-64-v2), "x86-64-v3", "x86-64-v4" or an LLVM CPU name.
  std::string cpu = "native";
  bool fusion = true;          // false: one kernel per op (--no-fusion)
  std::string dumpDir;         // --dump-ir DIR: IR after every pass, .ll and .s
  // Keep the CPU code's optimised LLVM IR and assembly text in
  // BuildResult::code even without dumpDir (tests that inspect them).
  bool keepMachineText = false;
  bool timePasses = false;     // --time-passes
  bool verifyEach = true;      // run the verifier after every pass
  // --target cuda: --cuda-arch sm_XX (also builds a CUBIN), --allow-tf32,
  // the compile cache, and --verbose (cache hits and misses in `log`).
  std::string cudaArch;
  bool allowTf32 = false;
  std::string cudaCacheDir;
  bool verbose = false;
  // --precision f32|f16|bf16: f16/bf16 cast weights and activations and
  // accumulate in f32 (passes/LowerPrecision.h).
  std::string precision = "f32";
  // --strict-placement: an op with no kernel on its device is an error
  // instead of falling back to the CPU (soft placement).
  bool strictPlacement = false;
  // --virtual-devices N: the target's device is split into N logical
  // devices, /device:GPU:0..N-1 (or CPU), which nodes may name.
  int virtualDevices = 1;
  // Ops the build must treat as having no GPU kernel ("softmax"): with
  // --target cuda their nodes go through soft placement to /device:CPU:0
  // (or fail with strictPlacement). Used by tests and by users to keep an
  // op on the CPU. Unknown op names are an error.
  std::vector<std::string> cpuOnlyOps;
  // --conv-algorithm: how CPU kernels compute conv2d (cpu::ConvAlgorithm).
  cpu::ConvAlgorithm convAlgorithm = cpu::ConvAlgorithm::kAuto;
};

struct BuildResult {
  std::unique_ptr<ir::Graph> graph;  // after passes, with Node::kernel set
  ir::KernelPlan plan;
  std::vector<passes::PassTiming> timings;
  passes::BufferAssignment buffers;
  cpu::CompiledCode code;             // the CPU kernels (empty when none)
  std::vector<uint8_t> cudaCode;      // rt::CudaCode bytes (empty when no GPU kernel)
  std::string cudaSource;             // the rendered CUDA C++ (for --dump-ir)
  std::vector<std::string> log;       // --verbose lines (placement, compile cache)
  // Nodes soft placement moved to the CPU, with the reason (also in `log`
  // and in the manifest's placement).
  std::vector<passes::PlacementFallback> fallbacks;
  rt::Manifest manifest;
  std::vector<uint8_t> constants;
};

// Loads a model by its extension or `load.format` (.json, .onnx, .keras,
// .h5; see frontends/ModelLoader.h).
StatusOr<std::unique_ptr<ir::Graph>> loadModelFile(const std::string& path,
                                                   const frontends::LoadOptions& load = {});

// Compiles a loaded graph for options.target.
StatusOr<BuildResult> compileGraph(std::unique_ptr<ir::Graph> graph, const BuildOptions& options);

// loadModelFile(path, options.load) + compileGraph.
StatusOr<BuildResult> buildModel(const std::string& path, const BuildOptions& options);

// The artifact bytes of a build (see runtime/src/Artifact.h).
StatusOr<std::vector<uint8_t>> artifactBytes(const BuildResult& result);

// The supported targets, for messages.
inline constexpr const char* kSupportedTargets = "cpu, cuda";

// The devices of `target` that nodes may be placed on ("/device:CPU:0"),
// with the target's devices split into `virtualDevices` logical ones. For
// cuda with one virtual device, "/device:GPU:<n>" of any n is also accepted
// (the runtime checks that the GPU exists); empty for an unknown target.
std::vector<std::string> targetDevices(const std::string& target, int virtualDevices = 1);

}  // namespace dlc
