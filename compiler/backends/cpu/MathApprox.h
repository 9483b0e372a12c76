// Vectorizable f32 approximations of transcendental functions, emitted
// inline as LLVM IR (no libm calls), so loops over them vectorize to
// AVX2/AVX-512. Every function accepts a float or a vector of floats.
//
//   exp     Cephes range reduction x = k·ln2 + r, exp(r) by a degree-6
//           minimax polynomial; k is rounded with the 1.5·2^23 trick and 2^k is built
//           from integer bits in two normal factors, so the result rounds
//           once to a subnormal, 0 or inf exactly where exp does (1 ulp).
//   log     frexp-style split into mantissa in [sqrt(1/2), sqrt(2)) and exponent,
//           Cephes polynomial; subnormals rescaled; log(0) = -inf, log(<0) = NaN.
//   tanh    Eigen/XLA rational approximation, fitted on [-7.9, 7.9] and good
//           to 4 ulp out to ±10; exactly ±1 from there on.
//   erf     Eigen/XLA rational approximation on [-4, 4]; exactly ±1 beyond,
//           where erf rounds to ±1 in f32.
//   sigmoid 1/(1+e) or e/(1+e) with e = exp(-|x|): one exp that never
//           overflows, one division, relative accuracy kept in the negative
//           tail down to the subnormals (2 ulp).
//   pow     exp(y·log|x|) with IEEE-style special cases (std::pow semantics for
//           zero, negative bases with integral exponents, y == 0, x == 1).
// Costs are kept low for fused elementwise loops: clamps are single
// NaN-propagating min/max instructions (no final NaN selects), and each
// rational form uses one division, by a denominator known finite and
// nonzero, which setMathAttributes lets the backend replace by a refined
// reciprocal estimate (within an ulp; no divide unit). tests/backends/cpu/MathApproxTest.cpp
// measures every function in ulps against the C++ library. They
// deliberately do not handle f64.
#pragma once

#include <llvm/IR/IRBuilder.h>

namespace dlc::cpu::math {

llvm::Value* exp(llvm::IRBuilderBase& b, llvm::Value* x);
// exp(x) for x known to be <= 0 or NaN (softmax's x - max, or where
// ir::knownSign says so): four ops fewer, the same results.
llvm::Value* expNonPositive(llvm::IRBuilderBase& b, llvm::Value* x);
llvm::Value* log(llvm::IRBuilderBase& b, llvm::Value* x);
llvm::Value* tanh(llvm::IRBuilderBase& b, llvm::Value* x);
llvm::Value* erf(llvm::IRBuilderBase& b, llvm::Value* x);
llvm::Value* pow(llvm::IRBuilderBase& b, llvm::Value* x, llvm::Value* y);
// 1 / (1 + exp(-x)), evaluated without overflow (see above).
llvm::Value* sigmoid(llvm::IRBuilderBase& b, llvm::Value* x);

// Marks a function that these approximations are emitted into, so that
// their divisions compile to refined reciprocal estimates (see above);
// `vectorBits` is vectorRegisterBits() of the target (512: AVX-512).
void setMathAttributes(llvm::Function* f, unsigned vectorBits);

}  // namespace dlc::cpu::math
