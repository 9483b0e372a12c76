// The LLVM CPU backend: the kernels of a fused program -> one LLVM module per
// kernel -> O2 for the host or a named CPU -> object code -> an ELF shared
// object that the runtime loads with dlopen, without LLVM.
//
// Every kernel k of the plan becomes two exported symbols (the ABI in
// runtime/src/Manifest.h), unless an earlier kernel has the same code, whose
// symbols it then shares:
//   extern "C" void dlc_k<k>(void* const* args, int64_t batch, int64_t begin, int64_t end);
//   extern "C" int64_t dlc_k<k>_extent(int64_t batch);
// args = the kernel's params then outputs. The runtime calls dlc_k<k> on
// disjoint chunks of [0, extent) from several threads; each kernel kind
// chooses an extent whose chunks write disjoint outputs (loop: blocks of the
// collapsed output; reduction/row/pool: kept/outer rows; contraction: tiles).
//
// Linking: the object file is turned into a shared object by the system
// compiler driver (`cc -shared -nostdlib`), run without a shell in a private
// temp dir. Debian's llvm-19-dev ships no lld library to link in-process,
// and TVM's export_library does the same. Kernels call no libm: exp/log/
// tanh/erf/pow are inline polynomial approximations (MathApprox.h).
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "compiler/backends/cpu/ConvAlgorithm.h"
#include "ir/Graph.h"
#include "ir/Kernel.h"
#include "support/Tensor.h"
#include "support/Status.h"

namespace dlc::cpu {

struct CpuCompileOptions {
  // "native" = the build host's CPU and features; "generic" = x86-64-v2;
  // "x86-64-v3", "x86-64-v4" or any LLVM CPU name (see createTargetMachine
  // in ModuleCompiler.h). The GEMM tile follows the target's vectors.
  std::string cpu = "native";
  // LLVM's pass pipeline (and code generation level: 0 None, 1-2 Default,
  // 3 Aggressive). 2 by default: the kernels are vectorised by the
  // emitters, and O3 took 40 % longer to compile the transformer blocks
  // (hidden 768: 0.41-0.47 s against 0.31-0.36 s) for kernels as fast.
  int optLevel = 2;
  // Also keep the optimised LLVM IR and the assembly as text (--dump-ir and
  // tests). Off by default: the assembly is a second code generation run and
  // the IR text a large string, a third of a small model's build time.
  bool keepText = false;
  // Threads that compile kernels (each kernel is its own LLVM module and
  // object); 0 = every CPU this process may run on. The output does not
  // depend on it.
  int threads = 0;
  // conv2d as a direct convolution or as an implicit GEMM (ConvAlgorithm.h);
  // by default each conv the faster way for its shape (DirectConv.h).
  ConvAlgorithm conv = ConvAlgorithm::kAuto;
};

// The machine code of one compiled program (not rt::CpuModule, which is that
// code loaded by the runtime).
struct CompiledCode {
  std::vector<uint8_t> sharedObject;
  std::string optimizedIR;  // only with CpuCompileOptions::keepText
  std::string assembly;     // only with CpuCompileOptions::keepText
  // Per kernel, in KernelPlan order. A kernel whose emitted code equals an
  // earlier kernel's (KernelFingerprint.h) is compiled once: it gets that
  // kernel's symbol, and `compiledKernels` counts the distinct ones.
  std::vector<std::string> symbols;
  int compiledKernels = 0;
  std::vector<std::string> diagnostics;  // LLVM warnings/remarks ("loop not vectorized")
  // The emitters' choices, "k<id> <label>: <choice>" (which conv algorithm
  // and tile, and why), in plan order; dlc build --verbose prints them.
  std::vector<std::string> kernelNotes;
  std::string cpu;                        // the LLVM CPU compiled for ("x86-64-v3")
  std::vector<std::string> cpuFeatures;   // every LLVM feature it enables, sorted
  // Milliseconds of each backend phase: "cpu-emit" (kernels to LLVM IR,
  // verified and fingerprinted),
  // "cpu-llvm-opt", "cpu-codegen" (object code; with keepText also the
  // assembly), each summed over the kernels (`summed`: part of the wall
  // time that follows, not of the build's total); then the wall time of
  // compiling them all in parallel, "cpu-kernels-wall (T threads, D of N
  // kernels distinct)"; then the three kernels slowest to compile, "cpu-kernel
  // kI LABEL (opt + codegen)" (summed); then "cpu-link".
  struct Phase {
    std::string name;
    double milliseconds = 0;
    bool summed = false;
  };
  std::vector<Phase> phaseMilliseconds;
  // Constants the kernels read pre-packed (gemm/PrepackedWeights.h): the
  // bytes to store for them instead of their graph values.
  std::unordered_map<const ir::Node*, Tensor> packedConstants;
};

// The symbol of kernel `id`: "dlc_k<id>"; its extent function adds "_extent".
std::string kernelSymbol(int id);

StatusOr<CompiledCode> compile(const ir::Graph& graph, const ir::KernelPlan& plan,
                            const CpuCompileOptions& options);

}  // namespace dlc::cpu
