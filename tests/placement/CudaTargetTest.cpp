// `--target cuda` on a machine without a GPU: the build cross-compiles
// (PTX in the artifact), soft placement sends cpuOnlyOps to the CPU with
// transfers around them, strict placement refuses, the artifact keeps both
// code sections, and loading says there is no GPU. Where a GPU exists, the
// same artifacts run and match the reference interpreter.
#include <gtest/gtest.h>

#include <filesystem>
#include <set>

#include "compiler/backends/cuda/CudaCompile.h"
#include "runtime/src/Artifact.h"
#include "runtime/src/CudaCode.h"
#include "runtime/src/CudaDevice.h"
#include "runtime/src/ManifestJson.h"
#include "tests/placement/PlacementTestUtil.h"

namespace dlc::test {
namespace {

#define SKIP_WITHOUT_NVRTC()                                                   \
  do {                                                                         \
    auto nvrtc = cuda::nvrtcVersion();                                         \
    if (!nvrtc.ok()) GTEST_SKIP() << "no NVRTC: " << nvrtc.status().message(); \
  } while (0)

BuildOptions cudaOptions() {
  BuildOptions options;
  options.target = "cuda";
  return options;
}

StatusOr<BuildResult> buildCuda(const std::string& tag, const BuildOptions& options,
                                const std::map<std::string, std::string>& devices = {}) {
  std::string path = writePlacementModel(tag, devices);
  auto built = buildModel(path, options);
  std::filesystem::remove(path);
  return built;
}

std::set<std::string> transferLabels(const rt::Manifest& m) {
  std::set<std::string> labels;
  for (const rt::KernelDesc* t : transfersOf(m)) labels.insert(t->label);
  return labels;
}

TEST(CudaTarget, CrossCompilesWithoutAGpu) {
  SKIP_WITHOUT_NVRTC();
  auto built = buildCuda("cuda_all_gpu", cudaOptions());
  ASSERT_TRUE(built.ok()) << built.status().message();
  const rt::Manifest& m = built->manifest;
  EXPECT_EQ(m.target, "cuda");
  EXPECT_EQ(m.devices, (std::vector<std::string>{"/device:GPU:0"}));
  EXPECT_TRUE(transfersOf(m).empty());
  EXPECT_TRUE(built->fallbacks.empty());
  EXPECT_TRUE(built->code.sharedObject.empty());  // no kernel on a CPU
  EXPECT_TRUE(m.cpu.name.empty());
  ASSERT_FALSE(built->cudaCode.empty());
  EXPECT_NE(built->cudaSource.find("__global__"), std::string::npos);
  auto code = rt::parseCudaCode(built->cudaCode, "m.dlc");
  ASSERT_TRUE(code.ok()) << code.status().message();
  EXPECT_EQ(code->ptxArch, "compute_80");
  EXPECT_TRUE(code->cubin.empty());
  for (const rt::KernelDesc& k : m.kernels) {
    EXPECT_EQ(k.device, "/device:GPU:0");
    EXPECT_NE(code->ptx.find(".entry " + k.symbol), std::string::npos) << k.symbol;
    EXPECT_FALSE(k.engine.empty()) << k.symbol;
    EXPECT_GE(k.launch.threads, 1);
    EXPECT_GE(k.launch.itemsPerBlock, 1);
  }
  for (const rt::NodePlacement& p : m.placement) EXPECT_EQ(p.device, "/device:GPU:0") << p.node;
}

TEST(CudaTarget, CpuOnlyOpsFallBackToTheCpuWithTransfers) {
  SKIP_WITHOUT_NVRTC();
  BuildOptions options = cudaOptions();
  options.cpuOnlyOps = {"tanh"};
  auto built = buildCuda("cuda_cpu_only", options);
  ASSERT_TRUE(built.ok()) << built.status().message();
  const rt::Manifest& m = built->manifest;
  EXPECT_EQ(m.devices, (std::vector<std::string>{"/device:CPU:0", "/device:GPU:0"}));
  ASSERT_EQ(built->fallbacks.size(), 1u);
  EXPECT_EQ(built->fallbacks[0].node, "a");
  bool logged = false;
  for (const std::string& line : built->log)
    logged = logged || line.rfind("soft placement: node a (tanh) -> /device:CPU:0: tanh is listed "
                                  "in --cpu-only-ops",
                                  0) == 0;
  EXPECT_TRUE(logged);
  for (const rt::NodePlacement& p : m.placement) {
    if (p.node == "a") {
      EXPECT_EQ(p.device, "/device:CPU:0");
      EXPECT_NE(p.fallback.find("--cpu-only-ops"), std::string::npos) << p.fallback;
    } else {
      EXPECT_EQ(p.device, "/device:GPU:0") << p.node;
      EXPECT_TRUE(p.fallback.empty()) << p.node;
    }
  }
  EXPECT_EQ(transferLabels(m), (std::set<std::string>{"h GPU:0->CPU:0", "a CPU:0->GPU:0"}));
  // Both code sections: the tanh kernel for the CPU, the rest for the GPU.
  EXPECT_FALSE(built->code.sharedObject.empty());
  EXPECT_FALSE(m.cpu.name.empty());
  EXPECT_FALSE(built->cudaCode.empty());
  for (const rt::BufferDesc& b : m.buffers) EXPECT_FALSE(b.device.empty()) << b.name;
  std::string json = rt::manifestToJson(m);
  EXPECT_NE(json.find("\"fallback\""), std::string::npos);
  auto parsed = rt::manifestFromJson(json);
  ASSERT_TRUE(parsed.ok()) << parsed.status().message();
  EXPECT_EQ(rt::manifestToJson(*parsed), json);
}

TEST(CudaTarget, StrictPlacementIsAnErrorNamingTheNode) {
  BuildOptions options = cudaOptions();
  options.cpuOnlyOps = {"tanh"};
  options.strictPlacement = true;
  auto built = buildCuda("cuda_strict", options);
  ASSERT_FALSE(built.ok());
  std::string m = built.status().message();
  EXPECT_NE(m.find("\"a\""), std::string::npos) << m;
  EXPECT_NE(m.find("no kernel for tanh on /device:GPU:0"), std::string::npos) << m;
}

TEST(CudaTarget, OptionErrors) {
  BuildOptions options = cudaOptions();
  options.cpuOnlyOps = {"tanhh"};
  auto built = buildCuda("cuda_bad_op", options);
  ASSERT_FALSE(built.ok());
  EXPECT_NE(built.status().message().find("cpu-only op \"tanhh\" is not an op"), std::string::npos);
  options = cudaOptions();
  options.precision = "f8";
  built = buildCuda("cuda_bad_precision", options);
  ASSERT_FALSE(built.ok());
  EXPECT_NE(built.status().message().find("unknown precision \"f8\""), std::string::npos);
  options = cudaOptions();
  options.target = "tpu";
  built = buildCuda("cuda_bad_target", options);
  ASSERT_FALSE(built.ok());
  EXPECT_NE(built.status().message().find("(supported: cpu, cuda)"), std::string::npos);
}

TEST(CudaTarget, DeviceNamesValidAtBuildTime) {
  SKIP_WITHOUT_NVRTC();
  // One virtual device: any GPU index (the runtime checks it exists), CPU:0 only.
  auto gpu3 = buildCuda("cuda_gpu3", cudaOptions(), {{"a", "/device:GPU:3"}});
  ASSERT_TRUE(gpu3.ok()) << gpu3.status().message();
  EXPECT_EQ(gpu3->manifest.devices, (std::vector<std::string>{"/device:GPU:0", "/device:GPU:3"}));
  auto cpu1 = buildCuda("cuda_cpu1", cudaOptions(), {{"a", "/device:CPU:1"}});
  ASSERT_FALSE(cpu1.ok());
  EXPECT_NE(cpu1.status().message().find("does not exist on target cuda"), std::string::npos)
      << cpu1.status().message();
  // Two virtual GPUs: GPU:1 is valid, GPU:2 is not; transfers between them.
  BuildOptions split = cudaOptions();
  split.virtualDevices = 2;
  auto two = buildCuda("cuda_two_gpus", split, {{"a", "/device:GPU:1"}, {"s", "/device:GPU:1"}});
  ASSERT_TRUE(two.ok()) << two.status().message();
  EXPECT_EQ(transferLabels(two->manifest),
            (std::set<std::string>{"h GPU:0->GPU:1", "s GPU:1->GPU:0"}));
  auto three = buildCuda("cuda_gpu2", split, {{"a", "/device:GPU:2"}});
  ASSERT_FALSE(three.ok());
  EXPECT_NE(three.status().message().find("with --virtual-devices 2"), std::string::npos);
}

TEST(CudaTarget, ArtifactKeepsBothCodeSections) {
  SKIP_WITHOUT_NVRTC();
  BuildOptions options = cudaOptions();
  options.cpuOnlyOps = {"tanh"};
  auto built = buildCuda("cuda_roundtrip", options);
  ASSERT_TRUE(built.ok()) << built.status().message();
  auto bytes = artifactBytes(*built);
  ASSERT_TRUE(bytes.ok()) << bytes.status().message();
  auto art = rt::parseArtifact(bytes->data(), bytes->size(), "both.dlc");
  ASSERT_TRUE(art.ok()) << art.status().message();
  EXPECT_EQ(art->code, built->code.sharedObject);
  EXPECT_EQ(art->cudaCode, built->cudaCode);
  EXPECT_EQ(rt::manifestToJson(art->manifest), rt::manifestToJson(built->manifest));
}

TEST(CudaTarget, PrecisionF16BuildsForTheGpu) {
  SKIP_WITHOUT_NVRTC();
  BuildOptions options = cudaOptions();
  options.precision = "f16";
  auto built = buildCuda("cuda_f16", options);
  ASSERT_TRUE(built.ok()) << built.status().message();
  // The interface stays f32; values inside are f16.
  EXPECT_EQ(built->manifest.buffers[size_t(built->manifest.inputs[0])].dtype, ir::DType::F32);
  bool half = false;
  for (const rt::BufferDesc& b : built->manifest.buffers) half = half || b.dtype == ir::DType::F16;
  EXPECT_TRUE(half);
}

// Without a GPU: a clear error from cudaAvailable(), not a crash. With one:
// the artifacts run and match the reference.
TEST(CudaTarget, LoadingNeedsAGpu) {
  SKIP_WITHOUT_NVRTC();
  for (bool fallback : {false, true}) {
    SCOPED_TRACE(fallback ? "with a CPU fallback" : "all on the GPU");
    BuildOptions options = cudaOptions();
    if (fallback) options.cpuOnlyOps = {"tanh"};
    std::string path = writePlacementModel(fallback ? "cuda_load_fb" : "cuda_load", {});
    auto built = buildModel(path, options);
    ASSERT_TRUE(built.ok()) << built.status().message();
    auto bytes = artifactBytes(*built);
    ASSERT_TRUE(bytes.ok());
    auto model = rt::Model::loadBytes(bytes->data(), bytes->size(), "gpu.dlc");
    Status available = rt::cudaAvailable();
    if (available.ok()) {
      ASSERT_TRUE(model.ok()) << model.status().message();
      for (int64_t batch : {1, 33}) runAgainstReference(**model, path, batch);
    } else {
      ASSERT_FALSE(model.ok());
      std::string m = model.status().message();
      EXPECT_EQ(m.rfind("gpu.dlc: model needs /device:GPU:0, but this machine has /device:CPU:0 (", 0),
                0u)
          << m;
      EXPECT_NE(m.find(available.message()), std::string::npos) << m;
    }
    std::filesystem::remove(path);
  }
}

}  // namespace
}  // namespace dlc::test
