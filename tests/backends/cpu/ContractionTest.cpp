// Contraction kernels (matmul / dense / conv2d through gemm/) against the
// reference interpreter: odd shapes that exercise every edge path of the
// register tiling (row tiles of MR, 4 and 1 rows, partial column panels,
// several K blocks), broadcast batch dims and transposes, the batch symbol,
// every conv2d attribute, and fused epilogues. Each case runs with one chunk
// and with three uneven chunks (CpuTestHarness).
#include <string>

#include <gtest/gtest.h>

#include "tests/backends/cpu/CpuTestHarness.h"

namespace dlc::cpu::test {
namespace {

CheckOptions options(std::vector<int64_t> batches = {1, 7}) {
  CheckOptions o;
  o.batches = std::move(batches);
  o.range = {-1.0, 1.0};
  o.rtol = 1e-4;
  o.atol = 1e-4;
  return o;
}

// One dense kernel x[N, in] * w[in, out] + b at the given batch sizes (= M).
std::string denseGraph(int in, int out, bool bias) {
  std::string t = "f32[N," + std::to_string(out) + "]";
  return "graph @g(%x: f32[N," + std::to_string(in) + "], %w: f32[" + std::to_string(in) + "," +
         std::to_string(out) + "]" + (bias ? ", %b: f32[" + std::to_string(out) + "]" : "") +
         ") {\n  %y = dense(%x, %w" + (bias ? ", %b" : "") + ") : " + t +
         "  #k0\n  return %y\n}\n";
}

TEST(Contraction, DenseRowCountsAndOddExtents) {
  for (auto [in, out] : {std::pair{784, 128}, {128, 10}, {17, 33}}) {
    SCOPED_TRACE(std::to_string(in) + "x" + std::to_string(out));
    checkAgainstReference(denseGraph(in, out, /*bias=*/true), options({1, 3, 64, 257}));
  }
  checkAgainstReference(denseGraph(64, 48, /*bias=*/false), options({1, 13}));
}

TEST(Contraction, DenseWithLeadingDims) {
  checkAgainstReference(R"(graph @g(%x: f32[2,N,17], %w: f32[17,40], %b: f32[40]) {
  %y = dense(%x, %w, %b) : f32[2,N,40]  #k0
  return %y
})",
                        options({1, 7}));
}

TEST(Contraction, DenseF16) {
  CheckOptions o = options({1, 9});
  o.rtol = 4e-3;
  o.atol = 4e-3;
  checkAgainstReference(R"(graph @g(%x: f16[N,40], %w: f16[40,20], %b: f16[20]) {
  %y = dense(%x, %w, %b) : f16[N,20]  #k0
  return %y
})",
                        o);
}

TEST(Contraction, MatMulBroadcastAndTransposes) {
  const char* cases[] = {
      R"(graph @g(%a: f32[2,1,5,7], %b: f32[3,7,9]) {
  %y = matmul(%a, %b) : f32[2,3,5,9]  #k0
  return %y
})",
      R"(graph @g(%a: f32[2,1,7,5], %b: f32[3,7,9]) {
  %y = matmul(%a, %b) {transpose_a = 1} : f32[2,3,5,9]  #k0
  return %y
})",
      R"(graph @g(%a: f32[2,1,5,7], %b: f32[3,9,7]) {
  %y = matmul(%a, %b) {transpose_b = 1} : f32[2,3,5,9]  #k0
  return %y
})",
      R"(graph @g(%a: f32[1,30,20], %b: f32[4,35,30]) {
  %y = matmul(%a, %b) {transpose_a = 1, transpose_b = 1} : f32[4,20,35]  #k0
  return %y
})",
  };
  for (const char* text : cases) checkAgainstReference(text, options());
}

TEST(Contraction, MatMulBatchSymbol) {
  // N as a batch dim of a (b broadcasts), and N as the row extent M.
  checkAgainstReference(R"(graph @g(%a: f32[N,13,37], %b: f32[37,40]) {
  %y = matmul(%a, %b) : f32[N,13,40]  #k0
  return %y
})",
                        options({1, 7}));
  checkAgainstReference(R"(graph @g(%a: f32[N,37], %b: f32[37,50]) {
  %y = matmul(%a, %b) : f32[N,50]  #k0
  return %y
})",
                        options({1, 7}));
}

