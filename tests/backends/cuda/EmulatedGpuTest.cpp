// The rendered CUDA kernels, run on the CPU: every fixture is rendered
// (renderIr), compiled with g++ against the host emulation of CUDA in
// emu/CudaEmu.h (fibers for threads, real warp shuffles and barriers, wmma
// fragments), launched with the rendered geometry at batches 1 and 5, and
// every graph output is compared with the reference interpreter. This proves
// the numbers of the generated code on a machine without a GPU; the NVRTC /
// ptxas tests prove it compiles for one, checkOnGpu runs it on one.
//
// The IR fixtures are those of the *RenderTest.cpp files. Each TEST compiles
// its fixtures into one shared library (cached by source hash).
#include <gtest/gtest.h>

#include "compiler/backends/cuda/CudaFusionPolicy.h"
#include "frontends/json/JsonModel.h"
#include "passes/Fusion.h"
#include "tests/backends/cuda/CudaTestHarness.h"
#include "tests/backends/cuda/emu/EmuRunner.h"

namespace dlc::cuda::test {
namespace {

using emu::EmuCheckOptions;

struct Case {
  const char* name;
  const char* ir;
  bool fuse;
  EmuCheckOptions check = {};
  CudaOptions options = {};
};

EmuCheckOptions tol(double rtol, double atol, std::vector<int64_t> batches = {1, 5}) {
  EmuCheckOptions o;
  o.batches = std::move(batches);
  o.rtol = rtol;
  o.atol = atol;
  return o;
}

// Renders every case, compiles them into one library and checks each.
void checkCases(const std::vector<Case>& cases) {
  std::vector<Rendered> rendered;
  std::vector<const RenderedProgram*> programs;
  for (const Case& c : cases) {
    rendered.push_back(renderIr(c.ir, c.fuse, c.options));
    ASSERT_FALSE(rendered.back().program.source.empty()) << c.name;
  }
  for (const Rendered& r : rendered) programs.push_back(&r.program);
  auto module = emu::EmuModule::compile(programs);
  ASSERT_TRUE(module.ok()) << module.status().toString();
  for (size_t i = 0; i < cases.size(); ++i)
    emu::checkEmulated(**module, i, *rendered[i].graph, rendered[i].plan, rendered[i].program,
                       cases[i].check, cases[i].name);
}

TEST(EmulatedGpu, ElementwiseChainsBroadcastsAndVectorPath) {
  checkCases({
      {"chain_broadcast", R"(graph @t(%x: f32[N,64], %b: f32[64], %c: f32[N,1]) {
  %a = add(%x, %b) : f32[N,64]
  %m = mul(%a, %c) : f32[N,64]
  %s = sigmoid(%m) : f32[N,64]
  %t = tanh(%s) : f32[N,64]
  %n = neg(%t) : f32[N,64]
  %r = relu(%n) : f32[N,64]
  %e = exp(%r) : f32[N,64]
  %q = sqrt(%e) : f32[N,64]
  return %q
})", /*fuse=*/true, tol(1e-5, 1e-6, {1, 5, 40000})},
      {"vector_map", R"(graph @t(%x: f32[N,64], %y: f32[N,64], %s: f32[]) {
  %h = constant() {value = dense<[0.5]>} : f32[]
  %a = mul(%x, %h) : f32[N,64] #k0
  %b = add(%a, %y) : f32[N,64] #k0
  %c = mul(%b, %s) : f32[N,64] #k0
  %d = maximum(%c, %x) : f32[N,64] #k0
  %i = cast(%d) {to = "i32"} : i32[N,64] #k0
  return %d, %i
})", /*fuse=*/false},
      // A static rank-3 map collapses to one dim before the float4 path
      // (the vector loop once indexed it with the uncollapsed rank).
      {"vector_map_collapsed", R"(graph @t(%x: f32[4,8,16], %y: f32[4,8,16], %s: f32[1,1,1]) {
  %a = add(%x, %y) : f32[4,8,16] #k0
  %b = mul(%a, %s) : f32[4,8,16] #k0
  return %b
})", /*fuse=*/false},
      {"unaligned_row", R"(graph @t(%x: f32[N,63], %b: f32[63]) {
  %a = add(%x, %b) : f32[N,63] #k0
  return %a
})", /*fuse=*/false},
      {"unary_f32", R"(graph @t(%x: f32[N,5]) {
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
  return %a, %b, %c, %d, %e, %f, %g, %h, %i, %j, %k, %l
})", /*fuse=*/false, tol(1e-5, 1e-6)},
      {"binary_f32", R"(graph @t(%x: f32[N,3,4], %y: f32[3,1], %z: f32[4]) {
  %a = add(%x, %y) : f32[N,3,4] #k0
  %b = sub(%x, %z) : f32[N,3,4] #k0
  %c = mul(%y, %z) : f32[3,4] #k0
  %d = div(%x, %c) : f32[N,3,4] #k0
  %e = abs(%x) : f32[N,3,4] #k0
  %f = pow(%e, %z) : f32[N,3,4] #k0
  %g = maximum(%x, %y) : f32[N,3,4] #k0
  %h = minimum(%z, %x) : f32[N,3,4] #k0
  return %a, %b, %d, %f, %g, %h
})", /*fuse=*/false, tol(1e-5, 1e-6)},
      {"integer", R"(graph @t(%x: i32[N,6], %y: i32[6], %l: i64[N,6]) {
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
})", /*fuse=*/false},
  });
}

