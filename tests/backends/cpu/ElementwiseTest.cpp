// Every elementwise op, compiled by the CPU backend, against the reference
// interpreter: random inputs in each op's valid range, fixed seeds, batch 1
// and 5, whole extent and 3 chunks.
#include <gtest/gtest.h>

#include "tests/backends/cpu/CpuTestHarness.h"

namespace dlc::cpu::test {
namespace {

std::string unary(const std::string& op, const std::string& type, const std::string& attrs = "",
                  const std::string& outType = "") {
  std::string out = outType.empty() ? type : outType;
  return "graph @t(%x: " + type + ") {\n  %y = " + op + "(%x)" + attrs + " : " + out +
         " #k0\n  return %y\n}\n";
}

std::string binary(const std::string& op, const std::string& ta, const std::string& tb,
                   const std::string& out) {
  return "graph @t(%a: " + ta + ", %b: " + tb + ") {\n  %y = " + op + "(%a, %b) : " + out +
         " #k0\n  return %y\n}\n";
}

struct UnaryCase {
  const char* op;
  double lo, hi;
  const char* attrs;
};

TEST(CpuElementwise, UnaryFloatOps) {
  const UnaryCase cases[] = {
      {"neg", -3, 3, ""},        {"abs", -3, 3, ""},         {"exp", -80, 80, ""},
      {"log", 1e-6, 1e6, ""},     {"sqrt", 0, 100, ""},       {"rsqrt", 1e-3, 100, ""},
      {"reciprocal", 0.1, 10, ""}, {"tanh", -10, 10, ""},     {"sigmoid", -20, 20, ""},
      {"relu", -3, 3, ""},       {"leaky_relu", -3, 3, " {alpha = 0.2}"},
      {"gelu", -6, 6, ""},       {"gelu", -6, 6, " {approximate = \"tanh\"}"},
      {"erf", -5, 5, ""},        {"floor", -9, 9, ""},       {"ceil", -9, 9, ""},
  };
  for (const UnaryCase& c : cases) {
    SCOPED_TRACE(std::string(c.op) + c.attrs);
    CheckOptions o;
    o.range = {c.lo, c.hi};
    o.rtol = 3e-6;
    o.atol = 2e-6;
    checkAgainstReference(unary(c.op, "f32[N,37]", c.attrs), o);
  }
}

// Loops with a transcendental run 8 (AVX-512) or 4 vector iterations side
// by side over whole spans, then a plainly vectorized loop over the rest:
// inner extents below one span, exact spans, a span plus a remainder, more
// than one 4096-element block, and the batch itself as the inner dim.
TEST(CpuElementwise, InterleavedTranscendentalLoopsCoverEveryElement) {
  for (const char* type : {"f32[N,100]", "f32[N,128]", "f32[N,200]", "f32[N,4133]", "f32[N]"}) {
    SCOPED_TRACE(type);
    CheckOptions o;
    o.range = {-8, 8};
    o.rtol = 3e-6;
    o.atol = 2e-6;
    o.batches = {1, 5, 300};
    checkAgainstReference(R"(graph @t(%x: )" + std::string(type) + R"() {
  %t = tanh(%x) : )" + type + R"( #k0
  %s = sigmoid(%t) : )" + type + R"( #k0
  %e = exp(%s) : )" + type + R"( #k0
  return %e
})", o);
  }
}

TEST(CpuElementwise, SmallArgumentsKeepRelativeAccuracy) {
  for (const char* op : {"exp", "tanh", "erf", "sigmoid", "log"}) {
    SCOPED_TRACE(op);
    CheckOptions o;
    o.range = std::string(op) == "log" ? Range{0.5, 2.0} : Range{-1e-3, 1e-3};
    o.rtol = 1e-5;
    o.atol = 1e-9;
    checkAgainstReference(unary(op, "f32[1000]"), o);
  }
}

TEST(CpuElementwise, BinaryFloatOps) {
  for (const char* op : {"add", "sub", "mul", "div", "maximum", "minimum"}) {
    SCOPED_TRACE(op);
    CheckOptions o;
    o.range = {0.5, 4};
    checkAgainstReference(binary(op, "f32[N,3,17]", "f32[N,3,17]", "f32[N,3,17]"), o);
  }
}

TEST(CpuElementwise, Pow) {
  CheckOptions o;
  o.range = {0.1, 3};
  o.rtol = 2e-5;
  checkAgainstReference(binary("pow", "f32[64]", "f32[64]", "f32[64]"), o);
}

TEST(CpuElementwise, PowSpecialCases) {
  // Negative bases with integral exponents, zero bases, y == 0.
  checkAgainstReference(R"(graph @t() {
  %x = constant() {value = dense<[-2.0, -2.0, -1.5, 0.0, 0.0, 0.0, 1.0, 3.0, -0.0, 4.0]>} : f32[10]
  %y = constant() {value = dense<[3.0, 2.0, 0.5, 2.0, -1.0, 0.0, 7.5, 0.0, 3.0, -0.5]>} : f32[10]
  %p = pow(%x, %y) : f32[10] #k0
  return %p
})");
}

