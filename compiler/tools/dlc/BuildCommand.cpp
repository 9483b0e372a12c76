// dlc build: compile a model into one artifact file, for the CPU or (cross-
// compiled, no GPU needed) for CUDA.
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "compiler/Compiler.h"
#include "compiler/GraphDot.h"
#include "compiler/tools/dlc/Commands.h"
#include "compiler/tools/dlc/ModelSession.h"
#include "runtime/src/Artifact.h"
#include "runtime/src/CudaCode.h"

namespace dlc::cli {

static const CommandSpec kBuildSpec = withTargetFlags(
    {
    "build",
    "dlc build MODEL [--target cpu|cuda] [--cpu CPU] [--cuda-arch sm_XX] [-o OUT.dlc] "
    "[--no-fusion] [--dump-ir DIR] [--dot FILE] [--explain-fusion] [--time-passes] "
    "[--precision P] [--allow-tf32] [--strict-placement] [--conv-algorithm A] "
    "[--virtual-devices N] [--verbose] [--format F] [--weights FILE]",
    "Compiles MODEL (.json, .onnx, .keras or .h5; --format for other names) into one\n"
    "artifact: a manifest, the constants and machine code that the runtime (libdlcrt)\n"
    "loads without LLVM. --target cuda compiles the GPU kernels\n"
    "to PTX (and a CUBIN with --cuda-arch) with NVRTC; it needs no GPU.",
    {{"--cpu", "CPU",
      "the CPU the code is for: native (default: this machine),\n"
      "generic (x86-64-v2: any x86-64 CPU since ~2009),\n"
      "x86-64-v3 (AVX2, FMA), x86-64-v4 (AVX-512), or an LLVM\n"
      "CPU name (skylake-avx512, znver4, ...)"},
     {"-o", "OUT.dlc", "artifact path (default: MODEL's name with .dlc, in the current folder)"},
     {"--no-fusion", "", "one kernel per op (the unfused program)"},
     {"--dump-ir", "DIR",
      "write the IR after every pass, the LLVM IR (.ll) and assembly (.s),\n"
      "and for cuda the CUDA C++ (kernels.cu)"},
     {"--dot", "FILE", "write the graph as Graphviz, each fused kernel a cluster"},
     {"--explain-fusion", "", "print every kernel and every refusal to fuse with its reason"},
     {"--time-passes", "", "time each pass; passes that changed nothing are marked"}},
    1,
    1,
    },
    TargetFlagSet{/*target=*/true, /*runs=*/false});

static std::string explainFusion(const BuildResult& r) {
  std::string s = "kernels (" + std::to_string(r.plan.kernels.size()) + "):\n";
  for (const ir::Kernel& k : r.plan.kernels) {
    s += "  k" + std::to_string(k.id) + " [" + std::string(ir::kernelKindName(k.kind)) + "] " +
         k.label() + ":";
    for (const ir::Node* n : k.nodes) s += " " + n->name;
    s += "\n";
  }
  s += "refusals (" + std::to_string(r.plan.refusals.size()) + "):\n";
  for (const std::string& line : r.plan.refusals) s += "  " + line + "\n";
  return s;
}

// " (PTX compute_80, CUBIN sm_90)" for an artifact with GPU code; "" otherwise.
static std::string gpuCodeSummary(const BuildResult& r, const std::string& source) {
  if (r.cudaCode.empty()) return "";
  auto code = rt::parseCudaCode(r.cudaCode, source);
  if (!code.ok()) return "";
  std::string s = " (PTX " + code->ptxArch;
  if (!code->cubinArch.empty()) s += ", CUBIN " + code->cubinArch;
  return s + ")";
}

int buildCommand(const std::vector<std::string>& argv) {
  CommandStart cmd = startCommand(kBuildSpec, argv);
  if (!cmd.args) return cmd.exitCode;
  const Args& args = *cmd.args;
  const std::string model = args.positional()[0];
  auto parsedOptions = buildOptionsFromArgs(args, args.get("--target", "cpu"), /*strictArch=*/true);
  if (!parsedOptions.ok()) return fail("build", parsedOptions.status());
  BuildOptions options = *parsedOptions;
  options.dumpDir = args.get("--dump-ir");
  options.timePasses = args.has("--time-passes");
  if (!options.dumpDir.empty()) {
    std::error_code ec;
    std::filesystem::create_directories(options.dumpDir, ec);
    if (ec) return fail("build", unavailable("cannot create ", options.dumpDir, ": ", ec.message()));
  }
  auto built = buildModel(model, options);
  if (!built.ok()) return fail("build", built.status());
  const BuildResult& r = *built;
  if (options.verbose) printBuildLog(r);

  std::string out = args.get("-o", std::filesystem::path(model).stem().string() + ".dlc");
  if (Status s = rt::writeArtifact(out, r.manifest, r.constants, r.code.sharedObject, r.cudaCode);
      !s.ok())
    return fail("build", s);
  if (args.has("--dot")) {
    std::ofstream dot(args.get("--dot"));
    dot << graphToDot(*r.graph, &r.plan);
    if (!dot) return fail("build", unavailable("cannot write ", args.get("--dot")));
  }
  if (args.has("--explain-fusion")) std::cout << explainFusion(r);
  if (options.timePasses) std::cout << passes::formatPassTimings(r.timings);
  // Kernels with the same code are compiled once (KernelFingerprint.h).
  std::string shared;
  if (size_t(r.code.compiledKernels) < r.code.symbols.size())
    shared = strCat("; ", r.code.symbols.size() - size_t(r.code.compiledKernels),
                    " share the code of an identical kernel");
  std::printf("built %s for %s%s: %zu kernels (%s%s), %zu bytes of constants, peak temporary "
              "memory %lld + %lld*N bytes (%lld + %lld*N without reuse)\n",
              out.c_str(), options.target.c_str(), gpuCodeSummary(r, out).c_str(),
              r.plan.kernels.size(), options.fusion ? "fused" : "unfused", shared.c_str(),
              r.constants.size(), (long long)r.buffers.peakBytes.fixed,
              (long long)r.buffers.peakBytes.perBatch, (long long)r.buffers.noReuseBytes.fixed,
              (long long)r.buffers.noReuseBytes.perBatch);
  return 0;
}

}  // namespace dlc::cli
