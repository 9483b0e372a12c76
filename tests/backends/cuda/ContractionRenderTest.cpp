// CUDA contraction kernels (ContractionRenderer.cpp): matmul (2-D, batched
// with broadcast, every transpose), dense and conv2d (stride, padding,
// dilation, groups) with fused epilogues (bias, relu, gelu, a residual add,
// stores through reshape + transpose), on the f32 SIMT path and the tensor
// cores (f16, bf16, TF32 with allowTf32). Each case: the rendered source
// equals its golden text, NVRTC + ptxas accept it for sm_90, the kernel
// count and launch geometry are as designed, and on a GPU the results match
// the reference interpreter (skipped visibly without one).
#include <string>

#include <gtest/gtest.h>

#include "ir/Parser.h"
#include "tests/backends/cuda/CudaTestHarness.h"

namespace dlc::cuda::test {
namespace {

GpuCheckOptions tolerance(double rtol, double atol) {
  GpuCheckOptions o;
  o.batches = {1, 5, 70};
  o.rtol = rtol;
  o.atol = atol;
  return o;
}
const GpuCheckOptions kF32 = tolerance(1e-4, 1e-4);

CudaOptions tf32Options() {
  CudaOptions o;
  o.allowTf32 = true;
  return o;
}

// Renders `ir`, checks golden text, compilation and the kernel count, and
// returns the program for launch checks.
RenderedProgram renderChecked(const std::string& golden, const std::string& ir, bool fuse,
                              size_t kernels, const CudaOptions& options = {}) {
  Rendered r = renderIr(ir, fuse, options);
  EXPECT_EQ(r.program.kernels.size(), kernels);
  expectGolden(golden, r.program.source);
  expectCompiles(r.program, "sm_90");
  return r.program;
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

const char* kMatMul2d = R"(graph @g(%a: f32[37,50], %b: f32[50,70]) {
  %y = matmul(%a, %b) : f32[37,70]  #k0
  return %y
})";

TEST(ContractionRender, MatMul2d) {
  RenderedProgram p = renderChecked("contraction_matmul_2d", kMatMul2d, /*fuse=*/false, 1);
  ASSERT_EQ(p.kernels.size(), 1u);
  // 1 x 2 tiles of 64x64, no batch.
  EXPECT_EQ(p.kernels[0].launch.items, Affine::constant(2));
  EXPECT_EQ(p.kernels[0].launch.itemsPerBlock, 1);
  EXPECT_EQ(p.kernels[0].launch.threads, 256);
  EXPECT_TRUE(contains(p.source, "float acc[4][4];"));
  checkOnGpu(kMatMul2d, /*fuse=*/false, kF32);
}

const char* kMatMulBatched = R"(graph @g(%a: f32[N,1,50,37], %b: f32[3,70,50]) {
  %y = matmul(%a, %b) {transpose_a = 1, transpose_b = 1} : f32[N,3,37,70]  #k0
  return %y
})";

TEST(ContractionRender, MatMulBatchedBroadcastTransposes) {
  RenderedProgram p =
      renderChecked("contraction_matmul_batched", kMatMulBatched, /*fuse=*/false, 1);
  ASSERT_EQ(p.kernels.size(), 1u);
  // N * 3 GEMMs of 1 x 2 tiles each.
  EXPECT_EQ(p.kernels[0].launch.items, Affine::batched(6));
  checkOnGpu(kMatMulBatched, /*fuse=*/false, kF32);
}

TEST(ContractionRender, MatMulEveryTranspose) {
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
      // B without a batch of its own: the batch folds into the rows.
      R"(graph @g(%a: f32[N,4,33], %b: f32[33,130]) {
  %y = matmul(%a, %b) : f32[N,4,130]  #k0
  return %y
})",
  };
  for (const char* text : cases) {
    SCOPED_TRACE(text);
    Rendered r = renderIr(text, /*fuse=*/false);
    ASSERT_EQ(r.program.kernels.size(), 1u);
    expectCompiles(r.program, "sm_90");
    checkOnGpu(text, /*fuse=*/false, kF32);
  }
  // The folded case: rows = 4 N, not a multiple of 64: an affine bound on
  // the tiles with itemsPerBlock = 64 (3 column tiles).
  Rendered folded = renderIr(cases[3], /*fuse=*/false);
  ASSERT_EQ(folded.program.kernels.size(), 1u);
  EXPECT_EQ(folded.program.kernels[0].launch.items, (Affine{3 * 63, 3 * 4}));
  EXPECT_EQ(folded.program.kernels[0].launch.itemsPerBlock, 64);
}

const char* kDenseBiasRelu = R"(graph @g(%x: f32[N,784], %w: f32[784,128], %b: f32[128]) {
  %d = dense(%x, %w, %b) : f32[N,128]
  %y = relu(%d) : f32[N,128]
  return %y
})";

