// ONNX writers for elementwise ops: the one-to-one unary and binary ops,
// rsqrt (Reciprocal of Sqrt), leaky_relu, gelu (the Gelu op from opset 20,
// its Erf or Tanh formula before), cast (float -> integer saturates and maps
// NaN to 0, as docs/ops.md defines, through Where guards; ONNX leaves those
// cases undefined), integer div (x / 0 = 0 and INT_MIN / -1 = INT_MIN
// through Where guards; ONNX traps or leaves them undefined), comparisons
// (not_equal = Not(Equal); bool operands of the ordering comparisons, which
// ONNX does not define, compare as i32) and select (Where).
//
// What this deliberately does not do: choose a cheaper but different
// formula; every encoding computes the function docs/ops.md defines.
#include <cmath>

#include "frontends/onnx/export/Writers.h"

namespace dlc::onnxfe::writers {

namespace {

using ir::DType;
using ir::OpKind;

// A scalar initializer of the output's dtype.
std::string like(ExportContext& ctx, double value, std::string_view suffix) {
  return ctx.scalar(ctx.outType().dtype, value, suffix);
}

std::string binary(ExportContext& ctx, const char* op, const std::string& a, const std::string& b,
                   std::string_view suffix) {
  std::string out = ctx.tmp(suffix);
  ctx.add(op, {a, b}, out);
  return out;
}

}  // namespace

Status unaryOp(ExportContext& ctx) {
  ctx.add(onnxOpType(ctx.node().op), {ctx.in(0)}, ctx.out());
  return Status::OK();
}

Status binaryOp(ExportContext& ctx) {
  ctx.add(onnxOpType(ctx.node().op), {ctx.in(0), ctx.in(1)}, ctx.out());
  return Status::OK();
}

Status writeRsqrt(ExportContext& ctx) {
  std::string root = ctx.tmp("sqrt");
  ctx.add("Sqrt", {ctx.in(0)}, root);
  ctx.add("Reciprocal", {root}, ctx.out());
  return Status::OK();
}

Status writeLeakyRelu(ExportContext& ctx) {
  double alpha = ctx.node().attrs.getFloat("alpha", 0.01);
  setAttr(ctx.add("LeakyRelu", {ctx.in(0)}, ctx.out()), "alpha", float(alpha));
  return Status::OK();
}

Status writeGelu(ExportContext& ctx) {
  std::string approx = ctx.node().attrs.getString("approximate", "none");
  if (approx != "none" && approx != "tanh")
    return ctx.error(StatusCode::kUnsupported,
                     strCat("attribute 'approximate' = \"", approx, "\" has no ONNX form"));
  const std::string& x = ctx.in(0);
  if (ctx.opset() >= 20) {
    setAttr(ctx.add("Gelu", {x}, ctx.out()), "approximate", approx);
    return Status::OK();
  }
  std::string inner;
  if (approx == "none") {
    // 0.5·x·(1 + erf(x/√2))
    std::string scaled = binary(ctx, "Div", x, like(ctx, std::sqrt(2.0), "sqrt2"), "x_div_sqrt2");
    inner = ctx.tmp("erf");
    ctx.add("Erf", {scaled}, inner);
  } else {
    // 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³)))
    std::string cube = binary(ctx, "Mul", binary(ctx, "Mul", x, x, "x2"), x, "x3");
    std::string poly =
        binary(ctx, "Add", x, binary(ctx, "Mul", cube, like(ctx, 0.044715, "c"), "cx3"), "poly");
    std::string arg =
        binary(ctx, "Mul", poly, like(ctx, std::sqrt(2.0 / M_PI), "sqrt_2_over_pi"), "arg");
    inner = ctx.tmp("tanh");
    ctx.add("Tanh", {arg}, inner);
  }
  std::string onePlus = binary(ctx, "Add", inner, like(ctx, 1.0, "one"), "one_plus");
  std::string half = binary(ctx, "Mul", x, like(ctx, 0.5, "half"), "half_x");
  ctx.add("Mul", {half, onePlus}, ctx.out());
  return Status::OK();
}

Status writeCast(ExportContext& ctx) {
  DType from = ctx.inType(0).dtype;
  DType to = ctx.outType().dtype;
  const std::string& x = ctx.in(0);
  auto cast = [&](const std::string& out) {
    setAttr(ctx.add("Cast", {x}, out), "to", int64_t(onnxElemType(to)));
  };
  if (!ir::isFloat(from) || !ir::isInteger(to)) {
    cast(ctx.out());
    return Status::OK();
  }
  // Float -> integer: truncate in range; saturate to [lo, hi] outside it
  // (x >= hi + 1 gives hi, x <= lo - 1 gives lo; both bounds are powers of
  // two, or 0 and 256, exact in every float dtype); NaN gives 0.
  double lo = double(ir::integerLowest(to));
  double hi = double(ir::integerHighest(to));
  std::string truncated = ctx.tmp("truncate");
  cast(truncated);
  std::string tooHigh =
      binary(ctx, "GreaterOrEqual", x, ctx.scalar(from, hi + 1, "hi_bound"), "too_high");
  std::string tooLow =
      binary(ctx, "LessOrEqual", x, ctx.scalar(from, lo - 1, "lo_bound"), "too_low");
  std::string high = ctx.tmp("saturate_high");
  ctx.add("Where", {tooHigh, like(ctx, hi, "hi"), truncated}, high);
  std::string low = ctx.tmp("saturate_low");
  ctx.add("Where", {tooLow, like(ctx, lo, "lo"), high}, low);
  std::string nan = ctx.tmp("is_nan");
  ctx.add("IsNaN", {x}, nan);
  ctx.add("Where", {nan, like(ctx, 0, "zero"), low}, ctx.out());
  return Status::OK();
}

Status writeDiv(ExportContext& ctx) {
  DType t = ctx.outType().dtype;
  if (ir::isFloat(t)) {
    ctx.add("Div", {ctx.in(0), ctx.in(1)}, ctx.out());
    return Status::OK();
  }
  // Integer division: divide by 1 where b is 0 or -1, then x / 0 = 0 and
  // x / -1 = -x (wrapping, so INT_MIN / -1 = INT_MIN) as docs/ops.md says.
  const std::string& a = ctx.in(0);
  const std::string& b = ctx.in(1);
  std::string zero = ctx.scalar(t, 0, "zero");
  std::string minusOne = ctx.scalar(t, -1, "minus_one");
  std::string isZero = binary(ctx, "Equal", b, zero, "b_is_zero");
  std::string isMinusOne = binary(ctx, "Equal", b, minusOne, "b_is_minus_one");
  std::string special = binary(ctx, "Or", isZero, isMinusOne, "b_special");
  std::string safeB = ctx.tmp("safe_b");
  ctx.add("Where", {special, ctx.scalar(t, 1, "one"), b}, safeB);
  std::string quotient = binary(ctx, "Div", a, safeB, "quotient");
  std::string negA = ctx.tmp("neg_a");
  ctx.add("Neg", {a}, negA);
  std::string byMinusOne = ctx.tmp("by_minus_one");
  ctx.add("Where", {isMinusOne, negA, quotient}, byMinusOne);
  ctx.add("Where", {isZero, zero, byMinusOne}, ctx.out());
  return Status::OK();
}

Status writeComparison(ExportContext& ctx) {
  OpKind op = ctx.node().op;
  std::string a = ctx.in(0), b = ctx.in(1);
  if (ctx.inType(0).dtype == DType::Bool && op != OpKind::Equal && op != OpKind::NotEqual) {
    a = ctx.castInput(0, DType::I32, "a_i32");
    b = ctx.castInput(1, DType::I32, "b_i32");
  }
  if (op == OpKind::NotEqual) {
    std::string eq = binary(ctx, "Equal", a, b, "equal");
    ctx.add("Not", {eq}, ctx.out());
    return Status::OK();
  }
  ctx.add(onnxOpType(op), {a, b}, ctx.out());
  return Status::OK();
}

Status writeSelect(ExportContext& ctx) {
  ctx.add("Where", {ctx.in(0), ctx.in(1), ctx.in(2)}, ctx.out());
  return Status::OK();
}

}  // namespace dlc::onnxfe::writers
