// The dlc command line: help on every subcommand, the JSON outputs the docs
// promise, and clear errors (naming file and node) for bad models.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "tests/e2e/E2eUtil.h"

namespace dlc::test {
namespace {

std::string cli() { return DLC_CLI; }

std::string tempDir() {
  auto dir = std::filesystem::temp_directory_path() / ("dlc_cli_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  return dir.string();
}

nlohmann::json jsonOf(const std::string& text) {
  auto start = text.find('{');
  EXPECT_NE(start, std::string::npos) << text;
  return nlohmann::json::parse(text.substr(start));
}

TEST(Cli, HelpOnEverySubcommand) {
  for (const char* cmd : {"build", "run", "compare", "eval", "devices"}) {
    std::string out;
    EXPECT_EQ(0, runCommand(cli() + " " + cmd + " --help", &out)) << cmd;
    EXPECT_NE(out.find(std::string("usage: dlc ") + cmd), std::string::npos) << out;
  }
  std::string out;
  EXPECT_EQ(2, runCommand(cli() + " frobnicate", &out));
  EXPECT_NE(out.find("unknown command"), std::string::npos);
  EXPECT_EQ(2, runCommand(cli() + " build --bogus x.json", &out));
}

TEST(Cli, BuildWritesArtifactAndExplainsFusion) {
  std::string dir = tempDir();
  std::string out;
  ASSERT_EQ(0, runCommand(cli() + " build " + examplePath("fashion_mnist_mlp.json") +
                              " --target cpu -o " + dir + "/m.dlc --explain-fusion --time-passes"
                              " --dump-ir " + dir + "/ir --dot " + dir + "/g.dot",
                          &out))
      << out;
  EXPECT_TRUE(std::filesystem::exists(dir + "/m.dlc"));
  EXPECT_TRUE(std::filesystem::exists(dir + "/ir/00-input.ir"));
  EXPECT_TRUE(std::filesystem::exists(dir + "/ir/kernels.ll"));
  EXPECT_TRUE(std::filesystem::exists(dir + "/g.dot"));
  EXPECT_NE(out.find("kernels ("), std::string::npos) << out;
  EXPECT_NE(out.find("(unchanged)"), std::string::npos) << out;

  std::string run;
  ASSERT_EQ(0, runCommand(cli() + " run " + dir + "/m.dlc --batch 3 --log-device-placement"
                              " --output-dir " + dir + "/out",
                          &run))
      << run;
  for (const char* node : {"pixels", "scaled", "flat", "dense1", "hidden", "logits", "probs"})
    EXPECT_NE(run.find(node), std::string::npos) << node << " missing from\n" << run;
  EXPECT_NE(run.find("/device:CPU:0"), std::string::npos);
  EXPECT_TRUE(std::filesystem::exists(dir + "/out/probs.npy"));
  std::filesystem::remove_all(dir);
}

TEST(Cli, CompareJson) {
  std::string out;
  ASSERT_EQ(0, runCommand(cli() + " compare " + examplePath("fashion_mnist_mlp.json") +
                              " --target cpu --batch 8 --iterations 3 --json",
                          &out))
      << out;
  nlohmann::json j = jsonOf(out);
  for (const char* side : {"fused", "unfused"})
    for (const char* field : {"kernels", "bytes", "median_ms"})
      EXPECT_TRUE(j[side].contains(field)) << side << "." << field;
  EXPECT_LT(j["fused"]["kernels"].get<int>(), j["unfused"]["kernels"].get<int>());
  EXPECT_LT(j["fused"]["bytes"].get<int64_t>(), j["unfused"]["bytes"].get<int64_t>());
  EXPECT_LT(j["max_abs_diff"].get<double>(), 1e-5);
  EXPECT_TRUE(j.contains("max_rel_diff"));
  EXPECT_GT(j["speedup"].get<double>(), 0.0);
}

TEST(Cli, DevicesJson) {
  std::string out;
  ASSERT_EQ(0, runCommand(cli() + " devices --json", &out)) << out;
  nlohmann::json j = jsonOf(out);
  ASSERT_FALSE(j["devices"].empty());
  EXPECT_EQ(j["devices"][0]["name"], "/device:CPU:0");
  EXPECT_EQ(j["devices"][0]["kind"], "CPU");
  EXPECT_GT(j["devices"][0]["cores"].get<int>(), 0);
}

TEST(Cli, EvalReproducesRecordedAccuracy) {
  const char* images = "/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz";
  if (!std::filesystem::exists(images)) GTEST_SKIP() << "dataset-fashion-mnist not installed";
  std::string out;
  ASSERT_EQ(0, runCommand(cli() + " eval " + examplePath("fashion_mnist_mlp.json") +
                              " --images " + images +
                              " --labels /usr/share/datasets/fashion-mnist/"
                              "t10k-labels-idx1-ubyte.gz --batch 500 --json",
                          &out))
      << out;
  std::ifstream f(examplePath("fashion_mnist_mlp.expected.json"));
  nlohmann::json expected = nlohmann::json::parse(f);
  nlohmann::json j = jsonOf(out);
  EXPECT_EQ(j["correct"], expected["correct"]);
  EXPECT_EQ(j["images"], 10000);
  EXPECT_GT(j["images_per_s"].get<double>(), 0);
}

TEST(Cli, BadModelErrorNamesFileAndNode) {
  std::string dir = tempDir();
  std::ofstream(dir + "/bad.json") << R"({"format": "dlc.model", "version": 1, "name": "bad",
    "inputs": [{"name": "x", "dtype": "f32", "shape": ["N", 4]}],
    "nodes": [{"name": "h", "op": "matmul", "inputs": ["x", "x"]}],
    "outputs": ["h"]})";
  std::string out;
  EXPECT_EQ(1, runCommand(cli() + " build " + dir + "/bad.json -o " + dir + "/bad.dlc", &out));
  EXPECT_NE(out.find("bad.json"), std::string::npos) << out;
  EXPECT_NE(out.find("\"h\""), std::string::npos) << out;
  EXPECT_EQ(out.find("terminate"), std::string::npos) << out;

  EXPECT_EQ(1, runCommand(cli() + " run " + dir + "/missing.dlc", &out));
  EXPECT_EQ(1, runCommand(cli() + " build " + examplePath("fashion_mnist_mlp.json") +
                              " --target tpu",
                          &out));
  EXPECT_NE(out.find("unknown target"), std::string::npos) << out;
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace dlc::test
