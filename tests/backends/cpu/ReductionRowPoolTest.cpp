// Reduction, row (softmax / log_softmax / layer_norm) and pool kernels, with
// fused producers and epilogues, against the reference interpreter.
#include <limits>

#include <gtest/gtest.h>

#include "tests/backends/cpu/CpuTestHarness.h"

namespace dlc::cpu::test {
namespace {

TEST(CpuReduction, AxesAndKeepdims) {
  const char* cases[][3] = {
      {"reduce_sum", "{axes = [1]}", "f32[N,5]"},
      {"reduce_mean", "{axes = [0,2]}", "f32[4]"},
      {"reduce_max", "{axes = [-1], keepdims = 1}", "f32[N,4,1]"},
      {"reduce_min", "{axes = [1,2], keepdims = 1}", "f32[N,1,1]"},
      {"reduce_sum", "", "f32[]"},
  };
  for (auto& c : cases) {
    SCOPED_TRACE(std::string(c[0]) + c[1]);
    checkAgainstReference(std::string("graph @t(%x: f32[N,4,5]) {\n  %r = ") + c[0] + "(%x) " +
                          c[1] + " : " + c[2] + " #k0\n  return %r\n}\n");
  }
}

TEST(CpuReduction, FusedProducersAndEpilogue) {
  CheckOptions o;
  o.rtol = 2e-5;
  checkAgainstReference(R"(graph @t(%x: f32[N,7,300], %y: f32[300], %s: f32[7]) {
  %a = mul(%x, %y) : f32[N,7,300] #k0
  %e = exp(%a) : f32[N,7,300] #k0
  %r = reduce_sum(%e) {axes = [2]} : f32[N,7] #k0
  %d = div(%r, %s) : f32[N,7] #k0
  %l = log(%d) : f32[N,7] #k0
  return %l, %r
})", o);
}

TEST(CpuReduction, EmptyExtentAndIntegers) {
  checkAgainstReference(R"(graph @t(%x: f32[N,0,3], %i: i32[N,6]) {
  %s = reduce_sum(%x) {axes = [1]} : f32[N,3] #k0
  %m = reduce_max(%x) {axes = [1]} : f32[N,3] #k1
  %n = reduce_min(%x) {axes = [1]} : f32[N,3] #k2
  %a = reduce_mean(%x) {axes = [1]} : f32[N,3] #k3
  %q = reduce_sum(%i) {axes = [1]} : i32[N] #k4
  %z = reduce_max(%i) {axes = [1]} : i32[N] #k5
  return %s, %m, %n, %a, %q, %z
})");
}

TEST(CpuReduction, ReduceOverBatch) {
  checkAgainstReference(R"(graph @t(%x: f32[N,6]) {
  %r = reduce_sum(%x) {axes = [0]} : f32[6] #k0
  return %r
})");
}

TEST(CpuRow, SoftmaxLogSoftmax) {
  checkAgainstReference(R"(graph @t(%x: f32[N,3,40]) {
  %a = mul(%x, %x) : f32[N,3,40] #k0
  %s = softmax(%a) : f32[N,3,40] #k0
  %l = log_softmax(%x) {axis = 1} : f32[N,3,40] #k1
  %m = softmax(%x) {axis = 0} : f32[N,3,40] #k2
  %k = mul(%l, %x) : f32[N,3,40] #k1
  return %s, %k, %m
})");
}

TEST(CpuRow, LongRowsAreRecomputedNotBuffered) {
  checkAgainstReference(R"(graph @t(%x: f32[2,20000]) {
  %e = tanh(%x) : f32[2,20000] #k0
  %s = softmax(%e) : f32[2,20000] #k0
  %l = log_softmax(%e) : f32[2,20000] #k1
  return %s, %l
})", CheckOptions{{1}, {-2, 2}, 1e-4, 1e-9, 7});
}

TEST(CpuRow, LayerNorm) {
  CheckOptions o;
  o.rtol = 2e-5;
  o.atol = 1e-5;
  checkAgainstReference(R"(graph @t(%x: f32[N,4,6,5], %g: f32[6,5], %b: f32[6,5]) {
  %n = layer_norm(%x, %g, %b) {axis = 2, epsilon = 0.001} : f32[N,4,6,5] #k0
  %r = relu(%n) : f32[N,4,6,5] #k0
  %p = layer_norm(%x) : f32[N,4,6,5] #k1
  return %r, %p
})", o);
}

TEST(CpuRow, ProducerAlsoAnOutput) {
  checkAgainstReference(R"(graph @t(%x: f32[N,3,7]) {
  %e = exp(%x) : f32[N,3,7] #k0
  %s = softmax(%e) : f32[N,3,7] #k0
  %r = reduce_sum(%e) {axes = [2]} : f32[N,3] #k1
  return %s, %e, %r
})");
}

TEST(CpuPool, ProducerAlsoAnOutput) {
  checkAgainstReference(R"(graph @t(%x: f32[N,2,6,6]) {
  %e = tanh(%x) : f32[N,2,6,6] #k0
  %m = max_pool2d(%e) {kernel = [2,2]} : f32[N,2,3,3] #k0
  %r = reduce_max(%e) {axes = [3], keepdims = 1} : f32[N,2,6,1] #k1
  return %m, %r, %e
})");
}

