// Epilogues that store through layout remaps (reshape / flatten /
// transpose, RemapStore.h), against the reference interpreter: the
// attention head split and merge, transposes that keep or move the last
// dim (vector, per-lane and run-time-chosen stores), pool / conv / reduction
// / row roots followed by flatten or reshape. Every case runs at batch 1
// and 5, with one chunk and with three uneven chunks (CpuTestHarness).
#include <string>

#include <gtest/gtest.h>

#include "compiler/reference/Interpreter.h"
#include "ir/Parser.h"
#include "tests/backends/cpu/CpuTestHarness.h"

namespace dlc::cpu::test {
namespace {

CheckOptions options() {
  CheckOptions o;
  o.batches = {1, 5};
  o.range = {-1.0, 1.0};
  o.rtol = 1e-4;
  o.atol = 1e-4;
  return o;
}

TEST(RemapEpilogue, DenseReshapeTransposeHeadSplit) {
  // The transformer's q/k/v: run 16 along the last dim of 64.
  int kernels = checkFusedAgainstReference(
      R"(graph @g(%x: f32[N,16,32], %w: f32[32,64], %b: f32[64]) {
  %d = dense(%x, %w, %b) : f32[N,16,64]
  %r = reshape(%d) {shape = [0,16,4,16]} : f32[N,16,4,16]
  %t = transpose(%r) {perm = [0,2,1,3]} : f32[N,4,16,16]
  return %t
})",
      options());
  EXPECT_EQ(kernels, 1);
}

TEST(RemapEpilogue, DenseAddReshapeTransposeNarrowHeads) {
  // Heads of 6 (narrower than a vector) and an odd column count: per-lane
  // stores and the GEMM's edge columns.
  int kernels = checkFusedAgainstReference(
      R"(graph @g(%x: f32[N,5,20], %w: f32[20,42], %b: f32[42]) {
  %d = dense(%x, %w) : f32[N,5,42]
  %a = add(%d, %b) : f32[N,5,42]
  %r = reshape(%a) {shape = [0,5,7,6]} : f32[N,5,7,6]
  %t = transpose(%r) {perm = [0,2,1,3]} : f32[N,7,5,6]
  return %t
})",
      options());
  EXPECT_EQ(kernels, 1);
}

TEST(RemapEpilogue, DenseHeadsOfTwelveMixVectorAndLaneStores) {
  // Run 12: a vector of 8 or 16 lanes starting at column 8 crosses a head.
  int kernels = checkFusedAgainstReference(
      R"(graph @g(%x: f32[N,3,16], %w: f32[16,48]) {
  %d = dense(%x, %w) : f32[N,3,48]
  %g = gelu(%d) : f32[N,3,48]
  %r = reshape(%g) {shape = [0,3,4,12]} : f32[N,3,4,12]
  %t = transpose(%r) {perm = [0,2,1,3]} : f32[N,4,3,12]
  return %t
})",
      options());
  EXPECT_EQ(kernels, 1);
}

TEST(RemapEpilogue, MatMulTransposeReshapeHeadMerge) {
  // The transformer's ctx: the transpose keeps the last dim (vector stores).
  int kernels = checkFusedAgainstReference(
      R"(graph @g(%p: f32[N,4,16,16], %v: f32[N,4,16,16]) {
  %m = matmul(%p, %v) : f32[N,4,16,16]
  %t = transpose(%m) {perm = [0,2,1,3]} : f32[N,16,4,16]
  %r = reshape(%t) {shape = [0,16,64]} : f32[N,16,64]
  return %r
})",
      options());
  EXPECT_EQ(kernels, 1);
}

TEST(RemapEpilogue, MatMulTransposeMovesTheLastDim) {
  int kernels = checkFusedAgainstReference(
      R"(graph @g(%a: f32[N,9,13], %b: f32[13,21], %s: f32[21]) {
  %m = matmul(%a, %b) : f32[N,9,21]
  %y = mul(%m, %s) : f32[N,9,21]
  %t = transpose(%y) {perm = [0,2,1]} : f32[N,21,9]
  return %t
})",
      options());
  EXPECT_EQ(kernels, 1);
}

