// NaN, ±inf, -0 and subnormals through every CPU path: the reference
// interpreter and the CPU backend fused and unfused, each checked element by
// element against the IEEE/NumPy semantics of docs/robustness.md ("NaN and
// infinities"), by class: NaN, +inf, -inf, +0, -0, or a finite value of the
// right sign. No tolerance can hide a lost NaN or a flipped zero here.
//
// Every model multiplies its inputs by an input `one` before the op and its
// float result by `one` after it, so the fused build reads the special
// values through a fused producer and writes them through an epilogue, while
// the unfused build runs three kernels. (x·1 keeps NaN, ±inf, -0 and
// subnormals: a flush-to-zero mode would show here.)
//
// What it deliberately does not cover: the CUDA renderer (CudaNanInfTest.cpp)
// and the accuracy of the math approximations away from special values
// (tests/backends/cpu/MathApproxTest.cpp).
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "tests/robustness/RobustnessUtil.h"

namespace dlc::robust {
namespace {

constexpr float kInf = std::numeric_limits<float>::infinity();
constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();
constexpr double I = std::numeric_limits<double>::infinity();
constexpr double N = std::numeric_limits<double>::quiet_NaN();
constexpr float kSub = 1e-40f;  // subnormal in f32
const double D = double(kSub);

std::string dimsJson(const std::vector<int64_t>& dims) {
  std::string s = "[";
  for (size_t i = 0; i < dims.size(); ++i) s += (i ? ", " : "") + std::to_string(dims[i]);
  return s + "]";
}

// A model of `arity` f32 inputs a0.. of `dims` and `one` (f32[1]): m_i =
// a_i·one, y = op(m_0, ..) {attrs}, out = y·one when `floatOut`, else y.
std::string wrappedModel(const std::string& op, const std::string& attrs, int arity,
                         const std::vector<int64_t>& dims, bool floatOut = true) {
  std::string inputs, nodes, args;
  for (int i = 0; i < arity; ++i) {
    std::string a = "a", m = "m";
    a += std::to_string(i);
    m += std::to_string(i);
    inputs.append(R"({"name": ")").append(a).append(R"(", "dtype": "f32", "shape": )");
    inputs.append(dimsJson(dims)).append("}, ");
    nodes.append(R"({"name": ")").append(m).append(R"(", "op": "mul", "inputs": [")");
    nodes.append(a).append(R"(", "one"]}, )");
    args.append(i ? ", \"" : "\"").append(m).append("\"");
  }
  nodes.append(R"({"name": "y", "op": ")").append(op).append(R"(", "inputs": [)").append(args);
  nodes.append("]");
  if (!attrs.empty()) nodes.append(R"(, "attrs": )").append(attrs);
  nodes.append("}");
  if (floatOut) nodes.append(R"(, {"name": "out", "op": "mul", "inputs": ["y", "one"]})");
  std::string model = R"({"format": "dlc.model", "version": 1, "name": "t", "inputs": [)";
  model.append(inputs).append(R"({"name": "one", "dtype": "f32", "shape": [1]}], "nodes": [)");
  model.append(nodes).append(R"(], "outputs": [")").append(floatOut ? "out" : "y").append("\"]}");
  return model;
}

// Runs `model` on `inputs` (+ one) along every path and checks the classes.
void expectAllPaths(const std::string& what, const std::string& model, std::vector<Tensor> inputs,
                    const std::vector<double>& want, double rtol = 2e-5) {
  inputs.push_back(f32({1}, {1.0f}));
  for (Path path : kAllPaths) {
    auto out = runModel(model, inputs, path);
    ASSERT_TRUE(out.ok()) << what << " (" << pathName(path) << "): " << out.status().toString();
    ASSERT_EQ(out->size(), 1u);
    expectClasses((*out)[0], want, what + " (" + pathName(path) + ")", rtol);
  }
}

// The special values every unary op is checked on.
const std::vector<float> kX = {kNaN, kInf, -kInf, -0.0f, 0.0f, kSub, -kSub, 1.0f, -1.0f, -kNaN};

struct UnaryCase {
  const char* op;
  const char* attrs;
  std::vector<double> want;  // one per kX
  bool floatOut = true;
};

