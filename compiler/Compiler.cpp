// The build pipeline, step by step. See Compiler.h.
#include "compiler/Compiler.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>

#include "compiler/DeviceFusionPolicy.h"
#include "compiler/ManifestBuilder.h"
#include "compiler/backends/cpu/CpuFusionPolicy.h"
#include "compiler/backends/cuda/CudaBackend.h"
#include "compiler/backends/cuda/CudaCompile.h"
#include "compiler/backends/cuda/CudaFusionPolicy.h"
#include "passes/AssignDevices.h"
#include "passes/Fusion.h"
#include "passes/LowerPrecision.h"
#include "runtime/src/Artifact.h"
#include "runtime/src/CpuFeatures.h"
#include "runtime/src/CudaCode.h"

namespace dlc {

StatusOr<std::unique_ptr<ir::Graph>> loadModelFile(const std::string& path,
                                                   const frontends::LoadOptions& load) {
  return frontends::loadModel(path, load);
}

static Status writeTextFile(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
  if (!out) return unavailable("cannot write ", path);
  return Status::OK();
}

std::vector<std::string> targetDevices(const std::string& target, int virtualDevices) {
  std::vector<std::string> devices;
  if (target != "cpu" && target != "cuda") return devices;
  if (target == "cuda")
    for (int i = 0; i < std::max(virtualDevices, 1); ++i) devices.push_back(strCat("/device:GPU:", i));
  for (int i = 0; i < std::max(virtualDevices, 1); ++i) devices.push_back(strCat("/device:CPU:", i));
  return devices;
}

namespace {

// The most logical devices --virtual-devices may ask for.
constexpr int kMaxVirtualDevices = 64;

bool isDevice(const std::string& device, const char* prefix, int* index) {
  if (device.rfind(prefix, 0) != 0) return false;
  *index = std::atoi(device.c_str() + std::strlen(prefix));
  return true;
}

// A node the model places on a device the target lacks would compile and
// then be refused by the runtime; refuse it here, naming the node. Malformed
// device strings are left to AssignDevices, which explains the syntax. With
// --target cuda and one virtual device, any GPU index is accepted: the
// machine that runs the model may have several.
Status checkNodeDevices(const ir::Graph& graph, const BuildOptions& options) {
  const int split = std::max(options.virtualDevices, 1);
  for (const auto& node : graph.nodes()) {
    if (node->device.empty() || !passes::isValidDeviceName(node->device)) continue;
    int index = 0;
    if (isDevice(node->device, "/device:CPU:", &index) && index < split) continue;
    if (options.target == "cuda" && isDevice(node->device, "/device:GPU:", &index) &&
        (split == 1 || index < split))
      continue;
    std::string list;
    for (const std::string& d : targetDevices(options.target, split))
      list += (list.empty() ? "" : ", ") + d;
    std::string hint = split > 1 ? strCat(" with --virtual-devices ", split) : "";
    return unsupported(graph.sourceFile.empty() ? graph.name : graph.sourceFile, ": ",
                       node->describe(), ": device \"", node->device,
                       "\" does not exist on target ", options.target, hint, " (its devices: ",
                       list, ")");
  }
  return Status::OK();
}

Status checkOptions(const BuildOptions& options) {
  if (options.target != "cpu" && options.target != "cuda")
    return unsupported("unknown target \"", options.target, "\" (supported: ", kSupportedTargets,
                       ")");
  if (options.virtualDevices < 1 || options.virtualDevices > kMaxVirtualDevices)
    return invalidArgument("--virtual-devices ", options.virtualDevices, " is out of range [1, ",
                           kMaxVirtualDevices, "]");
  if (options.precision != "f32" && options.precision != "f16" && options.precision != "bf16")
    return invalidArgument("unknown precision \"", options.precision,
                           "\" (supported: f32, f16, bf16)");
  for (const std::string& op : options.cpuOnlyOps)
    if (!ir::opFromName(op))
      return invalidArgument("cpu-only op \"", op, "\" is not an op (docs/ops.md lists them)");
  return Status::OK();
}

cuda::CudaOptions cudaOptionsOf(const BuildOptions& options) {
  cuda::CudaOptions o;
  o.arch = options.cudaArch;
  o.cubin = !options.cudaArch.empty();
  o.allowTf32 = options.allowTf32;
  o.cacheDir = options.cudaCacheDir;
  return o;
}

// The kernels of `plan` on CPU devices as a plan of their own, compiled
// with LLVM into result.code. Their symbols go to code[k].
Status compileCpuKernels(const ir::Graph& graph, const ir::KernelPlan& plan,
                         const BuildOptions& options, BuildResult& result,
                         std::vector<KernelCode>& code) {
  ir::KernelPlan cpuPlan;
  std::vector<size_t> index;
  for (size_t k = 0; k < plan.kernels.size(); ++k) {
    if (passes::isGpuDevice(plan.kernels[k].device)) continue;
    cpuPlan.kernels.push_back(plan.kernels[k]);
    index.push_back(k);
  }
  // The CPU target always has a code section; a CUDA build only when some
  // kernel fell back to (or was placed on) the CPU.
  if (cpuPlan.kernels.empty() && options.target != "cpu") return Status::OK();
  cpu::CpuCompileOptions cpuOptions;
  cpuOptions.cpu = options.cpu;
  cpuOptions.conv = options.convAlgorithm;
  cpuOptions.keepText = options.keepMachineText || !options.dumpDir.empty();
  DLC_ASSIGN_OR_RETURN(result.code, cpu::compile(graph, cpuPlan, cpuOptions));
  // --time-passes lists the backend's phases after the graph passes.
  if (options.timePasses)
    for (const cpu::CompiledCode::Phase& p : result.code.phaseMilliseconds)
      result.timings.push_back(
          {p.name, p.milliseconds, /*changed=*/true, /*iterations=*/1, p.summed});
  // --verbose: which weights the artifact stores in the GEMM's panel layout.
  std::vector<std::string> packed;
  for (const auto& [node, tensor] : result.code.packedConstants) packed.push_back(node->name);
  std::sort(packed.begin(), packed.end());
  for (const std::string& name : packed)
    result.log.push_back(strCat("cpu: constant ", name,
                                " is stored pre-packed in the GEMM's B panel layout"));
  // --verbose: the emitters' choices (conv algorithm and tile, and why).
  for (const std::string& note : result.code.kernelNotes) result.log.push_back("cpu: " + note);
  if (result.code.symbols.size() != index.size())
    return internalError("the CPU backend returned ", result.code.symbols.size(), " symbols for ",
                         index.size(), " kernels");
  for (size_t i = 0; i < index.size(); ++i) code[index[i]].symbol = result.code.symbols[i];
  if (!options.dumpDir.empty()) {
    DLC_RETURN_IF_ERROR(writeTextFile(options.dumpDir + "/kernels.ll", result.code.optimizedIR));
    DLC_RETURN_IF_ERROR(writeTextFile(options.dumpDir + "/kernels.s", result.code.assembly));
    std::string diagnostics;
    for (const std::string& d : result.code.diagnostics) diagnostics += d + "\n";
    DLC_RETURN_IF_ERROR(writeTextFile(options.dumpDir + "/llvm-diagnostics.txt", diagnostics));
  }
  return Status::OK();
}

// The kernels of `plan` on GPU devices: rendered to CUDA C++ and compiled
// with NVRTC into result.cudaCode. Their symbols and launches go to code[k].
Status compileGpuKernels(const ir::Graph& graph, const ir::KernelPlan& plan,
                         const BuildOptions& options, BuildResult& result,
                         std::vector<KernelCode>& code) {
  std::vector<const ir::Kernel*> kernels;
  std::vector<size_t> index;
  for (size_t k = 0; k < plan.kernels.size(); ++k) {
    if (!passes::isGpuDevice(plan.kernels[k].device)) continue;
    kernels.push_back(&plan.kernels[k]);
    index.push_back(k);
  }
  if (kernels.empty()) return Status::OK();
  cuda::CudaOptions cudaOptions = cudaOptionsOf(options);
  DLC_ASSIGN_OR_RETURN(cuda::RenderedProgram program, cuda::render(graph, kernels, cudaOptions));
  if (program.kernels.size() != kernels.size())
    return internalError("the CUDA backend rendered ", program.kernels.size(), " kernels for ",
                         kernels.size());
  result.cudaSource = program.source;
  if (!options.dumpDir.empty())
    DLC_RETURN_IF_ERROR(writeTextFile(options.dumpDir + "/kernels.cu", program.source));
  cuda::CompileLog log;
  auto compiled = cuda::compileProgram(program, cudaOptions, &log);
  for (const std::string& line : log.lines) result.log.push_back(line);
  if (!compiled.ok())
    return compiled.status().withContext(graph.sourceFile.empty() ? graph.name : graph.sourceFile);
  if (!options.dumpDir.empty())
    DLC_RETURN_IF_ERROR(writeTextFile(options.dumpDir + "/kernels.ptx", compiled->ptx));
  result.cudaCode = rt::serializeCudaCode(*compiled);
  for (size_t i = 0; i < index.size(); ++i) {
    const cuda::RenderedKernel& r = program.kernels[i];
    code[index[i]] = {r.symbol, r.launch, r.engine};
  }
  return Status::OK();
}

}  // namespace

StatusOr<BuildResult> compileGraph(std::unique_ptr<ir::Graph> graph, const BuildOptions& options) {
  DLC_RETURN_IF_ERROR(checkOptions(options));
  DLC_RETURN_IF_ERROR(checkNodeDevices(*graph, options));
  BuildResult result;
  SourceNodes source = captureSourceNodes(*graph);
  const bool gpuTarget = options.target == "cuda";
  const std::string defaultDevice = gpuTarget ? "/device:GPU:0" : "/device:CPU:0";

  cpu::CpuFusionPolicy cpuPolicy;
  cuda::CudaFusionPolicy gpuPolicy;
  DeviceFusionPolicy devicePolicy(cpuPolicy, gpuPolicy);
  const passes::FusionPolicy& policy =
      gpuTarget ? static_cast<const passes::FusionPolicy&>(devicePolicy) : cpuPolicy;

  passes::Pipeline pipeline = passes::buildSimplifyPipeline(defaultDevice);
  if (options.precision != "f32") {
    ir::DType low = options.precision == "f16" ? ir::DType::F16 : ir::DType::BF16;
    pipeline.push_back({passes::createLowerPrecisionPass(low), /*fixedPoint=*/false});
    // The casts it adds get the default device like every other node.
    pipeline.push_back(
        {std::make_unique<passes::AssignDevices>(defaultDevice), /*fixedPoint=*/false});
  }
  passes::SoftPlacement* softPlacement = nullptr;
  if (gpuTarget) {
    passes::SoftPlacementOptions placement;
    placement.gpuSupport = [](const ir::Node& node) { return cuda::checkSupported(node); };
    placement.cpuOnlyOps = options.cpuOnlyOps;
    placement.strict = options.strictPlacement;
    auto pass = std::make_unique<passes::SoftPlacement>(std::move(placement));
    softPlacement = pass.get();
    pipeline.push_back({std::move(pass), /*fixedPoint=*/false});
  }
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
  std::map<std::string, std::string> fallbackReasons;
  if (softPlacement) {
    result.fallbacks = softPlacement->fallbacks();
    for (const passes::PlacementFallback& f : result.fallbacks) {
      result.log.push_back(passes::fallbackLogLine(f));
      for (const std::string& origin : f.origins) fallbackReasons.emplace(origin, f.reason);
    }
  }

  DLC_ASSIGN_OR_RETURN(result.buffers, passes::assignBuffers(*graph, result.plan));
  std::vector<KernelCode> code(result.plan.kernels.size());
  DLC_RETURN_IF_ERROR(compileCpuKernels(*graph, result.plan, options, result, code));
  DLC_RETURN_IF_ERROR(compileGpuKernels(*graph, result.plan, options, result, code));
  DLC_ASSIGN_OR_RETURN(ManifestParts parts,
                       buildManifest(*graph, result.plan, result.buffers, code, source,
                                     options.fusion, fallbackReasons,
                                     &result.code.packedConstants));
  result.manifest = std::move(parts.manifest);
  result.manifest.target = options.target;
  if (!result.code.sharedObject.empty())
    result.manifest.cpu = {result.code.cpu, rt::requiredCpuFeatures(result.code.cpuFeatures)};
  result.constants = std::move(parts.constants);
  result.graph = std::move(graph);
  return result;
}

StatusOr<BuildResult> buildModel(const std::string& path, const BuildOptions& options) {
  DLC_ASSIGN_OR_RETURN(auto graph, loadModelFile(path, options.load));
  return compileGraph(std::move(graph), options);
}

StatusOr<std::vector<uint8_t>> artifactBytes(const BuildResult& result) {
  return rt::serializeArtifact(result.manifest, result.constants, result.code.sharedObject,
                               result.cudaCode);
}

}  // namespace dlc
