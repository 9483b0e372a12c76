// gather compiled by the CPU backend, fused (FusionPass + CpuFusionPolicy)
// and unfused (one kernel per node, from #k marks), against the reference
// interpreter: an embedding lookup with the batch N in i64 token ids,
// gather along axis 1 with data holding N, negative and scalar constant
// indices, indices computed inside the kernel (a fused cast), a gather
// feeding a reduction, non-float data, and runtime indices out of range
// (clamped, like the reference). Random integer inputs lie in [-50, 50].
#include <gtest/gtest.h>

#include "compiler/backends/cpu/CpuFusionPolicy.h"
#include "ir/Parser.h"
#include "passes/Fusion.h"
#include "tests/backends/cpu/CpuTestHarness.h"

namespace dlc::cpu::test {
namespace {

// The embedding case: a [64,16] table (every random id in [-50, 50] is in
// range, negatives count from the end) looked up by ids [N,7].
const char* kEmbedding = R"(graph @t(%table: f32[64,16], %ids: i64[N,7], %pos: f32[7,16]) {
  %e = gather(%table, %ids) : f32[N,7,16]
  %s = mul(%e, %e) : f32[N,7,16]
  %a = add(%s, %pos) : f32[N,7,16]
  return %a
})";

TEST(CpuGather, EmbeddingLookupFusesIntoOneLoopKernel) {
  EXPECT_EQ(checkFusedAgainstReference(kEmbedding), 1);
}

TEST(CpuGather, EmbeddingLookupUnfused) {
  checkAgainstReference(R"(graph @t(%table: f32[64,16], %ids: i64[N,7], %pos: f32[7,16]) {
  %e = gather(%table, %ids) : f32[N,7,16] #k0
  %s = mul(%e, %e) : f32[N,7,16] #k1
  %a = add(%s, %pos) : f32[N,7,16] #k2
  return %a
})");
}

TEST(CpuGather, AxisOneWithBatchInDataAndConstantIndices) {
  const char* fused = R"(graph @t(%x: f32[N,10,8]) {
  %i = constant() {value = dense<[2, -1, 0, 9, -10]>} : i32[5]
  %g = gather(%x, %i) {axis = 1} : f32[N,5,8]
  %r = relu(%g) : f32[N,5,8]
  return %r
})";
  EXPECT_EQ(checkFusedAgainstReference(fused), 1);
  checkAgainstReference(R"(graph @t(%x: f32[N,10,8]) {
  %i = constant() {value = dense<[2, -1, 0, 9, -10]>} : i32[5]
  %g = gather(%x, %i) {axis = 1} : f32[N,5,8] #k0
  %r = relu(%g) : f32[N,5,8] #k1
  return %r
})");
}

TEST(CpuGather, ScalarAndNegativeAxisIndices) {
  const char* ir = R"(graph @t(%x: f32[N,6,4]) {
  %i = constant() {value = dense<[-2]>} : i64[]
  %g = gather(%x, %i) {axis = -1} : f32[N,6]
  %j = constant() {value = dense<[5, 0, -6, 3]>} : i64[2,2]
  %h = gather(%x, %j) {axis = -2} : f32[N,2,2,4]
  return %g, %h
})";
  EXPECT_EQ(checkFusedAgainstReference(ir), 2);
}

// The indices are computed in the gather's kernel: the cast is evaluated at
// the indices' index (ids in [-2, 2] from floats in [-2.5, 2.5]).
TEST(CpuGather, IndicesComputedInsideTheKernel) {
  CheckOptions o;
  o.range = {-2.5, 2.5};
  EXPECT_EQ(checkFusedAgainstReference(R"(graph @t(%table: f32[6,3], %f: f32[N,4]) {
  %c = cast(%f) {to = "i32"} : i32[N,4]
  %g = gather(%table, %c) : f32[N,4,3]
  %n = neg(%g) : f32[N,4,3]
  return %n
})", o), 1);
}

TEST(CpuGather, FeedsAReductionAndTakesIntegerData) {
  checkFusedAgainstReference(R"(graph @t(%table: f32[64,8], %ids: i32[N,5], %v: i64[64]) {
  %e = gather(%table, %ids) : f32[N,5,8]
  %s = reduce_sum(%e) {axes = [1]} : f32[N,8]
  %w = gather(%v, %ids) : i64[N,5]
  return %s, %w
})");
}

// Ids in [-50, 50] over an axis of 8: most are out of range and clamp,
// in the compiled code exactly as in the reference.
TEST(CpuGather, RuntimeIndicesOutOfRangeClamp) {
  checkFusedAgainstReference(R"(graph @t(%table: f32[8,3], %ids: i64[N,6]) {
  %e = gather(%table, %ids) : f32[N,6,3]
  return %e
})");
}

// A gather after a contraction is not its epilogue (the epilogue stores
// only through layout remaps): two kernels, and the numbers hold.
TEST(CpuGather, IsNeverAnEpilogue) {
  const char* ir = R"(graph @t(%x: f32[N,4], %w: f32[4,6], %i: i64[3]) {
  %d = dense(%x, %w) : f32[N,6]
  %g = gather(%d, %i) {axis = 1} : f32[N,3]
  return %g
})";
  CheckOptions o;
  o.rtol = 1e-4;
  o.atol = 1e-5;
  EXPECT_EQ(checkFusedAgainstReference(ir, o), 2);
  auto graph = ir::parseGraph(ir);
  ASSERT_TRUE(graph.ok()) << graph.status().toString();
  CpuFusionPolicy policy;
  passes::FusionPass fusion(policy);
  ASSERT_TRUE(fusion.run(**graph).ok());
  ASSERT_EQ(fusion.refusals().size(), 1u);
  EXPECT_NE(fusion.refusals()[0].find("d -> g"), std::string::npos) << fusion.refusals()[0];
}

}  // namespace
}  // namespace dlc::cpu::test