TEST(NanInfSemantics, UnaryOpsOnSpecialValues) {
  const double e = std::exp(1.0);
  const double sig1 = 1.0 / (1.0 + std::exp(-1.0));
  const double gelu1 = 0.5 * (1.0 + std::erf(1.0 / std::sqrt(2.0)));
  const double geluT1 = 0.5 * (1.0 + std::tanh(std::sqrt(2.0 / M_PI) * (1.0 + 0.044715)));
  const double leakySub = double(-0.25f * kSub);
  const std::vector<UnaryCase> cases = {
      {"neg", "", {N, -I, I, 0.0, -0.0, -D, D, -1, 1, N}},
      {"abs", "", {N, I, I, 0.0, 0.0, D, D, 1, 1, N}},
      {"relu", "", {N, I, 0.0, 0.0, 0.0, D, 0.0, 1, 0.0, N}},
      {"leaky_relu", R"({"alpha": 0.25})", {N, I, -I, -0.0, 0.0, D, leakySub, 1, -0.25, N}},
      {"exp", "", {N, I, 0.0, 1, 1, 1, 1, e, 1 / e, N}},
      {"log", "", {N, I, N, -I, -I, std::log(D), N, 0.0, N, N}},
      {"sqrt", "", {N, I, N, -0.0, 0.0, std::sqrt(D), N, 1, N, N}},
      {"rsqrt", "", {N, 0.0, N, -I, I, 1 / std::sqrt(D), N, 1, N, N}},
      {"reciprocal", "", {N, 0.0, -0.0, -I, I, I, -I, 1, -1, N}},  // 1/1e-40 overflows f32
      {"tanh", "", {N, 1, -1, -0.0, 0.0, D, -D, std::tanh(1.0), -std::tanh(1.0), N}},
      {"sigmoid", "", {N, 1, 0.0, 0.5, 0.5, 0.5, 0.5, sig1, 1 - sig1, N}},
      {"erf", "", {N, 1, -1, -0.0, 0.0, std::erf(D), -std::erf(D), std::erf(1.0), -std::erf(1.0), N}},
      // gelu(-inf) = 0.5·(-inf)·(1 + erf(-inf)) = -inf·0 = NaN, as the formula says.
      {"gelu", "", {N, I, N, -0.0, 0.0, 0.5 * D, -0.5 * D, gelu1, gelu1 - 1, N}},
      {"gelu", R"({"approximate": "tanh"})",
       {N, I, N, -0.0, 0.0, 0.5 * D, -0.5 * D, geluT1, geluT1 - 1, N}},
      {"floor", "", {N, I, -I, -0.0, 0.0, 0.0, -1, 1, -1, N}},
      {"ceil", "", {N, I, -I, -0.0, 0.0, 1, -0.0, 1, -1, N}},
      // float -> integer: truncate toward zero, saturate, NaN -> 0.
      {"cast", R"({"to": "i32"})", {0, 2147483647.0, -2147483648.0, 0, 0, 0, 0, 1, -1, 0}, false},
      {"cast", R"({"to": "u8"})", {0, 255, 0, 0, 0, 0, 0, 1, 0, 0}, false},
      // anything -> bool is x != 0: NaN is true, -0 is false.
      {"cast", R"({"to": "bool"})", {1, 1, 1, 0, 0, 1, 1, 1, 1, 1}, false},
      // f32 -> f16 keeps NaN, ±inf and the sign of zero; 1e-40 underflows to ±0.
      {"cast", R"({"to": "f16"})", {N, I, -I, -0.0, 0.0, 0.0, -0.0, 1, -1, N}, false},
  };
  const std::vector<int64_t> dims = {int64_t(kX.size())};
  for (const UnaryCase& c : cases) {
    std::string what = std::string(c.op) + " " + c.attrs;
    // The subnormal results of erf/gelu are computed, not copied: allow 3
    // ulp of a subnormal (classMismatch) or 2e-5 relative elsewhere.
    expectAllPaths(what, wrappedModel(c.op, c.attrs, 1, dims, c.floatOut), {f32(dims, kX)}, c.want,
                   3e-5);
  }
}

