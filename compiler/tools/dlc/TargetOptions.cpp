// The shared target flags of the dlc subcommands. See TargetOptions.h.
#include "compiler/tools/dlc/TargetOptions.h"

#include <algorithm>
#include <cctype>
#include <optional>

namespace dlc::cli {

namespace {

std::string joined(const std::vector<std::string>& items) {
  std::string s;
  for (const std::string& item : items) s += (s.empty() ? "" : ", ") + item;
  return s;
}

// "sm_80", "sm_90", "sm_90a", "sm_120": sm_ then 2 or 3 digits, an optional
// a/f suffix (arch-specific features).
bool isCudaArch(const std::string& arch) {
  if (arch.rfind("sm_", 0) != 0) return false;
  std::string rest = arch.substr(3);
  if (!rest.empty() && (rest.back() == 'a' || rest.back() == 'f')) rest.pop_back();
  return rest.size() >= 2 && rest.size() <= 3 &&
         std::all_of(rest.begin(), rest.end(), [](unsigned char c) { return std::isdigit(c); });
}

}  // namespace

CommandSpec withTargetFlags(CommandSpec spec, TargetFlagSet set) {
  spec.flags.push_back({"--format", "F",
                        "the model's format when its extension does not say:\n"
                        "json, onnx, keras, h5 or keras-json (Keras model.to_json())"});
  spec.flags.push_back({"--weights", "FILE",
                        "Keras model.to_json() models: the weights file\n"
                        "(default: <model>.weights.h5 beside the model)"});
  if (set.target)
    spec.flags.push_back({"--target", "NAME", "target device kind: cpu (default) or cuda"});
  spec.flags.push_back({"--cuda-arch", "sm_XX",
                        "cuda: also build a CUBIN for this GPU arch (sm_80, sm_90, ...);\n"
                        "the PTX in the artifact runs on any newer GPU"});
  spec.flags.push_back({"--allow-tf32", "", "cuda: f32 matrix products may use TF32 tensor cores"});
  spec.flags.push_back({"--precision", "P",
                        "f32 (default), f16 or bf16: weights and activations in\n"
                        "16 bits, accumulation in f32"});
  spec.flags.push_back({"--strict-placement", "",
                        "an op with no kernel on its device is an error\n"
                        "(default: it falls back to the CPU)"});
  spec.flags.push_back({"--cpu-only-ops", "OP,...",
                        "cuda: treat these ops as having no GPU kernel, so soft\n"
                        "placement runs them on the CPU (e.g. softmax,reduce_sum)"});
  spec.flags.push_back({"--conv-algorithm", "A",
                        "cpu: conv2d as auto (default: the faster for its shape),\n"
                        "direct (no im2col where the stride allows) or im2col"});
  spec.flags.push_back({"--virtual-devices", "N",
                        "split the target's device into N logical devices\n"
                        "(/device:GPU:0..N-1) that nodes may name (default 1)"});
  spec.flags.push_back({"--verbose", "",
                        "print the build log to stderr: placement fallbacks,\n"
                        "compile cache hits and misses"});
  if (set.runs)
    spec.flags.push_back({"--no-graphs", "", "cuda: launch kernel by kernel (no CUDA Graph replay)"});
  return spec;
}

Status checkTargetName(const std::string& target) {
  const auto& targets = knownTargets();
  if (std::find(targets.begin(), targets.end(), target) == targets.end())
    return unsupported("unknown target \"", target, "\" (supported: ", joined(targets), ")");
  return Status::OK();
}

StatusOr<BuildOptions> buildOptionsFromArgs(const Args& args, const std::string& target,
                                            bool strictArch) {
  DLC_RETURN_IF_ERROR(checkTargetName(target));
  BuildOptions options;
  options.target = target;
  options.load.format = args.get("--format");
  options.load.weights = args.get("--weights");
  if (args.has("--cpu")) options.cpu = args.get("--cpu", "native");
  options.fusion = !args.has("--no-fusion");
  options.verbose = args.has("--verbose");
  options.allowTf32 = args.has("--allow-tf32");
  options.strictPlacement = args.has("--strict-placement");
  DLC_ASSIGN_OR_RETURN(options.cpuOnlyOps, args.getStrings("--cpu-only-ops", {}));
  const std::string conv = args.get("--conv-algorithm", "auto");
  std::optional<cpu::ConvAlgorithm> algorithm = cpu::parseConvAlgorithm(conv);
  if (!algorithm)
    return invalidArgument("--conv-algorithm must be auto, direct or im2col, got \"", conv, "\"");
  options.convAlgorithm = *algorithm;

  options.precision = args.get("--precision", "f32");
  if (options.precision != "f32" && options.precision != "f16" && options.precision != "bf16")
    return invalidArgument("--precision must be f32, f16 or bf16, got \"", options.precision,
                           "\"");

  DLC_ASSIGN_OR_RETURN(int64_t virtualDevices,
                       args.getIntInRange("--virtual-devices", 1, 1, kMaxVirtualDevices));
  options.virtualDevices = int(virtualDevices);

  if (args.has("--cuda-arch")) {
    std::string arch = args.get("--cuda-arch");
    if (!isCudaArch(arch))
      return invalidArgument("--cuda-arch expects a real GPU arch such as sm_80 or sm_90, got \"",
                             arch, "\"");
    if (target == "cuda") {
      options.cudaArch = arch;
    } else if (strictArch) {
      return invalidArgument("--cuda-arch applies to --target cuda, not --target ", target);
    }
  }
  return options;
}

StatusOr<RunOptions> runOptionsFromArgs(const Args& args) {
  RunOptions options;
  options.cudaGraphs = !args.has("--no-graphs");
  DLC_ASSIGN_OR_RETURN(int64_t virtualDevices,
                       args.getIntInRange("--virtual-devices", 1, 1, kMaxVirtualDevices));
  options.virtualDevices = int(virtualDevices);
  return options;
}

}  // namespace dlc::cli
