// Test harness for the CPU backend: parse IR text (with #k kernel
// annotations) or run fusion, compile with dlc::cpu::compile, dlopen the
// shared object, run every kernel over [0, extent) (optionally split into
// chunks, to check disjointness), and compare with the reference interpreter.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "compiler/backends/cpu/CpuBackend.h"
#include "ir/Graph.h"
#include "ir/Kernel.h"
#include "support/Tensor.h"
#include "tests/common/TensorChecks.h"

namespace dlc::cpu::test {

// A dlopen'ed shared object, unloaded and deleted on destruction.
class LoadedObject {
 public:
  ~LoadedObject();
  static std::unique_ptr<LoadedObject> load(const std::vector<uint8_t>& bytes, std::string& error);
  void* symbol(const std::string& name) const;

 private:
  void* handle_ = nullptr;
  std::string path_;
};

// Seeded random inputs and elementwise comparison (tests/common).
using dlc::test::expectNear;
using dlc::test::randomInputs;
using dlc::test::Range;

// Runs the plan's kernels from `mod` and returns the graph outputs.
std::vector<Tensor> runCompiled(const ir::Graph& graph, const ir::KernelPlan& plan,
                                const CompiledCode& mod, const std::vector<Tensor>& inputs,
                                int64_t batch, int chunks);

// "  %name = constant() {value = dense<[...]>} : f32[rows,cols]\n" (f32[cols]
// for rows = 0) with values from a fixed pattern in [-1, 1], for graphs
// with constant weights.
std::string constantLine(const std::string& name, int rows, int cols, int salt);

struct CheckOptions {
  std::vector<int64_t> batches = {1, 5};
  Range range;
  double rtol = 1e-5;
  double atol = 1e-6;
  uint32_t seed = 7;
  // Fixed inputs (graphs without the batch symbol); random ones when empty.
  std::vector<Tensor> inputs;
  // The CPU the code is for (CpuCompileOptions::cpu); it must run here.
  std::string cpu = "native";
  // How conv2d kernels are computed (CpuCompileOptions::conv).
  ConvAlgorithm conv = ConvAlgorithm::kAuto;
  // When not empty: every note of the compiled code (CompiledCode::
  // kernelNotes: one per conv kernel) contains it, and there is one.
  std::string notesContain;
  // When >= 0: how many constants the kernels must read pre-packed
  // (CompiledCode::packedConstants).
  int prepackedConstants = -1;
};

// Parses `irText` (kernels from #k annotations), compiles, runs at every
// batch with 1 and 3 chunks, and compares every output with the reference.
void checkAgainstReference(const std::string& irText, const CheckOptions& options = {});
// Same, for a graph whose kernels come from FusionPass + CpuFusionPolicy.
// Returns the number of kernels.
int checkFusedAgainstReference(const std::string& irText, const CheckOptions& options = {});

}  // namespace dlc::cpu::test
