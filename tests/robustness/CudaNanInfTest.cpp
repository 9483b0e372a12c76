// NaN, ±inf, -0 and subnormals through the CUDA renderer: each graph holds
// the special values as constants, is rendered (fused), compiled against the
// host CUDA emulation (tests/backends/cuda/emu) and compared with the
// reference interpreter, which matches NaN to NaN and infinities exactly.
// The sign of a zero is made visible as the sign of an infinity through
// reciprocal(), so maximum(+0, -0) returning -0 fails here.
//
// What it deliberately does not do: run on a GPU (scripts/gpu-check.sh runs
// the CUDA suites there) or check CUDA libm accuracy away from specials.
#include <gtest/gtest.h>

#include "tests/backends/cuda/CudaTestHarness.h"
#include "tests/backends/cuda/emu/EmuRunner.h"

namespace dlc::cuda::test {
namespace {

void checkIr(const std::vector<std::pair<const char*, const char*>>& cases) {
  std::vector<Rendered> rendered;
  std::vector<const RenderedProgram*> programs;
  for (const auto& c : cases) {
    rendered.push_back(renderIr(c.second, /*fuse=*/true));
    ASSERT_FALSE(rendered.back().program.source.empty()) << c.first;
  }
  for (const Rendered& r : rendered) programs.push_back(&r.program);
  auto module = emu::EmuModule::compile(programs);
  ASSERT_TRUE(module.ok()) << module.status().toString();
  emu::EmuCheckOptions options;
  options.rtol = 2e-5;
  options.atol = 1e-6;
  for (size_t i = 0; i < cases.size(); ++i)
    emu::checkEmulated(**module, i, *rendered[i].graph, rendered[i].plan, rendered[i].program,
                       options, cases[i].first);
}

TEST(CudaNanInf, UnaryOpsOnSpecialValues) {
  checkIr({{"unary", R"(graph @t() {
  %x = constant() {value = dense<[nan, inf, -inf, -0.0, 0.0, 1e-40, -1e-40, 1.0, -1.0, 20.0, -20.0]>} : f32[11]
  %a = neg(%x) : f32[11]
  %b = abs(%x) : f32[11]
  %c = relu(%x) : f32[11]
  %rc = reciprocal(%c) : f32[11]
  %d = leaky_relu(%x) {alpha = 0.25} : f32[11]
  %rd = reciprocal(%d) : f32[11]
  %e = exp(%x) : f32[11]
  %f = log(%x) : f32[11]
  %g = sqrt(%x) : f32[11]
  %h = rsqrt(%x) : f32[11]
  %i = tanh(%x) : f32[11]
  %j = sigmoid(%x) : f32[11]
  %k = erf(%x) : f32[11]
  %l = gelu(%x) : f32[11]
  %m = gelu(%x) {approximate = "tanh"} : f32[11]
  %n = floor(%x) : f32[11]
  %o = ceil(%x) : f32[11]
  %ro = reciprocal(%o) : f32[11]
  %p = cast(%x) {to = "i32"} : i32[11]
  %q = cast(%x) {to = "u8"} : u8[11]
  %r = cast(%x) {to = "bool"} : bool[11]
  %s = cast(%x) {to = "i64"} : i64[11]
  %t = cast(%x) {to = "f16"} : f16[11]
  return %a, %b, %rc, %rd, %e, %f, %g, %h, %i, %j, %k, %l, %m, %n, %ro, %p, %q, %r, %s, %t
})"}});
}

TEST(CudaNanInf, BinaryOpsAndSignedZeros) {
  checkIr({{"binary", R"(graph @t() {
  %a = constant() {value = dense<[nan, 1.0, nan, -0.0, 0.0, inf, -inf, nan, inf, 0.0]>} : f32[10]
  %b = constant() {value = dense<[1.0, nan, -inf, 0.0, -0.0, -inf, 1.0, nan, inf, inf]>} : f32[10]
  %mx = maximum(%a, %b) : f32[10]
  %mn = minimum(%a, %b) : f32[10]
  %rmx = reciprocal(%mx) : f32[10]
  %rmn = reciprocal(%mn) : f32[10]
  %ad = add(%a, %b) : f32[10]
  %sb = sub(%a, %b) : f32[10]
  %ml = mul(%a, %b) : f32[10]
  %dv = div(%a, %b) : f32[10]
  %pw = pow(%a, %b) : f32[10]
  %eq = equal(%a, %b) : bool[10]
  %ne = not_equal(%a, %b) : bool[10]
  %lt = less(%a, %b) : bool[10]
  %le = less_equal(%a, %b) : bool[10]
  %gt = greater(%a, %b) : bool[10]
  %ge = greater_equal(%a, %b) : bool[10]
  %isnan = not_equal(%a, %a) : bool[10]
  %sel = select(%isnan, %b, %a) : f32[10]
  return %rmx, %rmn, %mx, %mn, %ad, %sb, %ml, %dv, %pw, %eq, %ne, %lt, %le, %gt, %ge, %sel
})"}});
}

TEST(CudaNanInf, ReductionsRowsAndPools) {
  checkIr({{"reduce", R"(graph @t() {
  %x = constant() {value = dense<[1.0, nan, 2.0, 3.0, -inf, -inf, -inf, -inf, -inf, 1.0, 2.0, inf, -0.0, 0.0, -0.0, -0.0]>} : f32[4,4]
  %mx = reduce_max(%x) {axes = [1]} : f32[4]
  %mn = reduce_min(%x) {axes = [1]} : f32[4]
  %rmx = reciprocal(%mx) : f32[4]
  %rmn = reciprocal(%mn) : f32[4]
  %sm = reduce_sum(%x) {axes = [1]} : f32[4]
  return %rmx, %rmn, %sm
})"},
           {"softmax", R"(graph @t() {
  %x = constant() {value = dense<[1.0, nan, 2.0, 3.0, -inf, 0.0, -inf, 0.0, inf, 1.0, 2.0, 3.0, -inf, -inf, -inf, -inf]>} : f32[4,4]
  %s = softmax(%x) : f32[4,4]
  %l = log_softmax(%x) : f32[4,4]
  return %s, %l
})"},
           {"max_pool", R"(graph @t() {
  %x = constant() {value = dense<[1.0, nan, -inf, -inf, 2.0, 3.0, -inf, -inf, inf, 1.0, -0.0, -0.0, 2.0, 3.0, 0.0, -0.0]>} : f32[1,1,4,4]
  %p = max_pool2d(%x) {kernel = [2, 2]} : f32[1,1,2,2]
  %r = reciprocal(%p) : f32[1,1,2,2]
  return %r
})"}});
}

}  // namespace
}  // namespace dlc::cuda::test
