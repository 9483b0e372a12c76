// Vectorizable f32 approximations of transcendental functions, emitted
// inline as LLVM IR (no libm calls), so loops over them vectorize to
// AVX2/AVX-512. Every function accepts a float or a vector of floats.
//
//   exp   Cephes range reduction x = k·ln2 + r, exp(r) by a degree-7 polynomial,
//         2^k applied in two halves (no overflow in the exponent field);
//         +-inf and NaN handled, results flush to 0 / inf at the f32 limits.
//   log   frexp-style split into mantissa in [sqrt(1/2), sqrt(2)) and exponent,
//         Cephes polynomial; subnormals rescaled; log(0) = -inf, log(<0) = NaN.
//   tanh  Eigen/XLA rational approximation on [-7.9, 7.9], saturating beyond.
//   erf   Eigen/XLA rational approximation on [-4, 4], saturating beyond.
//   pow   exp(y·log|x|) with IEEE-style special cases (std::pow semantics for
//         zero, negative bases with integral exponents, y == 0, x == 1).
// All are accurate to a few ulp for f32 (pow: relative error grows with
// |y·log x|). They deliberately do not handle f64.
#pragma once

#include <llvm/IR/IRBuilder.h>

namespace dlc::cpu::math {

llvm::Value* exp(llvm::IRBuilderBase& b, llvm::Value* x);
llvm::Value* log(llvm::IRBuilderBase& b, llvm::Value* x);
llvm::Value* tanh(llvm::IRBuilderBase& b, llvm::Value* x);
llvm::Value* erf(llvm::IRBuilderBase& b, llvm::Value* x);
llvm::Value* pow(llvm::IRBuilderBase& b, llvm::Value* x, llvm::Value* y);
// 1 / (1 + exp(-x)).
llvm::Value* sigmoid(llvm::IRBuilderBase& b, llvm::Value* x);

}  // namespace dlc::cpu::math
