// Numeric accuracy of the inline f32 approximations (compiler/backends/cpu/
// MathApprox.h) against the C++ standard library, measured in ulps over a
// sweep of every binade of f32 (millions of values, both signs, subnormals
// included) plus the special values and the range thresholds of each
// function (overflow, underflow to subnormals and 0, saturation).
//
// Each function is compiled the way kernels are: scalar IR in a loop that
// the loop vectorizer widens for the host CPU (AVX-512 where it has it), at
// O3, linked to a shared object and dlopen'ed; the sweep length is not a
// multiple of the vector width, so the scalar remainder runs too. It does not
// test the ops' graph-level lowering (ElementwiseTest.cpp does that).
#include <dlfcn.h>
#include <unistd.h>

#include <bit>
#include <cmath>
#include <cstdio>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <functional>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <llvm/IR/IRBuilder.h>
#include <llvm/IR/LLVMContext.h>
#include <llvm/IR/Module.h>
#include <llvm/IR/Verifier.h>

#include "compiler/backends/cpu/MathApprox.h"
#include "compiler/backends/cpu/ModuleCompiler.h"
#include "tests/backends/cpu/CpuTestHarness.h"

namespace dlc::cpu::math {
namespace {

using UnaryFn = void (*)(const float* x, float* out, int64_t n);
using BinaryFn = void (*)(const float* x, const float* y, float* out, int64_t n);
using Emit = std::function<llvm::Value*(llvm::IRBuilderBase&, llvm::Value*, llvm::Value*)>;

// The shared object holding one loop function per approximation.
using Compiled = test::LoadedObject;

// void name(const float* x, [const float* y,] float* out, i64 n):
//   for (i = 0; i < n; ++i) out[i] = f(x[i][, y[i]]).
void emitLoop(llvm::Module& m, const llvm::TargetMachine& tm, const char* name, bool binary,
              const Emit& f) {
  llvm::LLVMContext& c = m.getContext();
  llvm::Type* ptr = llvm::PointerType::get(c, 0);
  llvm::Type* i64 = llvm::Type::getInt64Ty(c);
  llvm::Type* f32 = llvm::Type::getFloatTy(c);
  std::vector<llvm::Type*> params = binary ? std::vector<llvm::Type*>{ptr, ptr, ptr, i64}
                                           : std::vector<llvm::Type*>{ptr, ptr, i64};
  auto* fn = llvm::Function::Create(llvm::FunctionType::get(llvm::Type::getVoidTy(c), params, false),
                                    llvm::GlobalValue::ExternalLinkage, name, m);
  fn->addFnAttr("target-cpu", tm.getTargetCPU());
  fn->addFnAttr("target-features", tm.getTargetFeatureString());
  fn->addFnAttr(llvm::Attribute::NoUnwind);
  setMathAttributes(fn, vectorRegisterBits(tm));  // as CpuBackend.cpp
  if (vectorRegisterBits(tm) == 512) {  // as CpuBackend.cpp: 16-lane loops
    fn->addFnAttr("prefer-vector-width", "512");
    fn->addFnAttr("min-legal-vector-width", "512");
  }
  for (unsigned i = 0; i + 1 < params.size(); ++i) fn->addParamAttr(i, llvm::Attribute::NoAlias);
  llvm::Value* n = fn->getArg(unsigned(params.size() - 1));
  auto* entry = llvm::BasicBlock::Create(c, "entry", fn);
  auto* loop = llvm::BasicBlock::Create(c, "loop", fn);
  auto* done = llvm::BasicBlock::Create(c, "done", fn);
  llvm::IRBuilder<> b(entry);
  llvm::FastMathFlags fmf;
  fmf.setAllowContract();  // as the CPU backend's builder
  b.setFastMathFlags(fmf);
  b.CreateCondBr(b.CreateICmpSGT(n, b.getInt64(0)), loop, done);
  b.SetInsertPoint(loop);
  llvm::PHINode* i = b.CreatePHI(i64, 2);
  i->addIncoming(b.getInt64(0), entry);
  llvm::Value* x = b.CreateLoad(f32, b.CreateInBoundsGEP(f32, fn->getArg(0), i));
  llvm::Value* y = binary ? b.CreateLoad(f32, b.CreateInBoundsGEP(f32, fn->getArg(1), i)) : nullptr;
  b.CreateStore(f(b, x, y), b.CreateInBoundsGEP(f32, fn->getArg(binary ? 2 : 1), i));
  llvm::Value* next = b.CreateAdd(i, b.getInt64(1));
  i->addIncoming(next, loop);
  b.CreateCondBr(b.CreateICmpSLT(next, n), loop, done);
  b.SetInsertPoint(done);
  b.CreateRetVoid();
}

std::unique_ptr<Compiled> buildCompiled(std::string& error) {
  auto tm = createTargetMachine("", 3);
  if (!tm.ok()) {
    error = tm.status().message();
    return nullptr;
  }
  llvm::LLVMContext context;
  llvm::Module module("math_approx_test", context);
  module.setTargetTriple((*tm)->getTargetTriple().str());
  module.setDataLayout((*tm)->createDataLayout());
  auto unary = [&](const char* name, llvm::Value* (*f)(llvm::IRBuilderBase&, llvm::Value*)) {
    emitLoop(module, **tm, name, /*binary=*/false,
             [f](llvm::IRBuilderBase& b, llvm::Value* x, llvm::Value*) { return f(b, x); });
  };
  unary("t_exp", &exp);
  unary("t_exp_nonpositive", &expNonPositive);
  unary("t_log", &log);
  unary("t_tanh", &tanh);
  unary("t_erf", &erf);
  unary("t_sigmoid", &sigmoid);
  emitLoop(module, **tm, "t_pow", /*binary=*/true,
           [](llvm::IRBuilderBase& b, llvm::Value* x, llvm::Value* y) { return pow(b, x, y); });
  std::string verify;
  llvm::raw_string_ostream os(verify);
  if (llvm::verifyModule(module, &os)) {
    error = "invalid IR: " + os.str();
    return nullptr;
  }
  optimizeModule(module, **tm, 3);
  auto code = emitMachineCode(module, **tm, /*keepText=*/false);
  if (!code.ok()) {
    error = code.status().message();
    return nullptr;
  }
  auto so = linkSharedObject({code->object});
  if (!so.ok()) {
    error = so.status().message();
    return nullptr;
  }
  return Compiled::load(*so, error);
}

class MathApprox : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    std::string error;
    compiled_ = buildCompiled(error).release();
    ASSERT_NE(compiled_, nullptr) << error;
  }
  static void TearDownTestSuite() {
    delete compiled_;
    compiled_ = nullptr;
  }
  static UnaryFn unary(const char* name) {
    return compiled_ ? reinterpret_cast<UnaryFn>(compiled_->symbol(name)) : nullptr;
  }
  static Compiled* compiled_;
};
Compiled* MathApprox::compiled_ = nullptr;