TEST(RemapEpilogue, MatMulEpilogueValueAndItsTransposeBothStored) {
  // Kernel annotations by hand: relu(m) is an output and, transposed, a
  // second output; the transpose reverses every axis.
  checkAgainstReference(R"(graph @g(%a: f32[N,7,11], %b: f32[11,17]) {
  %m = matmul(%a, %b) : f32[N,7,17]  #k0
  %y = relu(%m) : f32[N,7,17]  #k0
  %t = transpose(%y) : f32[17,7,N]  #k0
  return %y, %t
})",
                        options());
}

TEST(RemapEpilogue, PoolFlatten) {
  int kernels = checkFusedAgainstReference(
      R"(graph @g(%x: f32[N,6,9,9]) {
  %p = max_pool2d(%x) {kernel = [2,2], strides = [2,2], pads = [0,0,1,1]} : f32[N,6,5,5]
  %f = flatten(%p) : f32[N,150]
  return %f
})",
      options());
  EXPECT_EQ(kernels, 1);
}

TEST(RemapEpilogue, AvgPoolReluReshapeAndGlobalPoolFlatten) {
  int kernels = checkFusedAgainstReference(
      R"(graph @g(%x: f32[N,4,6,6]) {
  %p = avg_pool2d(%x) {kernel = [3,3], strides = [3,3]} : f32[N,4,2,2]
  %r = relu(%p) : f32[N,4,2,2]
  %s = reshape(%r) {shape = [0,2,8]} : f32[N,2,8]
  %g = global_avg_pool(%x) : f32[N,4,1,1]
  %f = flatten(%g) : f32[N,4]
  return %s, %f
})",
      options());
  EXPECT_EQ(kernels, 2);
}

TEST(RemapEpilogue, ConvReluFlatten) {
  int kernels = checkFusedAgainstReference(
      R"(graph @g(%x: f32[N,3,10,10], %w: f32[5,3,3,3], %b: f32[5]) {
  %c = conv2d(%x, %w, %b) {pads = [1,1,1,1]} : f32[N,5,10,10]
  %r = relu(%c) : f32[N,5,10,10]
  %f = flatten(%r) : f32[N,500]
  return %f
})",
      options());
  EXPECT_EQ(kernels, 1);
}

TEST(RemapEpilogue, ConvReshapeTransposeChoosesStoresAtRunTime) {
  // Output rows of 12 split into 2 x 6 and transposed: conv hands over
  // vectors that start anywhere in a row, so some fit in a run of 6 and
  // some do not.
  int kernels = checkFusedAgainstReference(
      R"(graph @g(%x: f32[N,2,5,12], %w: f32[3,2,1,3]) {
  %c = conv2d(%x, %w) {pads = [0,1,0,1]} : f32[N,3,5,12]
  %r = reshape(%c) {shape = [0,3,5,2,6]} : f32[N,3,5,2,6]
  %t = transpose(%r) {perm = [0,1,3,2,4]} : f32[N,3,2,5,6]
  return %t
})",
      options());
  EXPECT_EQ(kernels, 1);
}

TEST(RemapEpilogue, ReductionTransposeAndSoftmaxReshape) {
  int kernels = checkFusedAgainstReference(
      R"(graph @g(%x: f32[N,6,8]) {
  %s = reduce_sum(%x) {axes = [1]} : f32[N,8]
  %t = transpose(%s) : f32[8,N]
  %m = softmax(%x) : f32[N,6,8]
  %r = reshape(%m) {shape = [0,48]} : f32[N,48]
  return %t, %r
})",
      options());
  EXPECT_EQ(kernels, 2);
}

