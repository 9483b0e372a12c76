// The dlc command line: help on every subcommand, the JSON outputs the docs
// promise, clear errors (naming file and node) for bad models, range-checked
// numbers, --cpu, --conv-algorithm, and no abort or exception on any input.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <nlohmann/json.hpp>

#include "compiler/tools/dlc/ModelSession.h"
#include "compiler/tools/dlc/SvgPlot.h"
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
  for (const char* cmd : {"build", "run", "compare", "eval", "devices", "bench"}) {
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

// The Keras tutorial model, saved by Keras itself, evaluated straight from the
// .keras file with the tutorial's preprocessing: the accuracy Keras reported.
TEST(Cli, EvalOfTheKerasModelMatchesKerasAccuracy) {
  const char* images = "/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz";
  if (!std::filesystem::exists(images)) GTEST_SKIP() << "dataset-fashion-mnist not installed";
  std::string fixtures = std::string(DLC_SOURCE_DIR) + "/tests/fixtures/keras/";
  std::ifstream f(fixtures + "fashion_mnist_expected.json");
  nlohmann::json expected = nlohmann::json::parse(f);
  std::string args = std::string(" --images ") + images +
                     " --labels /usr/share/datasets/fashion-mnist/t10k-labels-idx1-ubyte.gz";
  for (const char* file : {"fashion_mnist.keras", "fashion_mnist.h5", "fashion_mnist.json"}) {
    std::string out;
    ASSERT_EQ(0, runCommand(cli() + " eval " + fixtures + file + args + " --scale 1/255 --json",
                            &out))
        << out;
    EXPECT_EQ(jsonOf(out)["correct"], expected["correct"]) << file;
  }
  // Without --scale the float input gets raw pixels, and eval says so.
  std::string out;
  ASSERT_EQ(0, runCommand(cli() + " eval " + fixtures + "fashion_mnist.keras" + args + " --json",
                          &out));
  EXPECT_NE(out.find("needs --scale 1/255"), std::string::npos) << out;
  // --scale is checked, and refused for a u8 input.
  EXPECT_EQ(1, runCommand(cli() + " eval " + fixtures + "fashion_mnist.keras" + args +
                              " --scale 1/0", &out));
  EXPECT_NE(out.find("expected a number or A/B"), std::string::npos) << out;
  EXPECT_EQ(1, runCommand(cli() + " eval " + examplePath("fashion_mnist_mlp.json") + args +
                              " --scale 1/255", &out));
  EXPECT_NE(out.find("applies to float inputs"), std::string::npos) << out;
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

// Writes an IDX file (u8) with the given extents and no data.
void writeEmptyIdx(const std::string& path, std::vector<uint32_t> dims) {
  std::ofstream out(path, std::ios::binary);
  out.put(0).put(0).put(0x08).put(char(dims.size()));
  for (uint32_t d : dims)
    for (int shift = 24; shift >= 0; shift -= 8) out.put(char((d >> shift) & 0xff));
}

bool aborted(const std::string& out) {
  return out.find("terminate") != std::string::npos || out.find("Abort") != std::string::npos;
}

TEST(Cli, IterationsAndBatchAreRangeChecked) {
  std::string model = examplePath("fashion_mnist_mlp.json");
  struct Case {
    std::string args;
    std::string message;
  };
  for (const Case& c : std::vector<Case>{
           {"run " + model + " --iterations 0", "--iterations must be between 1 and 1000000, got 0"},
           {"run " + model + " --iterations 4294967297",
            "--iterations must be between 1 and 1000000, got 4294967297"},
           {"run " + model + " --batch 0", "--batch must be between 1 and 2147483648, got 0"},
           {"run " + model + " --batch 100000000000",
            "--batch must be between 1 and 2147483648, got 100000000000"},
           {"compare " + model + " --iterations 1000001", "--iterations must be between"},
           {"compare " + model + " --batch -3", "--batch must be between"},
           {"eval " + model + " --images a --labels b --batch 0", "--batch must be between"},
       }) {
    std::string out;
    EXPECT_EQ(1, runCommand(cli() + " " + c.args, &out)) << c.args;
    EXPECT_NE(out.find(c.message), std::string::npos) << c.args << "\n" << out;
    EXPECT_FALSE(aborted(out)) << out;
  }
}

TEST(Cli, HugeRandomInputIsAnErrorNotAnAbort) {
  // 2^40 floats per image: at batch 2^22 the input's byte size overflows int64.
  std::string dir = tempDir();
  std::ofstream(dir + "/huge.json") << R"({"format": "dlc.model", "version": 1, "name": "huge",
    "inputs": [{"name": "x", "dtype": "f32", "shape": ["N", 1099511627776]}],
    "nodes": [{"name": "r", "op": "relu", "inputs": ["x"]}],
    "outputs": ["r"]})";
  std::string out;
  EXPECT_EQ(1, runCommand(cli() + " run " + dir + "/huge.json --batch 4194304", &out));
  EXPECT_NE(out.find("dlc run: random input \"x\" at batch 4194304"), std::string::npos) << out;
  EXPECT_FALSE(aborted(out)) << out;
  std::filesystem::remove_all(dir);
}

