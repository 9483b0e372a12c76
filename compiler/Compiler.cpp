#include "compiler/Compiler.h"

#include <filesystem>
#include <fstream>

#include "compiler/ManifestBuilder.h"
#include "compiler/backends/cpu/CpuFusionPolicy.h"
#include "frontends/json/JsonModel.h"
#include "passes/Fusion.h"
#include "runtime/src/Artifact.h"

namespace dlc {

StatusOr<std::unique_ptr<ir::Graph>> loadModelFile(const std::string& path) {
  std::string ext = std::filesystem::path(path).extension().string();
  if (ext == ".json") return json::loadModel(path);
  if (ext == ".dlc")
    return invalidArgument(path, ": this is a compiled artifact; give the model file (.json)");
  return unsupported(path, ": unknown model format \"", ext,
                     "\"; dlc reads .json models (see docs/format.md)");
}

static Status writeTextFile(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
  if (!out) return unavailable("cannot write ", path);
  return Status::OK();
}

StatusOr<BuildResult> compileGraph(std::unique_ptr<ir::Graph> graph, const BuildOptions& options) {
  if (options.target != "cpu")
    return unsupported("unknown target \"", options.target, "\" (supported: ", kSupportedTargets,
                       ")");
  BuildResult result;
  SourceNodes source = captureSourceNodes(*graph);

  cpu::CpuFusionPolicy policy;
  passes::Pipeline pipeline = passes::buildSimplifyPipeline("/device:CPU:0");
  auto fusion = std::make_unique<passes::FusionPass>(
      policy, passes::FusionOptions{/*enabled=*/options.fusion});
  passes::FusionPass* fusionPass = fusion.get();
  pipeline.push_back({std::move(fusion), /*fixedPoint=*/false});

  passes::PassManagerOptions pmOptions;
  pmOptions.verifyEach = options.verifyEach;
  pmOptions.dumpDir = options.dumpDir;
  pmOptions.timePasses = options.timePasses;
  DLC_ASSIGN_OR_RETURN(result.timings, passes::runPipeline(pipeline, *graph, pmOptions));
  result.plan = fusionPass->plan();

  DLC_ASSIGN_OR_RETURN(result.buffers, passes::assignBuffers(*graph, result.plan));
  DLC_ASSIGN_OR_RETURN(result.code, cpu::compile(*graph, result.plan, cpu::CpuCompileOptions{}));
  if (!options.dumpDir.empty()) {
    DLC_RETURN_IF_ERROR(writeTextFile(options.dumpDir + "/kernels.ll", result.code.optimizedIR));
    DLC_RETURN_IF_ERROR(writeTextFile(options.dumpDir + "/kernels.s", result.code.assembly));
    std::string diagnostics;
    for (const std::string& d : result.code.diagnostics) diagnostics += d + "\n";
    DLC_RETURN_IF_ERROR(writeTextFile(options.dumpDir + "/llvm-diagnostics.txt", diagnostics));
  }
  DLC_ASSIGN_OR_RETURN(ManifestParts parts,
                       buildManifest(*graph, result.plan, result.buffers, result.code.symbols,
                                     source, options.fusion));
  result.manifest = std::move(parts.manifest);
  result.constants = std::move(parts.constants);
  result.graph = std::move(graph);
  return result;
}

StatusOr<BuildResult> buildModel(const std::string& path, const BuildOptions& options) {
  DLC_ASSIGN_OR_RETURN(auto graph, loadModelFile(path));
  return compileGraph(std::move(graph), options);
}

StatusOr<std::vector<uint8_t>> artifactBytes(const BuildResult& result) {
  return rt::serializeArtifact(result.manifest, result.constants, result.code.sharedObject);
}

}  // namespace dlc
