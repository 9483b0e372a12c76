// Self-checks of the host CUDA emulation (CudaEmu.h) on hand-written kernels:
// warp shuffles, barriers with exited threads, deadlock and misalignment
// reports, static shared memory across blocks, RNE half/bf16 conversions and
// wmma layouts. EmulatedGpuTest.cpp trusts these when it runs the renderer's
// kernels.
#include <cstdint>
#include <cstring>
#include <vector>

#include <gtest/gtest.h>

#include "tests/backends/cuda/emu/EmuRunner.h"

namespace dlc::cuda::emu {
namespace {

const char* kKernels = R"(
struct DlcArgs { void* ptr[64]; long long batch; };
extern "C" __global__ void __launch_bounds__(64) dlc_k0(DlcArgs a) {
  int* out = (int*)a.ptr[0];
  const int t = threadIdx.x;
  const int g = blockIdx.x * blockDim.x + t;
  const int v = g * 10;
  out[g * 5 + 0] = __shfl_xor_sync(0xffffffffu, v, 5);
  out[g * 5 + 1] = __shfl_down_sync(0xffffffffu, v, 3);
  out[g * 5 + 2] = __shfl_up_sync(0xffffffffu, v, 2);
  out[g * 5 + 3] = __shfl_sync(0xffffffffu, v, 7);
  __shared__ int s[64];
  s[t] = g;
  __syncthreads();
  out[g * 5 + 4] = s[(t + 1) % blockDim.x];
}
extern "C" __global__ void __launch_bounds__(64) dlc_k1(DlcArgs a) {
  int* out = (int*)a.ptr[0];
  if (threadIdx.x >= 40) return;
  __syncthreads();
  out[threadIdx.x] = 1 + (int)__shfl_xor_sync(0xffffffffu, threadIdx.x, 1);
}
extern "C" __global__ void __launch_bounds__(64) dlc_k2(DlcArgs a) {
  int v = threadIdx.x;
  if (threadIdx.x == 0) __syncthreads();
  else v = __shfl_xor_sync(0xffffffffu, v, 1);
  ((int*)a.ptr[0])[threadIdx.x] = v;
}
extern "C" __global__ void __launch_bounds__(32) dlc_k3(DlcArgs a) {
  const float4 v = reinterpret_cast<const float4*>((const float*)a.ptr[0] + 1)[0];
  ((float*)a.ptr[1])[threadIdx.x] = v.x;
}
extern "C" __global__ void __launch_bounds__(32) dlc_k4(DlcArgs a) {
  const float* in = (const float*)a.ptr[0];
  unsigned short* h = (unsigned short*)a.ptr[1];
  unsigned short* b = (unsigned short*)a.ptr[2];
  if (threadIdx.x < 4) {
    __half x = __float2half_rn(in[threadIdx.x]);
    __nv_bfloat16 y = __float2bfloat16_rn(in[threadIdx.x]);
    memcpy(&h[threadIdx.x], &x, 2);
    memcpy(&b[threadIdx.x], &y, 2);
  }
}
extern "C" __global__ void __launch_bounds__(32) dlc_k5(DlcArgs a) {
  nvcuda::wmma::fragment<nvcuda::wmma::matrix_a, 16, 16, 16, __half, nvcuda::wmma::col_major> fa;
  nvcuda::wmma::fragment<nvcuda::wmma::matrix_b, 16, 16, 16, __half, nvcuda::wmma::row_major> fb;
  nvcuda::wmma::fragment<nvcuda::wmma::accumulator, 16, 16, 16, float> acc;
  nvcuda::wmma::fill_fragment(acc, 1.0f);
  nvcuda::wmma::load_matrix_sync(fa, (const __half*)a.ptr[0], 16);
  nvcuda::wmma::load_matrix_sync(fb, (const __half*)a.ptr[1], 16);
  nvcuda::wmma::mma_sync(acc, fa, fb, acc);
  nvcuda::wmma::store_matrix_sync((float*)a.ptr[2], acc, 16, nvcuda::wmma::mem_col_major);
}
)";

class CudaEmuTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    program_ = new RenderedProgram;
    program_->source = kKernels;
    for (int k = 0; k < 6; ++k) program_->kernels.push_back({k, "dlc_k" + std::to_string(k)});
    auto m = EmuModule::compile({program_});
    ASSERT_TRUE(m.ok()) << m.status().toString();
    module_ = m->release();
  }
  static void TearDownTestSuite() {
    delete module_;
    delete program_;
  }
  static RenderedProgram* program_;
  static EmuModule* module_;
};
RenderedProgram* CudaEmuTest::program_ = nullptr;
EmuModule* CudaEmuTest::module_ = nullptr;