TEST(ContractionRender, DenseBiasRelu) {
  RenderedProgram p =
      renderChecked("contraction_dense_bias_relu", kDenseBiasRelu, /*fuse=*/true, 1);
  ASSERT_EQ(p.kernels.size(), 1u);
  // ceil(N / 64) x 2 tiles: bounded by (2 N + 2 * 63) / 64 blocks.
  EXPECT_EQ(p.kernels[0].launch.items, (Affine{2 * 63, 2}));
  EXPECT_EQ(p.kernels[0].launch.itemsPerBlock, 64);
  EXPECT_TRUE(contains(p.source, "dlc_relu("));
  checkOnGpu(kDenseBiasRelu, /*fuse=*/true, kF32);
}

const char* kDenseGeluResidual =
    R"(graph @g(%x: f32[N,3,40], %w: f32[40,70], %b: f32[70], %r: f32[N,3,70]) {
  %d = dense(%x, %w, %b) : f32[N,3,70]
  %g = gelu(%d) : f32[N,3,70]
  %y = add(%g, %r) : f32[N,3,70]
  return %y
})";

TEST(ContractionRender, DenseGeluResidual) {
  RenderedProgram p =
      renderChecked("contraction_dense_gelu_residual", kDenseGeluResidual, /*fuse=*/true, 1);
  EXPECT_TRUE(contains(p.source, "erff("));
  checkOnGpu(kDenseGeluResidual, /*fuse=*/true, kF32);
}

const char* kConvGroups = R"(graph @g(%x: f32[N,4,11,13], %w: f32[6,2,3,3], %b: f32[6]) {
  %c = conv2d(%x, %w, %b) {strides = [2,2], pads = [1,2,1,0], dilations = [1,2], groups = 2} : f32[N,6,6,6]
  %y = relu(%c) : f32[N,6,6,6]
  return %y
})";

TEST(ContractionRender, Conv2dStridePadDilationGroupsBiasRelu) {
  RenderedProgram p =
      renderChecked("contraction_conv2d_groups", kConvGroups, /*fuse=*/true, 1);
  ASSERT_EQ(p.kernels.size(), 1u);
  // 2 groups x ceil(36 N / 64) column tiles.
  EXPECT_EQ(p.kernels[0].launch.items, (Affine{2 * 63, 2 * 36}));
  EXPECT_EQ(p.kernels[0].launch.itemsPerBlock, 64);
  checkOnGpu(kConvGroups, /*fuse=*/true, kF32);
}

TEST(ContractionRender, Conv2dPlainAndPointwise) {
  const char* cases[] = {
      R"(graph @g(%x: f32[N,3,9,9], %w: f32[70,3,3,3]) {
  %y = conv2d(%x, %w) {pads = [1,1,1,1]} : f32[N,70,9,9]  #k0
  return %y
})",
      R"(graph @g(%x: f32[2,16,7,7], %w: f32[32,16,1,1], %b: f32[32]) {
  %y = conv2d(%x, %w, %b) : f32[2,32,7,7]  #k0
  return %y
})",
  };
  for (const char* text : cases) {
    SCOPED_TRACE(text);
    Rendered r = renderIr(text, /*fuse=*/false);
    ASSERT_EQ(r.program.kernels.size(), 1u);
    expectCompiles(r.program, "sm_90");
    checkOnGpu(text, /*fuse=*/false, kF32);
  }
}

// The transformer's q/k/v head split and the ctx head merge: the epilogue
// stores through reshape + transpose, no separate copy kernel.
const char* kAttentionSplit = R"(graph @g(%x: f32[N,16,32], %w: f32[32,64], %b: f32[64]) {
  %d = dense(%x, %w, %b) : f32[N,16,64]
  %r = reshape(%d) {shape = [0,16,4,16]} : f32[N,16,4,16]
  %t = transpose(%r) {perm = [0,2,1,3]} : f32[N,4,16,16]
  return %t
})";
const char* kAttentionMerge = R"(graph @g(%p: f32[N,4,16,16], %v: f32[N,4,16,16]) {
  %m = matmul(%p, %v) : f32[N,4,16,16]
  %t = transpose(%m) {perm = [0,2,1,3]} : f32[N,16,4,16]
  %r = reshape(%t) {shape = [0,16,64]} : f32[N,16,64]
  return %r
})";

TEST(ContractionRender, MatMulStoredThroughReshapeTranspose) {
  RenderedProgram merge =
      renderChecked("contraction_attention_merge", kAttentionMerge, /*fuse=*/true, 1);
  ASSERT_EQ(merge.kernels.size(), 1u);
  EXPECT_EQ(merge.kernels[0].launch.items, Affine::batched(4));
  checkOnGpu(kAttentionMerge, /*fuse=*/true, kF32);
  Rendered split = renderIr(kAttentionSplit, /*fuse=*/true);
  EXPECT_EQ(split.program.kernels.size(), 1u);
  expectCompiles(split.program, "sm_90");
  checkOnGpu(kAttentionSplit, /*fuse=*/true, kF32);
}

const char* kDenseF16 = R"(graph @g(%x: f16[N,70], %w: f16[70,150], %b: f16[150]) {
  %d = dense(%x, %w, %b) : f16[N,150]
  %y = relu(%d) : f16[N,150]
  return %y
})";

