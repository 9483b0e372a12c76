// ONNX's backend node test suite (Debian's libonnx-testdata) run through
// dlc: discovery of the test folders and one test case end to end.
//
// A case imports model.onnx with the ONNX frontend, compiles it twice for
// the CPU (fused and unfused), runs every test_data_set_* and compares each
// output with the expected one: dtype, dims and values within ONNX's
// tolerance (rtol 1e-3, atol 1e-7). An import refused as kUnsupported, or
// test data of a dtype dlc has no type for, makes the case "unsupported"
// with the ONNX op types the converter table lacks (or the reason).
//
// What this deliberately does not do: run on a GPU, or download the "real"
// model suite (it ships URLs only).
#pragma once

#include <string>
#include <vector>

namespace dlc::onnxnode {

struct NodeCase {
  std::string suite;  // "node", "pytorch-converted", "pytorch-operator", "simple"
  std::string name;   // the folder name: "test_abs"
  std::string dir;    // the folder
  // A gtest-safe unique name: "node_test_abs".
  std::string id() const;
};

enum class Outcome { Passed, Failed, Unsupported, Skipped };

struct CaseResult {
  Outcome outcome = Outcome::Passed;
  std::string message;                  // why it failed / is unsupported / skipped
  std::vector<std::string> missingOps;  // op types without a converter (unsupported)
  double seconds = 0;
};

// The suites under `root`, in report order.
const std::vector<std::string>& suiteNames();
// The test folders (with a model.onnx) of every suite under `root`, sorted.
std::vector<NodeCase> discoverCases(const std::string& root);
// The data root: $DLC_ONNX_TESTDATA, else the configured default.
std::string testDataRoot();
// Runs one case end to end.
CaseResult runCase(const NodeCase& c);

}  // namespace dlc::onnxnode
