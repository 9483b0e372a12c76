// gather rendered as CUDA C++: an embedding lookup (i64 ids holding N, fused
// with its elementwise consumers into one loop kernel), gather along axis 1
// with negative constant indices, scalar indices, indices computed inside
// the kernel, and runtime ids out of range (clamped). Each case checks the
// kernel count and golden text (golden/<name>.cu), compiles with NVRTC +
// ptxas for sm_90, runs in the host CUDA emulation (emu/) against the
// reference interpreter, and on a GPU when there is one.
#include <gtest/gtest.h>

#include "tests/backends/cuda/CudaTestHarness.h"
#include "tests/backends/cuda/emu/EmuRunner.h"

namespace dlc::cuda::test {
namespace {

struct Case {
  const char* golden;
  const char* ir;
  size_t kernels;
};

const Case kCases[] = {
    {"gather_embedding", R"(graph @t(%table: f32[64,16], %ids: i64[N,7], %pos: f32[7,16]) {
  %e = gather(%table, %ids) : f32[N,7,16]
  %s = mul(%e, %e) : f32[N,7,16]
  %a = add(%s, %pos) : f32[N,7,16]
  return %a
})", 1},
    {"gather_axis1", R"(graph @t(%x: f32[N,10,8]) {
  %i = constant() {value = dense<[2, -1, 0, 9, -10]>} : i32[5]
  %g = gather(%x, %i) {axis = 1} : f32[N,5,8]
  %r = relu(%g) : f32[N,5,8]
  %j = constant() {value = dense<[-3]>} : i64[]
  %h = gather(%x, %j) {axis = -1} : f32[N,10]
  return %r, %h
})", 2},
    {"gather_computed_clamped", R"(graph @t(%table: f32[8,3], %f: f32[N,4], %ids: i32[N,6], %v: i64[8]) {
  %c = cast(%f) {to = "i64"} : i64[N,4]
  %g = gather(%table, %c) : f32[N,4,3]
  %n = neg(%g) : f32[N,4,3]
  %o = gather(%v, %ids) : i64[N,6]
  return %n, %o
})", 2},
};

TEST(CudaGather, RendersCompilesAndMatchesTheReferenceInTheEmulator) {
  std::vector<Rendered> rendered;
  std::vector<const RenderedProgram*> programs;
  for (const Case& c : kCases) {
    rendered.push_back(renderIr(c.ir, /*fuse=*/true));
    const Rendered& r = rendered.back();
    ASSERT_EQ(r.program.kernels.size(), c.kernels) << c.golden << "\n" << r.program.source;
    expectGolden(c.golden, r.program.source);
    expectCompiles(r.program, "sm_90");
  }
  for (const Rendered& r : rendered) programs.push_back(&r.program);
  auto module = emu::EmuModule::compile(programs);
  ASSERT_TRUE(module.ok()) << module.status().toString();
  for (size_t i = 0; i < rendered.size(); ++i)
    emu::checkEmulated(**module, i, *rendered[i].graph, rendered[i].plan, rendered[i].program,
                       {}, kCases[i].golden);
}

TEST(CudaGather, RunsOnTheGpu) {
  for (const Case& c : kCases) checkOnGpu(c.ir, /*fuse=*/true);
}

}  // namespace
}  // namespace dlc::cuda::test