TEST(NanInfSemantics, TanhIsExactlyOneFarOutSoGeluTanhVanishes) {
  // tanh rounds to ±1 in f32 beyond 9.01. The CPU approximation used to stop
  // at ±0.9999997, so 1 + tanh(x) stayed 3e-7 and gelu's tanh form gave
  // gelu(-1e10) = -1629 instead of -0 (and gelu(-inf) = -inf, not NaN).
  const std::vector<float> x = {10, 1e10f, -10, -1e10f, -1e6f, -100};
  const std::vector<int64_t> dims = {6};
  expectAllPaths("tanh far out", wrappedModel("tanh", "", 1, dims), {f32(dims, x)},
                 {1, 1, -1, -1, -1, -1}, /*rtol=*/0);
  expectAllPaths("gelu tanh far out", wrappedModel("gelu", R"({"approximate": "tanh"})", 1, dims),
                 {f32(dims, x)}, {10, 1e10, -0.0, -0.0, -0.0, -0.0});
}

TEST(NanInfSemantics, CastToI64SaturatesExactly) {
  const std::vector<int64_t> dims = {int64_t(kX.size())};
  std::string model = wrappedModel("cast", R"({"to": "i64"})", 1, dims, /*floatOut=*/false);
  const int64_t hi = std::numeric_limits<int64_t>::max(), lo = std::numeric_limits<int64_t>::min();
  const std::vector<int64_t> want = {0, hi, lo, 0, 0, 0, 0, 1, -1, 0};
  for (Path path : kAllPaths) {
    auto out = runModel(model, {f32(dims, kX), f32({1}, {1.0f})}, path);
    ASSERT_TRUE(out.ok()) << out.status().toString();
    for (size_t i = 0; i < want.size(); ++i)
      EXPECT_EQ((*out)[0].as<int64_t>()[i], want[i]) << pathName(path) << " element " << i;
  }
}

// Pairs (a, b) every binary op is checked on.
const std::vector<float> kA = {kNaN, 1, kNaN, -0.0f, 0.0f, kInf, -kInf, kNaN, kInf, 0.0f};
const std::vector<float> kB = {1, kNaN, -kInf, 0.0f, -0.0f, -kInf, 1, kNaN, kInf, kInf};

TEST(NanInfSemantics, BinaryOpsOnSpecialPairs) {
  struct BinaryCase {
    const char* op;
    std::vector<double> want;
    bool floatOut = true;
  };
  const std::vector<BinaryCase> cases = {
      // IEEE 754-2019 maximum/minimum: NaN from either side wins; -0 < +0.
      {"maximum", {N, N, N, 0.0, 0.0, I, 1, N, I, I}},
      {"minimum", {N, N, N, -0.0, -0.0, -I, -I, N, I, 0.0}},
      {"add", {N, N, N, 0.0, 0.0, N, -I, N, I, I}},
      {"sub", {N, N, N, -0.0, 0.0, I, -I, N, N, -I}},
      {"mul", {N, N, N, -0.0, -0.0, -I, -I, N, I, N}},
      {"div", {N, N, N, N, N, N, -I, N, N, 0.0}},
      // C99/NumPy pow: pow(x, ±0) = 1 and pow(1, y) = 1 even for NaN.
      {"pow", {N, 1, N, 1, 1, 0.0, -I, N, I, 0.0}},
      // Every ordered comparison with NaN is false; != is true.
      {"equal", {0, 0, 0, 1, 1, 0, 0, 0, 1, 0}, false},
      {"not_equal", {1, 1, 1, 0, 0, 1, 1, 1, 0, 1}, false},
      {"less", {0, 0, 0, 0, 0, 0, 1, 0, 0, 1}, false},
      {"less_equal", {0, 0, 0, 1, 1, 0, 1, 0, 1, 1}, false},
      {"greater", {0, 0, 0, 0, 0, 1, 0, 0, 0, 0}, false},
      {"greater_equal", {0, 0, 0, 1, 1, 1, 0, 0, 1, 0}, false},
  };
  const std::vector<int64_t> dims = {int64_t(kA.size())};
  for (const BinaryCase& c : cases)
    expectAllPaths(c.op, wrappedModel(c.op, "", 2, dims, c.floatOut), {f32(dims, kA), f32(dims, kB)},
                   c.want);
}