TEST(EmulatedGpu, CastsComparesAndSelect) {
  checkCases({
      {"compare_select", R"(graph @t(%x: f32[N,6], %y: f32[6], %i: i32[N,6], %j: i32[N,6], %u: u8[6], %w: u8[N,6]) {
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
  return %a, %b, %f, %k, %s, %t, %q
})", /*fuse=*/false},
      {"casts", R"(graph @t(%x: f32[N,7], %i: i64[N,7], %b: bool[N,7]) {
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
  %o = cast(%f) {to = "f32"} : f32[N,7] #k0
  return %a, %c, %d, %e, %f, %g, %h, %j, %k, %l, %m, %n, %o
})", /*fuse=*/false},
  });
}

TEST(EmulatedGpu, RemapsAndMultiOutputLoops) {
  checkCases({
      {"remaps", R"(graph @t(%x: f32[N,3,4], %y: f32[N,2,4], %z: f32[3,1], %w: f32[N,10,9]) {
  %r = reshape(%x) {shape = [-1,4,3]} : f32[N,4,3] #k0
  %t = transpose(%r) {perm = [0,2,1]} : f32[N,3,4] #k0
  %f = flatten(%t) : f32[N,12] #k0
  %p = pad(%x) {pads = [0,1,2,0,2,1], value = -7.5} : f32[N,6,7] #k1
  %c = concat(%x, %y, %x) {axis = 1} : f32[N,8,4] #k2
  %b = broadcast_to(%z) {shape = [-1,3,5]} : f32[N,3,5] #k3
  %s = slice(%w) {axes = [1,2], ends = [-1,0], starts = [1,-1], steps = [3,-2]} : f32[N,3,4] #k4
  %n = neg(%s) : f32[N,3,4] #k4
  return %f, %p, %c, %b, %n
})", /*fuse=*/false},
      {"multi_output", R"(graph @t(%x: f32[N,4,6]) {
  %e = exp(%x) : f32[N,4,6] #k0
  %t = transpose(%e) {perm = [0,2,1]} : f32[N,6,4] #k0
  %s = slice(%e) {axes = [2], ends = [3], starts = [0]} : f32[N,4,3] #k0
  return %t, %s, %e
})", /*fuse=*/false},
  });
}