TEST(CpuElementwise, NaNPropagation) {
  checkAgainstReference(R"(graph @t() {
  %x = constant() {value = dense<[nan, 1.0, -1.0, nan, -0.0]>} : f32[5]
  %z = constant() {value = dense<[0.5, nan, 2.0, 3.0, 0.0]>} : f32[5]
  %r = relu(%x) : f32[5] #k0
  %m = maximum(%x, %z) : f32[5] #k0
  %n = minimum(%x, %z) : f32[5] #k0
  %e = exp(%x) : f32[5] #k0
  %l = log(%x) : f32[5] #k0
  %t = tanh(%x) : f32[5] #k0
  return %r, %m, %n, %e, %l, %t
})");
}

// Scalar and splat constants are emitted as IR constants, and maximum/minimum
// against one take a single compare+select: NaN from the other operand must
// still propagate and -0 < +0 must hold, with the constant on either side.
TEST(CpuElementwise, MaxMinAgainstScalarAndSplatConstants) {
  checkAgainstReference(R"(graph @t() {
  %x = constant() {value = dense<[nan, 1.0, -1.0, -0.0, 0.0, 0.25, -3.0, inf]>} : f32[8]
  %zero = constant() {value = dense<[0.0]>} : f32[]
  %nzero = constant() {value = dense<[-0.0]>} : f32[]
  %q = constant() {value = dense<[0.25, 0.25, 0.25, 0.25, 0.25, 0.25, 0.25, 0.25]>} : f32[8]
  %a = maximum(%x, %zero) : f32[8] #k0
  %b = maximum(%zero, %x) : f32[8] #k0
  %c = minimum(%x, %nzero) : f32[8] #k0
  %d = minimum(%q, %x) : f32[8] #k0
  %e = maximum(%x, %q) : f32[8] #k0
  %f = mul(%x, %q) : f32[8] #k0
  return %a, %b, %c, %d, %e, %f
})");
}

TEST(CpuElementwise, ExpLogExtremes) {
  checkAgainstReference(R"(graph @t() {
  %x = constant() {value = dense<[-inf, inf, 89.0, -110.0, 88.5, -87.0, 0.0, 1e-40, 3e38]>} : f32[9]
  %e = exp(%x) : f32[9] #k0
  %a = abs(%x) : f32[9] #k0
  %l = log(%a) : f32[9] #k0
  return %e, %l
})", CheckOptions{{1}, {}, 1e-5, 1e-45, 7});
}

TEST(CpuElementwise, IntegerOps) {
  for (const char* op : {"add", "sub", "mul", "maximum", "minimum"}) {
    for (const char* t : {"i32[N,9]", "i64[N,9]"}) {
      SCOPED_TRACE(std::string(op) + " " + t);
      checkAgainstReference(binary(op, t, t, t));
    }
  }
  // div truncates toward zero (the reference also gives 0 for a zero divisor).
  for (const char* t : {"i32", "i64"}) {
    checkAgainstReference(std::string("graph @t(%a: ") + t + "[N,9]) {\n  %d = constant() {value = "
                          "dense<[3, -7, 1, -1, 5, 2, -2, 9, 4]>} : " + t + "[9]\n  %y = div(%a, %d) : " +
                          t + "[N,9] #k0\n  return %y\n}\n");
  }
  checkAgainstReference(unary("neg", "i32[N,9]"));
  checkAgainstReference(unary("abs", "i64[N,9]"));
}

