// Loop kernels rendered as CUDA C++: every elementwise op family (unary,
// binary with broadcasting, comparisons, select, logical ops, casts between
// every dtype), each index remap, multi-output loops and the float4 path.
// Each case checks the kernel count, the golden text (golden/<name>.cu),
// that NVRTC + ptxas accept it for sm_90, and (on a GPU) the numbers
// against the reference interpreter.
#include <gtest/gtest.h>

#include "compiler/backends/cuda/CudaFusionPolicy.h"
#include "tests/backends/cuda/CudaTestHarness.h"

namespace dlc::cuda::test {
namespace {

// Renders `ir`, compares with golden/<golden>.cu, compiles, counts kernels,
// and runs it on the GPU against the reference (skipped without one).
void check(const std::string& golden, const std::string& ir, bool fuse, size_t kernels,
           const GpuCheckOptions& gpu = {}) {
  Rendered r = renderIr(ir, fuse);
  ASSERT_EQ(r.program.kernels.size(), kernels) << r.program.source;
  expectGolden(golden, r.program.source);
  expectCompiles(r.program, "sm_90");
  checkOnGpu(ir, fuse, gpu);
}

TEST(CudaLoop, ElementwiseChainWithBroadcastIsOneKernel) {
  check("loop_chain_broadcast", R"(graph @t(%x: f32[N,64], %b: f32[64], %c: f32[N,1]) {
  %a = add(%x, %b) : f32[N,64]
  %m = mul(%a, %c) : f32[N,64]
  %s = sigmoid(%m) : f32[N,64]
  %t = tanh(%s) : f32[N,64]
  %n = neg(%t) : f32[N,64]
  %r = relu(%n) : f32[N,64]
  %e = exp(%r) : f32[N,64]
  %q = sqrt(%e) : f32[N,64]
  return %q
})", /*fuse=*/true, 1);
}

TEST(CudaLoop, TheGpuPolicyIsNamedCudaAndFusesLikeTheCpuPolicy) {
  CudaFusionPolicy policy;
  EXPECT_EQ(policy.name(), "cuda");
  // An expensive producer broadcast into its consumer stays out (CPU rule).
  Rendered r = renderIr(R"(graph @t(%x: f32[N,64], %b: f32[64]) {
  %e = exp(%b) : f32[64]
  %a = add(%x, %e) : f32[N,64]
  return %a
})", /*fuse=*/true);
  EXPECT_EQ(r.program.kernels.size(), 2u);
  ASSERT_EQ(r.plan.refusals.size(), 1u);
  EXPECT_NE(r.plan.refusals[0].find("expensive"), std::string::npos) << r.plan.refusals[0];
}

TEST(CudaLoop, PureMapTakesTheVectorPath) {
  Rendered r = renderIr(R"(graph @t(%x: f32[N,64], %y: f32[N,64], %s: f32[]) {
  %h = constant() {value = dense<[0.5]>} : f32[]
  %a = mul(%x, %h) : f32[N,64] #k0
  %b = add(%a, %y) : f32[N,64] #k0
  %c = mul(%b, %s) : f32[N,64] #k0
  %d = maximum(%c, %x) : f32[N,64] #k0
  %i = cast(%d) {to = "i32"} : i32[N,64] #k0
  return %d, %i
})", /*fuse=*/false);
  ASSERT_EQ(r.program.kernels.size(), 1u);
  EXPECT_NE(r.program.source.find("float4"), std::string::npos);
  EXPECT_NE(r.program.source.find("int4"), std::string::npos);
  // 64·N elements in float4 steps.
  EXPECT_EQ(r.program.kernels[0].launch.items.perBatch, 16);
  EXPECT_EQ(r.program.kernels[0].launch.threads, 256);
  EXPECT_EQ(r.program.kernels[0].launch.maxBlocks, 2112);
  expectGolden("loop_vector_map", r.program.source);
  expectCompiles(r.program, "sm_90");
}

// A static rank-3 map collapses to one dim; the float4 loop indexes the
// collapsed view (it once used the uncollapsed rank and read past the index).
TEST(CudaLoop, CollapsedStaticMapTakesTheVectorPath) {
  Rendered r = renderIr(R"(graph @t(%x: f32[4,8,16], %y: f32[4,8,16], %s: f32[1,1,1]) {
  %a = add(%x, %y) : f32[4,8,16] #k0
  %b = mul(%a, %s) : f32[4,8,16] #k0
  return %b
})", /*fuse=*/false);
  ASSERT_EQ(r.program.kernels.size(), 1u);
  EXPECT_NE(r.program.source.find("float4"), std::string::npos);
  EXPECT_EQ(r.program.kernels[0].launch.items.fixed, 4 * 8 * 16 / 4);
  expectCompiles(r.program, "sm_90");
}