TEST(ContractionRender, DenseF16TensorCores) {
  RenderedProgram p = renderChecked("contraction_dense_f16", kDenseF16, /*fuse=*/true, 1);
  ASSERT_EQ(p.kernels.size(), 1u);
  EXPECT_TRUE(contains(p.source, "nvcuda::wmma::fragment<nvcuda::wmma::matrix_a, 16, 16, 16, "
                                 "__half, nvcuda::wmma::row_major>"));
  // 64x128 tiles: ceil(N / 64) x 2.
  EXPECT_EQ(p.kernels[0].launch.items, (Affine{2 * 63, 2}));
  EXPECT_EQ(p.kernels[0].launch.threads, 256);
  checkOnGpu(kDenseF16, /*fuse=*/true, tolerance(1e-2, 1e-2));
}

const char* kConvBf16 = R"(graph @g(%x: bf16[N,3,9,9], %w: bf16[70,3,3,3], %b: bf16[70]) {
  %c = conv2d(%x, %w, %b) {pads = [1,1,1,1]} : bf16[N,70,9,9]
  %y = relu(%c) : bf16[N,70,9,9]
  return %y
})";

TEST(ContractionRender, Conv2dBf16TensorCores) {
  RenderedProgram p = renderChecked("contraction_conv2d_bf16", kConvBf16, /*fuse=*/true, 1);
  EXPECT_TRUE(contains(p.source, "__nv_bfloat16, nvcuda::wmma::row_major>"));
  checkOnGpu(kConvBf16, /*fuse=*/true, tolerance(3e-2, 3e-2));
}

const char* kMatMulTf32 = R"(graph @g(%a: f32[N,4,40,24], %b: f32[N,4,24,40]) {
  %y = matmul(%a, %b) : f32[N,4,40,40]  #k0
  return %y
})";

TEST(ContractionRender, MatMulTf32OnlyWhenAllowed) {
  RenderedProgram p = renderChecked("contraction_matmul_tf32", kMatMulTf32, /*fuse=*/false, 1,
                                    tf32Options());
  EXPECT_TRUE(contains(p.source, "nvcuda::wmma::precision::tf32"));
  EXPECT_TRUE(contains(p.source, "__float_to_tf32"));
  // Without allowTf32 the same graph stays on the exact f32 path.
  Rendered exact = renderIr(kMatMulTf32, /*fuse=*/false);
  EXPECT_FALSE(contains(exact.program.source, "nvcuda::wmma"));
  EXPECT_EQ(exact.program.kernels.at(0).launch.items, Affine::batched(4));
  EXPECT_EQ(p.kernels.at(0).launch.items, Affine::batched(4));
  // checkOnGpu renders with default options, so this runs the exact path.
  checkOnGpu(kMatMulTf32, /*fuse=*/false, kF32);
}

TEST(ContractionRender, TensorCoresNeedTheirArch) {
  const char* bf16 = R"(graph @g(%a: bf16[20,30], %b: bf16[30,40]) {
  %y = matmul(%a, %b) : bf16[20,40]  #k0
  return %y
})";
  CudaOptions turing;
  turing.arch = "sm_75";
  Rendered old = renderIr(bf16, /*fuse=*/false, turing);
  EXPECT_FALSE(contains(old.program.source, "nvcuda::wmma"));
  EXPECT_TRUE(contains(old.program.source, "__bfloat162float("));
  Rendered ampere = renderIr(bf16, /*fuse=*/false);
  EXPECT_TRUE(contains(ampere.program.source, "nvcuda::wmma"));
  expectCompiles(ampere.program, "sm_90");
  checkOnGpu(bf16, /*fuse=*/false, tolerance(3e-2, 3e-2));
}

TEST(ContractionRender, RemapInsideTheEpilogueIsRefusedByName) {
  // A remap ends an epilogue: relu may not read the reshaped value in the
  // same kernel (the fusion policy never forms this; the renderer says why).
  StatusOr<std::unique_ptr<ir::Graph>> graph =
      ir::parseGraph(R"(graph @g(%x: f32[N,8], %w: f32[8,6]) {
  %d = dense(%x, %w) : f32[N,6]  #k0
  %r = reshape(%d) {shape = [0,2,3]} : f32[N,2,3]  #k0
  %act = relu(%r) : f32[N,2,3]  #k0
  return %act
})",
                     "test.ir");
  ASSERT_TRUE(graph.ok()) << graph.status().toString();
  StatusOr<ir::KernelPlan> plan = ir::buildKernelPlan(**graph);
  ASSERT_TRUE(plan.ok()) << plan.status().toString();
  std::vector<const ir::Kernel*> kernels;
  for (const ir::Kernel& k : plan->kernels) kernels.push_back(&k);
  StatusOr<RenderedProgram> program = render(**graph, kernels, CudaOptions{});
  ASSERT_FALSE(program.ok());
  const std::string message = program.status().toString();
  EXPECT_NE(message.find("act"), std::string::npos) << message;
  EXPECT_NE(message.find("a remap ends the epilogue"), std::string::npos) << message;
}

}  // namespace
}  // namespace dlc::cuda::test
