// dlc build: compile a model into one artifact file.
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "compiler/Compiler.h"
#include "compiler/GraphDot.h"
#include "compiler/tools/dlc/Commands.h"
#include "compiler/tools/dlc/ModelSession.h"
#include "runtime/src/Artifact.h"

namespace dlc::cli {

static const CommandSpec kBuildSpec = {
    "build",
    "dlc build MODEL --target cpu [--cpu CPU] [-o OUT.dlc] [--no-fusion] [--dump-ir DIR] "
    "[--dot FILE] [--explain-fusion] [--time-passes]",
    "Compiles MODEL (.json) into one artifact: a manifest, the constants and machine code\n"
    "that the runtime (libdlcrt) loads without LLVM.",
    {{"--target", "NAME", "target device kind: cpu (default)"},
     {"--cpu", "CPU",
      "the CPU the code is for: native (default: this machine),\n"
      "generic (x86-64-v2: any x86-64 CPU since ~2009),\n"
      "x86-64-v3 (AVX2, FMA), x86-64-v4 (AVX-512), or an LLVM\n"
      "CPU name (skylake-avx512, znver4, ...)"},
     {"-o", "OUT.dlc", "artifact path (default: MODEL's name with .dlc, in the current folder)"},
     {"--no-fusion", "", "one kernel per op (the unfused program)"},
     {"--dump-ir", "DIR", "write the IR after every pass, the LLVM IR (.ll) and assembly (.s)"},
     {"--dot", "FILE", "write the graph as Graphviz, each fused kernel a cluster"},
     {"--explain-fusion", "", "print every kernel and every refusal to fuse with its reason"},
     {"--time-passes", "", "time each pass; passes that changed nothing are marked"}},
    1,
    1,
};

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

int buildCommand(const std::vector<std::string>& argv) {
  CommandStart cmd = startCommand(kBuildSpec, argv);
  if (!cmd.args) return cmd.exitCode;
  const Args& args = *cmd.args;
  const std::string model = args.positional()[0];
  BuildOptions options;
  options.cpu = args.get("--cpu", "native");
  options.fusion = !args.has("--no-fusion");
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

  std::string out = args.get("-o", std::filesystem::path(model).stem().string() + ".dlc");
  if (Status s = rt::writeArtifact(out, r.manifest, r.constants, r.code.sharedObject); !s.ok())
    return fail("build", s);
  if (args.has("--dot")) {
    std::ofstream dot(args.get("--dot"));
    dot << graphToDot(*r.graph, &r.plan);
    if (!dot) return fail("build", unavailable("cannot write ", args.get("--dot")));
  }
  if (args.has("--explain-fusion")) std::cout << explainFusion(r);
  if (options.timePasses) std::cout << passes::formatPassTimings(r.timings);
  std::printf("built %s: %zu kernels (%s), %zu bytes of constants, peak temporary memory "
              "%lld + %lld*N bytes (%lld + %lld*N without reuse)\n",
              out.c_str(), r.plan.kernels.size(), options.fusion ? "fused" : "unfused",
              r.constants.size(), (long long)r.buffers.peakBytes.fixed,
              (long long)r.buffers.peakBytes.perBatch, (long long)r.buffers.noReuseBytes.fixed,
              (long long)r.buffers.noReuseBytes.perBatch);
  return 0;
}

}  // namespace dlc::cli
