// Index remaps fused into Loop kernels: reshape, flatten, transpose, slice,
// pad, concat, broadcast_to, also chained and mixed with elementwise ops.
#include <gtest/gtest.h>

#include "tests/backends/cpu/CpuTestHarness.h"

namespace dlc::cpu::test {
namespace {

TEST(CpuShapeOps, ReshapeFlattenTranspose) {
  checkAgainstReference(R"(graph @t(%x: f32[N,4,6]) {
  %e = exp(%x) : f32[N,4,6] #k0
  %r = reshape(%e) {shape = [-1,3,8]} : f32[N,3,8] #k0
  %t = transpose(%r) {perm = [1,2,0]} : f32[3,8,N] #k0
  %f = flatten(%t) {axis = 2} : f32[24,N] #k0
  return %f, %t
})", CheckOptions{{1, 5}, {-2, 2}, 1e-5, 1e-6, 3});
  checkAgainstReference(R"(graph @t(%x: f32[2,3,4]) {
  %t = transpose(%x) : f32[4,3,2] #k0
  return %t
})");
}

TEST(CpuShapeOps, SliceWithStepsAndNegatives) {
  checkAgainstReference(R"(graph @t(%x: f32[N,10,9]) {
  %s = slice(%x) {axes = [1,2], ends = [-1,0], starts = [1,-1], steps = [3,-2]} : f32[N,3,4] #k0
  %n = neg(%s) : f32[N,3,4] #k0
  return %n
})");
}

TEST(CpuShapeOps, PadAndConcat) {
  checkAgainstReference(R"(graph @t(%x: f32[N,3,4], %y: f32[N,2,4]) {
  %p = pad(%x) {pads = [0,1,2,0,2,1], value = -7.5} : f32[N,6,7] #k0
  %c = concat(%x, %y, %x) {axis = 1} : f32[N,8,4] #k0
  %c2 = concat(%x, %x) {axis = -1} : f32[N,3,8] #k0
  return %p, %c, %c2
})");
}

TEST(CpuShapeOps, BroadcastTo) {
  checkAgainstReference(R"(graph @t(%x: f32[3,1], %y: f32[N,3,5]) {
  %b = broadcast_to(%x) {shape = [-1,3,5]} : f32[N,3,5] #k0
  %a = add(%b, %y) : f32[N,3,5] #k0
  return %a
})");
}

TEST(CpuShapeOps, MultiOutputDifferentShapes) {
  checkAgainstReference(R"(graph @t(%x: f32[N,4,6]) {
  %e = exp(%x) : f32[N,4,6] #k0
  %t = transpose(%e) {perm = [0,2,1]} : f32[N,6,4] #k0
  %s = slice(%e) {axes = [2], ends = [3], starts = [0]} : f32[N,4,3] #k0
  return %t, %s, %e
})");
}

}  // namespace
}  // namespace dlc::cpu::test
