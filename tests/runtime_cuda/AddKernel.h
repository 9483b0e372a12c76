// The kernel the CUDA device tests load: dlc_test_add in PTX with dlc's
// DlcArgs ABI, its CudaCode bytes and its KernelDesc.
#pragma once

#include <string>
#include <vector>

#include "runtime/src/CudaCode.h"
#include "runtime/src/Manifest.h"

namespace dlc::rt::test {

// extern "C" __global__ void dlc_test_add(DlcArgs a): out = x + y over
// 4 x batch floats, one item per thread (no grid-stride loop). Generated once
// with `nvcc --ptx -arch=sm_80 -O3` from
//   long long i = blockIdx.x * (long long)blockDim.x + threadIdx.x;
//   if (i < a.batch * 4)
//     ((float*)a.ptr[2])[i] = ((const float*)a.ptr[0])[i] + ((const float*)a.ptr[1])[i];
// with .version lowered from 9.0 to 7.0 (ptxas accepts it for sm_80 and
// sm_90), so that drivers older than CUDA 13 JIT it too.
constexpr const char* kAddPtx = R"(
.version 7.0
.target sm_80
.address_size 64

.visible .entry dlc_test_add(
	.param .align 8 .b8 dlc_test_add_param_0[520]
)
{
	.reg .pred 	%p<2>;
	.reg .f32 	%f<4>;
	.reg .b32 	%r<4>;
	.reg .b64 	%rd<19>;

	mov.b64 	%rd3, dlc_test_add_param_0;
	mov.u32 	%r1, %ctaid.x;
	mov.u32 	%r2, %ntid.x;
	mul.wide.u32 	%rd5, %r1, %r2;
	mov.u32 	%r3, %tid.x;
	cvt.u64.u32 	%rd6, %r3;
	add.s64 	%rd1, %rd5, %rd6;
	add.s64 	%rd2, %rd3, 512;
	ld.param.u64 	%rd7, [dlc_test_add_param_0+512];
	shl.b64 	%rd8, %rd7, 2;
	setp.ge.s64 	%p1, %rd1, %rd8;
	@%p1 bra 	$L__BB0_2;

	ld.param.u64 	%rd9, [%rd2+-512];
	cvta.to.global.u64 	%rd10, %rd9;
	shl.b64 	%rd11, %rd1, 2;
	add.s64 	%rd12, %rd10, %rd11;
	ld.param.u64 	%rd13, [%rd2+-504];
	cvta.to.global.u64 	%rd14, %rd13;
	add.s64 	%rd15, %rd14, %rd11;
	ld.global.f32 	%f1, [%rd15];
	ld.global.f32 	%f2, [%rd12];
	add.f32 	%f3, %f2, %f1;
	ld.param.u64 	%rd16, [%rd2+-496];
	cvta.to.global.u64 	%rd17, %rd16;
	add.s64 	%rd18, %rd17, %rd11;
	st.global.f32 	[%rd18], %f3;

$L__BB0_2:
	ret;
}
)";

inline std::vector<uint8_t> addCode() {
  CudaCode code;
  code.ptxArch = "compute_80";
  code.ptx = kAddPtx;
  return serializeCudaCode(code);
}

inline KernelDesc addKernel(const std::string& symbol = "dlc_test_add") {
  KernelDesc k;
  k.id = 0;
  k.symbol = symbol;
  k.kind = "loop";
  k.args = {0, 1, 2};
  k.numParams = 2;
  k.launch.items = Affine::batched(4);
  k.launch.itemsPerBlock = 128;
  k.launch.threads = 128;
  return k;
}

}  // namespace dlc::rt::test
