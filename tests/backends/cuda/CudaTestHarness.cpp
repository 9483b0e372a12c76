// IR text -> (fusion) -> rendered CUDA source, and golden comparison. See
// CudaTestHarness.h. NVRTC/ptxas checks live in CudaCompileCheck.cpp, GPU
// runs in CudaGpuRun.cpp.
#include "tests/backends/cuda/CudaTestHarness.h"

#include <cstdlib>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

#include "compiler/backends/cuda/CudaFusionPolicy.h"
#include "ir/Parser.h"
#include "passes/Fusion.h"

namespace dlc::cuda::test {

Rendered renderIr(const std::string& irText, bool fuse, const CudaOptions& options) {
  Rendered r;
  StatusOr<std::unique_ptr<ir::Graph>> graph = ir::parseGraph(irText, "test.ir");
  if (!graph.ok()) {
    ADD_FAILURE() << graph.status().toString();
    return r;
  }
  r.graph = std::move(*graph);
  if (fuse) {
    CudaFusionPolicy policy;
    passes::FusionPass pass(policy);
    StatusOr<bool> changed = pass.run(*r.graph);
    if (!changed.ok()) {
      ADD_FAILURE() << changed.status().toString();
      return r;
    }
    r.plan = pass.plan();
  } else {
    StatusOr<ir::KernelPlan> plan = ir::buildKernelPlan(*r.graph);
    if (!plan.ok()) {
      ADD_FAILURE() << plan.status().toString();
      return r;
    }
    r.plan = std::move(*plan);
  }
  std::vector<const ir::Kernel*> kernels;
  for (const ir::Kernel& k : r.plan.kernels) kernels.push_back(&k);
  StatusOr<RenderedProgram> program = render(*r.graph, kernels, options);
  if (!program.ok()) {
    ADD_FAILURE() << program.status().toString();
    return r;
  }
  r.program = std::move(*program);
  return r;
}

void expectGolden(const std::string& name, const std::string& source) {
  std::string path = std::string(DLC_CUDA_GOLDEN_DIR) + "/" + name + ".cu";
  const char* update = std::getenv("DLC_UPDATE_GOLDEN");
  if (update && std::string(update) == "1") {
    std::ofstream(path, std::ios::binary) << source;
    std::cout << "[golden] wrote " << path << "\n";
    return;
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    ADD_FAILURE() << "missing golden file " << path
                  << " (run with DLC_UPDATE_GOLDEN=1 to create it)";
    return;
  }
  std::stringstream golden;
  golden << in.rdbuf();
  if (golden.str() == source) return;
  // Point at the first differing line.
  std::istringstream a(golden.str()), b(source);
  std::string la, lb;
  int line = 1;
  while (true) {
    bool ha = bool(std::getline(a, la)), hb = bool(std::getline(b, lb));
    if (!ha && !hb) break;
    if (!ha || !hb || la != lb) {
      ADD_FAILURE() << name << ".cu differs from the rendered source at line " << line
                    << "\n  golden:   " << (ha ? la : "<end>") << "\n  rendered: "
                    << (hb ? lb : "<end>")
                    << "\n(run with DLC_UPDATE_GOLDEN=1 to accept the new text)";
      return;
    }
    ++line;
  }
}

}  // namespace dlc::cuda::test
