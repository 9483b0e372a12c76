// The CUDA kernel ABI on the host side: the DlcArgs block every dlc kernel
// takes, the grid size a CudaLaunch gives at a batch, and the checks a
// launch geometry must pass before it reaches the driver (Manifest.h
// documents the ABI). Pure functions: no driver, no GPU.
//
// It does not launch anything (CudaDevice does) nor choose the geometry
// (the CUDA backend's renderers do).
#pragma once

#include <cstdint>
#include <string>

#include "runtime/src/Manifest.h"
#include "support/Status.h"

namespace dlc::rt {

// extern "C" __global__ void S(DlcArgs a): passed by value, 520 bytes.
struct DlcArgs {
  void* ptr[kMaxKernelArgs];
  long long batch;
};
static_assert(sizeof(DlcArgs) == kMaxKernelArgs * sizeof(void*) + sizeof(long long),
              "DlcArgs must match the device-side layout");

// The most blocks a 1-D grid may have (gridDim.x).
inline constexpr int64_t kMaxGridBlocks = 2147483647;

// ceil(items(batch) / itemsPerBlock), at least 1, capped at maxBlocks when
// that is > 0. Items below 0 count as 0; itemsPerBlock below 1 as 1.
int64_t launchBlocks(const CudaLaunch& launch, int64_t batch);

// OK when `launch` can be given to the driver: 1 <= threads <= 1024,
// itemsPerBlock >= 1, sharedBytes >= 0, maxBlocks in [0, kMaxGridBlocks].
// Errors name `what` (the artifact and the kernel symbol).
Status checkLaunch(const CudaLaunch& launch, const std::string& what);

// The grid at `batch`, or an error when items(batch) is negative or the
// grid needs more than kMaxGridBlocks blocks (a kernel without maxBlocks
// over more items than one launch can cover).
StatusOr<int64_t> gridBlocks(const CudaLaunch& launch, int64_t batch, const std::string& what);

}  // namespace dlc::rt
