// Elementwise ONNX ops: unary math, broadcasting binary math, comparisons,
// logic, variadic Sum/Max/Min/Mean, Where, Cast, Clip, Identity, Dropout.
//
// ONNX integer arithmetic on u8 (which the core computes only on floats and
// i32/i64) runs in i32 and is cast back, which wraps exactly as ONNX does.
//
// What this deliberately does not do: implicit type promotion (ONNX has
// none either, except Pow's exponent, which is cast to the base's dtype).
#include <cmath>
#include <limits>

#include "frontends/onnx/OnnxTensor.h"
#include "frontends/onnx/ops/Converters.h"

namespace dlc::onnxfe::ops {

namespace {

using ir::DType;
using ir::OpKind;

bool needsWidening(OpKind op, DType t) {
  return t == DType::U8 && ir::elementDTypeClass(op) == ir::DTypeClass::Numeric;
}

// Emits op(a, b), computing u8 integer math in i32.
StatusOr<ir::Node*> emitBinary(ImportContext& ctx, OpKind op, ir::Node* a, ir::Node* b,
                               std::string_view suffix = "") {
  DType t = a->type.dtype;
  if (!needsWidening(op, t) || b->type.dtype != t) return ctx.emit(op, {a, b}, {}, suffix);
  DLC_ASSIGN_OR_RETURN(ir::Node * wa, castTo(ctx, a, DType::I32, "widen_a"));
  DLC_ASSIGN_OR_RETURN(ir::Node * wb, castTo(ctx, b, DType::I32, "widen_b"));
  DLC_ASSIGN_OR_RETURN(ir::Node * r, ctx.emit(op, {wa, wb}, {}, suffix));
  return castTo(ctx, r, t, "narrow");
}

}  // namespace

Status unary(ImportContext& ctx, OpKind op, ir::Attributes attrs) {
  DLC_ASSIGN_OR_RETURN(ir::Node * x, required(ctx, 0));
  DType t = x->type.dtype;
  if (needsWidening(op, t)) {
    DLC_ASSIGN_OR_RETURN(ir::Node * w, castTo(ctx, x, DType::I32, "widen"));
    DLC_ASSIGN_OR_RETURN(ir::Node * r, ctx.emit(op, {w}, std::move(attrs)));
    DLC_ASSIGN_OR_RETURN(ir::Node * n, castTo(ctx, r, t, "narrow"));
    return ctx.setOutput(0, n);
  }
  DLC_ASSIGN_OR_RETURN(ir::Node * y, ctx.emit(op, {x}, std::move(attrs)));
  return ctx.setOutput(0, y);
}

Status binary(ImportContext& ctx, OpKind op) {
  DLC_ASSIGN_OR_RETURN(ir::Node * a, required(ctx, 0));
  DLC_ASSIGN_OR_RETURN(ir::Node * b, required(ctx, 1));
  DLC_ASSIGN_OR_RETURN(ir::Node * y, emitBinary(ctx, op, a, b));
  return ctx.setOutput(0, y);
}

Status variadic(ImportContext& ctx, OpKind op) {
  DLC_ASSIGN_OR_RETURN(ir::Node * acc, required(ctx, 0));
  for (int i = 1; i < ctx.numInputs(); ++i) {
    DLC_ASSIGN_OR_RETURN(ir::Node * x, required(ctx, i));
    DLC_ASSIGN_OR_RETURN(acc, emitBinary(ctx, op, acc, x, strCat("acc", i)));
  }
  return ctx.setOutput(0, acc);
}

Status convertMean(ImportContext& ctx) {
  DLC_ASSIGN_OR_RETURN(ir::Node * acc, required(ctx, 0));
  for (int i = 1; i < ctx.numInputs(); ++i) {
    DLC_ASSIGN_OR_RETURN(ir::Node * x, required(ctx, i));
    DLC_ASSIGN_OR_RETURN(acc, ctx.emit(OpKind::Add, {acc, x}, {}, strCat("acc", i)));
  }
  DLC_ASSIGN_OR_RETURN(ir::Node * y,
                       ctx.emit(OpKind::Div, {acc, scalarLike(ctx, acc, double(ctx.numInputs()))}));
  return ctx.setOutput(0, y);
}

Status convertPow(ImportContext& ctx) {
  DLC_ASSIGN_OR_RETURN(ir::Node * a, required(ctx, 0));
  DLC_ASSIGN_OR_RETURN(ir::Node * b, required(ctx, 1));
  DType t = a->type.dtype;
  if (!ir::isFloat(t)) {
    // Integer power: computed in f32 and truncated back (exact for results
    // below 2^24, which is every ONNX-defined use of integer Pow in practice).
    DLC_ASSIGN_OR_RETURN(ir::Node * fa, castTo(ctx, a, DType::F32, "base_f32"));
    DLC_ASSIGN_OR_RETURN(ir::Node * fb, castTo(ctx, b, DType::F32, "exp_f32"));
    DLC_ASSIGN_OR_RETURN(ir::Node * p, ctx.emit(OpKind::Pow, {fa, fb}));
    DLC_ASSIGN_OR_RETURN(ir::Node * y, castTo(ctx, p, t, "narrow"));
    return ctx.setOutput(0, y);
  }
  DLC_ASSIGN_OR_RETURN(ir::Node * e, castTo(ctx, b, t, "exp_cast"));
  DLC_ASSIGN_OR_RETURN(ir::Node * y, ctx.emit(OpKind::Pow, {a, e}));
  return ctx.setOutput(0, y);
}

Status convertXor(ImportContext& ctx) { return binary(ctx, OpKind::NotEqual); }

Status convertWhere(ImportContext& ctx) {
  DLC_ASSIGN_OR_RETURN(ir::Node * c, required(ctx, 0));
  DLC_ASSIGN_OR_RETURN(ir::Node * a, required(ctx, 1));
  DLC_ASSIGN_OR_RETURN(ir::Node * b, required(ctx, 2));
  DLC_ASSIGN_OR_RETURN(ir::Node * y, ctx.emit(OpKind::Select, {c, a, b}));
  return ctx.setOutput(0, y);
}

Status convertIsNaN(ImportContext& ctx) {
  DLC_ASSIGN_OR_RETURN(ir::Node * x, required(ctx, 0));
  DLC_ASSIGN_OR_RETURN(ir::Node * y, ctx.emit(OpKind::NotEqual, {x, x}));
  return ctx.setOutput(0, y);
}

Status convertIsInf(ImportContext& ctx) {
  DLC_ASSIGN_OR_RETURN(ir::Node * x, required(ctx, 0));
  DLC_ASSIGN_OR_RETURN(int64_t pos, ctx.attrInt("detect_positive", 1));
  DLC_ASSIGN_OR_RETURN(int64_t neg, ctx.attrInt("detect_negative", 1));
  double inf = std::numeric_limits<double>::infinity();
  DLC_ASSIGN_OR_RETURN(ir::Node * isPos,
                       ctx.emit(OpKind::Equal, {x, scalarLike(ctx, x, inf)}, {}, "pos"));
  DLC_ASSIGN_OR_RETURN(ir::Node * isNeg,
                       ctx.emit(OpKind::Equal, {x, scalarLike(ctx, x, -inf)}, {}, "neg"));
  ir::Node* y = nullptr;
  if (pos && neg) {
    DLC_ASSIGN_OR_RETURN(y, ctx.emit(OpKind::Or, {isPos, isNeg}));
  } else if (pos) {
    y = isPos;
  } else if (neg) {
    y = isNeg;
  } else {
    DLC_ASSIGN_OR_RETURN(y, ctx.emit(OpKind::NotEqual, {x, x}, {}, "never"));
    DLC_ASSIGN_OR_RETURN(ir::Node * nan, ctx.emit(OpKind::Not, {y}, {}, "is_num"));
    DLC_ASSIGN_OR_RETURN(y, ctx.emit(OpKind::And, {y, nan}));
  }
  return ctx.setOutput(0, y);
}

Status convertSign(ImportContext& ctx) {
  DLC_ASSIGN_OR_RETURN(ir::Node * x, required(ctx, 0));
  ir::Node* zero = scalarLike(ctx, x, 0.0);
  DLC_ASSIGN_OR_RETURN(ir::Node * gt, ctx.emit(OpKind::Greater, {x, zero}, {}, "gt"));
  DLC_ASSIGN_OR_RETURN(ir::Node * lt, ctx.emit(OpKind::Less, {x, zero}, {}, "lt"));
  DLC_ASSIGN_OR_RETURN(ir::Node * neg,
                       ctx.emit(OpKind::Select, {lt, scalarLike(ctx, x, -1.0), zero}, {}, "neg"));
  DLC_ASSIGN_OR_RETURN(ir::Node * y, ctx.emit(OpKind::Select, {gt, scalarLike(ctx, x, 1.0), neg}));
  return ctx.setOutput(0, y);
}

Status convertMod(ImportContext& ctx) {
  DLC_ASSIGN_OR_RETURN(ir::Node * a, required(ctx, 0));
  DLC_ASSIGN_OR_RETURN(ir::Node * b, required(ctx, 1));
  DLC_ASSIGN_OR_RETURN(int64_t fmod, ctx.attrInt("fmod", 0));
  DType t = a->type.dtype;
  if (ir::isFloat(t)) {
    if (fmod == 0)
      return ctx.error(StatusCode::kUnsupported, "float Mod requires attribute 'fmod' = 1");
    // fmod: a - trunc(a / b) * b.
    Builder bd(ctx);
    ir::Node* q = bd.div(a, b);
    ir::Node* neg = bd.op(OpKind::Less, {q, bd.c(q, 0.0)});
    ir::Node* tq = bd.select(neg, bd.unary(OpKind::Ceil, q), bd.unary(OpKind::Floor, q));
    return bd.finish(0, bd.sub(a, bd.mul(tq, b)));
  }
  if (t == DType::U8) {
    // Unsigned: the remainder is already non-negative; compute in i32.
    Builder bd(ctx);
    ir::Node* wa = bd.cast(a, DType::I32);
    ir::Node* wb = bd.cast(b, DType::I32);
    ir::Node* r = bd.sub(wa, bd.mul(bd.div(wa, wb), wb));
    return bd.finish(0, bd.cast(r, DType::U8));
  }
  if (t != DType::I32 && t != DType::I64)
    return ctx.error(StatusCode::kUnsupported,
                     strCat("Mod on ", ir::dtypeName(t), " is not supported"));
  // r = a - trunc(a / b) * b: C's remainder (fmod = 1).
  DLC_ASSIGN_OR_RETURN(ir::Node * q, ctx.emit(OpKind::Div, {a, b}, {}, "quot"));
  DLC_ASSIGN_OR_RETURN(ir::Node * qb, ctx.emit(OpKind::Mul, {q, b}, {}, "quot_b"));
  DLC_ASSIGN_OR_RETURN(ir::Node * r, ctx.emit(OpKind::Sub, {a, qb}, {}, "rem"));
  if (fmod == 0) {
    // Python's modulo takes the divisor's sign: add b when r != 0 and the
    // signs of r and b differ.
    ir::Node* zero = scalarLike(ctx, a, 0.0);
    DLC_ASSIGN_OR_RETURN(ir::Node * rNeg, ctx.emit(OpKind::Less, {r, zero}, {}, "r_neg"));
    DLC_ASSIGN_OR_RETURN(ir::Node * bNeg, ctx.emit(OpKind::Less, {b, zero}, {}, "b_neg"));
    DLC_ASSIGN_OR_RETURN(ir::Node * rNz, ctx.emit(OpKind::NotEqual, {r, zero}, {}, "r_nz"));
    DLC_ASSIGN_OR_RETURN(ir::Node * diff, ctx.emit(OpKind::NotEqual, {rNeg, bNeg}, {}, "diff"));
    DLC_ASSIGN_OR_RETURN(ir::Node * fix, ctx.emit(OpKind::And, {rNz, diff}, {}, "fix"));
    DLC_ASSIGN_OR_RETURN(ir::Node * rb, ctx.emit(OpKind::Add, {r, b}, {}, "r_plus_b"));
    DLC_ASSIGN_OR_RETURN(r, ctx.emit(OpKind::Select, {fix, rb, r}));
  }
  return ctx.setOutput(0, r);
}

Status convertCast(ImportContext& ctx) {
  DLC_ASSIGN_OR_RETURN(ir::Node * x, required(ctx, 0));
  if (!ctx.hasAttr("to"))
    return ctx.error(StatusCode::kInvalidArgument, "attribute 'to' is required");
  DLC_ASSIGN_OR_RETURN(int64_t to, ctx.attrInt("to", 0));
  StatusOr<DType> t = dtypeFromOnnx(int32_t(to), "attribute 'to'");
  if (!t.ok())
    return ctx.error(StatusCode::kUnsupported,
                     strCat("attribute 'to' = ", onnxDTypeName(int32_t(to)), " is not supported"));
  DLC_ASSIGN_OR_RETURN(int64_t saturate, ctx.attrInt("saturate", 1));
  (void)saturate;  // only meaningful for float8 targets, which dlc has none of
  ir::Attributes attrs;
  attrs.set("to", std::string(ir::dtypeName(*t)));
  DLC_ASSIGN_OR_RETURN(ir::Node * y, ctx.emit(OpKind::Cast, {x}, std::move(attrs)));
  return ctx.setOutput(0, y);
}

Status convertCastLike(ImportContext& ctx) {
  DLC_ASSIGN_OR_RETURN(ir::Node * x, required(ctx, 0));
  DLC_ASSIGN_OR_RETURN(ir::Node * like, required(ctx, 1));
  ir::Attributes attrs;
  attrs.set("to", std::string(ir::dtypeName(like->type.dtype)));
  DLC_ASSIGN_OR_RETURN(ir::Node * y, ctx.emit(OpKind::Cast, {x}, std::move(attrs)));
  return ctx.setOutput(0, y);
}

Status convertClip(ImportContext& ctx) {
  DLC_ASSIGN_OR_RETURN(ir::Node * x, required(ctx, 0));
  ir::Node* lo = nullptr;
  ir::Node* hi = nullptr;
  if (ctx.opset() < 11) {
    if (ctx.hasAttr("min")) {
      DLC_ASSIGN_OR_RETURN(float v, ctx.attrFloat("min", 0.f));
      lo = scalarLike(ctx, x, v);
    }
    if (ctx.hasAttr("max")) {
      DLC_ASSIGN_OR_RETURN(float v, ctx.attrFloat("max", 0.f));
      hi = scalarLike(ctx, x, v);
    }
  } else {
    if (ctx.hasInput(1)) {
      DLC_ASSIGN_OR_RETURN(lo, ctx.input(1));
    }
    if (ctx.hasInput(2)) {
      DLC_ASSIGN_OR_RETURN(hi, ctx.input(2));
    }
  }
  ir::Node* y = x;
  if (lo) {
    DLC_ASSIGN_OR_RETURN(y, emitBinary(ctx, OpKind::Maximum, y, lo, "min"));
  }
  if (hi) {
    DLC_ASSIGN_OR_RETURN(y, emitBinary(ctx, OpKind::Minimum, y, hi, "max"));
  }
  if (y == x) {
    DLC_ASSIGN_OR_RETURN(y, ctx.emit(OpKind::Maximum, {x, x}, {}, "copy"));
  }
  return ctx.setOutput(0, y);
}

Status convertIdentity(ImportContext& ctx) {
  DLC_ASSIGN_OR_RETURN(ir::Node * x, required(ctx, 0));
  return ctx.setOutput(0, x);
}

Status convertDropout(ImportContext& ctx) {
  DLC_ASSIGN_OR_RETURN(ir::Node * x, required(ctx, 0));
  if (ctx.hasInput(2)) {
    const Tensor* training = ctx.constantInput(2);
    if (!training)
      return ctx.error(StatusCode::kUnsupported, "input 'training_mode' must be a constant");
    if (training->numElements() == 1 && training->getAsDouble(0) != 0)
      return ctx.error(StatusCode::kUnsupported,
                       "training_mode = true is not supported (inference only)");
  }
  DLC_RETURN_IF_ERROR(ctx.setOutput(0, x));
  if (ctx.numOutputs() > 1 && ctx.outputUsed(1)) {
    // The mask of an inference dropout keeps everything.
    DLC_ASSIGN_OR_RETURN(ir::Node * mask, ctx.emit(OpKind::Equal, {x, x}, {}, "mask"));
    DLC_ASSIGN_OR_RETURN(ir::Node * t,
                         ctx.emit(OpKind::Or, {mask, ctx.scalar(DType::Bool, 1)}, {}, "mask_true"));
    DLC_RETURN_IF_ERROR(ctx.setOutput(1, t));
  }
  return Status::OK();
}

}  // namespace dlc::onnxfe::ops