TEST(EmulatedGpu, Reductions) {
  checkCases({
      {"reduce_axes", R"(graph @t(%x: f32[N,4,5]) {
  %a = reduce_sum(%x) {axes = [1]} : f32[N,5] #k0
  %b = reduce_mean(%x) {axes = [0,2]} : f32[4] #k1
  %c = reduce_max(%x) {axes = [-1], keepdims = 1} : f32[N,4,1] #k2
  %d = reduce_min(%x) {axes = [1,2], keepdims = 1} : f32[N,1,1] #k3
  %e = reduce_sum(%x) : f32[] #k4
  return %a, %b, %c, %d, %e
})", /*fuse=*/false, tol(1e-5, 1e-5)},
      {"reduce_fused", R"(graph @t(%x: f32[N,7,300], %y: f32[300], %s: f32[7]) {
  %a = mul(%x, %y) : f32[N,7,300] #k0
  %e = exp(%a) : f32[N,7,300] #k0
  %r = reduce_sum(%e) {axes = [2]} : f32[N,7] #k0
  %d = div(%r, %s) : f32[N,7] #k0
  %l = log(%d) : f32[N,7] #k0
  return %l, %r, %a
})", /*fuse=*/false, tol(2e-5, 1e-5)},
      {"reduce_long_int", R"(graph @t(%x: f32[N,0,3], %i: i32[N,6], %z: f32[3,5000]) {
  %s = reduce_sum(%x) {axes = [1]} : f32[N,3] #k0
  %m = reduce_max(%x) {axes = [1]} : f32[N,3] #k1
  %a = reduce_mean(%x) {axes = [1]} : f32[N,3] #k2
  %q = reduce_sum(%i) {axes = [1]} : i32[N] #k3
  %w = reduce_min(%i) {axes = [1]} : i32[N] #k4
  %l = reduce_max(%z) {axes = [1]} : f32[3] #k5
  %t = reduce_sum(%z) {axes = [1]} : f32[3] #k6
  return %s, %m, %a, %q, %w, %l, %t
})", /*fuse=*/false, tol(1e-4, 1e-4)},
      // A row over the batch (block per row whose length depends on N).
      {"reduce_over_batch", R"(graph @t(%x: f32[N,3]) {
  %s = reduce_sum(%x) {axes = [0]} : f32[3] #k0
  %m = reduce_max(%x) {axes = [0]} : f32[3] #k1
  return %s, %m
})", /*fuse=*/false, tol(1e-5, 1e-5, {1, 5, 1500})},
  });
}

TEST(EmulatedGpu, SoftmaxLogSoftmaxAndLayerNormRows) {
  checkCases({
      {"row_softmax", R"(graph @t(%x: f32[N,3,40], %b: f32[40]) {
  %a = mul(%x, %b) : f32[N,3,40] #k0
  %s = softmax(%a) : f32[N,3,40] #k0
  %k = mul(%s, %x) : f32[N,3,40] #k0
  %l = log_softmax(%x) {axis = 1} : f32[N,3,40] #k1
  %m = softmax(%x) {axis = 0} : f32[N,3,40] #k2
  %n = neg(%l) : f32[N,3,40] #k1
  return %k, %n, %m
})", /*fuse=*/false, tol(1e-5, 1e-6)},
      {"row_long", R"(graph @t(%x: f32[2,20000], %y: f32[2,3000]) {
  %e = tanh(%x) : f32[2,20000] #k0
  %s = softmax(%e) : f32[2,20000] #k0
  %l = log_softmax(%y) : f32[2,3000] #k1
  return %s, %l
})", /*fuse=*/false, tol(1e-4, 1e-9, {1})},
      {"row_layer_norm", R"(graph @t(%x: f32[N,6,16], %g: f32[6,16], %b: f32[6,16], %h: f32[16]) {
  %r = relu(%x) : f32[N,6,16] #k0
  %n = layer_norm(%r, %g, %b) {axis = 1, epsilon = 0.001} : f32[N,6,16] #k0
  %a = add(%n, %x) : f32[N,6,16] #k0
  %m = layer_norm(%x, %h) : f32[N,6,16] #k1
  %t = transpose(%m) {perm = [0,2,1]} : f32[N,16,6] #k1
  return %a, %t, %r
})", /*fuse=*/false, tol(2e-5, 1e-5)},
      {"row_layer_norm_long", R"(graph @t(%x: f32[N,1500], %g: f32[1500]) {
  %n = layer_norm(%x, %g) : f32[N,1500] #k0
  return %n
})", /*fuse=*/false, tol(1e-4, 1e-5)},
      {"fused_norm_block", R"(graph @t(%x: f32[N,10,32], %g: f32[32], %b: f32[32]) {
  %h = gelu(%x) : f32[N,10,32]
  %n = layer_norm(%h, %g, %b) : f32[N,10,32]
  %s = softmax(%n) : f32[N,10,32]
  %r = reduce_mean(%s) {axes = [1]} : f32[N,32]
  %p = reshape(%x) {shape = [-1,1,10,32]} : f32[N,1,10,32]
  %m = max_pool2d(%p) {kernel = [2,2]} : f32[N,1,5,16]
  return %r, %m
})", /*fuse=*/true, tol(2e-5, 1e-5)},
  });
}

