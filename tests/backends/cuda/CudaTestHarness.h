// Test harness for the CUDA backend.
//   CudaTestHarness.cpp   parse IR / fuse / render, golden comparison
//   CudaCompileCheck.cpp  NVRTC compile + ptxas assembly (no GPU needed)
//   CudaGpuRun.cpp        run on a real GPU against the reference; skips
//                         visibly (GTEST_SKIP with the reason) without one
#pragma once

#include <string>
#include <vector>

#include "compiler/backends/cuda/CudaBackend.h"
#include "ir/Graph.h"
#include "ir/Kernel.h"

namespace dlc::cuda::test {

struct Rendered {
  std::unique_ptr<ir::Graph> graph;
  ir::KernelPlan plan;
  RenderedProgram program;
};

// Parses `irText`; with `fuse` runs FusionPass with the GPU fusion policy,
// otherwise takes the kernels from the text's #k annotations; renders all
// kernels. Fails the test (ADD_FAILURE) and returns an empty program on error.
Rendered renderIr(const std::string& irText, bool fuse, const CudaOptions& options = {});

// Compares `source` with golden/<name>.cu. With DLC_UPDATE_GOLDEN=1 in the
// environment it writes the file instead (and the test says so).
void expectGolden(const std::string& name, const std::string& source);

// Compiles with NVRTC for `arch` and assembles the PTX with ptxas
// -arch=<arch>; each failure is a test failure carrying the tool's log.
void expectCompiles(const RenderedProgram& program, const std::string& arch = "sm_90");

struct GpuCheckOptions {
  std::vector<int64_t> batches = {1, 5};
  double rtol = 1e-5;
  double atol = 1e-6;
  uint32_t seed = 7;
};

// Renders, compiles, runs every kernel on GPU 0 at every batch and compares
// every graph output with the reference interpreter. Without a GPU it calls
// GTEST_SKIP() with what is missing.
void checkOnGpu(const std::string& irText, bool fuse, const GpuCheckOptions& options = {});

}  // namespace dlc::cuda::test
