// Reduction, row (softmax / log_softmax / layer_norm) and pool kernels
// rendered as CUDA C++, with fused producers and epilogues: golden text,
// NVRTC + ptxas for sm_90, kernel counts and launch geometry, and (on a GPU)
// the numbers against the reference interpreter.
#include <gtest/gtest.h>

#include "tests/backends/cuda/CudaTestHarness.h"

namespace dlc::cuda::test {
namespace {

Rendered check(const std::string& golden, const std::string& ir, bool fuse, size_t kernels,
               const GpuCheckOptions& gpu = {}) {
  Rendered r = renderIr(ir, fuse);
  EXPECT_EQ(r.program.kernels.size(), kernels) << r.program.source;
  expectGolden(golden, r.program.source);
  expectCompiles(r.program, "sm_90");
  checkOnGpu(ir, fuse, gpu);
  return r;
}

TEST(CudaReduction, AxesAndKeepdims) {
  Rendered r = check("reduce_axes", R"(graph @t(%x: f32[N,4,5]) {
  %a = reduce_sum(%x) {axes = [1]} : f32[N,5] #k0
  %b = reduce_mean(%x) {axes = [0,2]} : f32[4] #k1
  %c = reduce_max(%x) {axes = [-1], keepdims = 1} : f32[N,4,1] #k2
  %d = reduce_min(%x) {axes = [1,2], keepdims = 1} : f32[N,1,1] #k3
  %e = reduce_sum(%x) : f32[] #k4
  return %a, %b, %c, %d, %e
})", /*fuse=*/false, 5, GpuCheckOptions{{1, 5}, 1e-5, 1e-5, 7});
  ASSERT_EQ(r.program.kernels.size(), 5u);
  // Column form (last dim kept): one thread per output.
  EXPECT_EQ(r.program.kernels[0].launch.itemsPerBlock, 256);
  EXPECT_EQ(r.program.kernels[0].launch.items.perBatch, 5);
  // Reducing over the batch: a block per output.
  EXPECT_EQ(r.program.kernels[1].launch.itemsPerBlock, 1);
  EXPECT_EQ(r.program.kernels[1].launch.items.fixed, 4);
  // Short static rows: a warp per output, 8 per block.
  EXPECT_EQ(r.program.kernels[2].launch.itemsPerBlock, 8);
  EXPECT_EQ(r.program.kernels[2].launch.items.perBatch, 4);
}

TEST(CudaReduction, FusedProducersAndEpilogue) {
  check("reduce_fused", R"(graph @t(%x: f32[N,7,300], %y: f32[300], %s: f32[7]) {
  %a = mul(%x, %y) : f32[N,7,300] #k0
  %e = exp(%a) : f32[N,7,300] #k0
  %r = reduce_sum(%e) {axes = [2]} : f32[N,7] #k0
  %d = div(%r, %s) : f32[N,7] #k0
  %l = log(%d) : f32[N,7] #k0
  return %l, %r, %a
})", /*fuse=*/false, 1, GpuCheckOptions{{1, 5}, 2e-5, 1e-5, 7});
}

TEST(CudaReduction, LongRowsEmptyExtentsAndIntegers) {
  check("reduce_long_int", R"(graph @t(%x: f32[N,0,3], %i: i32[N,6], %z: f32[3,5000]) {
  %s = reduce_sum(%x) {axes = [1]} : f32[N,3] #k0
  %m = reduce_max(%x) {axes = [1]} : f32[N,3] #k1
  %a = reduce_mean(%x) {axes = [1]} : f32[N,3] #k2
  %q = reduce_sum(%i) {axes = [1]} : i32[N] #k3
  %w = reduce_min(%i) {axes = [1]} : i32[N] #k4
  %l = reduce_max(%z) {axes = [1]} : f32[3] #k5
  %t = reduce_sum(%z) {axes = [1]} : f32[3] #k6
  return %s, %m, %a, %q, %w, %l, %t
})", /*fuse=*/false, 7, GpuCheckOptions{{1, 5}, 1e-4, 1e-4, 7});
}

