// Fusion goldens: tests/passes/fusion/*.ir.
//
//   // RUN: fusion            (or: fusion-unfused)
//   graph @g(...) { ... }     <- the input graph
//   // EXPECT:
//   graph @g(...) { ... }     <- the graph printed after fusion (#k<id> per node)
//   // REFUSALS:
//   // no fuse: a -> b: why   <- the pass's refusal lines, in order
//
// Graph lines are compared after trimming, ignoring blank and comment lines.
// DLC_UPDATE_GOLDENS=1 rewrites the expectations from the actual output.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "ir/Parser.h"
#include "ir/Printer.h"
#include "tests/passes/FusionTestUtil.h"

namespace dlc::passes::testing {
namespace {

namespace fs = std::filesystem;

std::string readFile(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string trim(const std::string& s) {
  size_t b = s.find_first_not_of(" \t\r");
  size_t e = s.find_last_not_of(" \t\r");
  return b == std::string::npos ? "" : s.substr(b, e - b + 1);
}

// Trimmed graph lines (no blanks, no comments).
std::vector<std::string> graphLines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    line = trim(line);
    if (!line.empty() && line.rfind("//", 0) != 0) out.push_back(line);
  }
  return out;
}

struct FusionGolden {
  std::string mode;  // "fusion" or "fusion-unfused"
  std::string input;
  std::string expected;
  std::vector<std::string> refusals;
};

FusionGolden parseGolden(const std::string& text) {
  FusionGolden g;
  enum { kInput, kExpect, kRefusals } section = kInput;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    std::string t = trim(line);
    if (t.rfind("// RUN:", 0) == 0) {
      g.mode = trim(t.substr(7));
    } else if (t == "// EXPECT:") {
      section = kExpect;
    } else if (t == "// REFUSALS:") {
      section = kRefusals;
    } else if (section == kRefusals) {
      if (t.rfind("// ", 0) == 0) g.refusals.push_back(t.substr(3));
    } else {
      (section == kInput ? g.input : g.expected) += line + "\n";
    }
  }
  return g;
}

std::string withExpectations(const std::string& text, const std::string& graph,
                             const std::vector<std::string>& refusals) {
  std::string out = text.substr(0, text.find("// EXPECT:"));
  out += "// EXPECT:\n" + graph + "// REFUSALS:\n";
  for (const std::string& r : refusals) out += "// " + r + "\n";
  return out;
}

std::vector<std::string> goldenFiles() {
  std::vector<std::string> files;
  fs::path dir = fs::path(DLC_TEST_DATA_DIR) / "fusion";
  if (fs::exists(dir))
    for (const auto& entry : fs::directory_iterator(dir))
      if (entry.path().extension() == ".ir") files.push_back(entry.path().filename().string());
  std::sort(files.begin(), files.end());
  return files;
}

class FusionGoldenTest : public ::testing::TestWithParam<std::string> {};

TEST_P(FusionGoldenTest, Matches) {
  fs::path path = fs::path(DLC_TEST_DATA_DIR) / "fusion" / GetParam();
  std::string text = readFile(path);
  FusionGolden golden = parseGolden(text);
  ASSERT_TRUE(golden.mode == "fusion" || golden.mode == "fusion-unfused")
      << path << ": expected a // RUN: fusion line, got \"" << golden.mode << "\"";
  auto graph = ir::parseGraph(golden.input, path.string());
  ASSERT_TRUE(graph.ok()) << graph.status().toString();
  Fused f = fuse(**graph, /*enabled=*/golden.mode == "fusion");
  std::string actual = ir::printGraph(**graph);
  if (const char* update = std::getenv("DLC_UPDATE_GOLDENS"); update && std::string(update) == "1") {
    std::ofstream(path) << withExpectations(text, actual, f.refusals);
    GTEST_SKIP() << "updated " << path;
  }
  EXPECT_EQ(graphLines(actual), graphLines(golden.expected)) << "actual:\n" << actual;
  EXPECT_EQ(f.refusals, golden.refusals);
}

INSTANTIATE_TEST_SUITE_P(Goldens, FusionGoldenTest, ::testing::ValuesIn(goldenFiles()),
                         [](const ::testing::TestParamInfo<std::string>& info) {
                           std::string name = info.param.substr(0, info.param.size() - 3);
                           for (char& c : name)
                             if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
                           return name;
                         });

}  // namespace
}  // namespace dlc::passes::testing
