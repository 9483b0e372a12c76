// The build pipeline, step by step. See Compiler.h.
#include "compiler/Compiler.h"

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "compiler/ManifestBuilder.h"
#include "compiler/backends/cpu/CpuFusionPolicy.h"
#include "frontends/json/JsonModel.h"
#include "passes/AssignDevices.h"
#include "passes/Fusion.h"
#include "runtime/src/Artifact.h"
#include "runtime/src/CpuFeatures.h"

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

std::vector<std::string> targetDevices(const std::string& target) {
  if (target == "cpu") return {"/device:CPU:0"};
  return {};
}

// A node the model places on a device the target lacks would compile and
// then be refused by the runtime; refuse it here, naming the node. Malformed
// device strings are left to AssignDevices, which explains the syntax.
static Status checkNodeDevices(const ir::Graph& graph, const std::string& target) {
  std::vector<std::string> devices = targetDevices(target);
  for (const auto& node : graph.nodes()) {
    if (node->device.empty() || !passes::isValidDeviceName(node->device)) continue;
    if (std::find(devices.begin(), devices.end(), node->device) != devices.end()) continue;
    std::string list;
    for (const std::string& d : devices) list += (list.empty() ? "" : ", ") + d;
    return unsupported(graph.sourceFile.empty() ? graph.name : graph.sourceFile, ": ",
                       node->describe(), ": device \"", node->device,
                       "\" does not exist on target ", target, " (its devices: ", list, ")");
  }
  return Status::OK();
}

StatusOr<BuildResult> compileGraph(std::unique_ptr<ir::Graph> graph, const BuildOptions& options) {
  if (options.target != "cpu")
    return unsupported("unknown target \"", options.target, "\" (supported: ", kSupportedTargets,
                       ")");
  DLC_RETURN_IF_ERROR(checkNodeDevices(*graph, options.target));
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
  cpu::CpuCompileOptions cpuOptions;
  cpuOptions.cpu = options.cpu;
  DLC_ASSIGN_OR_RETURN(result.code, cpu::compile(*graph, result.plan, cpuOptions));
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
  result.manifest.cpu = {result.code.cpu, rt::requiredCpuFeatures(result.code.cpuFeatures)};
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
