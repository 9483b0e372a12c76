// Inline f32 approximations of exp/log/tanh/erf/sigmoid/pow. See MathApprox.h.
#include "compiler/backends/cpu/MathApprox.h"

#include <initializer_list>

#include <llvm/IR/Intrinsics.h>

namespace dlc::cpu::math {
namespace {

llvm::Constant* cf(llvm::Value* like, double v) { return llvm::ConstantFP::get(like->getType(), v); }

llvm::Type* intTypeLike(llvm::Value* x) {
  llvm::Type* i32 = llvm::Type::getInt32Ty(x->getContext());
  if (auto* vt = llvm::dyn_cast<llvm::VectorType>(x->getType()))
    return llvm::VectorType::get(i32, vt->getElementCount());
  return i32;
}
llvm::Constant* ci(llvm::Value* like, int64_t v) {
  return llvm::ConstantInt::get(intTypeLike(like), uint64_t(v), /*IsSigned=*/true);
}

llvm::Value* unaryIntrinsic(llvm::IRBuilderBase& b, llvm::Intrinsic::ID id, llvm::Value* x) {
  return b.CreateUnaryIntrinsic(id, x);
}

// Horner evaluation: c[0]·x^(n-1) + ... + c[n-1].
llvm::Value* horner(llvm::IRBuilderBase& b, llvm::Value* x, std::initializer_list<double> c) {
  auto it = c.begin();
  llvm::Value* acc = cf(x, *it++);
  for (; it != c.end(); ++it) acc = b.CreateFAdd(b.CreateFMul(acc, x), cf(x, *it));
  return acc;
}

// min(x, c) and max(x, c) that keep a NaN x. x86's minps/maxps return their
// second operand when either is NaN, and LLVM lowers select(c < x, c, x) to
// exactly that instruction, so each clamp bound costs one instruction and NaN
// flows through the rest of the computation without a final select.
llvm::Value* minKeepNaN(llvm::IRBuilderBase& b, llvm::Value* x, double c) {
  return b.CreateSelect(b.CreateFCmpOLT(cf(x, c), x), cf(x, c), x);
}
llvm::Value* maxKeepNaN(llvm::IRBuilderBase& b, llvm::Value* x, double c) {
  return b.CreateSelect(b.CreateFCmpOGT(cf(x, c), x), cf(x, c), x);
}
llvm::Value* clampKeepNaN(llvm::IRBuilderBase& b, llvm::Value* x, double lo, double hi) {
  return maxKeepNaN(b, minKeepNaN(b, x, hi), lo);
}

// p / q for a q that is finite and nonzero, with arcp and ninf set: in a
// function marked by setMathAttributes the backend lowers it to a
// reciprocal estimate refined by one Newton step (vrcp14ps, a multiply and
// two FMAs on AVX-512) instead of a divide, whose unit is not pipelined (a zmm
// vdivps occupies it for about 16 cycles, longer than the rest of tanh).
// The refinement y0 = p·r, y = y0 + r·(p - q·y0) is within an ulp of p/q.
// NaN operands stay NaN (rcp(NaN) = NaN).
llvm::Value* divFinite(llvm::IRBuilderBase& b, llvm::Value* p, llvm::Value* q) {
  llvm::Value* d = b.CreateFDiv(p, q);
  if (auto* inst = llvm::dyn_cast<llvm::Instruction>(d)) {
    inst->setHasAllowReciprocal(true);
    inst->setHasNoInfs(true);
  }
  return d;
}

// Adding 1.5·2^23 + 127 to a float v with |v| < 2^22 rounds v to the nearest
// integer k and leaves k + 127 in the low mantissa bits; shifting those bits
// left by 23 then gives the bits of 2^k (the 1.5·2^23 part shifts out).
constexpr double kRoundBias = 12583039.0;

llvm::Value* bitsOf(llvm::IRBuilderBase& b, llvm::Value* v) {
  return b.CreateBitCast(v, intTypeLike(v));
}

// exp(x); `nonPositive` promises x <= 0 or NaN, which saves the upper clamp
// and three of the six ops that build 2^k.
llvm::Value* expImpl(llvm::IRBuilderBase& b, llvm::Value* x, bool nonPositive) {
  // exp(88.8) is inf and exp(-104) is 0 in f32; NaN passes the clamp.
  llvm::Value* xc = nonPositive ? maxKeepNaN(b, x, -104.0) : clampKeepNaN(b, x, -104.0, 88.8);
  // k = round(x·log2 e) in [-150, 128]; x = k·ln2 + r with |r| <= ln2/2.
  // For x <= 0 the bias also carries kShift (below), so bits(t) << 23 are
  // the bits of 2^(k + kShift) rather than 2^k.
  constexpr int kShift = 100;
  const double bias = nonPositive ? kRoundBias + kShift : kRoundBias;
  llvm::Value* t = b.CreateFAdd(b.CreateFMul(xc, cf(x, 1.44269504088896341)), cf(x, bias));
  llvm::Value* k = b.CreateFSub(t, cf(x, bias));
  llvm::Value* r = b.CreateFSub(xc, b.CreateFMul(k, cf(x, 0.693359375)));
  r = b.CreateFSub(r, b.CreateFMul(k, cf(x, -2.12194440e-4)));
  // exp(r) = 1 + r + r²·P(r), P of degree 4: a minimax fit of the relative
  // error on [-ln2/2, ln2/2] (3.8e-9 with these f32 coefficients, well under
  // the rounding of the evaluation; Cephes' degree-5 P adds nothing in f32).
  llvm::Value* y = horner(b, r,
                          {0.00138146116, 0.00836871006, 0.041668389, 0.166665211, 0.49999994,
                           1.0, 1.0});
  if (nonPositive) {
    // k in [-150, 0]: 2^(k+100) is normal, y (in [0.7, 1.5)) times it is
    // exact, and the one product by 2^-100 rounds, to a subnormal or 0
    // where exp does. Three ops; a NaN y stays NaN whatever the factor.
    llvm::Value* scale = b.CreateBitCast(b.CreateShl(bitsOf(b, t), 23), x->getType());
    return b.CreateFMul(b.CreateFMul(y, scale), cf(x, 0x1p-100));
  }
  // 2^k = 2^(k-k1) · 2^k1 with k1 = round(x·log2 e / 2) in [-75, 64]: y
  // (in [0.7, 1.5)) times 2^(k-k1) stays normal, so adding k-k1 to its
  // exponent bits is exact; the one product by 2^k1 then rounds, to a
  // subnormal, 0 or inf where exp does. Integer ops only, no selects. A NaN
  // x gives t and t1 the same bits, so the exponent step is 0 and y stays NaN.
  llvm::Value* t1 =
      b.CreateFAdd(b.CreateFMul(xc, cf(x, 0.5 * 1.44269504088896341)), cf(x, kRoundBias));
  llvm::Value* step = b.CreateShl(b.CreateSub(bitsOf(b, t), bitsOf(b, t1)), 23);
  y = b.CreateBitCast(b.CreateAdd(bitsOf(b, y), step), x->getType());
  llvm::Value* scale1 = b.CreateShl(bitsOf(b, t1), 23);
  return b.CreateFMul(y, b.CreateBitCast(scale1, x->getType()));
}

}  // namespace

llvm::Value* exp(llvm::IRBuilderBase& b, llvm::Value* x) {
  return expImpl(b, x, /*nonPositive=*/false);
}

llvm::Value* expNonPositive(llvm::IRBuilderBase& b, llvm::Value* x) {
  return expImpl(b, x, /*nonPositive=*/true);
}

llvm::Value* log(llvm::IRBuilderBase& b, llvm::Value* x) {
  llvm::Type* it = intTypeLike(x);
  // Rescale subnormals by 2^23.
  llvm::Value* tiny = b.CreateFCmpOLT(x, cf(x, 1.17549435e-38));
  llvm::Value* xs = b.CreateSelect(tiny, b.CreateFMul(x, cf(x, 8388608.0)), x);
  llvm::Value* bits = b.CreateBitCast(xs, it);
  llvm::Value* e = b.CreateSub(b.CreateLShr(bits, 23), ci(x, 126));
  e = b.CreateSub(e, b.CreateSelect(tiny, ci(x, 23), ci(x, 0)));
  llvm::Value* mbits = b.CreateOr(b.CreateAnd(bits, ci(x, 0x807fffff)), ci(x, 0x3f000000));
  llvm::Value* m = b.CreateBitCast(mbits, x->getType());  // [0.5, 1)
  llvm::Value* ef = b.CreateSIToFP(e, x->getType());
  llvm::Value* small = b.CreateFCmpOLT(m, cf(x, 0.707106781186547524));
  ef = b.CreateSelect(small, b.CreateFSub(ef, cf(x, 1.0)), ef);
  llvm::Value* t = b.CreateSelect(small, b.CreateFAdd(m, m), m);
  t = b.CreateFSub(t, cf(x, 1.0));
  llvm::Value* z = b.CreateFMul(t, t);
  llvm::Value* y = horner(b, t,
                          {7.0376836292E-2, -1.1514610310E-1, 1.1676998740E-1, -1.2420140846E-1,
                           1.4249322787E-1, -1.6668057665E-1, 2.0000714765E-1, -2.4999993993E-1,
                           3.3333331174E-1});
  y = b.CreateFMul(b.CreateFMul(y, t), z);
  y = b.CreateFAdd(y, b.CreateFMul(ef, cf(x, -2.12194440e-4)));
  y = b.CreateFSub(y, b.CreateFMul(z, cf(x, 0.5)));
  llvm::Value* r = b.CreateFAdd(b.CreateFAdd(t, y), b.CreateFMul(ef, cf(x, 0.693359375)));
  // Special cases: x == 0 -> -inf, x < 0 or NaN -> NaN, +inf -> +inf.
  const double inf = __builtin_inf();
  r = b.CreateSelect(b.CreateFCmpOEQ(x, cf(x, inf)), cf(x, inf), r);
  r = b.CreateSelect(b.CreateFCmpOEQ(x, cf(x, 0.0)), cf(x, -inf), r);
  r = b.CreateSelect(b.CreateFCmpULT(x, cf(x, 0.0)), cf(x, __builtin_nan("")), r);
  return r;
}

llvm::Value* tanh(llvm::IRBuilderBase& b, llvm::Value* x) {
  // The rational form is fitted on [-7.9, 7.9]; beyond, out to ±10, it stays
  // within 4 ulp of tanh, and at ±10 it is 1 + 4 ulp, so clamping x to ±10
  // and the result to ±1 gives exactly ±1 from |x| = 10 on: 1 + tanh(x) is
  // then 0 for very negative x (gelu's tanh form: gelu(-1e10) = -0, not
  // -1629; gelu(-inf) = -inf·0 = NaN as the formula says). Four clamp
  // instructions in all; NaN passes them.
  llvm::Value* xc = clampKeepNaN(b, x, -10.0, 10.0);
  llvm::Value* x2 = b.CreateFMul(xc, xc);
  llvm::Value* p = horner(b, x2,
                          {-2.76076847742355e-16, 2.00018790482477e-13, -8.60467152213735e-11,
                           5.12229709037114e-08, 1.48572235717979e-05, 6.37261928875436e-04,
                           4.89352455891786e-03});
  llvm::Value* q = horner(b, x2,
                          {1.19825839466702e-06, 1.18534705686654e-04, 2.26843463243900e-03,
                           4.89352518554385e-03});
  // x·(p/q) rather than (x·p)/q: p/q is 1 - 1.3e-7 near 0, so tiny x keep
  // their relative accuracy (2 ulp), subnormals included, and -0 stays -0,
  // without the |x| < 4e-4 select of the Eigen original.
  return clampKeepNaN(b, b.CreateFMul(xc, divFinite(b, p, q)), -1.0, 1.0);
}

llvm::Value* erf(llvm::IRBuilderBase& b, llvm::Value* x) {
  // The rational form is fitted on [-4, 4]; at ±4.25 it is 1 + 76 ulp, so
  // clamping x there and the result to ±1 gives exactly ±1 from 4.25 on
  // (erf rounds to ±1 in f32 from 3.92 on; in between, the result is within
  // an ulp of it), whatever the last ulp of the division: gelu's
  // 1 + erf(x/√2) is then 0 far out (gelu(-inf) = -inf·0 = NaN). NaN passes
  // the clamps.
  llvm::Value* xc = clampKeepNaN(b, x, -4.25, 4.25);
  llvm::Value* x2 = b.CreateFMul(xc, xc);
  llvm::Value* p = horner(b, x2,
                          {-2.72614225801306e-10, 2.77068142495902e-08, -2.10102402082508e-06,
                           -5.69250639462346e-05, -7.34990630326855e-04, -2.95459980854025e-03,
                           -1.60960333262415e-02});
  llvm::Value* q = horner(b, x2,
                          {-1.45660718464996e-05, -2.13374055278905e-04, -1.68282697438203e-03,
                           -7.37332916720468e-03, -1.42647390514189e-02});
  return clampKeepNaN(b, b.CreateFMul(xc, divFinite(b, p, q)), -1.0, 1.0);
}

llvm::Value* pow(llvm::IRBuilderBase& b, llvm::Value* x, llvm::Value* y) {
  const double inf = __builtin_inf();
  llvm::Value* ax = unaryIntrinsic(b, llvm::Intrinsic::fabs, x);
  llvm::Value* r = exp(b, b.CreateFMul(y, log(b, ax)));
  // Integral and odd exponents decide the sign for negative bases.
  llvm::Value* yInt = b.CreateFCmpOEQ(unaryIntrinsic(b, llvm::Intrinsic::floor, y), y);
  llvm::Value* half = b.CreateFMul(y, cf(y, 0.5));
  llvm::Value* yOdd =
      b.CreateAnd(yInt, b.CreateFCmpONE(unaryIntrinsic(b, llvm::Intrinsic::floor, half), half));
  llvm::Value* neg = b.CreateFCmpOLT(x, cf(x, 0.0));
  r = b.CreateSelect(b.CreateAnd(neg, yOdd), b.CreateFNeg(r), r);
  // Negative finite base with a non-integral finite exponent: NaN.
  llvm::Value* yFinite = b.CreateFCmpOLT(unaryIntrinsic(b, llvm::Intrinsic::fabs, y), cf(y, inf));
  llvm::Value* xFinite = b.CreateFCmpOLT(ax, cf(x, inf));
  r = b.CreateSelect(b.CreateAnd(b.CreateAnd(neg, xFinite), b.CreateAnd(yFinite, b.CreateNot(yInt))),
                     cf(x, __builtin_nan("")), r);
  // Signed zero base with an odd negative/positive exponent keeps the sign.
  llvm::Value* xZero = b.CreateFCmpOEQ(x, cf(x, 0.0));
  llvm::Value* zeroPow = b.CreateSelect(b.CreateFCmpOLT(y, cf(y, 0.0)), cf(x, inf), cf(x, 0.0));
  llvm::Value* signedZeroPow = b.CreateSelect(
      yOdd, b.CreateBinaryIntrinsic(llvm::Intrinsic::copysign, zeroPow, x), zeroPow);
  r = b.CreateSelect(xZero, signedZeroPow, r);
  // pow(x, 0) = 1 and pow(1, y) = 1, even for NaN.
  llvm::Value* one = b.CreateOr(b.CreateFCmpOEQ(y, cf(y, 0.0)), b.CreateFCmpOEQ(x, cf(x, 1.0)));
  r = b.CreateSelect(one, cf(x, 1.0), r);
  // pow(-1, +-inf) = 1.
  llvm::Value* minusOneInf = b.CreateAnd(b.CreateFCmpOEQ(x, cf(x, -1.0)), b.CreateNot(yFinite));
  return b.CreateSelect(b.CreateAnd(minusOneInf, b.CreateFCmpORD(y, y)), cf(x, 1.0), r);
}

llvm::Value* sigmoid(llvm::IRBuilderBase& b, llvm::Value* x) {
  // With e = exp(-|x|) in (0, 1]: sigmoid(x) = 1/(1+e) for x >= 0 and
  // e/(1+e) for x < 0. The exp never overflows, and the negative tail keeps
  // its relative accuracy down to the subnormals (0.5 + 0.5·tanh(x/2) would
  // round everything below about -17 to 0). NaN: e is NaN.
  llvm::Value* e = expImpl(b, b.CreateFNeg(unaryIntrinsic(b, llvm::Intrinsic::fabs, x)),
                          /*nonPositive=*/true);
  llvm::Value* num = b.CreateSelect(b.CreateFCmpOLT(x, cf(x, 0.0)), e, cf(x, 1.0));
  return divFinite(b, num, b.CreateFAdd(cf(x, 1.0), e));
}

void setMathAttributes(llvm::Function* f, unsigned vectorBits) {
  // Vector f32 divisions marked arcp + ninf (divFinite) become a reciprocal
  // estimate, Newton steps on it, and the final residual step. AVX-512's
  // vrcp14 is good to 2^-14, so one step leaves 2^-28 of relative error (p/q
  // correctly rounded but for near-ties: 1/(1+0) = 1 and 1/2 = 0.5 exactly);
  // SSE/AVX's 12-bit rcpps and others need two. Scalar ones (loop
  // remainders) keep the divide, which costs them little.
  f->addFnAttr("reciprocal-estimates", vectorBits >= 512 ? "!divf,vec-divf:1" : "!divf,vec-divf:2");
}

}  // namespace dlc::cpu::math
