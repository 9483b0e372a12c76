// A model on /device:CPU:0 and /device:CPU:1, run on one CPU split into two
// virtual devices: the same numbers as the one-device build and the
// reference interpreter, transfers in the report, and load errors that list
// the devices this machine has.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <filesystem>

#include "tests/e2e/E2eUtil.h"
#include "tests/placement/PlacementTestUtil.h"

namespace dlc::test {
namespace {

const std::map<std::string, std::string> kTwoCpus = {
    {"h", "/device:CPU:0"}, {"a", "/device:CPU:1"}, {"s", "/device:CPU:1"},
    {"g", "/device:CPU:0"}, {"y", "/device:CPU:0"}, {"m", "/device:CPU:1"}};

BuildOptions twoDevices(bool fused = true) {
  BuildOptions options;
  options.virtualDevices = 2;
  options.fusion = fused;
  return options;
}

rt::ModelOptions virtualCpus(int n) {
  rt::ModelOptions options;
  options.virtualDevices = n;
  return options;
}

TEST(VirtualDevices, TwoCpuModelMatchesTheOneDeviceBuildAndTheReference) {
  std::string split = writePlacementModel("vd_split", kTwoCpus);
  std::string single = writePlacementModel("vd_single", {});
  for (bool fused : {true, false}) {
    SCOPED_TRACE(fused ? "fused" : "unfused");
    Built two = buildAndLoad(split, twoDevices(fused), virtualCpus(2));
    BuildOptions oneOptions;
    oneOptions.fusion = fused;
    Built one = buildAndLoad(single, oneOptions);
    ASSERT_TRUE(two.model && one.model);
    EXPECT_EQ(transfersOf(two.model->manifest()).size(), 3u);
    for (int64_t batch : {1, 5, 64}) {
      SCOPED_TRACE(batch);
      std::vector<Tensor> a = runAgainstReference(*two.model, split, batch);
      std::vector<Tensor> b = runAgainstReference(*one.model, single, batch);
      ASSERT_EQ(a.size(), 2u);
      ASSERT_EQ(b.size(), 2u);
      for (size_t i = 0; i < a.size(); ++i)
        EXPECT_LE(closeness(a[i], b[i], 1e-6, 1e-7), 1.0) << "output " << i;
    }
  }
  std::filesystem::remove(split);
  std::filesystem::remove(single);
}

TEST(VirtualDevices, StagedBuffersGiveTheSameNumbers) {
  std::string path = writePlacementModel("vd_staged", kTwoCpus);
  rt::ModelOptions options = virtualCpus(2);
  options.bindHostBuffers = false;
  Built two = buildAndLoad(path, twoDevices(), options);
  ASSERT_TRUE(two.model);
  runAgainstReference(*two.model, path, 3);
  std::filesystem::remove(path);
}

TEST(VirtualDevices, ReportListsTransfersWithBytes) {
  std::string path = writePlacementModel("vd_report", kTwoCpus);
  Built two = buildAndLoad(path, twoDevices(), virtualCpus(2));
  ASSERT_TRUE(two.model);
  for (int i = 0; i < 3; ++i) runAgainstReference(*two.model, path, 7);
  rt::Report r = two.model->report();
  EXPECT_EQ(r.devices, (std::vector<std::string>{"/device:CPU:0", "/device:CPU:1"}));
  ASSERT_EQ(r.transfers.size(), 3u);
  int64_t total = 0;
  for (const rt::TransferReport& t : r.transfers) {
    EXPECT_NE(t.from, t.to);
    EXPECT_EQ(t.bytes, t.label[0] == 'x' ? 7 * 32 : 7 * 16) << t.label;
    EXPECT_GE(t.timeMs, 0.0);
    total += t.bytes;
  }
  std::string text = rt::reportToText(r);
  EXPECT_NE(text.find("a (tanh): kernel k"), std::string::npos) << text;
  EXPECT_NE(text.find("/device:CPU:1\n"), std::string::npos) << text;
  EXPECT_NE(text.find("\ntransfers: 3, " + std::to_string(total) + " B per run\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("h CPU:0->CPU:1"), std::string::npos) << text;
  auto j = nlohmann::json::parse(rt::reportToJson(r));
  ASSERT_EQ(j["transfers"].size(), 3u);
  EXPECT_EQ(j["devices"][1], "/device:CPU:1");
  for (const auto& t : j["transfers"]) {
    EXPECT_TRUE(t["bytes"].is_number_integer());
    EXPECT_TRUE(t["from"].is_string());
    EXPECT_TRUE(t["time_ms"].is_number());
  }
  // Transfers are kernels of the report too, with kind "transfer".
  int transferKernels = 0;
  for (const rt::KernelReport& k : r.kernels) transferKernels += k.kind == "transfer";
  EXPECT_EQ(transferKernels, 3);
  std::filesystem::remove(path);
}

TEST(VirtualDevices, LoadingOnTooFewDevicesListsTheDevicesThatExist) {
  std::string path = writePlacementModel("vd_too_few", kTwoCpus);
  auto built = buildModel(path, twoDevices());
  ASSERT_TRUE(built.ok()) << built.status().message();
  auto bytes = artifactBytes(*built);
  ASSERT_TRUE(bytes.ok());
  auto model = rt::Model::loadBytes(bytes->data(), bytes->size(), "two.dlc");
  ASSERT_FALSE(model.ok());
  // (A GPU machine lists its GPUs after the CPU.)
  std::string m = model.status().message();
  EXPECT_EQ(m.rfind("two.dlc: model needs /device:CPU:1, but this machine has /device:CPU:0", 0),
            0u)
      << m;
  EXPECT_NE(m.find("; use --virtual-devices 2 to split CPU:0"), std::string::npos) << m;
  std::filesystem::remove(path);
}

TEST(VirtualDevices, ADeviceBeyondTheSplitFailsAtLoadWithTheList) {
  std::map<std::string, std::string> devices = kTwoCpus;
  devices["m"] = "/device:CPU:3";
  std::string path = writePlacementModel("vd_cpu3", devices);
  BuildOptions options = twoDevices();
  options.virtualDevices = 4;
  auto built = buildModel(path, options);
  ASSERT_TRUE(built.ok()) << built.status().message();
  auto bytes = artifactBytes(*built);
  ASSERT_TRUE(bytes.ok());
  auto model = rt::Model::loadBytes(bytes->data(), bytes->size(), "cpu3.dlc", virtualCpus(2));
  ASSERT_FALSE(model.ok());
  std::string m = model.status().message();
  EXPECT_EQ(m.rfind("cpu3.dlc: model needs /device:CPU:3, but this machine has /device:CPU:0, "
                    "/device:CPU:1 (virtual)",
                    0),
            0u)
      << m;
  EXPECT_NE(m.find("; use --virtual-devices 4 to split CPU:0"), std::string::npos) << m;
  // With four virtual CPUs it runs.
  auto four = rt::Model::loadBytes(bytes->data(), bytes->size(), "cpu3.dlc", virtualCpus(4));
  ASSERT_TRUE(four.ok()) << four.status().message();
  runAgainstReference(**four, path, 2);
  std::filesystem::remove(path);
}

TEST(VirtualDevices, BuildRefusesADeviceBeyondTheSplit) {
  std::map<std::string, std::string> devices = kTwoCpus;
  devices["m"] = "/device:CPU:3";
  std::string path = writePlacementModel("vd_build_cpu3", devices);
  auto built = buildModel(path, twoDevices());
  ASSERT_FALSE(built.ok());
  std::string m = built.status().message();
  EXPECT_NE(m.find("\"m\""), std::string::npos) << m;
  EXPECT_NE(m.find("device \"/device:CPU:3\" does not exist on target cpu with "
                   "--virtual-devices 2 (its devices: /device:CPU:0, /device:CPU:1)"),
            std::string::npos)
      << m;
  BuildOptions bad;
  bad.virtualDevices = 0;
  auto zero = buildModel(path, bad);
  ASSERT_FALSE(zero.ok());
  EXPECT_NE(zero.status().message().find("--virtual-devices 0 is out of range"), std::string::npos);
  std::filesystem::remove(path);
}

TEST(VirtualDevices, TargetDevicesFollowTheSplit) {
  EXPECT_EQ(targetDevices("cpu", 2),
            (std::vector<std::string>{"/device:CPU:0", "/device:CPU:1"}));
  EXPECT_EQ(targetDevices("cuda"), (std::vector<std::string>{"/device:GPU:0", "/device:CPU:0"}));
  EXPECT_EQ(targetDevices("cuda", 2),
            (std::vector<std::string>{"/device:GPU:0", "/device:GPU:1", "/device:CPU:0",
                                      "/device:CPU:1"}));
}

}  // namespace
}  // namespace dlc::test