TEST(CudaLoop, BroadcastOrOddCountsStayScalar) {
  Rendered r = renderIr(R"(graph @t(%x: f32[N,63], %b: f32[63]) {
  %a = add(%x, %b) : f32[N,63] #k0
  return %a
})", /*fuse=*/false);
  ASSERT_EQ(r.program.kernels.size(), 1u);
  EXPECT_EQ(r.program.source.find("float4"), std::string::npos);
  EXPECT_EQ(r.program.kernels[0].launch.items.perBatch, 63);
  expectCompiles(r.program, "sm_90");
}

TEST(CudaLoop, EveryFloatUnaryOp) {
  check("loop_unary_f32", R"(graph @t(%x: f32[N,5]) {
  %a = neg(%x) : f32[N,5] #k0
  %b = abs(%x) : f32[N,5] #k0
  %c = exp(%x) : f32[N,5] #k0
  %d = log(%b) : f32[N,5] #k0
  %e = sqrt(%b) : f32[N,5] #k0
  %f = rsqrt(%b) : f32[N,5] #k0
  %g = reciprocal(%x) : f32[N,5] #k0
  %h = tanh(%x) : f32[N,5] #k0
  %i = sigmoid(%x) : f32[N,5] #k0
  %j = relu(%x) : f32[N,5] #k0
  %k = leaky_relu(%x) {alpha = 0.2} : f32[N,5] #k0
  %l = gelu(%x) : f32[N,5] #k0
  %m = gelu(%x) {approximate = "tanh"} : f32[N,5] #k0
  %n = erf(%x) : f32[N,5] #k0
  %o = floor(%x) : f32[N,5] #k0
  %p = ceil(%x) : f32[N,5] #k0
  return %a, %c, %d, %e, %f, %g, %h, %i, %j, %k, %l, %m, %n, %o, %p
})", /*fuse=*/false, 1, GpuCheckOptions{{1, 5}, 2e-5, 1e-6, 7});
}

TEST(CudaLoop, FloatBinaryOpsBroadcast) {
  check("loop_binary_f32", R"(graph @t(%x: f32[N,3,4], %y: f32[3,1], %z: f32[4]) {
  %a = add(%x, %y) : f32[N,3,4] #k0
  %b = sub(%x, %z) : f32[N,3,4] #k0
  %c = mul(%y, %z) : f32[3,4] #k0
  %d = div(%x, %c) : f32[N,3,4] #k0
  %e = abs(%x) : f32[N,3,4] #k0
  %f = pow(%e, %z) : f32[N,3,4] #k0
  %g = maximum(%x, %y) : f32[N,3,4] #k0
  %h = minimum(%z, %x) : f32[N,3,4] #k0
  return %a, %b, %d, %f, %g, %h
})", /*fuse=*/false, 1, GpuCheckOptions{{1, 5}, 1e-5, 1e-6, 7});
}

TEST(CudaLoop, IntegerArithmeticWrapsAndNeverTraps) {
  check("loop_integer", R"(graph @t(%x: i32[N,6], %y: i32[6], %l: i64[N,6]) {
  %a = add(%x, %y) : i32[N,6] #k0
  %b = sub(%x, %y) : i32[N,6] #k0
  %c = mul(%x, %y) : i32[N,6] #k0
  %d = div(%x, %y) : i32[N,6] #k0
  %e = maximum(%x, %y) : i32[N,6] #k0
  %f = minimum(%x, %y) : i32[N,6] #k0
  %g = neg(%x) : i32[N,6] #k0
  %h = abs(%x) : i32[N,6] #k0
  %m = mul(%l, %l) : i64[N,6] #k0
  %n = div(%l, %l) : i64[N,6] #k0
  %o = neg(%l) : i64[N,6] #k0
  return %a, %b, %c, %d, %e, %f, %g, %h, %m, %n, %o
})", /*fuse=*/false, 1);
}

TEST(CudaLoop, ComparisonsSelectAndLogic) {
  check("loop_compare_select", R"(graph @t(%x: f32[N,6], %y: f32[6], %i: i32[N,6], %j: i32[N,6], %u: u8[6], %w: u8[N,6]) {
  %a = equal(%x, %y) : bool[N,6] #k0
  %b = not_equal(%x, %y) : bool[N,6] #k0
  %c = less(%i, %j) : bool[N,6] #k0
  %d = less_equal(%u, %w) : bool[N,6] #k0
  %e = greater(%x, %y) : bool[N,6] #k0
  %f = greater_equal(%i, %j) : bool[N,6] #k0
  %g = logical_and(%a, %c) : bool[N,6] #k0
  %h = logical_or(%g, %d) : bool[N,6] #k0
  %k = logical_not(%h) : bool[N,6] #k0
  %s = select(%k, %x, %y) : f32[N,6] #k0
  %t = select(%e, %i, %j) : i32[N,6] #k0
  %q = equal(%a, %e) : bool[N,6] #k0
  return %b, %f, %k, %s, %t, %q
})", /*fuse=*/false, 1);
}

