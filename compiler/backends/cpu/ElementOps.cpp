// Elementwise op arithmetic. See ElementOps.h.
#include "compiler/backends/cpu/ElementOps.h"

#include <cmath>

#include <llvm/IR/Intrinsics.h>

#include "compiler/backends/cpu/MathApprox.h"
#include "ir/SignAnalysis.h"

namespace dlc::cpu {

using ir::DType;
using ir::OpKind;

namespace {

llvm::Constant* cf(llvm::Value* like, double v) { return llvm::ConstantFP::get(like->getType(), v); }

llvm::Value* gelu(llvm::IRBuilderBase& b, const ir::Node& node, llvm::Value* x) {
  llvm::Value* half = b.CreateFMul(x, cf(x, 0.5));
  if (node.attrs.getString("approximate", "none") == "tanh") {
    llvm::Value* x3 = b.CreateFMul(b.CreateFMul(x, x), x);
    llvm::Value* inner = b.CreateFMul(b.CreateFAdd(x, b.CreateFMul(x3, cf(x, 0.044715))),
                                      cf(x, std::sqrt(2.0 / M_PI)));
    return b.CreateFMul(half, b.CreateFAdd(cf(x, 1.0), math::tanh(b, inner)));
  }
  llvm::Value* e = math::erf(b, b.CreateFMul(x, cf(x, M_SQRT1_2)));
  return b.CreateFMul(half, b.CreateFAdd(cf(x, 1.0), e));
}

// The scalar value of `v` if it is a floating-point constant or a splat of one.
const llvm::ConstantFP* constantFP(llvm::Value* v) {
  if (auto* c = llvm::dyn_cast<llvm::ConstantFP>(v)) return c;
  if (auto* c = llvm::dyn_cast<llvm::Constant>(v))
    return llvm::dyn_cast_or_null<llvm::ConstantFP>(c->getSplatValue());
  return nullptr;
}

// maximum/minimum propagate NaN from either operand and order -0 < +0.
// Against a constant c that is neither NaN nor zero, select(c > x, c, x)
// (select(c < x, c, x) for minimum) does both: a NaN x fails the compare and
// is kept, and x86 lowers it to one maxps/minps. Otherwise the general
// llvm.maximum/minimum (several instructions on x86).
llvm::Value* maxMin(llvm::IRBuilderBase& b, bool isMax, llvm::Value* x, llvm::Value* y) {
  const llvm::ConstantFP* cx = constantFP(x);
  const llvm::ConstantFP* cy = constantFP(y);
  llvm::Value* c = cy ? y : x;
  llvm::Value* other = cy ? x : y;
  const llvm::ConstantFP* k = cy ? cy : cx;
  if (!k || k->isNaN() || (cx && cy)) {
    return b.CreateBinaryIntrinsic(isMax ? llvm::Intrinsic::maximum : llvm::Intrinsic::minimum, x,
                                   y);
  }
  if (k->isZero()) {
    // -0 < +0: the compare is false for x = ±0, so x would win over c; pick
    // by the sign of c instead (max(x, +0) keeps +0 for x = -0, ...).
    bool cWinsTies = isMax != k->isNegative();
    llvm::Value* cWins = isMax
                             ? (cWinsTies ? b.CreateFCmpOGE(c, other) : b.CreateFCmpOGT(c, other))
                             : (cWinsTies ? b.CreateFCmpOLE(c, other) : b.CreateFCmpOLT(c, other));
    return b.CreateSelect(cWins, c, other);
  }
  llvm::Value* cWins = isMax ? b.CreateFCmpOGT(c, other) : b.CreateFCmpOLT(c, other);
  return b.CreateSelect(cWins, c, other);
}

llvm::Value* floatOp(EmitContext& ctx, const ir::Node& node, llvm::ArrayRef<llvm::Value*> v) {
  llvm::IRBuilderBase& b = ctx.builder;
  llvm::Value* x = v[0];
  switch (node.op) {
    case OpKind::Neg: return b.CreateFNeg(x);
    case OpKind::Abs: return b.CreateUnaryIntrinsic(llvm::Intrinsic::fabs, x);
    case OpKind::Exp:
      return ir::knownSign(*node.inputs[0]) == ir::Sign::kNonPositive ? math::expNonPositive(b, x)
                                                                      : math::exp(b, x);
    case OpKind::Log: return math::log(b, x);
    case OpKind::Sqrt: return b.CreateUnaryIntrinsic(llvm::Intrinsic::sqrt, x);
    case OpKind::Rsqrt:
      return b.CreateFDiv(cf(x, 1.0), b.CreateUnaryIntrinsic(llvm::Intrinsic::sqrt, x));
    case OpKind::Reciprocal: return b.CreateFDiv(cf(x, 1.0), x);
    case OpKind::Tanh: return math::tanh(b, x);
    case OpKind::Sigmoid: return math::sigmoid(b, x);
    case OpKind::Relu:  // NaN propagates: select on an unordered compare.
      return b.CreateSelect(b.CreateFCmpUGT(x, cf(x, 0.0)), x, cf(x, 0.0));
    case OpKind::LeakyRelu:
      return b.CreateSelect(b.CreateFCmpOGE(x, cf(x, 0.0)), x,
                            b.CreateFMul(x, cf(x, node.attrs.getFloat("alpha", 0.01))));
    case OpKind::Gelu: return gelu(b, node, x);
    case OpKind::Erf: return math::erf(b, x);
    case OpKind::Floor: return b.CreateUnaryIntrinsic(llvm::Intrinsic::floor, x);
    case OpKind::Ceil: return b.CreateUnaryIntrinsic(llvm::Intrinsic::ceil, x);
    case OpKind::Add: return b.CreateFAdd(x, v[1]);
    case OpKind::Sub: return b.CreateFSub(x, v[1]);
    case OpKind::Mul: return b.CreateFMul(x, v[1]);
    case OpKind::Div: return b.CreateFDiv(x, v[1]);
    case OpKind::Pow: return math::pow(b, x, v[1]);
    case OpKind::Maximum: return maxMin(b, /*isMax=*/true, x, v[1]);
    case OpKind::Minimum: return maxMin(b, /*isMax=*/false, x, v[1]);
    case OpKind::BatchNorm: {
      double eps = node.attrs.getFloat("epsilon", 1e-5);
      llvm::Value* inv = b.CreateFDiv(
          cf(x, 1.0), b.CreateUnaryIntrinsic(llvm::Intrinsic::sqrt, b.CreateFAdd(v[4], cf(x, eps))));
      return b.CreateFAdd(b.CreateFMul(b.CreateFMul(b.CreateFSub(x, v[3]), inv), v[1]), v[2]);
    }
    default: return nullptr;
  }
}

llvm::Value* intOp(EmitContext& ctx, const ir::Node& node, llvm::ArrayRef<llvm::Value*> v,
                   bool isUnsigned) {
  llvm::IRBuilderBase& b = ctx.builder;
  llvm::Value* x = v[0];
  llvm::Type* t = x->getType();
  llvm::Value* zero = llvm::Constant::getNullValue(t);
  switch (node.op) {
    case OpKind::Neg: return b.CreateSub(zero, x);
    case OpKind::Abs:
      return isUnsigned ? x : b.CreateSelect(b.CreateICmpSLT(x, zero), b.CreateSub(zero, x), x);
    case OpKind::Add: return b.CreateAdd(x, v[1]);
    case OpKind::Sub: return b.CreateSub(x, v[1]);
    case OpKind::Mul: return b.CreateMul(x, v[1]);
    case OpKind::Div: {
      // Never trap: a zero divisor gives 0, MIN / -1 wraps to MIN.
      llvm::Value* y = v[1];
      llvm::Value* isZero = b.CreateICmpEQ(y, zero);
      llvm::Value* one = llvm::ConstantInt::get(t, 1);
      if (isUnsigned) {
        llvm::Value* q = b.CreateUDiv(x, b.CreateSelect(isZero, one, y));
        return b.CreateSelect(isZero, zero, q);
      }
      llvm::Value* minusOne = llvm::Constant::getAllOnesValue(t);
      llvm::Value* isMinusOne = b.CreateICmpEQ(y, minusOne);
      llvm::Value* safe = b.CreateSelect(b.CreateOr(isZero, isMinusOne), one, y);
      llvm::Value* q = b.CreateSDiv(x, safe);
      q = b.CreateSelect(isMinusOne, b.CreateSub(zero, x), q);
      return b.CreateSelect(isZero, zero, q);
    }
    case OpKind::Maximum:
      return b.CreateBinaryIntrinsic(isUnsigned ? llvm::Intrinsic::umax : llvm::Intrinsic::smax, x, v[1]);
    case OpKind::Minimum:
      return b.CreateBinaryIntrinsic(isUnsigned ? llvm::Intrinsic::umin : llvm::Intrinsic::smin, x, v[1]);
    default: return nullptr;
  }
}

llvm::Value* compareOp(EmitContext& ctx, OpKind op, DType dtype, llvm::Value* a, llvm::Value* c) {
  llvm::IRBuilderBase& b = ctx.builder;
  if (ir::isFloat(dtype)) {
    switch (op) {
      case OpKind::Equal: return b.CreateFCmpOEQ(a, c);
      case OpKind::NotEqual: return b.CreateFCmpUNE(a, c);
      case OpKind::Less: return b.CreateFCmpOLT(a, c);
      case OpKind::LessEqual: return b.CreateFCmpOLE(a, c);
      case OpKind::Greater: return b.CreateFCmpOGT(a, c);
      default: return b.CreateFCmpOGE(a, c);
    }
  }
  bool u = dtype == DType::U8 || dtype == DType::Bool;
  switch (op) {
    case OpKind::Equal: return b.CreateICmpEQ(a, c);
    case OpKind::NotEqual: return b.CreateICmpNE(a, c);
    case OpKind::Less: return u ? b.CreateICmpULT(a, c) : b.CreateICmpSLT(a, c);
    case OpKind::LessEqual: return u ? b.CreateICmpULE(a, c) : b.CreateICmpSLE(a, c);
    case OpKind::Greater: return u ? b.CreateICmpUGT(a, c) : b.CreateICmpSGT(a, c);
    default: return u ? b.CreateICmpUGE(a, c) : b.CreateICmpSGE(a, c);
  }
}

llvm::Value* castOp(EmitContext& ctx, DType from, DType to, llvm::Value* x) {
  llvm::IRBuilderBase& b = ctx.builder;
  llvm::Type* toT = ctx.computeType(to);
  if (auto* vt = llvm::dyn_cast<llvm::FixedVectorType>(x->getType()))
    toT = llvm::FixedVectorType::get(toT, vt->getNumElements());
  if (to == DType::Bool) {
    return ir::isFloat(from) ? b.CreateFCmpUNE(x, llvm::Constant::getNullValue(x->getType()))
                             : b.CreateICmpNE(x, llvm::Constant::getNullValue(x->getType()));
  }
  if (ir::isFloat(from)) {
    if (ir::isFloat(to)) return ctx.roundTo(to, x);
    llvm::Intrinsic::ID id = to == DType::U8 ? llvm::Intrinsic::fptoui_sat : llvm::Intrinsic::fptosi_sat;
    return b.CreateIntrinsic(id, {toT, x->getType()}, {x});
  }
  bool srcUnsigned = from == DType::U8 || from == DType::Bool;
  if (ir::isFloat(to)) {
    llvm::Value* f = srcUnsigned ? b.CreateUIToFP(x, toT) : b.CreateSIToFP(x, toT);
    return ctx.roundTo(to, f);
  }
  return srcUnsigned ? b.CreateZExtOrTrunc(x, toT) : b.CreateSExtOrTrunc(x, toT);
}

}  // namespace

Status checkElementwise(const ir::Node& node) {
  DType dtype = node.inputs.empty() ? node.type.dtype : node.inputs[0]->type.dtype;
  OpKind op = node.op;
  if (op == OpKind::Cast) {
    if (!ir::parseDType(node.attrs.getString("to", ""))) {
      return invalidArgument(node.describe(), ": cast: unknown target dtype \"",
                             node.attrs.getString("to", ""), "\"");
    }
    return Status::OK();
  }
  if (op == OpKind::Gelu) {
    std::string mode = node.attrs.getString("approximate", "none");
    if (mode != "none" && mode != "tanh")
      return invalidArgument(node.describe(),
                             ": gelu: approximate must be \"none\" or \"tanh\", got \"", mode,
                             "\"");
  }
  // The op table's dtype classes (ir/Ops.def); integer math covers i32, i64
  // and u8 (unsigned compares, division and max/min).
  bool ok = false;
  switch (ir::elementDTypeClass(op)) {
    case ir::DTypeClass::Any: ok = true; break;
    case ir::DTypeClass::Bool: ok = dtype == DType::Bool; break;
    case ir::DTypeClass::Numeric: ok = ir::isFloat(dtype) || ir::isInteger(dtype); break;
    case ir::DTypeClass::Float: ok = ir::isFloat(dtype); break;
  }
  if (ok) return Status::OK();
  return unsupported(node.describe(), ": ", ir::opName(op), " on ", ir::dtypeName(dtype),
                     " is not supported by the CPU backend");
}

llvm::Value* emitElementwiseOp(EmitContext& ctx, const ir::Node& node,
                               llvm::ArrayRef<llvm::Value*> operands) {
  llvm::IRBuilderBase& b = ctx.builder;
  OpKind op = node.op;
  DType inType = node.inputs[0]->type.dtype;
  if (op == OpKind::Cast) return castOp(ctx, inType, node.type.dtype, operands[0]);
  if (op == OpKind::Select) return b.CreateSelect(operands[0], operands[1], operands[2]);
  if (op == OpKind::Not) return b.CreateNot(operands[0]);
  if (op == OpKind::And) return b.CreateAnd(operands[0], operands[1]);
  if (op == OpKind::Or) return b.CreateOr(operands[0], operands[1]);
  if (ir::isComparison(op)) return compareOp(ctx, op, inType, operands[0], operands[1]);
  llvm::Value* r = ir::isFloat(inType) ? floatOp(ctx, node, operands)
                                       : intOp(ctx, node, operands, inType == DType::U8);
  DLC_CHECK(r != nullptr, "no lowering for ", node.describe());
  return ir::isFloat(node.type.dtype) ? ctx.roundTo(node.type.dtype, r) : r;
}

}  // namespace dlc::cpu