TEST(RemapEpilogueCodegen, HeadSplitStoresWholeVectors) {
  // The reshape splits the 64 columns into heads of 16 and the transpose
  // keeps them last: every GEMM vector lands in one head, so after
  // optimisation only vector stores remain (the run-time lane path folds
  // away because the GEMM's column offsets are multiples of its vector).
  auto graph = ir::parseGraph(R"(graph @g(%x: f32[N,16,32], %w: f32[32,64], %b: f32[64]) {
  %d = dense(%x, %w, %b) : f32[N,16,64]  #k0
  %r = reshape(%d) {shape = [0,16,4,16]} : f32[N,16,4,16]  #k0
  %t = transpose(%r) {perm = [0,2,1,3]} : f32[N,4,16,16]  #k0
  return %t
})",
                              "<test>");
  ASSERT_TRUE(graph.ok()) << graph.status().toString();
  auto plan = ir::buildKernelPlan(**graph);
  ASSERT_TRUE(plan.ok()) << plan.status().toString();
  CpuCompileOptions options;
  options.keepText = true;
  auto mod = compile(**graph, *plan, options);
  ASSERT_TRUE(mod.ok()) << mod.status().toString();
  const std::string& ir = mod->optimizedIR;
  EXPECT_EQ(ir.find("store float"), std::string::npos);
  EXPECT_TRUE(ir.find("store <8 x float>") != std::string::npos ||
              ir.find("store <16 x float>") != std::string::npos);
}

TEST(RemapEpilogueCodegen, EveryVectorWidthStoresTheSameValues) {
  // xmm (4 lanes) and ymm (8) vectors (the host's own are covered above)
  // against runs of 6 and 12 elements: always vector, always lanes, and
  // chosen at run time.
  const char* graphs[] = {
      R"(graph @g(%x: f32[N,5,20], %w: f32[20,42]) {
  %d = dense(%x, %w) : f32[N,5,42]  #k0
  %r = reshape(%d) {shape = [0,5,7,6]} : f32[N,5,7,6]  #k0
  %t = transpose(%r) {perm = [0,2,1,3]} : f32[N,7,5,6]  #k0
  return %t
})",
      R"(graph @g(%x: f32[N,3,16], %w: f32[16,48]) {
  %d = dense(%x, %w) : f32[N,3,48]  #k0
  %r = reshape(%d) {shape = [0,3,4,12]} : f32[N,3,4,12]  #k0
  %t = transpose(%r) {perm = [0,2,1,3]} : f32[N,4,3,12]  #k0
  return %t
})",
      R"(graph @g(%x: f32[N,2,5,12], %w: f32[3,2,1,3]) {
  %c = conv2d(%x, %w) {pads = [0,1,0,1]} : f32[N,3,5,12]  #k0
  %r = reshape(%c) {shape = [0,3,5,2,6]} : f32[N,3,5,2,6]  #k0
  %t = transpose(%r) {perm = [0,1,3,2,4]} : f32[N,3,2,5,6]  #k0
  return %t
})"};
  std::vector<std::string> cpus = {"x86-64-v2"};
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) cpus.push_back("x86-64-v3");
  for (const char* text : graphs) {
    auto graph = ir::parseGraph(text, "<test>");
    ASSERT_TRUE(graph.ok()) << graph.status().toString();
    auto plan = ir::buildKernelPlan(**graph);
    ASSERT_TRUE(plan.ok()) << plan.status().toString();
    std::vector<Tensor> inputs = randomInputs(**graph, 5, 3, {-1.0, 1.0});
    auto expected = ref::evaluate(**graph, inputs);
    ASSERT_TRUE(expected.ok()) << expected.status().toString();
    for (const std::string& cpu : cpus) {
      SCOPED_TRACE(cpu);
      auto mod = compile(**graph, *plan, CpuCompileOptions{cpu});
      ASSERT_TRUE(mod.ok()) << mod.status().toString();
      std::vector<Tensor> actual = runCompiled(**graph, *plan, *mod, inputs, 5, 3);
      ASSERT_EQ(actual.size(), 1u);
      expectNear(actual[0], (*expected)[0], 1e-4, 1e-4, cpu);
    }
  }
}

}  // namespace
}  // namespace dlc::cpu::test
