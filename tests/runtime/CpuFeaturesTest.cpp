// The CPU-feature check at load: the cpuid table, the manifest's "cpu"
// field, and a model whose recorded features this CPU lacks (here: a name
// no CPU has) being refused with an error that says how to rebuild.
#include <gtest/gtest.h>

#include <algorithm>

#include "TestArtifact.h"
#include "runtime/src/Artifact.h"
#include "runtime/src/CpuFeatures.h"
#include "runtime/src/ManifestJson.h"
#include "runtime/src/Model.h"

namespace dlc::rt {
namespace {

bool contains(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

TEST(CpuFeatures, TableHoldsTheVectorExtensions) {
  const std::vector<std::string>& names = checkableCpuFeatures();
  for (const char* f : {"sse4.2", "popcnt", "avx", "avx2", "fma", "f16c", "bmi", "bmi2",
                        "avx512f", "avx512bw", "avx512dq", "avx512vl", "avx512vnni",
                        "avx512bf16", "avx512fp16"})
    EXPECT_TRUE(contains(names, f)) << f;
}

TEST(CpuFeatures, HostChecks) {
#if defined(__x86_64__)
  // Every x86-64 CPU has SSE4.2 since Nehalem; CI machines do.
  EXPECT_TRUE(hostHasCpuFeature("sse4.2"));
  EXPECT_FALSE(hostCpuModelName().empty());
  // AVX2 implies AVX, AVX-512BW implies AVX-512F.
  if (hostHasCpuFeature("avx2")) {
    EXPECT_TRUE(hostHasCpuFeature("avx"));
  }
  if (hostHasCpuFeature("avx512bw")) {
    EXPECT_TRUE(hostHasCpuFeature("avx512f"));
  }
#endif
  EXPECT_FALSE(hostHasCpuFeature("avx9000"));
  EXPECT_FALSE(hostHasCpuFeature(""));
}

TEST(CpuFeatures, RequiredKeepsOnlyCheckableNamesInTableOrder) {
  std::vector<std::string> required =
      requiredCpuFeatures({"avx2", "64bit", "cmov", "sse4.2", "fast-gather", "avx512f"});
  EXPECT_EQ(required, (std::vector<std::string>{"sse4.2", "avx2", "avx512f"}));
}

TEST(CpuFeatures, MissingFeatureMessage) {
  EXPECT_TRUE(checkCpuFeatures(CpuTarget{}, "m.dlc").ok());
  Status s = checkCpuFeatures({"future-cpu", {"sse4.2", "avx9000", "amx-fp64"}}, "m.dlc");
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.code(), StatusCode::kUnsupported);
  const std::string& m = s.message();
  EXPECT_NE(m.find("m.dlc was compiled for a CPU with avx9000 and amx-fp64"), std::string::npos)
      << m;
  EXPECT_NE(m.find("\"future-cpu\""), std::string::npos) << m;
  EXPECT_NE(m.find("which this CPU (" + hostCpuModelName() + ") lacks"), std::string::npos) << m;
  EXPECT_NE(m.find("rebuild it with dlc build --cpu generic or on this machine"),
            std::string::npos)
      << m;
}

TEST(CpuFeatures, ManifestJsonRoundTripsTheCpuField) {
  Manifest m = testing::sumManifest();
  m.cpu = {"x86-64-v3", {"sse4.2", "avx", "avx2", "fma"}};
  std::string text = manifestToJson(m);
  EXPECT_NE(text.find("\"cpu\""), std::string::npos);
  StatusOr<Manifest> back = manifestFromJson(text);
  ASSERT_TRUE(back.ok()) << back.status().message();
  EXPECT_EQ(back->cpu.name, "x86-64-v3");
  EXPECT_EQ(back->cpu.features, m.cpu.features);
  // Older artifacts have no "cpu": nothing to check.
  StatusOr<Manifest> old = manifestFromJson(manifestToJson(testing::sumManifest()));
  ASSERT_TRUE(old.ok()) << old.status().message();
  EXPECT_TRUE(old->cpu.name.empty());
  EXPECT_TRUE(old->cpu.features.empty());
  // A malformed field names its path.
  std::string bad = text;
  size_t at = bad.find("\"avx2\"");
  ASSERT_NE(at, std::string::npos);
  bad.replace(at, 6, "7");
  StatusOr<Manifest> err = manifestFromJson(bad);
  ASSERT_FALSE(err.ok());
  EXPECT_NE(err.status().message().find("cpu.features[2]"), std::string::npos)
      << err.status().message();
}

TEST(CpuFeatures, ModelWithAFeatureThisCpuLacksIsRefusedAtLoad) {
  Manifest m = testing::sumManifest();
  m.cpu = {"x86-64-v2", {"sse4.2", "avx512fake"}};
  StatusOr<std::vector<uint8_t>> bytes =
      serializeArtifact(m, testing::sumConstants(), testing::kernelCode());
  ASSERT_TRUE(bytes.ok()) << bytes.status().message();
  auto model = Model::loadBytes(bytes->data(), bytes->size(), "model.dlc");
  ASSERT_FALSE(model.ok());
  EXPECT_NE(model.status().message().find(
                "model.dlc was compiled for a CPU with avx512fake (LLVM cpu \"x86-64-v2\"), "
                "which this CPU ("),
            std::string::npos)
      << model.status().message();
  EXPECT_NE(model.status().message().find("rebuild it with dlc build --cpu generic"),
            std::string::npos);

  // The same artifact requiring only what this CPU has loads and runs.
  m.cpu.features = {"sse4.2"};
  bytes = serializeArtifact(m, testing::sumConstants(), testing::kernelCode());
  ASSERT_TRUE(bytes.ok());
  auto ok = Model::loadBytes(bytes->data(), bytes->size(), "model.dlc");
  ASSERT_TRUE(ok.ok()) << ok.status().message();
}

}  // namespace
}  // namespace dlc::rt