TEST(NanInfSemantics, IsNanIdiomAndSelect) {
  // isnan(x) as not_equal(x, x), then select: NaN rows pick b, others a.
  // A NaN in the branch not taken never leaks.
  std::string model = R"({"format": "dlc.model", "version": 1, "name": "t",
    "inputs": [{"name": "x", "dtype": "f32", "shape": [6]}, {"name": "a", "dtype": "f32", "shape": [6]},
               {"name": "b", "dtype": "f32", "shape": [6]}, {"name": "one", "dtype": "f32", "shape": [1]}],
    "nodes": [{"name": "mx", "op": "mul", "inputs": ["x", "one"]},
              {"name": "isnan", "op": "not_equal", "inputs": ["mx", "mx"]},
              {"name": "y", "op": "select", "inputs": ["isnan", "b", "a"]},
              {"name": "out", "op": "mul", "inputs": ["y", "one"]}],
    "outputs": ["out"]})";
  expectAllPaths("select(x != x, b, a)", model,
                 {f32({6}, {kNaN, kInf, -kInf, -0.0f, -kNaN, 2}),
                  f32({6}, {kNaN, 1, 2, 3, 4, kNaN}), f32({6}, {10, kNaN, 30, 40, 50, 60})},
                 {10, 1, 2, 3, 50, N});
}

TEST(NanInfSemantics, ClampsWithConstantBoundsKeepNaN) {
  // relu6 = minimum(maximum(x, 0), 6) with scalar constants on either side:
  // the CPU backend lowers these to one compare+select each, which must
  // still propagate NaN and order -0 < +0.
  std::string model = R"({"format": "dlc.model", "version": 1, "name": "t",
    "inputs": [{"name": "x", "dtype": "f32", "shape": [10]}, {"name": "one", "dtype": "f32", "shape": [1]}],
    "constants": [{"name": "zero", "dtype": "f32", "shape": [], "value": 0},
                  {"name": "six", "dtype": "f32", "shape": [], "value": 6}],
    "nodes": [{"name": "mx", "op": "mul", "inputs": ["x", "one"]},
              {"name": "lo", "op": "maximum", "inputs": ["zero", "mx"]},
              {"name": "y", "op": "minimum", "inputs": ["lo", "six"]},
              {"name": "out", "op": "mul", "inputs": ["y", "one"]}],
    "outputs": ["out"]})";
  expectAllPaths("relu6", model, {f32({10}, kX)}, {N, 6, 0.0, 0.0, 0.0, D, 0.0, 1, 0.0, N});
}

// Rows of 37 (a vector body plus a remainder on every CPU): NaN early, NaN in
// the remainder, all -inf, both infinities, and signed zeros.
Tensor reductionRows() {
  std::vector<float> v;
  for (int r = 0; r < 5; ++r)
    for (int i = 0; i < 37; ++i) v.push_back(float(i + 1));
  v[3] = kNaN;
  for (int i = 0; i < 37; ++i) v[size_t(37 + i)] = -kInf;
  v[74] = -kInf;
  v[74 + 36] = kInf;
  for (int i = 0; i < 37; ++i) v[size_t(111 + i)] = i == 5 ? 0.0f : -0.0f;
  v[148 + 36] = kNaN;
  return f32({5, 37}, v);
}

TEST(NanInfSemantics, ReductionsPropagateNaN) {
  struct ReduceCase {
    const char* op;
    std::vector<double> want;  // one per row
  };
  const std::vector<ReduceCase> cases = {
      {"reduce_max", {N, -I, I, 0.0, N}},
      {"reduce_min", {N, -I, -I, -0.0, N}},
      // Sums start from +0: a row of zeros sums to +0.
      {"reduce_sum", {N, -I, N, 0.0, N}},
      {"reduce_mean", {N, -I, N, 0.0, N}},
  };
  for (const ReduceCase& c : cases)
    expectAllPaths(c.op, wrappedModel(c.op, R"({"axes": [1], "keepdims": 1})", 1, {5, 37}),
                   {reductionRows()}, c.want);
}