TEST(Cli, EvalOnAnEmptySetIsAnError) {
  std::string dir = tempDir();
  writeEmptyIdx(dir + "/images", {0, 28, 28});
  writeEmptyIdx(dir + "/labels", {0});
  std::string out;
  EXPECT_EQ(1, runCommand(cli() + " eval " + examplePath("fashion_mnist_mlp.json") + " --images " +
                              dir + "/images --labels " + dir + "/labels --json",
                          &out));
  EXPECT_NE(out.find("no images"), std::string::npos) << out;
  EXPECT_EQ(out.find("nan"), std::string::npos) << out;
  EXPECT_EQ(out.find("NaN"), std::string::npos) << out;
  std::filesystem::remove_all(dir);
}

TEST(Cli, JsonOutputSurvivesNonUtf8Paths) {
  std::string dir = tempDir();
  std::string outDir = dir + "/out\xff\xfe";  // not UTF-8
  std::string out;
  ASSERT_EQ(0, runCommand(cli() + " run " + examplePath("fashion_mnist_mlp.json") +
                              " --json --output-dir '" + outDir + "'",
                          &out))
      << out;
  EXPECT_NE(out.find("\xEF\xBF\xBD"), std::string::npos) << out;  // U+FFFD
  nlohmann::json j = jsonOf(out);
  EXPECT_EQ(j["outputs"][0]["name"], "probs");
  EXPECT_TRUE(std::filesystem::exists(outDir + "/probs.npy"));
  std::filesystem::remove_all(dir);
}

TEST(Cli, EveryCommandSharesTheTargetCheck) {
  std::string model = examplePath("fashion_mnist_mlp.json");
  for (const char* cmd : {"build", "run", "compare", "eval"}) {
    std::string out;
    EXPECT_EQ(1, runCommand(cli() + " " + cmd + " " + model + " --target tpu", &out)) << cmd;
    EXPECT_NE(out.find(std::string("dlc ") + cmd + ": unknown target \"tpu\""),
              std::string::npos)
        << out;
  }
  std::string out;
  EXPECT_EQ(2, runCommand(cli() + " devices --target cpu", &out));  // devices has no --target
  EXPECT_NE(out.find("unknown option --target"), std::string::npos) << out;
}

TEST(Cli, InternalErrorsAreReportedNotThrown) {
  ::testing::internal::CaptureStderr();
  int code = cli::guardInternalErrors([]() -> int { throw std::runtime_error("boom"); });
  std::string err = ::testing::internal::GetCapturedStderr();
  EXPECT_EQ(code, 1);
  EXPECT_EQ(err, "dlc: internal error: boom\n");
  ::testing::internal::CaptureStderr();
  code = cli::guardInternalErrors([]() -> int { throw 42; });
  err = ::testing::internal::GetCapturedStderr();
  EXPECT_EQ(code, 1);
  EXPECT_NE(err.find("dlc: internal error"), std::string::npos);
  EXPECT_EQ(cli::guardInternalErrors([] { return 7; }), 7);
}

