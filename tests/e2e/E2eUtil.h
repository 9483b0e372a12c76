// Helpers for end-to-end tests: compile an example, run it through the
// runtime, compare tensors.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "compiler/Compiler.h"
#include "runtime/src/Model.h"
#include "support/Tensor.h"

namespace dlc::test {

std::string examplePath(const std::string& file);

struct Compiled {
  BuildResult build;
  std::vector<uint8_t> artifact;
  std::unique_ptr<rt::Model> model;
};

// Builds `model` (fused or not) and loads the artifact bytes in the runtime.
Compiled compileAndLoad(const std::string& modelPath, bool fused);

// Random inputs for the graph's declared inputs at `batch` (fixed seed).
std::vector<Tensor> randomInputs(const ir::Graph& graph, int64_t batch, uint64_t seed);

// max |a - b| / (atol + rtol * |b|) over all elements; <= 1 means "close".
double closeness(const Tensor& a, const Tensor& b, double rtol, double atol);

// An empty directory <tmp>/<prefix>_<pid>_<name>, created afresh.
std::string freshTempDir(const std::string& prefix, const std::string& name);

// Runs the shell command and returns its exit code; output goes to `out`.
int runCommand(const std::string& command, std::string* out);

}  // namespace dlc::test