TEST(CpuPool, MaxAvgGlobal) {
  checkAgainstReference(R"(graph @t(%x: f32[N,3,9,8]) {
  %a = abs(%x) : f32[N,3,9,8] #k0
  %m = max_pool2d(%a) {kernel = [3,2], pads = [1,1,1,0], strides = [2,2]} : f32[N,3,5,4] #k0
  %v = avg_pool2d(%x) {kernel = [3,3], pads = [1,1,1,1], strides = [2,3]} : f32[N,3,5,3] #k1
  %w = avg_pool2d(%x) {count_include_pad = 1, kernel = [3,3], pads = [1,1,1,1], strides = [2,3]} : f32[N,3,5,3] #k2
  %g = global_avg_pool(%x) : f32[N,3,1,1] #k3
  %gr = relu(%g) : f32[N,3,1,1] #k3
  return %m, %v, %w, %gr
})");
}

// Pools reading memory take the row path (per window row a few masked
// vector loads, per window column a shuffle; the plane then goes through
// the epilogue): odd rows (14, 7 wide), padding, strides, both average
// modes, NaN and -inf inputs, and epilogues that stay linear in the plane
// (relu, flatten: vectors along the plane) or not (an operand broadcast
// along the rows only, a transpose: vectors along rows).
TEST(CpuPool, RowPathEdgesAndEpilogues) {
  checkAgainstReference(R"(graph @t(%x: f32[N,3,28,28], %col: f32[1,1,1,14]) {
  %m = max_pool2d(%x) {kernel = [2,2]} : f32[N,3,14,14] #k0
  %r = relu(%m) : f32[N,3,14,14] #k0
  %f = flatten(%r) {axis = 1} : f32[N,588] #k0
  %a = avg_pool2d(%x) {kernel = [3,3], pads = [1,1,1,1], strides = [2,2]} : f32[N,3,14,14] #k1
  %b = avg_pool2d(%x) {count_include_pad = 1, kernel = [3,3], pads = [1,1,1,1], strides = [2,2]} : f32[N,3,14,14] #k2
  %c = max_pool2d(%x) {kernel = [3,2], pads = [1,0,1,1], strides = [4,4]} : f32[N,3,7,7] #k3
  %d = max_pool2d(%x) {kernel = [2,2]} : f32[N,3,14,14] #k4
  %e = add(%d, %col) : f32[N,3,14,14] #k4
  %g = max_pool2d(%x) {kernel = [2,2]} : f32[N,3,14,14] #k5
  %t = transpose(%g) {perm = [0,1,3,2]} : f32[N,3,14,14] #k5
  return %f, %a, %b, %c, %e, %t
})",
                        {.batches = {1, 3}});
  // NaN wins a max and poisons an average; -inf stays -inf.
  Tensor x(ir::DType::F32, {1, 1, 8, 8});
  float* v = x.as<float>();
  for (int i = 0; i < 64; ++i) v[i] = float(i % 7) - 3.0f;
  v[9] = std::numeric_limits<float>::quiet_NaN();
  v[36] = -std::numeric_limits<float>::infinity();
  CheckOptions withSpecials;
  withSpecials.inputs = {x};
  checkAgainstReference(R"(graph @t(%x: f32[1,1,8,8]) {
  %m = max_pool2d(%x) {kernel = [2,2], strides = [1,2]} : f32[1,1,7,4] #k0
  %a = avg_pool2d(%x) {kernel = [2,2], strides = [1,2]} : f32[1,1,7,4] #k1
  return %m, %a
})",
                        withSpecials);
}

// Rows of several vectors (40 outputs), with the epilogue along rows (a
// transpose) and along the plane; stride 3 (three vectors of input per row
// of 16 outputs), stride 1 with padding; for AVX-512, AVX2 and SSE vectors.
// A plane too large for the stack copy (201 x 201 outputs) takes the
// element-by-element path.
TEST(CpuPool, RowPathWideRowsStridesAndTargets) {
  for (const char* cpu : {"native", "x86-64-v3", "generic"}) {
    SCOPED_TRACE(cpu);
    CheckOptions o;
    o.batches = {1, 2};
    o.cpu = cpu;
    checkAgainstReference(R"(graph @t(%x: f32[N,2,12,80]) {
  %m = max_pool2d(%x) {kernel = [2,2]} : f32[N,2,6,40] #k0
  %t = transpose(%m) {perm = [0,1,3,2]} : f32[N,2,40,6] #k0
  %a = avg_pool2d(%x) {kernel = [3,3], pads = [0,1,1,1], strides = [3,3]} : f32[N,2,4,27] #k1
  %e = exp(%a) : f32[N,2,4,27] #k1
  %s = max_pool2d(%x) {kernel = [3,3], pads = [1,1,1,1], strides = [1,1]} : f32[N,2,12,80] #k2
  %c = avg_pool2d(%x) {count_include_pad = 1, kernel = [3,5], pads = [1,2,1,2], strides = [1,1]} : f32[N,2,12,80] #k3
  return %t, %e, %s, %c
})",
                          o);
  }
  checkAgainstReference(R"(graph @t(%x: f32[1,1,402,402]) {
  %m = max_pool2d(%x) {kernel = [2,2]} : f32[1,1,201,201] #k0
  return %m
})");
}

}  // namespace
}  // namespace dlc::cpu::test
