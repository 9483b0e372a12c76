// The text every CUDA translation unit dlc renders starts with, and the
// launch geometry its helpers assume.
//
// The prelude declares the kernel ABI struct (runtime/src/Manifest.h:
// `struct DlcArgs { void* ptr[kMaxKernelArgs]; long long batch; };`), the
// scalar helpers the element renderer calls (NaN-propagating max/min,
// non-trapping integer division, saturating float -> integer casts,
// f16/bf16 rounding) and the warp / block reductions of the reduction, row
// and pool renderers. <cuda_fp16.h> and <cuda_bf16.h> are included only
// when the program uses those dtypes (NVRTC then needs the toolkit's include
// directory, which the compile step passes). It renders no kernels.
#pragma once

#include <string>

namespace dlc::cuda {

// Every kernel runs blocks of kThreadsPerBlock threads (kWarpsPerBlock
// warps); the block reductions assume at most 32 warps.
inline constexpr int kThreadsPerBlock = 256;
inline constexpr int kWarpsPerBlock = kThreadsPerBlock / 32;
// The grid cap of grid-stride kernels: an H100 SXM has 132 SMs, each holding
// 8 blocks of 256 threads; 16 blocks per SM (two full waves) keep every SM
// busy while each thread still handles several items of a large tensor.
// Kernels loop grid-stride over what the capped grid does not cover, so the
// cap is a tuning choice, never a correctness one.
inline constexpr long long kMaxBlocks = 132 * 16;  // 2112

struct PreludeOptions {
  bool f16 = false;   // the program loads, stores or rounds f16 values
  bool bf16 = false;  // ... bf16 values
  bool wmma = false;  // a kernel uses tensor cores (nvcuda::wmma, <mma.h>)
};

std::string renderPrelude(const PreludeOptions& options);

}  // namespace dlc::cuda
