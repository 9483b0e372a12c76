// Runs rendered CUDA programs on the CPU through the CudaEmu.h emulation and
// compares them with the reference interpreter.
//
//   emulatedSource   rendered program -> host C++ (toolkit includes replaced
//                    by CudaEmu.h, vector casts alignment-checked, kernels
//                    renamed and wrapped in a namespace, plus a launcher)
//   EmuModule        several programs compiled with the system g++ into one
//                    shared library (cached on disk by source hash), dlopened
//   checkEmulated    every kernel of a plan, at each batch, on host buffers
//                    (one per IR value, params then outputs, as the manifest's
//                    kernels take them), with the rendered launch geometry;
//                    each graph output compared with ref::evaluate
//
// What it deliberately does not do: build artifacts or memory plans, or
// measure anything. It proves the rendered arithmetic and indexing, not the
// performance, of the kernels.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "compiler/backends/cuda/CudaBackend.h"
#include "ir/Graph.h"
#include "ir/Kernel.h"
#include "support/Status.h"

namespace dlc::cuda::emu {

// The host C++ of `program`, its kernels renamed dlc_<tag>_k<i>, with
//   extern "C" const char* dlc_<tag>_launch(int kernel, void* const* args,
//       int numArgs, long long batch, long long grid, unsigned threads)
// returning nullptr or the problem the emulation found.
std::string emulatedSource(const RenderedProgram& program, const std::string& tag);

// Kernel symbol -> its __launch_bounds__ value, from rendered source.
std::map<std::string, int> launchBounds(const std::string& source);

// A shared library holding several emulated programs (program i has tag
// "p<i>").
class EmuModule {
 public:
  ~EmuModule();
  EmuModule(const EmuModule&) = delete;
  EmuModule& operator=(const EmuModule&) = delete;

  // Compiles `programs` with g++ -std=c++20 -O1 into one library.
  static StatusOr<std::unique_ptr<EmuModule>> compile(
      const std::vector<const RenderedProgram*>& programs);

  // Launches kernel `kernel` of program `program` on `grid` blocks.
  Status launch(size_t program, size_t kernel, const std::vector<void*>& args, int64_t batch,
                int64_t grid, int threads) const;

 private:
  EmuModule() = default;
  void* handle_ = nullptr;
  std::vector<void*> launchers_;
};

struct EmuCheckOptions {
  std::vector<int64_t> batches = {1, 5};
  double rtol = 1e-5;
  double atol = 1e-6;
  uint32_t seed = 7;
};

// Runs program `index` of `module` (the rendering of `graph`'s `plan`) at
// every batch (only 1 when no input has a batch) and compares every graph
// output with the reference interpreter; mismatches are test failures.
void checkEmulated(const EmuModule& module, size_t index, const ir::Graph& graph,
                   const ir::KernelPlan& plan, const RenderedProgram& program,
                   const EmuCheckOptions& options, const std::string& what);

}  // namespace dlc::cuda::emu
