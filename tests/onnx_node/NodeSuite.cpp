// Discovery and end-to-end execution of ONNX backend node test cases
// (NodeSuite.h). The known core bugs the suite trips over are listed once,
// in kKnownIssues below, each with its reason.
#include "tests/onnx_node/NodeSuite.h"

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "compiler/Compiler.h"
#include "frontends/onnx/Converter.h"
#include "frontends/onnx/OnnxModel.h"
#include "frontends/onnx/OnnxTensor.h"
#include "onnx.pb.h"
#include "runtime/src/Model.h"
#include "tests/common/TensorChecks.h"

namespace dlc::onnxnode {

namespace fs = std::filesystem;

namespace {

// Cases not run because of a known bug outside the ONNX frontend, by id,
// with the reason (reported as "skipped" in docs/onnx-support.md).
const std::map<std::string, std::string>& knownIssues() {
  // Tests skipped for a known dlc bug, each with the reason. Empty: the one
  // entry it had (Trilu's select of a [1,5] mask against [3,1,5], miscompiled
  // by loop collapsing) is fixed and covered by tests/ir/LoopCollapseTest.
  static const std::map<std::string, std::string> kKnownIssues = {
  };
  return kKnownIssues;
}

// ONNX's tolerance for the backend tests.
constexpr double kRtol = 1e-3;
constexpr double kAtol = 1e-7;

// The op types of `modelPath` that have no converter ("domain:Op" outside
// the default domain).
std::vector<std::string> missingOps(const std::string& modelPath) {
  std::ifstream in(modelPath, std::ios::binary);
  onnx::ModelProto model;
  if (!in || !model.ParseFromIstream(&in)) return {};
  std::set<std::string> missing;
  for (const onnx::NodeProto& node : model.graph().node()) {
    const std::string& domain = node.domain();
    if (!domain.empty() && domain != "ai.onnx")
      missing.insert(domain + ":" + node.op_type());
    else if (!onnxfe::findConverter(node.op_type()))
      missing.insert(node.op_type());
  }
  return {missing.begin(), missing.end()};
}

std::vector<std::string> sortedFiles(const fs::path& dir, const std::string& prefix) {
  std::vector<std::string> out;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec))
    if (e.path().filename().string().rfind(prefix, 0) == 0) out.push_back(e.path().string());
  // input_10.pb sorts after input_9.pb: order by length, then by name.
  std::sort(out.begin(), out.end(), [](const std::string& a, const std::string& b) {
    return a.size() != b.size() ? a.size() < b.size() : a < b;
  });
  return out;
}

struct DataSet {
  std::vector<Tensor> inputs;
  std::vector<Tensor> outputs;
};

CaseResult unsupportedResult(const std::string& message, std::vector<std::string> ops = {}) {
  CaseResult r;
  r.outcome = Outcome::Unsupported;
  r.message = message;
  r.missingOps = std::move(ops);
  return r;
}

CaseResult failedResult(const std::string& message) {
  CaseResult r;
  r.outcome = Outcome::Failed;
  r.message = message;
  return r;
}

// Compiles `graph` (fused or not), runs every data set and compares.
CaseResult compileAndRun(const ir::Graph& graph, const std::vector<DataSet>& sets, bool fused) {
  const char* mode = fused ? "fused" : "unfused";
  BuildOptions options;
  options.fusion = fused;
  StatusOr<BuildResult> built = compileGraph(graph.clone(), options);
  if (!built.ok()) {
    if (built.status().code() == StatusCode::kUnsupported)
      return unsupportedResult(strCat("compile (", mode, "): ", built.status().message()));
    return failedResult(strCat("compile (", mode, "): ", built.status().message()));
  }
  StatusOr<std::vector<uint8_t>> bytes = artifactBytes(*built);
  if (!bytes.ok()) return failedResult(strCat("artifact: ", bytes.status().message()));
  auto model = rt::Model::loadBytes(bytes->data(), bytes->size(), graph.sourceFile);
  if (!model.ok()) return failedResult(strCat("load (", mode, "): ", model.status().message()));
  for (size_t s = 0; s < sets.size(); ++s) {
    StatusOr<std::vector<Tensor>> outs = (*model)->run(sets[s].inputs);
    if (!outs.ok()) return failedResult(strCat("run (", mode, "): ", outs.status().message()));
    if (outs->size() != sets[s].outputs.size())
      return failedResult(
          strCat(mode, ": ", outs->size(), " outputs, expected ", sets[s].outputs.size()));
    for (size_t o = 0; o < outs->size(); ++o) {
      std::string diff =
          test::mismatch((*outs)[o], sets[s].outputs[o], kRtol, kAtol, /*shown=*/16);
      if (!diff.empty())
        return failedResult(strCat(mode, ", data set ", s, ", output ", o, ": ", diff));
    }
  }
  return CaseResult{};
}

