// dlc build --cpu: the code follows the named CPU, not the build host.
// generic (x86-64-v2) code uses no ymm/zmm register, x86-64-v3 code uses ymm
// but no zmm, x86-64-v4 code uses zmm; each still matches the reference
// interpreter, and the manifest records the features the code requires.
#include <gtest/gtest.h>

#include <algorithm>
#include <regex>

#include "compiler/reference/Interpreter.h"
#include "runtime/src/CpuFeatures.h"
#include "tests/e2e/E2eUtil.h"

namespace dlc::test {
namespace {

bool contains(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

bool usesRegister(const std::string& assembly, const char* kind) {
  return std::regex_search(assembly, std::regex(std::string("%") + kind + "[0-9]+"));
}

struct Built {
  BuildResult build;
  std::vector<uint8_t> artifact;
};

Built buildFor(const std::string& model, const std::string& cpu) {
  Built b;
  BuildOptions options;
  options.cpu = cpu;
  options.keepMachineText = true;
  auto built = buildModel(examplePath(model), options);
  EXPECT_TRUE(built.ok()) << built.status().message();
  if (!built.ok()) return b;
  b.build = std::move(*built);
  auto bytes = artifactBytes(b.build);
  EXPECT_TRUE(bytes.ok()) << bytes.status().message();
  if (bytes.ok()) b.artifact = std::move(*bytes);
  return b;
}

// Runs the artifact on random inputs and compares with the reference.
void expectMatchesReference(const std::string& model, const Built& b, int64_t batch) {
  auto graph = loadModelFile(examplePath(model));
  ASSERT_TRUE(graph.ok()) << graph.status().message();
  std::vector<Tensor> inputs = randomInputs(**graph, batch, 11);
  auto expected = ref::evaluate(**graph, inputs);
  ASSERT_TRUE(expected.ok()) << expected.status().message();
  auto loaded = rt::Model::loadBytes(b.artifact.data(), b.artifact.size(), model);
  ASSERT_TRUE(loaded.ok()) << loaded.status().message();
  auto out = (*loaded)->run(inputs);
  ASSERT_TRUE(out.ok()) << out.status().message();
  ASSERT_EQ(out->size(), expected->size());
  for (size_t i = 0; i < out->size(); ++i)
    EXPECT_LE(closeness((*out)[i], (*expected)[i], 1e-4, 1e-5), 1.0) << model << " output " << i;
}

class TargetCpuTest : public ::testing::TestWithParam<const char*> {};

TEST_P(TargetCpuTest, GenericHasNoYmmOrZmmAndMatchesTheReference) {
  Built b = buildFor(GetParam(), "generic");
  ASSERT_FALSE(b.artifact.empty());
  EXPECT_EQ(b.build.code.cpu, "x86-64-v2");
  EXPECT_FALSE(usesRegister(b.build.code.assembly, "ymm"));
  EXPECT_FALSE(usesRegister(b.build.code.assembly, "zmm"));
  EXPECT_TRUE(usesRegister(b.build.code.assembly, "xmm"));  // still vectorised (SSE)
  const rt::CpuTarget& cpu = b.build.manifest.cpu;
  EXPECT_EQ(cpu.name, "x86-64-v2");
  EXPECT_TRUE(contains(cpu.features, "sse4.2"));
  EXPECT_TRUE(contains(cpu.features, "popcnt"));
  for (const char* f : {"avx", "avx2", "fma", "avx512f"}) EXPECT_FALSE(contains(cpu.features, f));
  // No libm fallbacks (fmaf, floorf, ...): LLVM's own memcpy/memset are all
  // the kernels may call.
  std::regex call("\tcall[q]?\t([A-Za-z_0-9.]+)");
  for (std::sregex_iterator it(b.build.code.assembly.begin(), b.build.code.assembly.end(), call),
       end;
       it != end; ++it) {
    std::string callee = (*it)[1];
    EXPECT_TRUE(callee == "memcpy" || callee == "memset" || callee == "memmove") << callee;
  }
  expectMatchesReference(GetParam(), b, 3);
}

TEST_P(TargetCpuTest, X86_64_V3HasYmmButNoZmm) {
  if (!rt::hostHasCpuFeature("avx2") || !rt::hostHasCpuFeature("fma"))
    GTEST_SKIP() << "this CPU cannot run x86-64-v3 code";
  Built b = buildFor(GetParam(), "x86-64-v3");
  ASSERT_FALSE(b.artifact.empty());
  EXPECT_TRUE(usesRegister(b.build.code.assembly, "ymm"));
  EXPECT_FALSE(usesRegister(b.build.code.assembly, "zmm"));
  const rt::CpuTarget& cpu = b.build.manifest.cpu;
  for (const char* f : {"sse4.2", "avx", "avx2", "fma", "f16c", "bmi2"})
    EXPECT_TRUE(contains(cpu.features, f)) << f;
  EXPECT_FALSE(contains(cpu.features, "avx512f"));
  expectMatchesReference(GetParam(), b, 3);
}

TEST_P(TargetCpuTest, X86_64_V4UsesZmmAndRecordsAvx512) {
  Built b = buildFor(GetParam(), "x86-64-v4");
  ASSERT_FALSE(b.artifact.empty());
  EXPECT_TRUE(usesRegister(b.build.code.assembly, "zmm"));  // the GEMM's 16-float tile
  const rt::CpuTarget& cpu = b.build.manifest.cpu;
  for (const char* f : {"avx512f", "avx512bw", "avx512dq", "avx512vl"})
    EXPECT_TRUE(contains(cpu.features, f)) << f;
  if (!rt::hostHasCpuFeature("avx512f")) {
    // Where this CPU lacks AVX-512 the runtime refuses, rather than SIGILL.
    auto loaded = rt::Model::loadBytes(b.artifact.data(), b.artifact.size(), "model.dlc");
    ASSERT_FALSE(loaded.ok());
    EXPECT_NE(loaded.status().message().find("model.dlc was compiled for a CPU with avx512f"),
              std::string::npos)
        << loaded.status().message();
    return;
  }
  expectMatchesReference(GetParam(), b, 3);
}

INSTANTIATE_TEST_SUITE_P(Examples, TargetCpuTest,
                         ::testing::Values("fashion_mnist_mlp.json", "cnn.json"),
                         [](const auto& info) {
                           std::string name = info.param;
                           return name.substr(0, name.find('.'));
                         });

TEST(TargetCpu, NativeRecordsTheHostFeaturesItUses) {
  Built b = buildFor("fashion_mnist_mlp.json", "native");
  ASSERT_FALSE(b.artifact.empty());
  // Whatever native enabled, this CPU has.
  for (const std::string& f : b.build.manifest.cpu.features)
    EXPECT_TRUE(rt::hostHasCpuFeature(f)) << f;
  EXPECT_FALSE(b.build.manifest.cpu.name.empty());
  EXPECT_NE(b.build.manifest.cpu.name, "native");
}

TEST(TargetCpu, UnknownCpuNameIsAnError) {
  BuildOptions options;
  options.cpu = "pentium-ultra-9000";
  auto built = buildModel(examplePath("fashion_mnist_mlp.json"), options);
  ASSERT_FALSE(built.ok());
  EXPECT_NE(built.status().message().find("unknown CPU \"pentium-ultra-9000\""),
            std::string::npos)
      << built.status().message();
  EXPECT_NE(built.status().message().find("generic"), std::string::npos);
}

}  // namespace
}  // namespace dlc::test
