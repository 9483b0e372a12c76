// Checks the driver API values CudaDriver.h declares (so that libdlcrt needs
// no cuda.h) against the toolkit's cuda.h, at compile time. CudaDriver.h is
// included first: cuda.h's #defines (cuMemAlloc -> cuMemAlloc_v2, ...) must
// not rename the Driver struct's members.
#include "runtime/src/CudaDriver.h"

#include <gtest/gtest.h>

#ifdef DLC_HAVE_CUDA_H
// cuda.h spells this one as a macro: read dlc's value before it exists.
constexpr unsigned kDlcHostAllocPortable = dlc::rt::cu::CU_MEMHOSTALLOC_PORTABLE;

#include <cuda.h>

namespace cu = dlc::rt::cu;

#define DLC_SAME(name) static_assert(int(cu::name) == int(::name), #name " differs from cuda.h")
DLC_SAME(CUDA_SUCCESS);
DLC_SAME(CUDA_ERROR_OUT_OF_MEMORY);
DLC_SAME(CUDA_ERROR_NOT_INITIALIZED);
DLC_SAME(CUDA_ERROR_NO_DEVICE);
DLC_SAME(CUDA_ERROR_INVALID_DEVICE);
DLC_SAME(CUDA_ERROR_INVALID_IMAGE);
DLC_SAME(CUDA_ERROR_NO_BINARY_FOR_GPU);
DLC_SAME(CUDA_ERROR_INVALID_PTX);
DLC_SAME(CUDA_ERROR_UNSUPPORTED_PTX_VERSION);
DLC_SAME(CUDA_ERROR_NOT_FOUND);
DLC_SAME(CUDA_ERROR_NOT_READY);
DLC_SAME(CUDA_ERROR_STREAM_CAPTURE_UNSUPPORTED);
DLC_SAME(CUDA_ERROR_STREAM_CAPTURE_INVALIDATED);
DLC_SAME(CU_DEVICE_ATTRIBUTE_MAX_THREADS_PER_BLOCK);
DLC_SAME(CU_DEVICE_ATTRIBUTE_MAX_GRID_DIM_X);
DLC_SAME(CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT);
DLC_SAME(CU_DEVICE_ATTRIBUTE_MEMORY_CLOCK_RATE);
DLC_SAME(CU_DEVICE_ATTRIBUTE_GLOBAL_MEMORY_BUS_WIDTH);
DLC_SAME(CU_DEVICE_ATTRIBUTE_MAX_THREADS_PER_MULTIPROCESSOR);
DLC_SAME(CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR);
DLC_SAME(CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR);
DLC_SAME(CU_DEVICE_ATTRIBUTE_MAX_SHARED_MEMORY_PER_BLOCK_OPTIN);
DLC_SAME(CU_FUNC_ATTRIBUTE_MAX_THREADS_PER_BLOCK);
DLC_SAME(CU_FUNC_ATTRIBUTE_SHARED_SIZE_BYTES);
DLC_SAME(CU_FUNC_ATTRIBUTE_NUM_REGS);
DLC_SAME(CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES);
DLC_SAME(CU_JIT_INFO_LOG_BUFFER);
DLC_SAME(CU_JIT_INFO_LOG_BUFFER_SIZE_BYTES);
DLC_SAME(CU_JIT_ERROR_LOG_BUFFER);
DLC_SAME(CU_JIT_ERROR_LOG_BUFFER_SIZE_BYTES);
DLC_SAME(CU_STREAM_NON_BLOCKING);
DLC_SAME(CU_EVENT_DEFAULT);
DLC_SAME(CU_STREAM_CAPTURE_MODE_THREAD_LOCAL);
#undef DLC_SAME
static_assert(kDlcHostAllocPortable == CU_MEMHOSTALLOC_PORTABLE);

// Handles and enums are passed with the same size as cuda.h's.
static_assert(sizeof(cu::CUresult) == sizeof(::CUresult));
static_assert(sizeof(cu::CUdevice) == sizeof(::CUdevice));
static_assert(sizeof(cu::CUdeviceptr) == sizeof(::CUdeviceptr));
static_assert(sizeof(int) == sizeof(::CUdevice_attribute));
static_assert(sizeof(int) == sizeof(::CUfunction_attribute));
static_assert(sizeof(int) == sizeof(::CUjit_option));
static_assert(sizeof(int) == sizeof(::CUstreamCaptureMode));

TEST(CudaDriverAbi, MatchesCudaH) { SUCCEED() << "checked at compile time against cuda.h"; }
#else
TEST(CudaDriverAbi, MatchesCudaH) { GTEST_SKIP() << "cuda.h not found: nothing to compare with"; }
#endif
