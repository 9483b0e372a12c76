// Node placement requests are checked at build time against the devices the
// target has: a node asking for "/device:GPU:0" or "/device:CPU:1" on the
// CPU target is an error naming the file, the node and the device, instead
// of an artifact the runtime then refuses to load.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "tests/e2e/E2eUtil.h"

namespace dlc::test {
namespace {

std::string writeModel(const std::string& name, const std::string& device) {
  auto path = std::filesystem::temp_directory_path() /
              ("dlc_devices_" + std::to_string(::getpid()) + "_" + name + ".json");
  std::ofstream(path) << R"({"format": "dlc.model", "version": 1, "name": "m",
    "inputs": [{"name": "x", "dtype": "f32", "shape": ["N", 4]}],
    "nodes": [{"name": "e", "op": "exp", "inputs": ["x"]},
              {"name": "r", "op": "relu", "inputs": ["e"], "device": ")" +
                             device + R"("}],
    "outputs": ["r"]})";
  return path.string();
}

TEST(NodeDevices, DeviceTheTargetLacksIsABuildError) {
  for (const char* device : {"/device:GPU:0", "/device:CPU:1", "/device:GPU:3"}) {
    SCOPED_TRACE(device);
    std::string path = writeModel("missing", device);
    auto built = buildModel(path, BuildOptions{});
    ASSERT_FALSE(built.ok());
    std::string m = built.status().message();
    EXPECT_NE(m.find(path), std::string::npos) << m;
    EXPECT_NE(m.find("\"r\""), std::string::npos) << m;
    EXPECT_NE(m.find(std::string("\"") + device + "\""), std::string::npos) << m;
    EXPECT_NE(m.find("does not exist on target cpu"), std::string::npos) << m;
    EXPECT_NE(m.find("(its devices: /device:CPU:0)"), std::string::npos) << m;
    std::filesystem::remove(path);
  }
}

TEST(NodeDevices, TheTargetsOwnDeviceBuildsAndIsReported) {
  std::string path = writeModel("cpu0", "/device:CPU:0");
  auto built = buildModel(path, BuildOptions{});
  ASSERT_TRUE(built.ok()) << built.status().message();
  for (const auto& p : built->manifest.placement) {
    if (p.kernel >= 0) {
      EXPECT_EQ(p.device, "/device:CPU:0") << p.node;
    }
  }
  std::filesystem::remove(path);
}

TEST(NodeDevices, MalformedDeviceIsStillExplainedByItsSyntax) {
  std::string path = writeModel("malformed", "gpu0");
  auto built = buildModel(path, BuildOptions{});
  ASSERT_FALSE(built.ok());
  EXPECT_NE(built.status().message().find("invalid device \"gpu0\""), std::string::npos)
      << built.status().message();
}

TEST(NodeDevices, TargetDevices) {
  EXPECT_EQ(targetDevices("cpu"), (std::vector<std::string>{"/device:CPU:0"}));
  EXPECT_TRUE(targetDevices("tpu").empty());
}

}  // namespace
}  // namespace dlc::test
