#include "compiler/tools/dlc/ModelSession.h"

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <random>

#include "runtime/src/Report.h"

namespace dlc::cli {

StatusOr<std::unique_ptr<rt::Model>> openModel(const std::string& path,
                                               const BuildOptions& options) {
  if (std::filesystem::path(path).extension() == ".dlc") return rt::Model::load(path);
  DLC_ASSIGN_OR_RETURN(BuildResult built, buildModel(path, options));
  DLC_ASSIGN_OR_RETURN(std::vector<uint8_t> bytes, artifactBytes(built));
  return rt::Model::loadBytes(bytes.data(), bytes.size(), path);
}

std::vector<Tensor> randomInputs(const rt::Model& model, int64_t batch, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> uniform(-1.0, 1.0);
  std::vector<Tensor> inputs;
  for (int i = 0; i < model.numInputs(); ++i) {
    const rt::BufferDesc& desc = model.input(i);
    std::vector<int64_t> dims = desc.dims;
    for (auto& d : dims)
      if (d == ir::kBatch) d = batch;
    Tensor t(desc.dtype, dims);
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
  DLC_ASSIGN_OR_RETURN(result.outputs, model.run(inputs));  // warm-up
  model.resetTimings();
  std::vector<double> ms;
  for (int i = 0; i < iterations; ++i) {
    auto start = std::chrono::steady_clock::now();
    DLC_ASSIGN_OR_RETURN(result.outputs, model.run(inputs));
    ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
                     .count());
  }
  result.medianMs = rt::medianOf(ms);
  return result;
}

Status checkTarget(const Args& args) {
  std::string target = args.get("--target", "cpu");
  if (target != "cpu")
    return unsupported("unknown target \"", target, "\" (supported: ", kSupportedTargets, ")");
  return Status::OK();
}

int fail(const std::string& command, const Status& status) {
  std::fprintf(stderr, "dlc %s: %s\n", command.c_str(), status.message().c_str());
  return 1;
}

}  // namespace dlc::cli