constexpr float kInf = std::numeric_limits<float>::infinity();
constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();
// Quiet NaNs with payload bits, of both signs: bit tricks on the exponent
// must not turn them into numbers.
const float kNaNPayload = std::bit_cast<float>(uint32_t(0x7fc0'01ffu));
const float kNegNaNPayload = std::bit_cast<float>(uint32_t(0xffe0'0155u));

float fromBits(uint32_t u) {
  float f;
  std::memcpy(&f, &u, 4);
  return f;
}

// Every `stride`-th f32 bit pattern of both signs from 0 to +inf, plus
// `extra`; NaN excluded. The count is odd, so vector loops end in a remainder.
std::vector<float> sweep(uint32_t stride, const std::vector<float>& extra) {
  std::vector<float> v(extra);
  for (uint32_t u = 0; u < 0x7f800000u; u += stride) {
    v.push_back(fromBits(u));
    v.push_back(-fromBits(u));
  }
  v.push_back(kInf);
  v.push_back(-kInf);
  if (v.size() % 2 == 0) v.push_back(1.0f);
  return v;
}

// Distance in ulps between two floats (0 for equal values, both zeros, or
// both NaN; a NaN against a number is "infinitely" far).
double ulpDistance(float a, float b) {
  if (std::isnan(a) || std::isnan(b)) return std::isnan(a) && std::isnan(b) ? 0 : 1e30;
  auto ordered = [](float f) {
    int32_t i;
    std::memcpy(&i, &f, 4);
    return i < 0 ? -int64_t(i & 0x7fffffff) : int64_t(i);
  };
  return double(std::llabs(ordered(a) - ordered(b)));
}

struct Worst {
  double ulps = 0;
  float x = 0, got = 0, want = 0;
};

// Runs `fn` over xs and returns the worst ulp error against `reference`
// (evaluated in double and rounded to f32).
Worst worstError(UnaryFn fn, const std::vector<float>& xs, double (*reference)(double)) {
  std::vector<float> out(xs.size());
  fn(xs.data(), out.data(), int64_t(xs.size()));
  Worst w;
  for (size_t i = 0; i < xs.size(); ++i) {
    float want = float(reference(double(xs[i])));
    double d = ulpDistance(out[i], want);
    if (d > w.ulps) w = {d, xs[i], out[i], want};
  }
  return w;
}

std::string describe(const Worst& w) {
  char text[160];
  std::snprintf(text, sizeof text, "worst %.0f ulp at x = %.9g (got %.9g, want %.9g)", w.ulps,
                double(w.x), double(w.got), double(w.want));
  return text;
}

// Runs `fn` over a few special values twice: alone (the loop's scalar
// remainder) and repeated to 256 elements (its vector body). Both must give
// the same bits (NaNs aside); returns the values.
std::vector<float> runSpecial(UnaryFn fn, const std::vector<float>& xs) {
  std::vector<float> scalar(xs.size());
  fn(xs.data(), scalar.data(), int64_t(xs.size()));
  std::vector<float> many;
  while (many.size() < 256) many.insert(many.end(), xs.begin(), xs.end());
  std::vector<float> vec(many.size());
  fn(many.data(), vec.data(), int64_t(many.size()));
  for (size_t i = 0; i < many.size(); ++i)
    EXPECT_EQ(ulpDistance(vec[i], scalar[i % xs.size()]), 0)
        << "x = " << many[i] << ": vector " << vec[i] << ", scalar " << scalar[i % xs.size()];
  return scalar;
}

double sigmoidRef(double x) { return 1.0 / (1.0 + std::exp(-x)); }
double expRef(double x) { return std::exp(x); }
double logRef(double x) { return std::log(x); }
double tanhRef(double x) { return std::tanh(x); }
double erfRef(double x) { return std::erf(x); }

TEST_F(MathApprox, ExpOverEveryBinade) {
  UnaryFn fn = unary("t_exp");
  ASSERT_NE(fn, nullptr);
  // Thresholds: the largest finite result, the first overflow, the last
  // normal result, deep subnormals, the last nonzero result, exact zero.
  std::vector<float> xs = sweep(997, {88.72283f, 88.72284f, 88.7f, 88.5f, 89.0f, -87.33654f,
                                      -87.34f, -95.0f, -100.0f, -103.2789f, -103.97f, -104.0f,
                                      -110.0f, 0.0f, -0.0f, 1e-40f, 3e38f, -3e38f});
  for (float x = -104.5f; x <= 89.0f; x += 0.0137f) xs.push_back(x);
  Worst w = worstError(fn, xs, &expRef);
  EXPECT_LE(w.ulps, 2) << describe(w);
}

// The x <= 0 form (softmax, exp of a known non-positive value) builds 2^k
// differently; it must give the same accuracy down to the last subnormal.
TEST_F(MathApprox, ExpOfNonPositiveOverEveryBinade) {
  UnaryFn fn = unary("t_exp_nonpositive");
  ASSERT_NE(fn, nullptr);
  std::vector<float> xs;
  for (float x : sweep(997, {-87.33654f, -87.34f, -95.0f, -100.0f, -103.2789f, -103.97f, -104.0f,
                             -110.0f, 0.0f, -0.0f, -1e-40f, -3e38f}))
    if (!(x > 0)) xs.push_back(x);
  for (float x = -104.5f; x <= 0.0f; x += 0.0037f) xs.push_back(x);
  Worst w = worstError(fn, xs, &expRef);
  EXPECT_LE(w.ulps, 2) << describe(w);
  std::vector<float> s =
      runSpecial(fn, {kNaN, -kInf, 0.0f, -0.0f, -104.0f, -1e30f, kNaNPayload, kNegNaNPayload});
  EXPECT_TRUE(std::isnan(s[0]));
  EXPECT_EQ(s[1], 0.0f);
  EXPECT_EQ(s[2], 1.0f);
  EXPECT_EQ(s[3], 1.0f);
  EXPECT_EQ(s[4], 0.0f);
  EXPECT_EQ(s[5], 0.0f);
  EXPECT_TRUE(std::isnan(s[6]));
  EXPECT_TRUE(std::isnan(s[7]));
}

TEST_F(MathApprox, ExpSpecialValues) {
  UnaryFn fn = unary("t_exp");
  ASSERT_NE(fn, nullptr);
  std::vector<float> xs = {kNaN, -kNaN, kInf, -kInf, 0.0f, -0.0f, 89.0f, -104.0f, kNaNPayload,
                           kNegNaNPayload};
  std::vector<float> out = runSpecial(fn, xs);
  EXPECT_TRUE(std::isnan(out[0]));
  EXPECT_TRUE(std::isnan(out[1]));
  EXPECT_EQ(out[2], kInf);
  EXPECT_EQ(out[3], 0.0f);
  EXPECT_EQ(out[4], 1.0f);
  EXPECT_EQ(out[5], 1.0f);
  EXPECT_EQ(out[6], kInf);
  EXPECT_EQ(out[7], 0.0f);
  EXPECT_TRUE(std::isnan(out[8]));
  EXPECT_TRUE(std::isnan(out[9]));
}

TEST_F(MathApprox, LogOverEveryBinade) {
  UnaryFn fn = unary("t_log");
  ASSERT_NE(fn, nullptr);
  std::vector<float> xs = sweep(997, {1.0f, 0.99999994f, 1.0000001f, 0.70710677f, 1.4142135f,
                                      1e-45f, 1.1754942e-38f, 3.4028235e38f});
  std::vector<float> positive;
  for (float x : xs)
    if (x > 0) positive.push_back(x);
  Worst w = worstError(fn, positive, &logRef);
  EXPECT_LE(w.ulps, 2) << describe(w);
  // log(0) = -inf, log(<0) = NaN, log(inf) = inf, log(NaN) = NaN.
  std::vector<float> special = {0.0f, -0.0f, -1.0f, -kInf, kInf, kNaN};
  std::vector<float> out = runSpecial(fn, special);
  EXPECT_EQ(out[0], -kInf);
  EXPECT_EQ(out[1], -kInf);
  EXPECT_TRUE(std::isnan(out[2]));
  EXPECT_TRUE(std::isnan(out[3]));
  EXPECT_EQ(out[4], kInf);
  EXPECT_TRUE(std::isnan(out[5]));
}

TEST_F(MathApprox, TanhOverEveryBinade) {
  UnaryFn fn = unary("t_tanh");
  ASSERT_NE(fn, nullptr);
  std::vector<float> xs = sweep(997, {7.9053111f, 7.9053116f, 7.9f, 9.0f, 1e-40f, -1e-40f,
                                      1e-20f, 4e-4f, 0.0f, -0.0f});
  for (float x = -11.0f; x <= 11.0f; x += 0.00071f) xs.push_back(x);
  // The Eigen/XLA rational is good to 5 ulp, out to the clamp at ±10.
  Worst w = worstError(fn, xs, &tanhRef);
  EXPECT_LE(w.ulps, 5) << describe(w);
  // Never beyond ±1; the sign of zero is kept.
  std::vector<float> out(xs.size());
  fn(xs.data(), out.data(), int64_t(xs.size()));
  for (size_t i = 0; i < xs.size(); ++i) ASSERT_LE(std::fabs(out[i]), 1.0f) << "x = " << xs[i];
  // Exactly ±1 from ±10 on, so that 1 + tanh(x) is exactly 0 far out.
  std::vector<float> special = {kInf, -kInf, 20.0f, -0.0f, kNaN, 10.0f, -10.0f, -1e10f,
                                kNaNPayload, kNegNaNPayload};
  std::vector<float> s = runSpecial(fn, special);
  EXPECT_EQ(s[0], 1.0f);
  EXPECT_EQ(s[1], -1.0f);
  EXPECT_EQ(s[2], 1.0f);
  EXPECT_TRUE(s[3] == 0.0f && std::signbit(s[3]));
  EXPECT_TRUE(std::isnan(s[4]));
  EXPECT_EQ(s[5], 1.0f);
  EXPECT_EQ(s[6], -1.0f);
  EXPECT_EQ(s[7], -1.0f);
  EXPECT_TRUE(std::isnan(s[8]));
  EXPECT_TRUE(std::isnan(s[9]));
}

TEST_F(MathApprox, ErfOverEveryBinade) {
  UnaryFn fn = unary("t_erf");
  ASSERT_NE(fn, nullptr);
  std::vector<float> xs = sweep(997, {4.0f, -4.0f, 3.9f, 1e-30f, 0.0f, -0.0f});
  for (float x = -5.0f; x <= 5.0f; x += 0.00043f) xs.push_back(x);
  Worst w = worstError(fn, xs, &erfRef);
  EXPECT_LE(w.ulps, 5) << describe(w);
  std::vector<float> out(xs.size());
  fn(xs.data(), out.data(), int64_t(xs.size()));
  for (size_t i = 0; i < xs.size(); ++i) ASSERT_LE(std::fabs(out[i]), 1.0f) << "x = " << xs[i];
  // Exactly ±1 where erf rounds to ±1, so that gelu's 1 + erf is exactly 0
  // far out.
  std::vector<float> special = {kInf, -kInf, kNaN, 4.25f, -4.25f, 6.0f, -1e10f, kNaNPayload};
  std::vector<float> s = runSpecial(fn, special);
  EXPECT_EQ(s[0], 1.0f);
  EXPECT_EQ(s[1], -1.0f);
  EXPECT_TRUE(std::isnan(s[2]));
  EXPECT_EQ(s[3], 1.0f);
  EXPECT_EQ(s[4], -1.0f);
  EXPECT_EQ(s[5], 1.0f);
  EXPECT_EQ(s[6], -1.0f);
  EXPECT_TRUE(std::isnan(s[7]));
}

TEST_F(MathApprox, SigmoidOverEveryBinadeKeepsTheNegativeTail) {
  UnaryFn fn = unary("t_sigmoid");
  ASSERT_NE(fn, nullptr);
  // The negative tail down to subnormal results is relative-accurate too.
  std::vector<float> xs = sweep(997, {-17.0f, -20.0f, -87.0f, -88.0f, -100.0f, -103.0f, -104.0f,
                                      -110.0f, 16.6f, 17.0f, 0.0f, -0.0f});
  for (float x = -105.0f; x <= 30.0f; x += 0.0031f) xs.push_back(x);
  Worst w = worstError(fn, xs, &sigmoidRef);
  EXPECT_LE(w.ulps, 3) << describe(w);
  std::vector<float> special = {kInf, -kInf, kNaN, 0.0f, kNaNPayload, kNegNaNPayload};
  std::vector<float> s = runSpecial(fn, special);
  EXPECT_EQ(s[0], 1.0f);
  EXPECT_EQ(s[1], 0.0f);
  EXPECT_TRUE(std::isnan(s[2]));
  EXPECT_EQ(s[3], 0.5f);
  EXPECT_TRUE(std::isnan(s[4]));
  EXPECT_TRUE(std::isnan(s[5]));
}

TEST_F(MathApprox, PowAgainstStdPow) {
  auto fn = compiled_ ? reinterpret_cast<BinaryFn>(compiled_->symbol("t_pow")) : nullptr;
  ASSERT_NE(fn, nullptr);
  std::vector<float> xs, ys;
  for (float x = 0.01f; x < 50.0f; x *= 1.013f)
    for (float y = -9.0f; y <= 9.0f; y += 0.137f) {
      xs.push_back(x);
      ys.push_back(y);
    }
  // Special cases (std::pow semantics): zero and negative bases, y == 0,
  // x == 1 and x == -1 with infinite or NaN exponents.
  const std::vector<std::pair<float, float>> special = {
      {-2.0f, 3.0f}, {-2.0f, 2.0f}, {-1.5f, 0.5f}, {0.0f, 2.0f}, {0.0f, -1.0f}, {-0.0f, 3.0f},
      {-0.0f, -3.0f}, {-0.0f, 2.0f}, {0.0f, 0.0f}, {kNaN, 0.0f}, {1.0f, kNaN}, {-1.0f, kInf},
      {-1.0f, -kInf}, {2.0f, kInf}, {0.5f, kInf}, {kInf, -1.0f}, {kNaN, 1.0f}, {3.0f, kNaN}};
  size_t firstSpecial = xs.size();
  for (auto [x, y] : special) {
    xs.push_back(x);
    ys.push_back(y);
  }
  std::vector<float> out(xs.size());
  fn(xs.data(), ys.data(), out.data(), int64_t(xs.size()));
  for (size_t i = 0; i < xs.size(); ++i) {
    float want = float(std::pow(double(xs[i]), double(ys[i])));
    if (i >= firstSpecial) {
      EXPECT_EQ(ulpDistance(out[i], want), 0) << "pow(" << xs[i] << ", " << ys[i] << ") = " << out[i];
      continue;
    }
    // exp(y·log x) amplifies log's rounding by |y·log x|.
    double allowed = 4 + 2 * std::fabs(double(ys[i]) * std::log(double(xs[i])));
    ASSERT_LE(ulpDistance(out[i], want), allowed)
        << "pow(" << xs[i] << ", " << ys[i] << ") = " << out[i] << ", want " << want;
  }
}

}  // namespace
}  // namespace dlc::cpu::math