TEST(NanInfSemantics, SoftmaxRows) {
  // A row with NaN, with +inf (inf - inf) or of all -inf is NaN everywhere;
  // -inf entries next to finite ones are masked to 0 (log_softmax: -inf).
  Tensor x = f32({4, 5}, {1, kNaN, 2, 3, 4,                  //
                          -kInf, 0, -kInf, 0, -kInf,         //
                          kInf, 1, 2, 3, 4,                  //
                          -kInf, -kInf, -kInf, -kInf, -kInf});
  std::vector<double> nanRow(5, N);
  std::vector<double> soft = nanRow, logSoft = nanRow;
  for (double v : {0.0, 0.5, 0.0, 0.5, 0.0}) soft.push_back(v);
  for (double v : {-I, -std::log(2.0), -I, -std::log(2.0), -I}) logSoft.push_back(v);
  soft.insert(soft.end(), 10, N);
  logSoft.insert(logSoft.end(), 10, N);
  expectAllPaths("softmax", wrappedModel("softmax", "", 1, {4, 5}), {x}, soft);
  expectAllPaths("log_softmax", wrappedModel("log_softmax", "", 1, {4, 5}), {x}, logSoft);
  // layer_norm: any NaN or inf in a row makes the row NaN (inf - inf).
  Tensor y = f32({2, 4}, {1, kInf, 2, 3, -1, 0, 1, 2});
  std::vector<double> ln = {N, N, N, N};
  double sd = std::sqrt(1.25 + 1e-5);
  for (double v : {-1.5, -0.5, 0.5, 1.5}) ln.push_back(v / sd);
  expectAllPaths("layer_norm", wrappedModel("layer_norm", "", 1, {2, 4}), {y}, ln, 1e-4);
}

TEST(NanInfSemantics, MaxPoolPropagatesNaNAndPaddingNeverWins) {
  // 4x4 in 2x2 windows: NaN; all -inf; +inf; signed zeros (max is +0).
  Tensor x = f32({1, 1, 4, 4}, {1, kNaN, -kInf, -kInf,      //
                                2, 3, -kInf, -kInf,         //
                                kInf, 1, -0.0f, -0.0f,      //
                                2, 3, 0.0f, -0.0f});
  expectAllPaths("max_pool2d", wrappedModel("max_pool2d", R"({"kernel": [2, 2]})", 1, {1, 1, 4, 4}),
                 {x}, {N, -I, I, 0.0});
  // Windows over all -inf with padding: the padding is not a candidate.
  Tensor neg = f32({1, 1, 2, 2}, {-kInf, -kInf, -kInf, -kInf});
  expectAllPaths("max_pool2d padded",
                 wrappedModel("max_pool2d",
                              R"({"kernel": [2, 2], "strides": [1, 1], "pads": [1, 1, 0, 0]})", 1,
                              {1, 1, 2, 2}),
                 {neg}, {-I, -I, -I, -I});
  // avg_pool2d: inf stays inf, NaN stays NaN.
  Tensor avg = f32({1, 1, 2, 4}, {kInf, 1, kNaN, 1, 2, 3, 4, 5});
  expectAllPaths("avg_pool2d", wrappedModel("avg_pool2d", R"({"kernel": [2, 2]})", 1, {1, 1, 2, 4}),
                 {avg}, {I, N});
}

TEST(NanInfSemantics, ContractionsFollowIeee) {
  // dense: NaN poisons its whole row; inf·0 is NaN, inf·1 + finite is inf.
  std::string model = R"({"format": "dlc.model", "version": 1, "name": "t",
    "inputs": [{"name": "x", "dtype": "f32", "shape": [2, 3]}, {"name": "one", "dtype": "f32", "shape": [1]}],
    "constants": [{"name": "w", "dtype": "f32", "shape": [3, 2], "value": [[1, 0], [1, 1], [1, 1]]}],
    "nodes": [{"name": "mx", "op": "mul", "inputs": ["x", "one"]},
              {"name": "y", "op": "dense", "inputs": ["mx", "w"]},
              {"name": "out", "op": "mul", "inputs": ["y", "one"]}],
    "outputs": ["out"]})";
  expectAllPaths("dense", model, {f32({2, 3}, {kNaN, 1, 1, kInf, 0, 1})}, {N, N, I, N});
}

}  // namespace
}  // namespace dlc::robust
