// The dlc command line's CUDA target, on any machine: `build --target cuda`
// cross-compiles without a GPU (and --dump-ir writes kernels.cu); where CUDA
// cannot be used, running a CUDA artifact is one clear error naming
// libcuda.so.1, `devices --json` says why no GPU is listed and `bench`
// reports the CPU with CUDA unavailable. Where a GPU exists the same tests
// check the GPU side instead (devices, run, compare, bench, eval in f32,
// f16 and bf16 against the CPU). Bad target flags are clear errors.
//
// DLC_CLI and DLC_SOURCE_DIR in the environment override the compiled-in
// paths, so that a build carried to a GPU machine runs these tests there.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>

#include "runtime/src/Artifact.h"
#include "runtime/src/CudaCode.h"
#include "runtime/src/CudaDevice.h"
#include "support/Npy.h"
#include "tests/e2e/E2eUtil.h"

namespace dlc::test {
namespace {

std::string envOr(const char* name, const std::string& fallback) {
  const char* v = std::getenv(name);
  return v && *v ? std::string(v) : fallback;
}

std::string cli() { return envOr("DLC_CLI", DLC_CLI); }
std::string example(const std::string& file) {
  return envOr("DLC_SOURCE_DIR", DLC_SOURCE_DIR) + "/examples/" + file;
}

class TempDir {
 public:
  TempDir() {
    path_ = (std::filesystem::temp_directory_path() /
             ("dlc_cuda_cli_" + std::to_string(::getpid()) + "_" + std::to_string(counter_++)))
                .string();
    std::filesystem::create_directories(path_);
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  const std::string& path() const { return path_; }

 private:
  static inline int counter_ = 0;
  std::string path_;
};

nlohmann::json jsonOf(const std::string& text) {
  auto start = text.find('{');
  if (start == std::string::npos) {
    ADD_FAILURE() << "no JSON in:\n" << text;
    return nlohmann::json::object();
  }
  nlohmann::json j = nlohmann::json::parse(text.substr(start), nullptr, /*allow_exceptions=*/false);
  EXPECT_FALSE(j.is_discarded()) << text;
  return j;
}

bool aborted(const std::string& out) {
  return out.find("terminate") != std::string::npos || out.find("Abort") != std::string::npos ||
         out.find("Segmentation") != std::string::npos;
}

bool haveGpu() { return rt::cudaAvailable().ok(); }

std::string readText(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
}

int count(const std::string& text, const std::string& what) {
  int n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

TEST(CudaCli, HelpListsTheTargetFlags) {
  for (const char* cmd : {"build", "run", "compare", "eval", "bench"}) {
    std::string out;
    ASSERT_EQ(0, runCommand(cli() + " " + cmd + " --help", &out)) << cmd;
    for (const char* flag : {"--cuda-arch sm_XX", "--allow-tf32", "--precision P",
                             "--strict-placement", "--virtual-devices N", "--verbose"})
      EXPECT_NE(out.find(flag), std::string::npos) << cmd << " lacks " << flag << "\n" << out;
    bool runs = std::string(cmd) != "build";
    EXPECT_EQ(runs, out.find("--no-graphs") != std::string::npos) << cmd << "\n" << out;
    bool bench = std::string(cmd) == "bench";
    EXPECT_EQ(bench, out.find("--targets LIST") != std::string::npos) << cmd;
    EXPECT_EQ(!bench, out.find("--target NAME") != std::string::npos) << cmd;
  }
  std::string out;
  ASSERT_EQ(0, runCommand(cli() + " --help", &out));
  EXPECT_NE(out.find("bench"), std::string::npos) << out;
  ASSERT_EQ(0, runCommand(cli() + " devices --help", &out));
  EXPECT_NE(out.find("--measure"), std::string::npos) << out;
}

// A cuda build needs NVRTC and no GPU: the artifact holds PTX (and with
// --cuda-arch a CUBIN), its manifest names the GPU, and --dump-ir writes the
// CUDA C++.
TEST(CudaCli, BuildCrossCompilesWithoutAGpu) {
  TempDir dir;
  std::string out;
  ASSERT_EQ(0, runCommand(cli() + " build " + example("fashion_mnist_mlp.json") +
                              " --target cuda --cuda-arch sm_90 -o " + dir.path() +
                              "/x.dlc --dump-ir " + dir.path() + "/ir",
                          &out))
      << out;
  EXPECT_NE(out.find("for cuda"), std::string::npos) << out;
  EXPECT_NE(out.find("CUBIN sm_90"), std::string::npos) << out;
  auto artifact = rt::readArtifact(dir.path() + "/x.dlc");
  ASSERT_TRUE(artifact.ok()) << artifact.status().message();
  EXPECT_EQ(artifact->manifest.target, "cuda");
  ASSERT_FALSE(artifact->cudaCode.empty());
  auto code = rt::parseCudaCode(artifact->cudaCode, "x.dlc");
  ASSERT_TRUE(code.ok()) << code.status().message();
  EXPECT_NE(code->ptx.find(".entry"), std::string::npos);
  EXPECT_EQ(code->cubinArch, "sm_90");
  EXPECT_FALSE(code->cubin.empty());
  bool onGpu = false;
  for (const rt::KernelDesc& k : artifact->manifest.kernels)
    onGpu = onGpu || k.device.rfind("/device:GPU:", 0) == 0;
  EXPECT_TRUE(onGpu);
  std::string cu = readText(dir.path() + "/ir/kernels.cu");
  EXPECT_NE(cu.find("__global__"), std::string::npos) << cu.substr(0, 500);
  EXPECT_TRUE(std::filesystem::exists(dir.path() + "/ir/00-input.ir"));
}

// --cpu-only-ops sends an op to the CPU by soft placement: the build log
// says why, the artifact carries both code sections and the transfers, and
// --strict-placement refuses the same build, naming the node.
TEST(CudaCli, CpuOnlyOpsFallBackToTheCpu) {
  TempDir dir;
  std::string out;
  std::string build = cli() + " build " + example("fashion_mnist_mlp.json") +
                      " --target cuda --cpu-only-ops softmax --verbose -o " + dir.path() +
                      "/x.dlc";
  ASSERT_EQ(0, runCommand(build, &out)) << out;
  EXPECT_NE(out.find("soft placement: node probs (softmax) -> /device:CPU:0"), std::string::npos)
      << out;
  auto artifact = rt::readArtifact(dir.path() + "/x.dlc");
  ASSERT_TRUE(artifact.ok()) << artifact.status().message();
  EXPECT_FALSE(artifact->code.empty());
  EXPECT_FALSE(artifact->cudaCode.empty());
  int transfers = 0;
  for (const rt::KernelDesc& k : artifact->manifest.kernels) transfers += k.kind == "transfer";
  EXPECT_GE(transfers, 1);
  bool fellBack = false;
  for (const rt::NodePlacement& p : artifact->manifest.placement)
    fellBack = fellBack || (p.node == "probs" && p.device == "/device:CPU:0" && !p.fallback.empty());
  EXPECT_TRUE(fellBack);
  EXPECT_NE(0, runCommand(build + " --strict-placement", &out));
  EXPECT_NE(out.find("probs"), std::string::npos) << out;
  EXPECT_NE(0, runCommand(cli() + " build " + example("fashion_mnist_mlp.json") +
                              " --target cuda --cpu-only-ops no_such_op -o " + dir.path() +
                              "/y.dlc",
                          &out));
  EXPECT_NE(out.find("no_such_op"), std::string::npos) << out;
}

// --verbose prints the build log to stderr: the first build of a program in
// a fresh cache misses, the second hits. The JSON of a command stays clean.
TEST(CudaCli, VerboseShowsTheCompileCache) {
  TempDir dir;
  std::string env = "XDG_CACHE_HOME=" + dir.path() + "/cache ";
  std::string build = env + cli() + " build " + example("elementwise_chain.json") +
                      " --target cuda --verbose -o " + dir.path() + "/c.dlc";
  std::string first, second, quiet;
  ASSERT_EQ(0, runCommand(build, &first)) << first;
  ASSERT_EQ(0, runCommand(build, &second)) << second;
  EXPECT_NE(first.find("cuda cache miss"), std::string::npos) << first;
  EXPECT_NE(second.find("cuda cache hit"), std::string::npos) << second;
  ASSERT_EQ(0, runCommand(env + cli() + " build " + example("elementwise_chain.json") +
                              " --target cuda -o " + dir.path() + "/c.dlc",
                          &quiet));
  EXPECT_EQ(quiet.find("cuda cache"), std::string::npos) << quiet;
  EXPECT_EQ(1, count(quiet, "\n")) << quiet;
}

TEST(CudaCli, RunningACudaArtifactWithoutCudaIsOneClearError) {
  if (haveGpu()) GTEST_SKIP() << "a GPU is usable here; RunsOnTheGpuLikeOnTheCpu covers it";
  TempDir dir;
  std::string out;
  ASSERT_EQ(0, runCommand(cli() + " build " + example("fashion_mnist_mlp.json") +
                              " --target cuda -o " + dir.path() + "/x.dlc",
                          &out))
      << out;
  for (const std::string& cmd :
       {"run " + dir.path() + "/x.dlc", "run " + example("fashion_mnist_mlp.json") + " --target cuda",
        "compare " + example("fashion_mnist_mlp.json") + " --target cuda --iterations 1"}) {
    out.clear();
    EXPECT_EQ(1, runCommand(cli() + " " + cmd, &out)) << cmd;
    EXPECT_NE(out.find("libcuda.so.1"), std::string::npos) << cmd << "\n" << out;
    EXPECT_NE(out.find("/device:GPU:0"), std::string::npos) << out;
    EXPECT_EQ(1, count(out, "\n")) << "one line expected:\n" << out;
    EXPECT_FALSE(aborted(out)) << out;
  }
}

TEST(CudaCli, DevicesJsonSaysWhetherCudaIsAvailable) {
  std::string out;
  ASSERT_EQ(0, runCommand(cli() + " devices --json", &out)) << out;
  nlohmann::json j = jsonOf(out);
  ASSERT_TRUE(j.contains("cuda")) << out;
  Status cuda = rt::cudaAvailable();
  EXPECT_EQ(j["cuda"]["available"].get<bool>(), cuda.ok());
  EXPECT_EQ(j["devices"][0]["name"], "/device:CPU:0");
  int gpus = 0;
  for (const auto& d : j["devices"]) {
    if (d["kind"] != "CUDA") continue;
    ++gpus;
    EXPECT_EQ(d["name"].get<std::string>().rfind("/device:GPU:", 0), 0u);
    EXPECT_FALSE(d["compute_capability"].get<std::string>().empty());
    EXPECT_GT(d["sms"].get<int>(), 0);
    EXPECT_GT(d["memory_bytes"].get<int64_t>(), 0);
  }
  if (cuda.ok()) {
    EXPECT_GT(gpus, 0);
    EXPECT_FALSE(j["cuda"].contains("reason"));
  } else {
    EXPECT_EQ(gpus, 0);
    EXPECT_EQ(j["cuda"]["reason"].get<std::string>(), cuda.message());
    ASSERT_EQ(0, runCommand(cli() + " devices", &out)) << out;
    EXPECT_NE(out.find("no GPU listed: " + cuda.message()), std::string::npos) << out;
  }
}

TEST(CudaCli, BenchReportsEveryTargetAndWritesAnSvg) {
  TempDir dir;
  std::string out;
  std::string svgPath = dir.path() + "/f.svg";
  ASSERT_EQ(0, runCommand(cli() + " bench " + example("fashion_mnist_mlp.json") +
                              " --targets cpu,cuda --batch 1,64 --iterations 3 --json --svg " +
                              svgPath,
                          &out))
      << out;
  nlohmann::json j = jsonOf(out);
  EXPECT_EQ(j["batches"], nlohmann::json::array({1, 64}));
  int cpuRows = 0, gpuRows = 0;
  for (const auto& r : j["results"]) {
    for (const char* field : {"target", "batch", "fused_ms", "unfused_ms", "fused_items_per_s",
                              "unfused_items_per_s"})
      EXPECT_TRUE(r.contains(field)) << field;
    EXPECT_GT(r["fused_ms"].get<double>(), 0);
    EXPECT_GT(r["unfused_ms"].get<double>(), 0);
    double itemsPerS = r["fused_items_per_s"].get<double>();
    EXPECT_NEAR(itemsPerS, r["batch"].get<double>() * 1000 / r["fused_ms"].get<double>(),
                1e-6 * itemsPerS);
    EXPECT_LT(r["fused_kernels"].get<int>(), r["unfused_kernels"].get<int>());
    (r["target"] == "cpu" ? cpuRows : gpuRows)++;
    if (r["target"] == "cuda") {
      EXPECT_LT(r["max_abs_diff_vs_cpu"].get<double>(), 1e-4);
    }
  }
  EXPECT_EQ(cpuRows, 2);
  if (haveGpu()) {
    EXPECT_EQ(gpuRows, 2);
    EXPECT_EQ(j["speedup_gpu_over_cpu"].size(), 2u);
    EXPECT_TRUE(j["unavailable"].empty());
  } else {
    EXPECT_EQ(gpuRows, 0);
    EXPECT_TRUE(j["speedup_gpu_over_cpu"].empty());
    EXPECT_NE(j["unavailable"]["cuda"].get<std::string>().find("libcuda.so.1"),
              std::string::npos)
        << j.dump();
  }
  std::string svg = readText(svgPath);
  EXPECT_EQ(svg.rfind("<svg", 0), 0u) << svg.substr(0, 100);
  EXPECT_NE(svg.find("</svg>"), std::string::npos);
  EXPECT_EQ(count(svg, "<polyline"), 2 + 2 * (gpuRows > 0));  // fused + unfused per target
  EXPECT_NE(svg.find("cpu fused"), std::string::npos);
  EXPECT_NE(svg.find("cpu unfused"), std::string::npos);
  EXPECT_NE(svg.find("batch size"), std::string::npos);

  // The table names the unavailable target with its reason.
  ASSERT_EQ(0, runCommand(cli() + " bench " + example("fashion_mnist_mlp.json") +
                              " --targets cuda,cpu --batch 2 --iterations 1",
                          &out))
      << out;
  EXPECT_NE(out.find("fused items/s"), std::string::npos) << out;
  if (!haveGpu()) {
    EXPECT_NE(out.find("cuda unavailable: "), std::string::npos) << out;
  }
}

TEST(CudaCli, BadTargetFlagsAreClearErrors) {
  std::string model = example("fashion_mnist_mlp.json");
  struct Case {
    std::string args, message;
  };
  for (const Case& c : std::vector<Case>{
           {"bench " + model + " --batch 0", "--batch values must be between 1 and 2147483648, got 0"},
           {"bench " + model + " --batch 1,,2", "--batch expects an integer"},
           {"bench " + model + " --targets tpu", "--targets: unknown target \"tpu\" (supported: cpu, cuda)"},
           {"bench " + model + " --targets cpu,", "--targets expects a comma-separated list"},
           {"bench " + model + " --precision f8", "--precision must be f32, f16 or bf16, got \"f8\""},
           {"build " + model + " --precision f8", "--precision must be f32, f16 or bf16, got \"f8\""},
           {"run " + model + " --virtual-devices 0", "--virtual-devices must be between 1 and 64, got 0"},
           {"bench " + model + " --virtual-devices 0", "--virtual-devices must be between 1 and 64"},
           {"build " + model + " --target cuda --cuda-arch 90", "--cuda-arch expects a real GPU arch"},
           {"build " + model + " --cuda-arch sm_90", "--cuda-arch applies to --target cuda"},
           {"compare " + model + " --target tpu", "unknown target \"tpu\" (supported: cpu, cuda)"},
       }) {
    std::string out;
    EXPECT_EQ(1, runCommand(cli() + " " + c.args, &out)) << c.args;
    EXPECT_NE(out.find(c.message), std::string::npos) << c.args << "\n" << out;
    EXPECT_EQ(1, count(out, "\n")) << c.args << "\n" << out;
    EXPECT_FALSE(aborted(out)) << out;
  }
}

// --- On a GPU ------------------------------------------------------------

TEST(CudaCli, RunsOnTheGpuLikeOnTheCpu) {
  if (!haveGpu()) GTEST_SKIP() << "no CUDA device: " << rt::cudaAvailable().message();
  TempDir dir;
  std::string model = example("fashion_mnist_mlp.json");
  std::string out;
  for (const char* target : {"cpu", "cuda"}) {
    ASSERT_EQ(0, runCommand(cli() + " run " + model + " --target " + target +
                                " --batch 33 --log-device-placement --output-dir " + dir.path() +
                                "/" + target,
                            &out))
        << out;
  }
  EXPECT_NE(out.find("/device:GPU:0"), std::string::npos) << out;
  auto cpu = readNpy(dir.path() + "/cpu/probs.npy");
  auto gpu = readNpy(dir.path() + "/cuda/probs.npy");
  ASSERT_TRUE(cpu.ok() && gpu.ok());
  EXPECT_LE(closeness(*gpu, *cpu, 1e-4, 1e-6), 1.0);
  // Without graphs, and from a built artifact.
  ASSERT_EQ(0, runCommand(cli() + " build " + model + " --target cuda -o " + dir.path() + "/g.dlc",
                          &out))
      << out;
  ASSERT_EQ(0, runCommand(cli() + " run " + dir.path() + "/g.dlc --batch 33 --no-graphs --iterations 3"
                                  " --output-dir " + dir.path() + "/nog",
                          &out))
      << out;
  auto nog = readNpy(dir.path() + "/nog/probs.npy");
  ASSERT_TRUE(nog.ok());
  EXPECT_LE(closeness(*nog, *cpu, 1e-4, 1e-6), 1.0);
}

TEST(CudaCli, CompareOnTheGpuHasTheCpuFields) {
  if (!haveGpu()) GTEST_SKIP() << "no CUDA device: " << rt::cudaAvailable().message();
  std::string out;
  ASSERT_EQ(0, runCommand(cli() + " compare " + example("elementwise_chain.json") +
                              " --target cuda --iterations 3 --json",
                          &out))
      << out;
  nlohmann::json j = jsonOf(out);
  EXPECT_EQ(j["target"], "cuda");
  for (const char* side : {"fused", "unfused"})
    for (const char* field : {"kernels", "bytes", "median_ms"})
      EXPECT_TRUE(j[side].contains(field)) << side << "." << field;
  EXPECT_LT(j["fused"]["kernels"].get<int>(), j["unfused"]["kernels"].get<int>());
  EXPECT_LT(j["max_rel_diff"].get<double>(), 1e-4);
  EXPECT_GT(j["speedup"].get<double>(), 0);
}

TEST(CudaCli, DevicesMeasureTheGpu) {
  if (!haveGpu()) GTEST_SKIP() << "no CUDA device: " << rt::cudaAvailable().message();
  std::string out;
  ASSERT_EQ(0, runCommand(cli() + " devices --measure --json", &out)) << out;
  nlohmann::json j = jsonOf(out);
  for (const auto& d : j["devices"]) {
    if (d["kind"] != "CUDA") continue;
    EXPECT_GT(d["measured_bandwidth_gbs"].get<double>(), 10) << d.dump();
    EXPECT_GT(d["measured_host_to_device_gbs"].get<double>(), 0.5) << d.dump();
    EXPECT_GT(d["measured_device_to_host_gbs"].get<double>(), 0.5) << d.dump();
    if (!d["peak_bandwidth_gbs"].is_null()) {
      EXPECT_LT(d["measured_bandwidth_gbs"].get<double>(),
                1.05 * d["peak_bandwidth_gbs"].get<double>());
    }
  }
}

TEST(CudaCli, EvalOnTheGpuInEveryPrecision) {
  if (!haveGpu()) GTEST_SKIP() << "no CUDA device: " << rt::cudaAvailable().message();
  std::string data = envOr("FMNIST_DIR", "/usr/share/datasets/fashion-mnist");
  if (!std::filesystem::exists(data + "/t10k-images-idx3-ubyte.gz"))
    GTEST_SKIP() << "no Fashion-MNIST test set in " << data;
  nlohmann::json expected = nlohmann::json::parse(readText(example("fashion_mnist_mlp.expected.json")));
  for (const char* precision : {"f32", "f16", "bf16"}) {
    std::string out;
    ASSERT_EQ(0, runCommand(cli() + " eval " + example("fashion_mnist_mlp.json") +
                                " --target cuda --precision " + precision + " --images " + data +
                                "/t10k-images-idx3-ubyte.gz --labels " + data +
                                "/t10k-labels-idx1-ubyte.gz --batch 1000 --json",
                            &out))
        << out;
    nlohmann::json j = jsonOf(out);
    EXPECT_EQ(j["target"], "cuda");
    EXPECT_EQ(j["precision"], precision);
    double want = expected["correct"].get<double>();
    // f32 may differ from the CPU in a handful of near-ties; 16 bits in a few more.
    double slack = std::string(precision) == "f32" ? 5 : 60;
    EXPECT_NEAR(j["correct"].get<double>(), want, slack) << precision;
  }
}

}  // namespace
}  // namespace dlc::test
