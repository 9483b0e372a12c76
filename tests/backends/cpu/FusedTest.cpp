// Graphs fused by FusionPass + CpuFusionPolicy, compiled and compared with
// the reference: the kernels the real pipeline hands to the backend.
#include <gtest/gtest.h>

#include "tests/backends/cpu/CpuTestHarness.h"

namespace dlc::cpu::test {
namespace {

TEST(CpuFused, ElementwiseChainIsOneKernel) {
  int kernels = checkFusedAgainstReference(R"(graph @t(%x: f32[N,64], %b: f32[64]) {
  %a = add(%x, %b) : f32[N,64]
  %m = mul(%a, %a) : f32[N,64]
  %s = sigmoid(%m) : f32[N,64]
  %t = tanh(%s) : f32[N,64]
  %n = neg(%t) : f32[N,64]
  %r = relu(%n) : f32[N,64]
  %e = exp(%r) : f32[N,64]
  %q = sqrt(%e) : f32[N,64]
  return %q
})");
  EXPECT_EQ(kernels, 1);
}

TEST(CpuFused, NormalisationBlock) {
  CheckOptions o;
  o.rtol = 2e-5;
  o.atol = 1e-5;
  int kernels = checkFusedAgainstReference(R"(graph @t(%x: f32[N,10,32], %g: f32[32], %b: f32[32]) {
  %h = gelu(%x) : f32[N,10,32]
  %n = layer_norm(%h, %g, %b) : f32[N,10,32]
  %s = softmax(%n) : f32[N,10,32]
  %r = reduce_mean(%s) {axes = [1]} : f32[N,32]
  %p = reshape(%x) {shape = [-1,1,10,32]} : f32[N,1,10,32]
  %m = max_pool2d(%p) {kernel = [2,2]} : f32[N,1,5,16]
  return %r, %m
})", o);
  EXPECT_GE(kernels, 3);
}

}  // namespace
}  // namespace dlc::cpu::test