TEST(CudaLoop, CastsBetweenEveryDType) {
  check("loop_casts", R"(graph @t(%x: f32[N,7], %i: i64[N,7], %b: bool[N,7]) {
  %a = cast(%x) {to = "i32"} : i32[N,7] #k0
  %c = cast(%x) {to = "u8"} : u8[N,7] #k0
  %d = cast(%x) {to = "bool"} : bool[N,7] #k0
  %e = cast(%x) {to = "f16"} : f16[N,7] #k0
  %f = cast(%x) {to = "bf16"} : bf16[N,7] #k0
  %g = cast(%x) {to = "i64"} : i64[N,7] #k0
  %h = cast(%i) {to = "u8"} : u8[N,7] #k0
  %j = cast(%i) {to = "f32"} : f32[N,7] #k0
  %k = cast(%i) {to = "i32"} : i32[N,7] #k0
  %l = cast(%b) {to = "f32"} : f32[N,7] #k0
  %m = cast(%b) {to = "i64"} : i64[N,7] #k0
  %n = cast(%e) {to = "f32"} : f32[N,7] #k0
  %o = cast(%a) {to = "bf16"} : bf16[N,7] #k0
  %p = cast(%c) {to = "i32"} : i32[N,7] #k0
  %q = add(%e, %e) : f16[N,7] #k0
  %r = mul(%f, %f) : bf16[N,7] #k0
  return %a, %c, %d, %f, %g, %h, %j, %k, %l, %m, %n, %o, %p, %q, %r
})", /*fuse=*/false, 1, GpuCheckOptions{{1, 5}, 1e-2, 1e-2, 7});
}

TEST(CudaLoop, IndexRemaps) {
  check("loop_remaps", R"(graph @t(%x: f32[N,3,4], %y: f32[N,2,4], %z: f32[3,1], %w: f32[N,10,9]) {
  %r = reshape(%x) {shape = [-1,4,3]} : f32[N,4,3] #k0
  %t = transpose(%r) {perm = [0,2,1]} : f32[N,3,4] #k0
  %f = flatten(%t) : f32[N,12] #k0
  %p = pad(%x) {pads = [0,1,2,0,2,1], value = -7.5} : f32[N,6,7] #k1
  %c = concat(%x, %y, %x) {axis = 1} : f32[N,8,4] #k2
  %b = broadcast_to(%z) {shape = [-1,3,5]} : f32[N,3,5] #k3
  %s = slice(%w) {axes = [1,2], ends = [-1,0], starts = [1,-1], steps = [3,-2]} : f32[N,3,4] #k4
  %n = neg(%s) : f32[N,3,4] #k4
  return %f, %p, %c, %b, %n
})", /*fuse=*/false, 5);
}

TEST(CudaLoop, MultiOutputDifferentShapes) {
  Rendered r = renderIr(R"(graph @t(%x: f32[N,4,6]) {
  %e = exp(%x) : f32[N,4,6] #k0
  %t = transpose(%e) {perm = [0,2,1]} : f32[N,6,4] #k0
  %s = slice(%e) {axes = [2], ends = [3], starts = [0]} : f32[N,4,3] #k0
  return %t, %s, %e
})", /*fuse=*/false);
  ASSERT_EQ(r.program.kernels.size(), 1u);
  EXPECT_EQ(r.program.kernels[0].launch.items.perBatch, 24);  // the largest nest
  expectGolden("loop_multi_output", r.program.source);
  expectCompiles(r.program, "sm_90");
  checkOnGpu(R"(graph @t(%x: f32[N,4,6]) {
  %e = exp(%x) : f32[N,4,6] #k0
  %t = transpose(%e) {perm = [0,2,1]} : f32[N,6,4] #k0
  %s = slice(%e) {axes = [2], ends = [3], starts = [0]} : f32[N,4,3] #k0
  return %t, %s, %e
})", /*fuse=*/false);
}

TEST(CudaLoop, BatchNormAndScalars) {
  check("loop_batch_norm", R"(graph @t(%x: f32[N,3,4,5], %s: f32[3], %b: f32[3], %m: f32[3], %v: f32[3], %k: f32[]) {
  %y = batch_norm(%x, %s, %b, %m, %v) {epsilon = 0.001} : f32[N,3,4,5] #k0
  %a = abs(%v) : f32[3] #k1
  %z = batch_norm(%x, %s, %b, %m, %a) : f32[N,3,4,5] #k1
  %w = add(%z, %k) : f32[N,3,4,5] #k1
  return %y, %w
})", /*fuse=*/false, 2, GpuCheckOptions{{1, 5}, 1e-4, 1e-5, 7});
}

}  // namespace
}  // namespace dlc::cuda::test