TEST(EmulatedGpu, Pools) {
  checkCases({
      {"pool_all", R"(graph @t(%x: f32[N,3,9,7]) {
  %s = sigmoid(%x) : f32[N,3,9,7] #k0
  %m = max_pool2d(%s) {kernel = [2,2]} : f32[N,3,4,3] #k0
  %r = relu(%m) : f32[N,3,4,3] #k0
  %v = avg_pool2d(%x) {kernel = [3,3], pads = [1,1,1,1], strides = [2,3]} : f32[N,3,5,3] #k1
  %w = avg_pool2d(%x) {count_include_pad = 1, kernel = [3,3], pads = [1,1,1,1], strides = [2,3]} : f32[N,3,5,3] #k2
  %g = global_avg_pool(%x) : f32[N,3,1,1] #k3
  %f = flatten(%g) : f32[N,3] #k3
  return %r, %v, %w, %f, %s
})", /*fuse=*/false, tol(1e-5, 1e-6)},
  });
}

TEST(EmulatedGpu, DenseMatMulAndConvF32) {
  const EmuCheckOptions f32 = tol(1e-4, 1e-4);
  checkCases({
      {"matmul_2d", R"(graph @g(%a: f32[37,50], %b: f32[50,70]) {
  %y = matmul(%a, %b) : f32[37,70]  #k0
  return %y
})", /*fuse=*/false, f32},
      {"matmul_batched", R"(graph @g(%a: f32[N,1,50,37], %b: f32[3,70,50]) {
  %y = matmul(%a, %b) {transpose_a = 1, transpose_b = 1} : f32[N,3,37,70]  #k0
  return %y
})", /*fuse=*/false, f32},
      {"matmul_transpose_a", R"(graph @g(%a: f32[2,1,7,5], %b: f32[3,7,9]) {
  %y = matmul(%a, %b) {transpose_a = 1} : f32[2,3,5,9]  #k0
  return %y
})", /*fuse=*/false, f32},
      {"matmul_folded_batch", R"(graph @g(%a: f32[N,4,33], %b: f32[33,130]) {
  %y = matmul(%a, %b) : f32[N,4,130]  #k0
  return %y
})", /*fuse=*/false, f32},
      {"dense_bias_relu", R"(graph @g(%x: f32[N,784], %w: f32[784,128], %b: f32[128]) {
  %d = dense(%x, %w, %b) : f32[N,128]
  %y = relu(%d) : f32[N,128]
  return %y
})", /*fuse=*/true, tol(1e-4, 1e-4, {1, 5, 130})},
      {"dense_gelu_residual", R"(graph @g(%x: f32[N,3,40], %w: f32[40,70], %b: f32[70], %r: f32[N,3,70]) {
  %d = dense(%x, %w, %b) : f32[N,3,70]
  %g = gelu(%d) : f32[N,3,70]
  %y = add(%g, %r) : f32[N,3,70]
  return %y
})", /*fuse=*/true, f32},
      {"conv2d_groups", R"(graph @g(%x: f32[N,4,11,13], %w: f32[6,2,3,3], %b: f32[6]) {
  %c = conv2d(%x, %w, %b) {strides = [2,2], pads = [1,2,1,0], dilations = [1,2], groups = 2} : f32[N,6,6,6]
  %y = relu(%c) : f32[N,6,6,6]
  return %y
})", /*fuse=*/true, f32},
      {"conv2d_pad", R"(graph @g(%x: f32[N,3,9,9], %w: f32[70,3,3,3]) {
  %y = conv2d(%x, %w) {pads = [1,1,1,1]} : f32[N,70,9,9]  #k0
  return %y
})", /*fuse=*/false, f32},
      {"conv2d_1x1_bias", R"(graph @g(%x: f32[2,16,7,7], %w: f32[32,16,1,1], %b: f32[32]) {
  %y = conv2d(%x, %w, %b) : f32[2,32,7,7]  #k0
  return %y
})", /*fuse=*/false, f32},
  });
}