TEST_F(CudaEmuTest, WarpShufflesAndSharedMemoryPerBlock) {
  ASSERT_TRUE(module_);
  std::vector<int> out(2 * 64 * 5, -1);
  ASSERT_TRUE(module_->launch(0, 0, {out.data()}, 1, /*grid=*/2, /*threads=*/64).ok());
  for (int g = 0; g < 128; ++g) {
    const int lane = g % 32, warp0 = g - lane, t = g % 64;
    EXPECT_EQ(out[g * 5 + 0], (warp0 + (lane ^ 5)) * 10) << g;
    EXPECT_EQ(out[g * 5 + 1], (lane + 3 < 32 ? g + 3 : g) * 10) << g;
    EXPECT_EQ(out[g * 5 + 2], (lane >= 2 ? g - 2 : g) * 10) << g;
    EXPECT_EQ(out[g * 5 + 3], (warp0 + 7) * 10) << g;
    EXPECT_EQ(out[g * 5 + 4], g - t + (t + 1) % 64) << g;
  }
}

TEST_F(CudaEmuTest, ExitedThreadsCountAsArrived) {
  ASSERT_TRUE(module_);
  std::vector<int> out(64, 0);
  Status st = module_->launch(0, 1, {out.data()}, 1, 1, 64);
  ASSERT_TRUE(st.ok()) << st.toString();
  for (int t = 0; t < 40; ++t) EXPECT_EQ(out[t], 1 + (t ^ 1)) << t;
  for (int t = 40; t < 64; ++t) EXPECT_EQ(out[t], 0) << t;
}

TEST_F(CudaEmuTest, DeadlockIsReported) {
  ASSERT_TRUE(module_);
  std::vector<int> out(64, 0);
  Status st = module_->launch(0, 2, {out.data()}, 1, 1, 64);
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.toString().find("deadlock in block 0"), std::string::npos) << st.toString();
}

TEST_F(CudaEmuTest, MisalignedVectorAccessIsReported) {
  ASSERT_TRUE(module_);
  alignas(16) float in[8] = {1, 2, 3, 4, 5, 6, 7, 8};
  std::vector<float> out(32);
  Status st = module_->launch(0, 3, {in, out.data()}, 1, 1, 32);
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.toString().find("misaligned 16-byte vector access"), std::string::npos)
      << st.toString();
}

TEST_F(CudaEmuTest, HalfAndBf16RoundToNearestEven) {
  ASSERT_TRUE(module_);
  // Ties: 1 + 2^-11 (f16) and 1 + 2^-8 (bf16) go down to even, 1 + 3 * 2^-11
  // and 1 + 3 * 2^-8 go up; the last is between ties.
  float in[4] = {1.0f + 0x1p-11f, 1.0f + 3 * 0x1p-11f, 1.0f + 0x1p-8f, 1.0f + 3 * 0x1p-8f};
  uint16_t h[4], b[4];
  ASSERT_TRUE(module_->launch(0, 4, {in, h, b}, 1, 1, 32).ok());
  EXPECT_EQ(h[0], 0x3C00);
  EXPECT_EQ(h[1], 0x3C02);
  EXPECT_EQ(h[2], 0x3C04);
  EXPECT_EQ(h[3], 0x3C0C);
  EXPECT_EQ(b[0], 0x3F80);
  EXPECT_EQ(b[1], 0x3F80);
  EXPECT_EQ(b[2], 0x3F80);
  EXPECT_EQ(b[3], 0x3F82);
}

TEST_F(CudaEmuTest, WmmaLayouts) {
  ASSERT_TRUE(module_);
  // Small integers: exact in f16 and in f32 sums.
  std::vector<_Float16> a(256), b(256);
  for (int i = 0; i < 256; ++i) {
    a[i] = _Float16((i * 7) % 5 - 2);
    b[i] = _Float16((i * 3) % 7 - 3);
  }
  std::vector<float> d(256, 0);
  ASSERT_TRUE(module_->launch(0, 5, {a.data(), b.data(), d.data()}, 1, 1, 32).ok());
  for (int i = 0; i < 16; ++i)
    for (int j = 0; j < 16; ++j) {
      float s = 1.0f;
      for (int k = 0; k < 16; ++k) s += float(a[k * 16 + i]) * float(b[k * 16 + j]);  // A col-major
      EXPECT_EQ(d[j * 16 + i], s) << i << "," << j;  // stored col-major
    }
}

}  // namespace
}  // namespace dlc::cuda::emu