TEST(CudaRow, SoftmaxAndLogSoftmaxWithProducersAndEpilogue) {
  check("row_softmax", R"(graph @t(%x: f32[N,3,40], %b: f32[40]) {
  %a = mul(%x, %b) : f32[N,3,40] #k0
  %s = softmax(%a) : f32[N,3,40] #k0
  %k = mul(%s, %x) : f32[N,3,40] #k0
  %l = log_softmax(%x) {axis = 1} : f32[N,3,40] #k1
  %m = softmax(%x) {axis = 0} : f32[N,3,40] #k2
  %n = neg(%l) : f32[N,3,40] #k1
  return %k, %n, %m
})", /*fuse=*/false, 3);
}

TEST(CudaRow, LongRowsUseABlock) {
  Rendered r = check("row_long", R"(graph @t(%x: f32[2,20000], %y: f32[2,3000]) {
  %e = tanh(%x) : f32[2,20000] #k0
  %s = softmax(%e) : f32[2,20000] #k0
  %l = log_softmax(%y) : f32[2,3000] #k1
  return %s, %l
})", /*fuse=*/false, 2, GpuCheckOptions{{1}, 1e-4, 1e-9, 7});
  ASSERT_EQ(r.program.kernels.size(), 2u);
  EXPECT_EQ(r.program.kernels[0].launch.itemsPerBlock, 1);
  EXPECT_EQ(r.program.kernels[0].launch.items.fixed, 2);
  // 3000 elements over 256 threads: 12 held in registers each.
  EXPECT_NE(r.program.source.find("float xs[12];"), std::string::npos);
}

TEST(CudaRow, LayerNorm) {
  check("row_layer_norm", R"(graph @t(%x: f32[N,6,16], %g: f32[6,16], %b: f32[6,16], %h: f32[16]) {
  %r = relu(%x) : f32[N,6,16] #k0
  %n = layer_norm(%r, %g, %b) {axis = 1, epsilon = 0.001} : f32[N,6,16] #k0
  %a = add(%n, %x) : f32[N,6,16] #k0
  %m = layer_norm(%x, %h) : f32[N,6,16] #k1
  %t = transpose(%m) {perm = [0,2,1]} : f32[N,16,6] #k1
  return %a, %t, %r
})", /*fuse=*/false, 2, GpuCheckOptions{{1, 5}, 2e-5, 1e-5, 7});
}

TEST(CudaPool, MaxAvgAndGlobal) {
  check("pool_all", R"(graph @t(%x: f32[N,3,9,7]) {
  %s = sigmoid(%x) : f32[N,3,9,7] #k0
  %m = max_pool2d(%s) {kernel = [2,2]} : f32[N,3,4,3] #k0
  %r = relu(%m) : f32[N,3,4,3] #k0
  %v = avg_pool2d(%x) {kernel = [3,3], pads = [1,1,1,1], strides = [2,3]} : f32[N,3,5,3] #k1
  %w = avg_pool2d(%x) {count_include_pad = 1, kernel = [3,3], pads = [1,1,1,1], strides = [2,3]} : f32[N,3,5,3] #k2
  %g = global_avg_pool(%x) : f32[N,3,1,1] #k3
  %f = flatten(%g) : f32[N,3] #k3
  return %r, %v, %w, %f, %s
})", /*fuse=*/false, 4);
}

TEST(CudaFused, NormalisationBlockFormsTheCpuKernels) {
  check("fused_norm_block", R"(graph @t(%x: f32[N,10,32], %g: f32[32], %b: f32[32]) {
  %h = gelu(%x) : f32[N,10,32]
  %n = layer_norm(%h, %g, %b) : f32[N,10,32]
  %s = softmax(%n) : f32[N,10,32]
  %r = reduce_mean(%s) {axes = [1]} : f32[N,32]
  %p = reshape(%x) {shape = [-1,1,10,32]} : f32[N,1,10,32]
  %m = max_pool2d(%p) {kernel = [2,2]} : f32[N,1,5,16]
  return %r, %m
})", /*fuse=*/true, 5, GpuCheckOptions{{1, 5}, 2e-5, 1e-5, 7});
}

}  // namespace
}  // namespace dlc::cuda::test
