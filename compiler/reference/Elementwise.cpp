// Elementwise ops: unary math, cast, logical_not, broadcasting binary ops,
// comparisons and select.
//
// Floats are computed in double and rounded once on store; integers in int64
// wrapping to the dtype's width (div truncates toward zero, x / 0 = 0 and
// MIN / -1 wraps to MIN, as the CPU backend computes and docs/ops.md
// specifies); bool ops in int64 0/1. maximum/minimum/relu propagate NaN as
// NumPy does, and maximum/minimum order -0 < +0 (IEEE 754-2019). Integer ->
// integer casts wrap (two's complement), as C, NumPy and ONNX do.
#include <cmath>
#include <functional>
#include <limits>
#include <numbers>

#include "compiler/reference/Kernels.h"
#include "compiler/reference/Values.h"

namespace dlc::ref {

using ir::DType;
using ir::OpKind;

namespace {

using FloatFn = std::function<double(double)>;
using FloatFn2 = std::function<double(double, double)>;

StatusOr<FloatFn> floatUnary(const OpContext& ctx) {
  switch (ctx.op()) {
    case OpKind::Neg: return FloatFn([](double x) { return -x; });
    case OpKind::Abs: return FloatFn([](double x) { return std::fabs(x); });
    case OpKind::Exp: return FloatFn([](double x) { return std::exp(x); });
    case OpKind::Log: return FloatFn([](double x) { return std::log(x); });
    case OpKind::Sqrt: return FloatFn([](double x) { return std::sqrt(x); });
    case OpKind::Rsqrt: return FloatFn([](double x) { return 1.0 / std::sqrt(x); });
    case OpKind::Reciprocal: return FloatFn([](double x) { return 1.0 / x; });
    case OpKind::Tanh: return FloatFn([](double x) { return std::tanh(x); });
    case OpKind::Sigmoid: return FloatFn([](double x) { return 1.0 / (1.0 + std::exp(-x)); });
    case OpKind::Relu:
      return FloatFn([](double x) { return std::isnan(x) ? x : (x > 0 ? x : 0.0); });
    case OpKind::LeakyRelu: {
      double alpha = ctx.attrs().getFloat("alpha", 0.01);
      return FloatFn([alpha](double x) { return x >= 0 ? x : alpha * x; });
    }
    case OpKind::Gelu: {
      std::string mode = ctx.attrs().getString("approximate", "none");
      if (mode == "none")
        return FloatFn([](double x) { return 0.5 * x * (1.0 + std::erf(x / std::sqrt(2.0))); });
      if (mode == "tanh")
        return FloatFn([](double x) {
          const double k = std::sqrt(2.0 / std::numbers::pi);
          return 0.5 * x * (1.0 + std::tanh(k * (x + 0.044715 * x * x * x)));
        });
      return invalidArgument("gelu: approximate must be \"none\" or \"tanh\", got \"", mode,
                             "\"");
    }
    case OpKind::Erf: return FloatFn([](double x) { return std::erf(x); });
    case OpKind::Floor: return FloatFn([](double x) { return std::floor(x); });
    case OpKind::Ceil: return FloatFn([](double x) { return std::ceil(x); });
    default: return unsupportedDType(ctx, ctx.operand(0).dtype());
  }
}

int64_t wrapNeg(int64_t x) { return int64_t(0 - uint64_t(x)); }

StatusOr<Tensor> evalCast(const OpContext& ctx) {
  const Tensor& x = ctx.operand(0);
  std::string to = ctx.attrs().getString("to", "");
  std::optional<DType> target = ir::parseDType(to);
  if (!target) return invalidArgument("cast: unknown target dtype \"", to, "\"");
  DLC_RETURN_IF_ERROR(checkResult(ctx, x.dims(), *target));
  Tensor out(*target, x.dims());
  for (int64_t i = 0; i < x.numElements(); ++i) {
    if (ir::isFloat(x.dtype())) {
      storeSaturating(out, i, x.getAsDouble(i));
    } else if (ir::isFloat(*target)) {
      // float(int64) rounds once; the f16/bf16 store then rounds the float.
      out.setFromDouble(i, double(float(loadInt(x, i))));
    } else {
      storeInt(out, i, loadInt(x, i));
    }
  }
  return out;
}

StatusOr<Tensor> evalUnary(const OpContext& ctx) {
  if (ctx.op() == OpKind::Cast) return evalCast(ctx);
  const Tensor& x = ctx.operand(0);
  DLC_RETURN_IF_ERROR(checkResult(ctx, x.dims(), x.dtype()));
  Tensor out(x.dtype(), x.dims());
  int64_t n = x.numElements();
  if (ctx.op() == OpKind::Not) {
    if (x.dtype() != DType::Bool) return unsupportedDType(ctx, x.dtype());
    for (int64_t i = 0; i < n; ++i) storeInt(out, i, !loadInt(x, i));
    return out;
  }
  if (ir::isFloat(x.dtype())) {
    DLC_ASSIGN_OR_RETURN(FloatFn fn, floatUnary(ctx));
    for (int64_t i = 0; i < n; ++i) out.setFromDouble(i, fn(x.getAsDouble(i)));
    return out;
  }
  if (ir::isInteger(x.dtype()) && (ctx.op() == OpKind::Neg || ctx.op() == OpKind::Abs)) {
    bool isNeg = ctx.op() == OpKind::Neg;
    for (int64_t i = 0; i < n; ++i) {
      int64_t v = loadInt(x, i);
      storeInt(out, i, isNeg || v < 0 ? wrapNeg(v) : v);
    }
    return out;
  }
  return unsupportedDType(ctx, x.dtype());
}

template <typename T>
bool compare(OpKind op, T a, T b) {
  switch (op) {
    case OpKind::Equal: return a == b;
    case OpKind::NotEqual: return a != b;
    case OpKind::Less: return a < b;
    case OpKind::LessEqual: return a <= b;
    case OpKind::Greater: return a > b;
    default: return a >= b;  // GreaterEqual
  }
}

std::optional<FloatFn2> floatBinary(OpKind op) {
  switch (op) {
    case OpKind::Add: return FloatFn2([](double a, double b) { return a + b; });
    case OpKind::Sub: return FloatFn2([](double a, double b) { return a - b; });
    case OpKind::Mul: return FloatFn2([](double a, double b) { return a * b; });
    case OpKind::Div: return FloatFn2([](double a, double b) { return a / b; });
    case OpKind::Pow: return FloatFn2([](double a, double b) { return std::pow(a, b); });
    case OpKind::Maximum: return FloatFn2(ieeeMaximum);
    case OpKind::Minimum: return FloatFn2(ieeeMinimum);
    default: return std::nullopt;
  }
}

// Integer arithmetic in int64 with two's-complement wrap-around; the store
// then wraps to the dtype's width.
std::optional<int64_t> intBinary(OpKind op, int64_t a, int64_t b) {
  switch (op) {
    case OpKind::Add: return int64_t(uint64_t(a) + uint64_t(b));
    case OpKind::Sub: return int64_t(uint64_t(a) - uint64_t(b));
    case OpKind::Mul: return int64_t(uint64_t(a) * uint64_t(b));
    case OpKind::Div:
      if (b == 0) return 0;            // defined as 0, never a trap
      if (b == -1) return wrapNeg(a);  // INT64_MIN / -1 wraps
      return a / b;                    // C++ truncates toward zero
    case OpKind::Maximum: return std::max(a, b);
    case OpKind::Minimum: return std::min(a, b);
    default: return std::nullopt;
  }
}

StatusOr<Tensor> evalBinary(const OpContext& ctx) {
  const Tensor& a = ctx.operand(0);
  const Tensor& b = ctx.operand(1);
  OpKind op = ctx.op();
  if (a.dtype() != b.dtype())
    return invalidArgument("operands have different dtypes ", ir::dtypeName(a.dtype()), " and ",
                           ir::dtypeName(b.dtype()));
  DLC_ASSIGN_OR_RETURN(Dims dims, broadcastDims(a.dims(), b.dims()));
  DType resultType = ir::isComparison(op) ? DType::Bool : a.dtype();
  DLC_RETURN_IF_ERROR(checkResult(ctx, dims, resultType));
  DLC_ASSIGN_OR_RETURN(Dims sa, broadcastStrides(a.dims(), dims));
  DLC_ASSIGN_OR_RETURN(Dims sb, broadcastStrides(b.dims(), dims));
  Tensor out(resultType, dims);
  bool isFloatDomain = ir::isFloat(a.dtype());
  bool isLogical = op == OpKind::And || op == OpKind::Or;
  if (isLogical && a.dtype() != DType::Bool) return unsupportedDType(ctx, a.dtype());
  std::optional<FloatFn2> floatFn = floatBinary(op);
  if (isFloatDomain && !ir::isComparison(op) && !floatFn) return unsupportedDType(ctx, a.dtype());
  if (!isFloatDomain && !ir::isComparison(op) && !isLogical &&
      (!ir::isInteger(a.dtype()) || op == OpKind::Pow))
    return unsupportedDType(ctx, a.dtype());

  Dims index(dims.size(), 0);
  for (int64_t i = 0; i < out.numElements(); ++i, nextIndex(index, dims)) {
    int64_t ia = offsetOf(index, sa), ib = offsetOf(index, sb);
    if (isFloatDomain) {
      double x = a.getAsDouble(ia), y = b.getAsDouble(ib);
      if (ir::isComparison(op))
        storeInt(out, i, compare(op, x, y));
      else
        out.setFromDouble(i, (*floatFn)(x, y));
      continue;
    }
    int64_t x = loadInt(a, ia), y = loadInt(b, ib);
    if (ir::isComparison(op))
      storeInt(out, i, compare(op, x, y));
    else if (op == OpKind::And)
      storeInt(out, i, x && y);
    else if (op == OpKind::Or)
      storeInt(out, i, x || y);
    else
      storeInt(out, i, *intBinary(op, x, y));
  }
  return out;
}

StatusOr<Tensor> evalSelect(const OpContext& ctx) {
  const Tensor& cond = ctx.operand(0);
  const Tensor& a = ctx.operand(1);
  const Tensor& b = ctx.operand(2);
  if (cond.dtype() != DType::Bool)
    return invalidArgument("select: the condition must be bool, got ",
                           ir::dtypeName(cond.dtype()));
  if (a.dtype() != b.dtype())
    return invalidArgument("select: the branches have different dtypes ",
                           ir::dtypeName(a.dtype()), " and ", ir::dtypeName(b.dtype()));
  DLC_ASSIGN_OR_RETURN(Dims partial, broadcastDims(cond.dims(), a.dims()));
  DLC_ASSIGN_OR_RETURN(Dims dims, broadcastDims(partial, b.dims()));
  DLC_RETURN_IF_ERROR(checkResult(ctx, dims, a.dtype()));
  DLC_ASSIGN_OR_RETURN(Dims sc, broadcastStrides(cond.dims(), dims));
  DLC_ASSIGN_OR_RETURN(Dims sa, broadcastStrides(a.dims(), dims));
  DLC_ASSIGN_OR_RETURN(Dims sb, broadcastStrides(b.dims(), dims));
  Tensor out(a.dtype(), dims);
  Dims index(dims.size(), 0);
  for (int64_t i = 0; i < out.numElements(); ++i, nextIndex(index, dims)) {
    if (loadInt(cond, offsetOf(index, sc)))
      copyElement(a, offsetOf(index, sa), out, i);
    else
      copyElement(b, offsetOf(index, sb), out, i);
  }
  return out;
}

}  // namespace

StatusOr<Tensor> evalElementwise(const OpContext& ctx) {
  switch (ctx.numOperands()) {
    case 1: return evalUnary(ctx);
    case 2: return evalBinary(ctx);
    default: return evalSelect(ctx);
  }
}

}  // namespace dlc::ref
