// The shared pieces of the dlc subcommands. See ModelSession.h.
#include "compiler/tools/dlc/ModelSession.h"

#include <chrono>
#include <cmath>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <iostream>
#include <random>

#include "runtime/src/Artifact.h"
#include "runtime/src/CudaDevice.h"
#include "runtime/src/Report.h"
#include "runtime/src/TensorRef.h"

namespace dlc::cli {

namespace {

bool hasFlag(const CommandSpec& spec, const std::string& name) {
  for (const FlagSpec& f : spec.flags)
    if (f.name == name) return true;
  return false;
}

bool onGpu(const std::string& device) { return device.rfind("/device:GPU:", 0) == 0; }

}  // namespace

CommandStart startCommand(const CommandSpec& spec, const std::vector<std::string>& argv) {
  CommandStart start;
  StatusOr<Args> parsed = parseArgs(spec, argv);
  if (!parsed.ok()) {
    std::fprintf(stderr, "%s\n", parsed.status().message().c_str());
    start.exitCode = 2;
    return start;
  }
  if (parsed->helpRequested()) {
    std::cout << formatHelp(spec);
    start.exitCode = 0;
    return start;
  }
  if (hasFlag(spec, "--target")) {
    if (Status s = checkTargetName(parsed->get("--target", "cpu")); !s.ok()) {
      start.exitCode = fail(spec.name, s);
      return start;
    }
  }
  start.args = std::move(parsed).value();
  return start;
}

bool needsGpu(const rt::Manifest& manifest) {
  if (manifest.target == "cuda") return true;
  for (const std::string& d : manifest.devices)
    if (onGpu(d)) return true;
  for (const rt::KernelDesc& k : manifest.kernels)
    if (onGpu(k.device)) return true;
  for (const rt::BufferDesc& b : manifest.buffers)
    if (onGpu(b.device)) return true;
  return false;
}

Status checkGpuAvailable(const rt::Manifest& manifest, const std::string& source) {
  if (!needsGpu(manifest)) return Status::OK();
  Status cuda = rt::cudaAvailable();
  if (cuda.ok()) return Status::OK();
  return unavailable(source, " runs on /device:GPU:0, but CUDA cannot be used here: ",
                     cuda.message());
}

rt::ModelOptions modelOptionsFor(const RunOptions& run) {
  rt::ModelOptions options;  // no device: the CPU and the GPUs by the manifest's names
  options.virtualDevices = run.virtualDevices;
  options.useGraphs = run.cudaGraphs;
  return options;
}

void printBuildLog(const BuildResult& result) {
  for (const std::string& line : result.log) std::fprintf(stderr, "%s\n", line.c_str());
}

StatusOr<std::unique_ptr<rt::Model>> openModel(const std::string& path,
                                               const BuildOptions& options,
                                               const RunOptions& run) {
  rt::Artifact artifact;
  if (std::filesystem::path(path).extension() == ".dlc") {
    DLC_ASSIGN_OR_RETURN(artifact, rt::readArtifact(path));
  } else {
    DLC_ASSIGN_OR_RETURN(BuildResult built, buildModel(path, options));
    if (options.verbose) printBuildLog(built);
    DLC_ASSIGN_OR_RETURN(std::vector<uint8_t> bytes, artifactBytes(built));
    DLC_ASSIGN_OR_RETURN(artifact, rt::parseArtifact(bytes.data(), bytes.size(), path));
  }
  DLC_RETURN_IF_ERROR(checkGpuAvailable(artifact.manifest, path));
  return rt::Model::fromArtifact(std::move(artifact), modelOptionsFor(run));
}

StatusOr<std::vector<Tensor>> randomInputs(const rt::Model& model, int64_t batch,
                                           uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> uniform(-1.0, 1.0);
  std::vector<Tensor> inputs;
  for (int i = 0; i < model.numInputs(); ++i) {
    const rt::BufferDesc& desc = model.input(i);
    std::vector<int64_t> dims = desc.dims;
    for (auto& d : dims)
      if (d == ir::kBatch) d = batch;
    StatusOr<Tensor> created = Tensor::create(desc.dtype, dims);
    if (!created.ok())
      return created.status().withContext(
          strCat("random input \"", desc.name, "\" at batch ", batch));
    Tensor t = std::move(created).value();
    for (int64_t e = 0; e < t.numElements(); ++e) {
      double v = uniform(rng);
      switch (desc.dtype) {
        case ir::DType::U8: v = std::floor((v + 1) * 128); break;
        case ir::DType::I32:
        case ir::DType::I64: v = std::floor((v + 1) * 5); break;
        case ir::DType::Bool: v = v > 0; break;
        default: break;
      }
      t.setFromDouble(e, v);
    }
    inputs.push_back(std::move(t));
  }
  return inputs;
}

StatusOr<TimedRun> timedRun(rt::Model& model, const std::vector<Tensor>& inputs, int iterations) {
  TimedRun result;
  // The warm-up run allocates the outputs; the timed runs write into them
  // again, so they measure the kernels rather than fresh page faults.
  DLC_ASSIGN_OR_RETURN(result.outputs, model.run(inputs));
  const int64_t batch = model.batchOf(inputs);
  std::vector<rt::TensorRef> in, out;
  for (const Tensor& t : inputs) in.push_back(rt::refOf(t));
  for (const Tensor& t : result.outputs) out.push_back(rt::refOf(t));
  model.resetTimings();
  std::vector<double> ms;
  for (int i = 0; i < iterations; ++i) {
    auto start = std::chrono::steady_clock::now();
    DLC_RETURN_IF_ERROR(model.run(batch, in, out));
    ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
                     .count());
  }
  result.medianMs = rt::medianOf(ms);
  return result;
}

std::string jsonText(const nlohmann::json& j) {
  return j.dump(2, ' ', /*ensure_ascii=*/false, nlohmann::json::error_handler_t::replace);
}

int fail(const std::string& command, const Status& status) {
  std::fprintf(stderr, "dlc %s: %s\n", command.c_str(), status.message().c_str());
  return 1;
}

int guardInternalErrors(const std::function<int()>& body) {
  try {
    return body();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "dlc: internal error: %s\n", e.what());
  } catch (...) {
    std::fprintf(stderr, "dlc: internal error: an unknown exception\n");
  }
  return 1;
}

}  // namespace dlc::cli
