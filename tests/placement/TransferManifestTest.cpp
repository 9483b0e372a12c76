// The manifest of a model on two devices: buffer homes, per-device
// constants, transfers where a value crosses devices, and what the
// validator refuses.
#include <gtest/gtest.h>

#include <filesystem>
#include <set>

#include "runtime/src/Artifact.h"
#include "runtime/src/ManifestJson.h"
#include "runtime/src/ManifestValidate.h"
#include "tests/placement/PlacementTestUtil.h"

namespace dlc::test {
namespace {

const std::map<std::string, std::string> kTwoCpus = {
    {"h", "/device:CPU:0"}, {"a", "/device:CPU:1"}, {"s", "/device:CPU:1"},
    {"g", "/device:CPU:0"}, {"y", "/device:CPU:0"}, {"m", "/device:CPU:1"}};

StatusOr<BuildResult> buildTwoCpus(const std::string& tag, bool fused) {
  std::string path = writePlacementModel(tag, kTwoCpus);
  BuildOptions options;
  options.virtualDevices = 2;
  options.fusion = fused;
  auto built = buildModel(path, options);
  std::filesystem::remove(path);
  return built;
}

const rt::BufferDesc& bufferNamed(const rt::Manifest& m, const std::string& name) {
  for (const rt::BufferDesc& b : m.buffers)
    if (b.name == name) return b;
  ADD_FAILURE() << "no buffer " << name;
  return m.buffers.front();
}

TEST(TransferManifest, ValuesCrossingDevicesAreCopiedByTransfers) {
  for (bool fused : {false, true}) {
    SCOPED_TRACE(fused ? "fused" : "unfused");
    auto built = buildTwoCpus(fused ? "tm_fused" : "tm_unfused", fused);
    ASSERT_TRUE(built.ok()) << built.status().message();
    const rt::Manifest& m = built->manifest;
    EXPECT_EQ(m.devices, (std::vector<std::string>{"/device:CPU:0", "/device:CPU:1"}));
    for (const rt::BufferDesc& b : m.buffers) EXPECT_FALSE(b.device.empty()) << b.name;
    EXPECT_EQ(bufferNamed(m, "x").device, "/device:CPU:0");  // where dense reads it first
    EXPECT_EQ(bufferNamed(m, "y").device, "/device:CPU:0");
    EXPECT_EQ(bufferNamed(m, "m").device, "/device:CPU:1");

    std::set<std::string> labels;
    for (const rt::KernelDesc* t : transfersOf(m)) {
      labels.insert(t->label);
      EXPECT_TRUE(t->symbol.empty());
      ASSERT_EQ(t->args.size(), 2u);
      EXPECT_EQ(t->numParams, 1);
      const rt::BufferDesc& from = m.buffers[size_t(t->args[0])];
      const rt::BufferDesc& to = m.buffers[size_t(t->args[1])];
      EXPECT_NE(from.device, t->device);
      EXPECT_EQ(to.device, t->device);
      EXPECT_EQ(to.kind, rt::BufferKind::Temp);
      EXPECT_EQ(to.name, from.name + "@" + t->device.substr(8));
      EXPECT_EQ(t->bytesRead.perBatch, from.bytes.perBatch);
      EXPECT_EQ(t->bytesWritten.perBatch, to.bytes.perBatch);
    }
    EXPECT_EQ(labels, (std::set<std::string>{"h CPU:0->CPU:1", "x CPU:0->CPU:1", "s CPU:1->CPU:0"}));
    // h is f32[N,4]: 16 bytes per batch row; x is f32[N,8].
    for (const rt::KernelDesc* t : transfersOf(m)) {
      if (t->label[0] == 'x') EXPECT_EQ(t->bytesRead.perBatch, 32);
      else EXPECT_EQ(t->bytesRead.perBatch, 16);
    }
    // Each transfer comes right before a kernel on its device that reads the copy.
    for (size_t k = 0; k + 1 < m.kernels.size(); ++k) {
      if (m.kernels[k].kind != "transfer") continue;
      bool readLater = false;
      for (size_t j = k + 1; j < m.kernels.size(); ++j)
        for (int a = 0; a < m.kernels[j].numParams; ++a)
          readLater = readLater || m.kernels[j].args[size_t(a)] == m.kernels[k].args[1];
      EXPECT_TRUE(readLater) << m.kernels[k].label;
    }
    // Constants are per device, sharing their bytes.
    std::set<std::string> cDevices;
    std::set<int64_t> cOffsets;
    for (const rt::BufferDesc& b : m.buffers)
      if (b.kind == rt::BufferKind::Constant && b.name == "c") {
        cDevices.insert(b.device);
        cOffsets.insert(b.constOffset);
      }
    EXPECT_LE(cOffsets.size(), 1u);
    EXPECT_TRUE(rt::validateManifest(m).ok());
    // Every kernel reads and writes only buffers on its own device.
    for (const rt::KernelDesc& k : m.kernels)
      for (size_t a = k.kind == "transfer" ? 1 : 0; a < k.args.size(); ++a)
        EXPECT_EQ(m.buffers[size_t(k.args[a])].device, k.device) << k.label;
    // The placement names each node's device.
    for (const rt::NodePlacement& p : m.placement) {
      ASSERT_GE(p.kernel, 0) << p.node;
      EXPECT_EQ(p.device, kTwoCpus.at(p.node));
      EXPECT_TRUE(p.fallback.empty());
    }
  }
}

TEST(TransferManifest, SurvivesJsonAndArtifactRoundTrips) {
  auto built = buildTwoCpus("tm_roundtrip", /*fused=*/true);
  ASSERT_TRUE(built.ok()) << built.status().message();
  std::string json = rt::manifestToJson(built->manifest);
  auto parsed = rt::manifestFromJson(json);
  ASSERT_TRUE(parsed.ok()) << parsed.status().message();
  EXPECT_EQ(rt::manifestToJson(*parsed), json);
  EXPECT_EQ(parsed->devices, built->manifest.devices);
  auto bytes = artifactBytes(*built);
  ASSERT_TRUE(bytes.ok());
  auto art = rt::parseArtifact(bytes->data(), bytes->size(), "two.dlc");
  ASSERT_TRUE(art.ok()) << art.status().message();
  EXPECT_EQ(rt::manifestToJson(art->manifest), json);
  EXPECT_EQ(art->code, built->code.sharedObject);
  EXPECT_TRUE(art->cudaCode.empty());
}

TEST(TransferManifest, OneDeviceModelsHaveNoTransfersAndNoBufferDevices) {
  std::string path = writePlacementModel("tm_one", {});
  auto built = buildModel(path, BuildOptions{});
  std::filesystem::remove(path);
  ASSERT_TRUE(built.ok()) << built.status().message();
  EXPECT_TRUE(transfersOf(built->manifest).empty());
  EXPECT_EQ(built->manifest.devices, (std::vector<std::string>{"/device:CPU:0"}));
  for (const rt::BufferDesc& b : built->manifest.buffers) EXPECT_TRUE(b.device.empty()) << b.name;
}

void expectInvalid(rt::Manifest m, const std::string& want) {
  Status st = rt::validateManifest(m);
  ASSERT_FALSE(st.ok()) << want;
  EXPECT_NE(st.message().find(want), std::string::npos) << st.message();
}

TEST(TransferManifest, ValidatorRefusesBrokenPlacement) {
  auto built = buildTwoCpus("tm_validate", /*fused=*/false);
  ASSERT_TRUE(built.ok()) << built.status().message();
  const rt::Manifest good = built->manifest;
  size_t t = 0;
  while (good.kernels[t].kind != "transfer") ++t;
  size_t compute = 0;
  while (good.kernels[compute].kind == "transfer") ++compute;

  rt::Manifest m = good;
  m.kernels[t].symbol = "dlc_k9";
  expectInvalid(m, "a transfer has no code");
  m = good;
  m.kernels[t].args.push_back(m.kernels[t].args[1]);
  expectInvalid(m, "a transfer copies one buffer into one");
  m = good;
  m.buffers[size_t(m.kernels[t].args[0])].device.clear();
  expectInvalid(m, ".device: missing in a model on several devices");
  m = good;
  m.kernels[compute].device = m.kernels[compute].device == "/device:CPU:0" ? "/device:CPU:1"
                                                                          : "/device:CPU:0";
  expectInvalid(m, "but the kernel runs on");
  m = good;
  m.devices = {"/device:CPU:0"};
  expectInvalid(m, "is not in the devices list");
  m = good;
  m.devices.push_back("/device:TPU:0");
  expectInvalid(m, "\"/device:TPU:0\" is not a device name");
  m = good;
  m.devices.push_back("/device:CPU:0");
  expectInvalid(m, "listed twice");
}

}  // namespace
}  // namespace dlc::test