CaseResult runCaseImpl(const NodeCase& c) {
  auto known = knownIssues().find(c.id());
  if (known != knownIssues().end()) {
    CaseResult r;
    r.outcome = Outcome::Skipped;
    r.message = known->second;
    return r;
  }
  std::string modelPath = c.dir + "/model.onnx";
  StatusOr<std::unique_ptr<ir::Graph>> graph = onnxfe::loadOnnx(modelPath);
  if (!graph.ok()) {
    // A model using ops dlc has no converter for (including other domains,
    // which the driver may refuse before conversion) is unsupported.
    std::vector<std::string> missing = missingOps(modelPath);
    if (graph.status().code() == StatusCode::kUnsupported || !missing.empty())
      return unsupportedResult(graph.status().message(), std::move(missing));
    return failedResult(strCat("import: ", graph.status().message()));
  }
  std::vector<DataSet> sets;
  for (const std::string& dir : sortedFiles(c.dir, "test_data_set_")) {
    DataSet set;
    for (const char* kind : {"input_", "output_"}) {
      for (const std::string& file : sortedFiles(dir, kind)) {
        StatusOr<Tensor> t = onnxfe::readTensorFile(file);
        if (!t.ok()) {
          if (t.status().code() == StatusCode::kUnsupported)
            return unsupportedResult(strCat("test data: ", t.status().message()));
          return failedResult(strCat("test data: ", t.status().message()));
        }
        (std::string(kind) == "input_" ? set.inputs : set.outputs).push_back(std::move(*t));
      }
    }
    sets.push_back(std::move(set));
  }
  if (sets.empty()) return failedResult("no test_data_set_* folder");
  if (sets[0].inputs.size() != (*graph)->inputs().size())
    return failedResult(strCat("the model has ", (*graph)->inputs().size(), " inputs, the data ",
                               sets[0].inputs.size()));
  CaseResult fused = compileAndRun(**graph, sets, /*fused=*/true);
  if (fused.outcome != Outcome::Passed) return fused;
  return compileAndRun(**graph, sets, /*fused=*/false);
}

}  // namespace

std::string NodeCase::id() const {
  std::string out = suite + "_" + name;
  for (char& ch : out)
    if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
  return out;
}

const std::vector<std::string>& suiteNames() {
  static const std::vector<std::string> kSuites = {"node", "pytorch-converted", "pytorch-operator",
                                                   "simple"};
  return kSuites;
}

std::vector<NodeCase> discoverCases(const std::string& root) {
  std::vector<NodeCase> cases;
  for (const std::string& suite : suiteNames()) {
    std::vector<NodeCase> found;
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(fs::path(root) / suite, ec)) {
      if (!fs::exists(e.path() / "model.onnx")) continue;
      found.push_back({suite, e.path().filename().string(), e.path().string()});
    }
    std::sort(found.begin(), found.end(),
              [](const NodeCase& a, const NodeCase& b) { return a.name < b.name; });
    cases.insert(cases.end(), found.begin(), found.end());
  }
  return cases;
}

std::string testDataRoot() {
  if (const char* env = std::getenv("DLC_ONNX_TESTDATA")) return env;
  return DLC_ONNX_TESTDATA_DEFAULT;
}

CaseResult runCase(const NodeCase& c) {
  auto start = std::chrono::steady_clock::now();
  CaseResult r = runCaseImpl(c);
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return r;
}

}  // namespace dlc::onnxnode
