// ONNX's backend node tests as GoogleTest cases: one parameterized test per
// test folder (so ctest runs them in parallel). Unsupported cases skip with
// the reason; failures name the output and its worst element.
//
// `dlc_onnx_node_tests --report FILE` instead runs every case in this one
// process and writes the support table (docs/onnx-support.md).
#include <gtest/gtest.h>

#include <cstdio>
#include <cstring>

#include "tests/onnx_node/NodeSuite.h"
#include "tests/onnx_node/SupportReport.h"

namespace dlc::onnxnode {
namespace {}  // namespace

// Test names in ctest and gtest output: "node/test_abs".
void PrintTo(const NodeCase& c, std::ostream* os) { *os << c.suite << "/" << c.name; }

namespace {

class OnnxNodeTest : public ::testing::TestWithParam<NodeCase> {};

TEST_P(OnnxNodeTest, MatchesExpectedOutputs) {
  CaseResult r = runCase(GetParam());
  switch (r.outcome) {
    case Outcome::Passed:
      break;
    case Outcome::Failed:
      FAIL() << r.message;
      break;
    case Outcome::Skipped:
      GTEST_SKIP() << "known core bug: " << r.message;
      break;
    case Outcome::Unsupported: {
      std::string ops;
      for (const std::string& op : r.missingOps) ops += (ops.empty() ? "" : ", ") + op;
      GTEST_SKIP() << "unsupported" << (ops.empty() ? "" : " ops " + ops) << ": " << r.message;
      break;
    }
  }
}

std::string caseName(const ::testing::TestParamInfo<NodeCase>& info) { return info.param.id(); }

INSTANTIATE_TEST_SUITE_P(Onnx, OnnxNodeTest, ::testing::ValuesIn(discoverCases(testDataRoot())),
                         caseName);
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(OnnxNodeTest);

}  // namespace
}  // namespace dlc::onnxnode

int main(int argc, char** argv) {
  for (int i = 1; i + 1 < argc; ++i) {
    if (std::strcmp(argv[i], "--report") != 0) continue;
    auto failed = dlc::onnxnode::writeSupportReport(argv[i + 1]);
    if (!failed.ok()) {
      std::fprintf(stderr, "%s\n", failed.status().message().c_str());
      return 2;
    }
    return *failed == 0 ? 0 : 1;
  }
  ::testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