TEST(Cli, BuildForAGenericCpu) {
  std::string dir = tempDir();
  std::string out;
  ASSERT_EQ(0, runCommand(cli() + " build " + examplePath("fashion_mnist_mlp.json") +
                              " --cpu generic -o " + dir + "/g.dlc --dump-ir " + dir + "/ir",
                          &out))
      << out;
  std::ifstream s(dir + "/ir/kernels.s");
  std::string assembly((std::istreambuf_iterator<char>(s)), std::istreambuf_iterator<char>());
  EXPECT_FALSE(assembly.empty());
  EXPECT_EQ(assembly.find("%ymm"), std::string::npos);
  EXPECT_EQ(assembly.find("%zmm"), std::string::npos);
  EXPECT_EQ(0, runCommand(cli() + " run " + dir + "/g.dlc --batch 2", &out)) << out;
  EXPECT_EQ(1, runCommand(cli() + " build " + examplePath("fashion_mnist_mlp.json") +
                              " --cpu pentium-ultra-9000 -o " + dir + "/x.dlc",
                          &out));
  EXPECT_NE(out.find("unknown CPU \"pentium-ultra-9000\""), std::string::npos) << out;
  EXPECT_EQ(0, runCommand(cli() + " build --help", &out));
  EXPECT_NE(out.find("--cpu CPU"), std::string::npos) << out;
  std::filesystem::remove_all(dir);
}

// --conv-algorithm picks how the CNN's convs run, and --verbose says which
// (and why not direct); an unknown algorithm is an error naming the flag.
TEST(Cli, ConvAlgorithmIsChosenAndReported) {
  std::string dir = tempDir();
  std::string out;
  ASSERT_EQ(0, runCommand(cli() + " build " + examplePath("cnn.json") + " -o " + dir +
                              "/a.dlc --verbose",
                          &out))
      << out;
  EXPECT_NE(out.find("conv2d+relu: direct conv, "), std::string::npos) << out;
  out.clear();  // runCommand appends
  ASSERT_EQ(0, runCommand(cli() + " build " + examplePath("cnn.json") + " -o " + dir +
                              "/i.dlc --conv-algorithm im2col --verbose",
                          &out))
      << out;
  EXPECT_NE(out.find("conv2d+relu: im2col GEMM (--conv-algorithm im2col)"), std::string::npos)
      << out;
  EXPECT_EQ(out.find("direct conv"), std::string::npos) << out;
  out.clear();
  EXPECT_EQ(0, runCommand(cli() + " run " + dir + "/i.dlc --batch 3", &out)) << out;
  out.clear();
  EXPECT_EQ(1, runCommand(cli() + " build " + examplePath("cnn.json") + " -o " + dir +
                              "/x.dlc --conv-algorithm winograd",
                          &out));
  EXPECT_NE(out.find("--conv-algorithm must be auto, direct or im2col, got \"winograd\""),
            std::string::npos)
      << out;
  std::filesystem::remove_all(dir);
}

TEST(Cli, BenchOnTheCpu) {
  std::string out;
  ASSERT_EQ(0, runCommand(cli() + " bench " + examplePath("fashion_mnist_mlp.json") +
                              " --batch 1,4 --iterations 2",
                          &out))
      << out;
  EXPECT_NE(out.find("median of 2 runs"), std::string::npos) << out;
  EXPECT_NE(out.find("unfused items/s"), std::string::npos) << out;
  EXPECT_EQ(2, std::count(out.begin(), out.end(), '\n') - 2) << out;  // header lines + 2 rows
  ASSERT_EQ(0, runCommand(cli() + " bench " + examplePath("fashion_mnist_mlp.json") +
                              " --batch 3 --iterations 1 --json",
                          &out))
      << out;
  nlohmann::json j = jsonOf(out);
  EXPECT_EQ(j["targets"], nlohmann::json::array({"cpu"}));
  ASSERT_EQ(j["results"].size(), 1u);
  EXPECT_EQ(j["results"][0]["batch"], 3);
  EXPECT_EQ(j["results"][0]["device"], "/device:CPU:0");
  EXPECT_TRUE(j["unavailable"].empty());
  EXPECT_TRUE(j["speedup_gpu_over_cpu"].empty());
}

