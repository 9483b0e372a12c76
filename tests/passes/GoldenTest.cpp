// Runs every tests/passes/*.ir golden: parse the input graph, run the passes
// its // RUN: line names (verifying after each), print, and compare with the
// text after // EXPECT:. One test per file. DLC_UPDATE_GOLDENS=1 rewrites
// the expectations from the actual output instead of comparing.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "GoldenFile.h"
#include "ir/Parser.h"
#include "ir/Printer.h"
#include "passes/PassManager.h"

namespace dlc::passes::testing {
namespace {

namespace fs = std::filesystem;

std::vector<std::string> goldenFiles() {
  std::vector<std::string> files;
  for (const auto& entry : fs::directory_iterator(DLC_TEST_DATA_DIR))
    if (entry.is_regular_file() && entry.path().extension() == ".ir")
      files.push_back(entry.path().filename().string());
  std::sort(files.begin(), files.end());
  return files;
}

std::string joinLines(const std::vector<std::string>& lines) {
  std::string s;
  for (const std::string& l : lines) s += "  " + l + "\n";
  return s;
}

class PassGolden : public ::testing::TestWithParam<std::string> {};

TEST_P(PassGolden, MatchesExpectation) {
  fs::path path = fs::path(DLC_TEST_DATA_DIR) / GetParam();
  std::ifstream file(path, std::ios::binary);
  ASSERT_TRUE(file) << "cannot read " << path;
  std::stringstream buffer;
  buffer << file.rdbuf();
  const std::string text = buffer.str();

  StatusOr<GoldenCase> golden = parseGoldenFile(text, GetParam());
  ASSERT_TRUE(golden.ok()) << golden.status().toString();
  StatusOr<std::unique_ptr<ir::Graph>> graph = ir::parseGraph(golden->input, GetParam());
  ASSERT_TRUE(graph.ok()) << graph.status().toString();
  StatusOr<Pipeline> pipeline = parsePassList(golden->passList);
  ASSERT_TRUE(pipeline.ok()) << pipeline.status().toString();
  PassManagerOptions options;
  options.verifyEach = true;
  StatusOr<std::vector<PassTiming>> ran = runPipeline(*pipeline, **graph, options);
  ASSERT_TRUE(ran.ok()) << ran.status().toString();

  const std::string actual = ir::printGraph(**graph);
  if (const char* update = std::getenv("DLC_UPDATE_GOLDENS"); update && *update == '1') {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << withExpectation(text, actual);
    GTEST_SKIP() << "rewrote the expectation of " << GetParam();
  }
  std::vector<std::string> want = normalizedLines(golden->expected);
  std::vector<std::string> got = normalizedLines(actual);
  EXPECT_EQ(want, got) << GetParam() << " after passes \"" << golden->passList
                       << "\"\nexpected:\n" << joinLines(want) << "actual:\n" << joinLines(got);
}

std::string testName(const ::testing::TestParamInfo<std::string>& info) {
  std::string name = fs::path(info.param).stem().string();
  for (char& c : name)
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  return name;
}

INSTANTIATE_TEST_SUITE_P(Goldens, PassGolden, ::testing::ValuesIn(goldenFiles()), testName);
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(PassGolden);

}  // namespace
}  // namespace dlc::passes::testing
