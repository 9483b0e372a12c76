// `dlc export` through the CLI binary: the summary line, --onnx and --opset,
// a file dlc imports and runs to the same outputs, and the exact error text
// for a wrong extension, a bad --opset and an unwritable path (with no file
// left behind).
#include <gtest/gtest.h>

#include <filesystem>

#include "support/Npy.h"
#include "tests/e2e/E2eUtil.h"

namespace dlc::test {
namespace {

namespace fs = std::filesystem;

std::string cli() { return DLC_CLI; }

std::string tempDir(const std::string& name) { return freshTempDir("dlc_export_cli", name); }

TEST(ExportCli, WritesAModelThatRunsToTheSameOutputs) {
  std::string dir = tempDir("mlp");
  std::string model = examplePath("fashion_mnist_mlp.json");
  std::string out;
  ASSERT_EQ(0, runCommand(cli() + " export " + model + " -o " + dir + "/m.onnx", &out)) << out;
  EXPECT_EQ(out, "exported " + model + " -> " + dir +
                     "/m.onnx: opset 17, 1 input, 1 output, 7 nodes (7 ONNX nodes), "
                     "5 initializers, 407084 weight bytes\n");
  ASSERT_EQ(0, runCommand(cli() + " export --onnx " + model + " -o " + dir + "/m22.onnx --opset 22",
                          &out))
      << out;
  EXPECT_NE(out.find(": opset 22, "), std::string::npos) << out;
  ASSERT_EQ(0, runCommand(cli() + " run " + model + " --batch 3 --output-dir " + dir + "/a", &out))
      << out;
  ASSERT_EQ(0, runCommand(cli() + " run " + dir + "/m.onnx --batch 3 --output-dir " + dir + "/b",
                          &out))
      << out;
  auto want = readNpy(dir + "/a/probs.npy");
  auto got = readNpy(dir + "/b/probs.npy");
  ASSERT_TRUE(want.ok() && got.ok());
  EXPECT_LE(closeness(*got, *want, 1e-5, 1e-6), 1.0);
  fs::remove_all(dir);
}

TEST(ExportCli, ErrorsAreExact) {
  std::string dir = tempDir("errors");
  std::string model = examplePath("cnn.json");
  std::string out;
  out.clear();  // runCommand appends
  EXPECT_EQ(1, runCommand(cli() + " export " + model + " -o " + dir + "/m.pb", &out));
  EXPECT_EQ(out, "dlc export: " + dir +
                     "/m.pb: unknown export format \".pb\"; dlc exports ONNX: name the output "
                     "OUT.onnx\n");
  out.clear();  // runCommand appends
  EXPECT_EQ(1, runCommand(cli() + " export " + model + " -o " + dir + "/m.onnx --opset 16", &out));
  EXPECT_EQ(out, "dlc export: --opset must be between 17 and 22, got 16\n");
  out.clear();  // runCommand appends
  EXPECT_EQ(1, runCommand(cli() + " export " + model + " -o " + dir + "/no/such/m.onnx", &out));
  EXPECT_EQ(out, "dlc export: " + dir +
                     "/no/such/m.onnx: cannot write the ONNX model: No such file or directory\n");
  out.clear();  // runCommand appends
  EXPECT_EQ(1, runCommand(cli() + " export " + model, &out));
  EXPECT_EQ(out, "dlc export: give the ONNX file to write with -o OUT.onnx\n");
  EXPECT_TRUE(fs::is_empty(dir));
  fs::remove_all(dir);
}

}  // namespace
}  // namespace dlc::test