// A node placed on /device:CPU:1 runs on one CPU split in two; without the
// split the runtime says which flag to use.
TEST(Cli, VirtualDevicesOnTheCpu) {
  std::string dir = tempDir();
  std::filesystem::copy_file(examplePath("fashion_mnist_mlp.safetensors"),
                             dir + "/fashion_mnist_mlp.safetensors",
                             std::filesystem::copy_options::overwrite_existing);
  std::ifstream in(examplePath("fashion_mnist_mlp.json"));
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const std::string relu = R"("op": "relu", "inputs": ["dense1"])";
  ASSERT_NE(text.find(relu), std::string::npos);
  text.replace(text.find(relu), relu.size(), relu + R"(, "device": "/device:CPU:1")");
  std::ofstream(dir + "/vd.json") << text;
  std::string out;
  EXPECT_EQ(1, runCommand(cli() + " build " + dir + "/vd.json -o " + dir + "/vd.dlc", &out));
  EXPECT_NE(out.find("/device:CPU:1"), std::string::npos) << out;
  ASSERT_EQ(0, runCommand(cli() + " build " + dir + "/vd.json --virtual-devices 2 -o " + dir +
                              "/vd.dlc",
                          &out))
      << out;
  EXPECT_EQ(1, runCommand(cli() + " run " + dir + "/vd.dlc", &out));
  EXPECT_NE(out.find("--virtual-devices 2"), std::string::npos) << out;
  ASSERT_EQ(0, runCommand(cli() + " run " + dir + "/vd.dlc --virtual-devices 2 --batch 2"
                              " --log-device-placement",
                          &out))
      << out;
  auto line = out.find("hidden (relu): kernel");
  ASSERT_NE(line, std::string::npos) << out;
  EXPECT_NE(out.substr(line, out.find('\n', line) - line).find("/device:CPU:1"), std::string::npos)
      << out;
  std::filesystem::remove_all(dir);
}

int occurrences(const std::string& text, const std::string& what) {
  int n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

TEST(Cli, SvgPlotDrawsLogLogLines) {
  cli::LogLogPlot plot;
  plot.title = "a<b & \"c\"";
  plot.xLabel = "batch";
  plot.yLabel = "ms";
  plot.series.push_back({"cpu fused", {{1, 0.01}, {1000, 2.0}, {64, 0.1}}, "#1f77b4", false});
  plot.series.push_back({"cpu unfused", {{1, 0.02}, {0, 5.0}, {64, -1}}, "#1f77b4", true});
  std::string svg = cli::renderLogLogSvg(plot);
  EXPECT_EQ(svg.rfind("<svg xmlns=\"http://www.w3.org/2000/svg\"", 0), 0u);
  EXPECT_EQ(svg.substr(svg.size() - 7), "</svg>\n");
  EXPECT_EQ(occurrences(svg, "<polyline"), 2);
  EXPECT_EQ(occurrences(svg, "<circle"), 4);  // points a log axis cannot show are left out
  EXPECT_EQ(occurrences(svg, "stroke-dasharray"), 2);  // the dashed line and its legend entry
  EXPECT_NE(svg.find("a&lt;b &amp; &quot;c&quot;"), std::string::npos);
  EXPECT_EQ(svg.find("a<b"), std::string::npos);
  // Decades 1..1000 on x and 0.01..10 on y, the points sorted by x: the first
  // point sits on the left edge (x = 80) and the last on the right (x = 520).
  for (const char* tick : {">1<", ">10<", ">100<", ">1000<", ">0.01<", ">0.1<", ">10<"})
    EXPECT_NE(svg.find(tick), std::string::npos) << tick;
  auto line = svg.find("<polyline");
  auto points = svg.find("points=\"", line);
  EXPECT_EQ(svg.substr(points + 8, 6), "80.00,") << svg.substr(line, 200);
  EXPECT_NE(svg.find("520.00,", points), std::string::npos);

  cli::LogLogPlot empty;
  std::string blank = cli::renderLogLogSvg(empty);
  EXPECT_EQ(blank.rfind("<svg", 0), 0u);
  EXPECT_EQ(occurrences(blank, "<polyline"), 0);
  EXPECT_EQ(cli::xmlEscape("'&'"), "&apos;&amp;&apos;");
}

}  // namespace
}  // namespace dlc::test
