// The CUDA backend, in three separate parts as tinygrad splits them:
//   render  (this header)     kernels of a fused program -> CUDA C++ source text
//   compile (CudaCompile.h)   source -> PTX (and CUBIN for --cuda-arch sm_XX)
//                             with NVRTC, loaded with dlopen; cached on disk
//   run     (runtime/src/CudaDevice.h) the driver API, in libdlcrt
//
// Rendering needs no GPU and no toolkit: it is plain text, checked by golden
// tests. Every kernel k becomes
//   extern "C" __global__ void dlc_k<k>(DlcArgs a)
// with the launch geometry the runtime uses (the CUDA ABI in
// runtime/src/Manifest.h). Kernel kinds mirror the CPU backend: loop fusions
// (16-byte vector loads/stores where alignment allows, grid-stride), reductions
// and softmax/log_softmax/layer_norm rows (warp shuffles; one block or one warp
// per row), matmul/dense/conv with fused epilogues (a tiled f32 path,
// tensor cores for f16/bf16 and TF32 behind allowTf32) and pooling.
#pragma once

#include <string>
#include <vector>

#include "ir/Graph.h"
#include "ir/Kernel.h"
#include "runtime/src/Manifest.h"
#include "support/Status.h"

namespace dlc::cuda {

// The architecture used when none is given and no GPU is asked: PTX for
// compute_80 runs (JIT-compiled by the driver) on every GPU from Ampere on.
inline constexpr const char* kDefaultArch = "sm_80";

struct CudaOptions {
  // "sm_90" etc. Empty: kDefaultArch, PTX only. When given, a CUBIN for that
  // exact arch is also built (dlc build --cuda-arch).
  std::string arch;
  bool cubin = false;       // also build a CUBIN for `arch`
  bool allowTf32 = false;   // f32 matmul/conv may use TF32 tensor cores
  std::string cacheDir;     // compile cache; empty: $XDG_CACHE_HOME/dlc/cuda or ~/.cache/dlc/cuda
  bool useCache = true;
};

struct RenderedKernel {
  int id = -1;
  std::string symbol;   // "dlc_k3"
  rt::CudaLaunch launch;
  std::string engine = "nvrtc";
};

struct RenderedProgram {
  std::string source;   // one translation unit: prelude + every kernel
  std::vector<RenderedKernel> kernels;  // in the order they were given
};

// Why `node` has no CUDA lowering (soft placement sends it to the CPU), or
// OK when it has one. Errors name the node.
Status checkSupported(const ir::Node& node);

// The source of `kernels` (members of `graph`, fused by the Fusion pass with
// the GPU policy). Errors name the kernel and node.
StatusOr<RenderedProgram> render(const ir::Graph& graph,
                                 const std::vector<const ir::Kernel*>& kernels,
                                 const CudaOptions& options);

}  // namespace dlc::cuda
