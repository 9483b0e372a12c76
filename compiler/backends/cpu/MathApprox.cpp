// Inline f32 approximations of exp/log/tanh/erf/pow. See MathApprox.h.
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

// 2^n for an integer-valued float n in [-127, 127].
llvm::Value* exp2Int(llvm::IRBuilderBase& b, llvm::Value* n) {
  llvm::Value* i = b.CreateFPToSI(n, intTypeLike(n));
  llvm::Value* bits = b.CreateShl(b.CreateAdd(i, ci(n, 127)), 23);
  return b.CreateBitCast(bits, n->getType());
}

}  // namespace

llvm::Value* exp(llvm::IRBuilderBase& b, llvm::Value* x) {
  // Clamp (NaN-free via minnum/maxnum); NaN is restored at the end.
  llvm::Value* xc = b.CreateBinaryIntrinsic(llvm::Intrinsic::minnum, x, cf(x, 88.8));
  xc = b.CreateBinaryIntrinsic(llvm::Intrinsic::maxnum, xc, cf(x, -104.0));
  llvm::Value* k = unaryIntrinsic(
      b, llvm::Intrinsic::floor,
      b.CreateFAdd(b.CreateFMul(xc, cf(x, 1.44269504088896341)), cf(x, 0.5)));
  llvm::Value* r = b.CreateFSub(xc, b.CreateFMul(k, cf(x, 0.693359375)));
  r = b.CreateFSub(r, b.CreateFMul(k, cf(x, -2.12194440e-4)));
  llvm::Value* r2 = b.CreateFMul(r, r);
  llvm::Value* p = horner(b, r,
                          {1.9875691500E-4, 1.3981999507E-3, 8.3334519073E-3, 4.1665795894E-2,
                           1.6666665459E-1, 5.0000001201E-1});
  llvm::Value* y = b.CreateFAdd(b.CreateFAdd(b.CreateFMul(p, r2), r), cf(x, 1.0));
  // 2^k in two halves so k up to 128 and down to -151 stay representable.
  llvm::Value* k1 = unaryIntrinsic(b, llvm::Intrinsic::floor, b.CreateFMul(k, cf(x, 0.5)));
  llvm::Value* k2 = b.CreateFSub(k, k1);
  y = b.CreateFMul(b.CreateFMul(y, exp2Int(b, k1)), exp2Int(b, k2));
  return b.CreateSelect(b.CreateFCmpUNO(x, x), x, y);
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
  llvm::Value* xc = b.CreateBinaryIntrinsic(llvm::Intrinsic::minnum, x, cf(x, 7.90531110763549805));
  xc = b.CreateBinaryIntrinsic(llvm::Intrinsic::maxnum, xc, cf(x, -7.90531110763549805));
  llvm::Value* x2 = b.CreateFMul(xc, xc);
  llvm::Value* p = horner(b, x2,
                          {-2.76076847742355e-16, 2.00018790482477e-13, -8.60467152213735e-11,
                           5.12229709037114e-08, 1.48572235717979e-05, 6.37261928875436e-04,
                           4.89352455891786e-03});
  p = b.CreateFMul(p, xc);
  llvm::Value* q = horner(b, x2,
                          {1.19825839466702e-06, 1.18534705686654e-04, 2.26843463243900e-03,
                           4.89352518554385e-03});
  llvm::Value* r = b.CreateFDiv(p, q);
  llvm::Value* tinyArg = b.CreateFCmpOLT(
      unaryIntrinsic(b, llvm::Intrinsic::fabs, x), cf(x, 0.0004));
  r = b.CreateSelect(tinyArg, x, r);
  return b.CreateSelect(b.CreateFCmpUNO(x, x), x, r);
}

llvm::Value* erf(llvm::IRBuilderBase& b, llvm::Value* x) {
  llvm::Value* xc = b.CreateBinaryIntrinsic(llvm::Intrinsic::minnum, x, cf(x, 4.0));
  xc = b.CreateBinaryIntrinsic(llvm::Intrinsic::maxnum, xc, cf(x, -4.0));
  llvm::Value* x2 = b.CreateFMul(xc, xc);
  llvm::Value* p = horner(b, x2,
                          {-2.72614225801306e-10, 2.77068142495902e-08, -2.10102402082508e-06,
                           -5.69250639462346e-05, -7.34990630326855e-04, -2.95459980854025e-03,
                           -1.60960333262415e-02});
  p = b.CreateFMul(p, xc);
  llvm::Value* q = horner(b, x2,
                          {-1.45660718464996e-05, -2.13374055278905e-04, -1.68282697438203e-03,
                           -7.37332916720468e-03, -1.42647390514189e-02});
  llvm::Value* r = b.CreateFDiv(p, q);
  // The rational form overshoots |erf| <= 1 by an ulp near the clamp.
  r = b.CreateBinaryIntrinsic(llvm::Intrinsic::minnum, r, cf(x, 1.0));
  r = b.CreateBinaryIntrinsic(llvm::Intrinsic::maxnum, r, cf(x, -1.0));
  return b.CreateSelect(b.CreateFCmpUNO(x, x), x, r);
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
  llvm::Value* e = exp(b, b.CreateFNeg(x));
  return b.CreateFDiv(cf(x, 1.0), b.CreateFAdd(cf(x, 1.0), e));
}

}  // namespace dlc::cpu::math