TEST(CpuElementwise, ComparisonsLogicalSelect) {
  for (const char* op : {"equal", "not_equal", "less", "less_equal", "greater", "greater_equal"}) {
    SCOPED_TRACE(op);
    checkAgainstReference(binary(op, "i32[N,5]", "i32[5]", "bool[N,5]"));
    CheckOptions o;
    o.range = {-1, 1};
    checkAgainstReference(binary(op, "f32[N,5]", "f32[N,5]", "bool[N,5]"), o);
  }
  checkAgainstReference(R"(graph @t(%a: bool[N,6], %b: bool[6], %x: f32[N,6], %y: f32[1]) {
  %o = logical_or(%a, %b) : bool[N,6] #k0
  %n = logical_not(%o) : bool[N,6] #k0
  %c = logical_and(%n, %a) : bool[N,6] #k0
  %s = select(%c, %x, %y) : f32[N,6] #k0
  return %s, %n
})");
}

TEST(CpuElementwise, Casts) {
  CheckOptions o;
  o.range = {-300, 300};
  for (const char* to : {"i32", "u8", "i64", "bool", "f16", "bf16"}) {
    SCOPED_TRACE(to);
    checkAgainstReference(
        unary("cast", "f32[N,11]", std::string(" {to = \"") + to + "\"}",
              std::string(to) + "[N,11]"),
        o);
  }
  checkAgainstReference(unary("cast", "u8[N,11]", " {to = \"f32\"}", "f32[N,11]"));
  checkAgainstReference(unary("cast", "i32[N,11]", " {to = \"i64\"}", "i64[N,11]"));
  checkAgainstReference(unary("cast", "i64[N,11]", " {to = \"u8\"}", "u8[N,11]"));
  checkAgainstReference(unary("cast", "bool[N,11]", " {to = \"f32\"}", "f32[N,11]"));
  checkAgainstReference(R"(graph @t() {
  %x = constant() {value = dense<[nan, inf, -inf, 1e10, -1e10, 2.9, -2.9]>} : f32[7]
  %i = cast(%x) {to = "i32"} : i32[7] #k0
  %u = cast(%x) {to = "u8"} : u8[7] #k0
  %b = cast(%x) {to = "bool"} : bool[7] #k0
  return %i, %u, %b
})");
}

TEST(CpuElementwise, HalfPrecisionChains) {
  CheckOptions o;
  o.range = {-4, 4};
  o.rtol = 1e-2;  // one f16/bf16 ulp at most, for a rounding-order difference
  checkAgainstReference(R"(graph @t(%x: f16[N,33], %y: f16[33]) {
  %a = add(%x, %y) : f16[N,33] #k0
  %e = exp(%a) : f16[N,33] #k0
  %m = mul(%e, %x) : f16[N,33] #k0
  return %m
})", o);
  checkAgainstReference(R"(graph @t(%x: bf16[N,33]) {
  %a = tanh(%x) : bf16[N,33] #k0
  %m = mul(%a, %x) : bf16[N,33] #k0
  return %m
})", o);
}

TEST(CpuElementwise, BroadcastEdgeCases) {
  checkAgainstReference(binary("add", "f32[N,1,5]", "f32[4,1]", "f32[N,4,5]"));
  checkAgainstReference(binary("mul", "f32[]", "f32[N,3]", "f32[N,3]"));
  checkAgainstReference(binary("sub", "f32[1,1]", "f32[1]", "f32[1,1]"));
  checkAgainstReference(binary("add", "f32[N,0,3]", "f32[3]", "f32[N,0,3]"));
  checkAgainstReference(binary("add", "f32[2,1,3,1]", "f32[1,5,1,7]", "f32[2,5,3,7]"));
  // Larger than one block of the flat loop.
  checkAgainstReference(binary("add", "f32[N,5000]", "f32[N,5000]", "f32[N,5000]"));
}

TEST(CpuElementwise, BatchNormInference) {
  CheckOptions o;
  o.range = {0.5, 2};
  checkAgainstReference(R"(graph @t(%x: f32[N,3,4,5], %s: f32[3], %b: f32[3], %m: f32[3], %v: f32[3]) {
  %y = batch_norm(%x, %s, %b, %m, %v) {epsilon = 0.001} : f32[N,3,4,5] #k0
  return %y
})", o);
}

}  // namespace
}  // namespace dlc::cpu::test