TEST(EmulatedGpu, AttentionHeadSplitAndMerge) {
  const EmuCheckOptions f32 = tol(1e-4, 1e-4);
  checkCases({
      {"attention_split", R"(graph @g(%x: f32[N,16,32], %w: f32[32,64], %b: f32[64]) {
  %d = dense(%x, %w, %b) : f32[N,16,64]
  %r = reshape(%d) {shape = [0,16,4,16]} : f32[N,16,4,16]
  %t = transpose(%r) {perm = [0,2,1,3]} : f32[N,4,16,16]
  return %t
})", /*fuse=*/true, f32},
      {"attention_merge", R"(graph @g(%p: f32[N,4,16,16], %v: f32[N,4,16,16]) {
  %m = matmul(%p, %v) : f32[N,4,16,16]
  %t = transpose(%m) {perm = [0,2,1,3]} : f32[N,16,4,16]
  %r = reshape(%t) {shape = [0,16,64]} : f32[N,16,64]
  return %r
})", /*fuse=*/true, f32},
  });
}

TEST(EmulatedGpu, TensorCoresF16Bf16AndTf32) {
  CudaOptions tf32;
  tf32.allowTf32 = true;
  checkCases({
      {"dense_f16", R"(graph @g(%x: f16[N,70], %w: f16[70,150], %b: f16[150]) {
  %d = dense(%x, %w, %b) : f16[N,150]
  %y = relu(%d) : f16[N,150]
  return %y
})", /*fuse=*/true, tol(1e-2, 1e-2, {1, 5, 130})},
      {"conv2d_bf16", R"(graph @g(%x: bf16[N,3,9,9], %w: bf16[70,3,3,3], %b: bf16[70]) {
  %c = conv2d(%x, %w, %b) {pads = [1,1,1,1]} : bf16[N,70,9,9]
  %y = relu(%c) : bf16[N,70,9,9]
  return %y
})", /*fuse=*/true, tol(3e-2, 3e-2)},
      {"matmul_bf16", R"(graph @g(%a: bf16[20,30], %b: bf16[30,40]) {
  %y = matmul(%a, %b) : bf16[20,40]  #k0
  return %y
})", /*fuse=*/false, tol(3e-2, 3e-2)},
      {"matmul_tf32", R"(graph @g(%a: f32[N,4,40,24], %b: f32[N,4,24,40]) {
  %y = matmul(%a, %b) : f32[N,4,40,40]  #k0
  return %y
})", /*fuse=*/false, tol(1e-2, 2e-2), tf32},
  });
}

// The example model, loaded from its JSON with its trained weights, fused
// with the GPU policy and run end to end.
TEST(EmulatedGpu, FashionMnistMlpEndToEnd) {
  auto graph = json::loadModel(std::string(DLC_SOURCE_DIR) + "/examples/fashion_mnist_mlp.json");
  ASSERT_TRUE(graph.ok()) << graph.status().toString();
  CudaFusionPolicy policy;
  passes::FusionPass pass(policy);
  StatusOr<bool> changed = pass.run(**graph);
  ASSERT_TRUE(changed.ok()) << changed.status().toString();
  ir::KernelPlan plan = pass.plan();
  std::vector<const ir::Kernel*> kernels;
  for (const ir::Kernel& k : plan.kernels) kernels.push_back(&k);
  StatusOr<RenderedProgram> program = render(**graph, kernels, CudaOptions{});
  ASSERT_TRUE(program.ok()) << program.status().toString();
  EXPECT_GE(program->kernels.size(), 2u);
  auto module = emu::EmuModule::compile({&*program});
  ASSERT_TRUE(module.ok()) << module.status().toString();
  emu::checkEmulated(**module, 0, **graph, plan, *program, tol(1e-4, 1e-5), "fashion_mnist_mlp");
}

}  // namespace
}  // namespace dlc::cuda::test