TEST(Contraction, MatMulSeveralKBlocksAndFullTiles) {
  // K = 600 spans three K blocks (partial sums in the scratch block);
  // 100 rows = full MR tiles plus 4-row and 1-row tiles; 64 and 45 columns.
  checkAgainstReference(R"(graph @g(%a: f32[100,600], %b: f32[600,64]) {
  %y = matmul(%a, %b) : f32[100,64]  #k0
  return %y
})",
                        options());
  checkAgainstReference(R"(graph @g(%a: f32[70,600], %b: f32[45,600]) {
  %y = matmul(%a, %b) {transpose_b = 1} : f32[70,45]  #k0
  return %y
})",
                        options());
}

TEST(Contraction, Conv2DStridePadsBias) {
  checkAgainstReference(R"(graph @g(%x: f32[N,3,11,13], %w: f32[8,3,3,3], %b: f32[8]) {
  %y = conv2d(%x, %w, %b) {pads = [1,0,2,1], strides = [2,2]} : f32[N,8,6,6]  #k0
  return %y
})",
                        options({1, 3}));
}

TEST(Contraction, Conv2DDilation) {
  checkAgainstReference(R"(graph @g(%x: f32[1,4,20,37], %w: f32[6,4,3,3]) {
  %y = conv2d(%x, %w) {dilations = [2,2], pads = [2,2,2,2]} : f32[1,6,20,37]  #k0
  return %y
})",
                        options());
}

TEST(Contraction, Conv2DGroupsAndDepthwise) {
  checkAgainstReference(R"(graph @g(%x: f32[2,4,9,9], %w: f32[6,2,3,3], %b: f32[6]) {
  %y = conv2d(%x, %w, %b) {groups = 2, pads = [1,1,1,1]} : f32[2,6,9,9]  #k0
  return %y
})",
                        options());
  checkAgainstReference(R"(graph @g(%x: f32[N,8,16,16], %w: f32[8,1,3,3], %b: f32[8]) {
  %y = conv2d(%x, %w, %b) {groups = 8, pads = [1,1,1,1]} : f32[N,8,16,16]  #k0
  return %y
})",
                        options({1, 2}));
}

TEST(Contraction, Conv2DPointwiseAndDeep) {
  checkAgainstReference(R"(graph @g(%x: f32[N,16,7,7], %w: f32[24,16,1,1], %b: f32[24]) {
  %y = conv2d(%x, %w, %b) : f32[N,24,7,7]  #k0
  return %y
})",
                        options({1, 7}));
  // K = 32*3*3 = 288 > KC; 40 output channels; 20 wide rows, stride 1.
  checkAgainstReference(R"(graph @g(%x: f32[1,32,20,20], %w: f32[40,32,3,3], %b: f32[40]) {
  %y = conv2d(%x, %w, %b) {pads = [1,1,1,1]} : f32[1,40,20,20]  #k0
  return %y
})",
                        options());
}

TEST(Contraction, FusedDenseAddRelu) {
  int kernels = checkFusedAgainstReference(
      R"(graph @g(%x: f32[N,45], %w: f32[45,70], %b: f32[70], %r: f32[N,70]) {
  %d = dense(%x, %w, %b) : f32[N,70]
  %s = add(%d, %r) : f32[N,70]
  %y = relu(%s) : f32[N,70]
  return %y
})",
      options({1, 7}));
  EXPECT_EQ(kernels, 1);
}

TEST(Contraction, FusedConvResidual) {
  int kernels = checkFusedAgainstReference(
      R"(graph @g(%x: f32[N,6,10,10], %w: f32[6,6,3,3], %b: f32[6]) {
  %c = conv2d(%x, %w, %b) {pads = [1,1,1,1]} : f32[N,6,10,10]
  %s = add(%c, %x) : f32[N,6,10,10]
  %y = relu(%s) : f32[N,6,10,10]
  return %y
})",
      options({1, 3}));
  EXPECT_EQ(kernels, 1);
}

TEST(Contraction, HandFusedMatMulEpilogueWithTwoOutputs) {
  // Kernel annotations by hand: the matmul result and relu(matmul * 2) are
  // both outputs of one kernel.
  checkAgainstReference(R"(graph @g(%a: f32[N,19,23], %b: f32[23,29], %two: f32[29]) {
  %m = matmul(%a, %b) : f32[N,19,29]  #k0
  %s = mul(%m, %two) : f32[N,19,29]  #k0
  %y = relu(%s) : f32[N,19,29]  #k0
  return %m, %y
})",
                        options({1, 7}));
}

}  // namespace
}  // namespace dlc::cpu::test
