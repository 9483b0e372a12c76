// ONNX activations: LeakyRelu, Gelu, Softmax/LogSoftmax (opset < 13: over
// the flattened trailing dims; >= 13: one axis), and the activations the
// core spells as small decompositions (HardSigmoid, HardSwish, Softplus,
// Softsign, Elu, Selu, Celu, PRelu, ThresholdedRelu, Mish, Shrink).
//
// What this deliberately does not do: integer activations (the ONNX
// definitions of these are float-only, except PRelu on integers, which the
// core's select/mul cover).
#include "frontends/onnx/ops/Converters.h"

namespace dlc::onnxfe::ops {

namespace {

using ir::OpKind;

StatusOr<ir::Node*> x0(ImportContext& ctx) { return required(ctx, 0); }

// log(1 + exp(x)), computed as max(x, 0) + log(1 + exp(-|x|)).
ir::Node* softplus(Builder& b, ir::Node* x) {
  ir::Node* negAbs = b.unary(OpKind::Neg, b.unary(OpKind::Abs, x));
  ir::Node* tail = b.unary(OpKind::Log, b.add(b.c(x, 1.0), b.unary(OpKind::Exp, negAbs)));
  return b.add(b.max(x, b.c(x, 0.0)), tail);
}

}  // namespace

Status convertLeakyRelu(ImportContext& ctx) {
  DLC_ASSIGN_OR_RETURN(float alpha, ctx.attrFloat("alpha", 0.01f));
  ir::Attributes attrs;
  attrs.set("alpha", double(alpha));
  return unary(ctx, OpKind::LeakyRelu, std::move(attrs));
}

Status convertGelu(ImportContext& ctx) {
  DLC_ASSIGN_OR_RETURN(std::string approx, ctx.attrString("approximate", "none"));
  if (approx != "none" && approx != "tanh")
    return ctx.error(StatusCode::kUnsupported,
                     strCat("attribute 'approximate' = \"", approx, "\" is not supported"));
  ir::Attributes attrs;
  attrs.set("approximate", approx);
  return unary(ctx, OpKind::Gelu, std::move(attrs));
}

Status convertHardSigmoid(ImportContext& ctx) {
  DLC_ASSIGN_OR_RETURN(ir::Node * x, x0(ctx));
  DLC_ASSIGN_OR_RETURN(float alpha, ctx.attrFloat("alpha", 0.2f));
  DLC_ASSIGN_OR_RETURN(float beta, ctx.attrFloat("beta", 0.5f));
  Builder b(ctx);
  ir::Node* lin = b.add(b.mul(x, b.c(x, alpha)), b.c(x, beta));
  return b.finish(0, b.max(b.min(lin, b.c(x, 1.0)), b.c(x, 0.0)));
}

Status convertHardSwish(ImportContext& ctx) {
  DLC_ASSIGN_OR_RETURN(ir::Node * x, x0(ctx));
  Builder b(ctx);
  ir::Node* lin = b.add(b.mul(x, b.c(x, 1.0 / 6.0)), b.c(x, 0.5));
  return b.finish(0, b.mul(x, b.max(b.min(lin, b.c(x, 1.0)), b.c(x, 0.0))));
}

Status convertSoftplus(ImportContext& ctx) {
  DLC_ASSIGN_OR_RETURN(ir::Node * x, x0(ctx));
  Builder b(ctx);
  return b.finish(0, softplus(b, x));
}

Status convertSoftsign(ImportContext& ctx) {
  DLC_ASSIGN_OR_RETURN(ir::Node * x, x0(ctx));
  Builder b(ctx);
  return b.finish(0, b.div(x, b.add(b.c(x, 1.0), b.unary(OpKind::Abs, x))));
}

Status convertElu(ImportContext& ctx) {
  DLC_ASSIGN_OR_RETURN(ir::Node * x, x0(ctx));
  DLC_ASSIGN_OR_RETURN(float alpha, ctx.attrFloat("alpha", 1.0f));
  Builder b(ctx);
  ir::Node* neg = b.mul(b.c(x, alpha), b.sub(b.unary(OpKind::Exp, x), b.c(x, 1.0)));
  return b.finish(0, b.select(b.op(OpKind::Less, {x, b.c(x, 0.0)}), neg, x));
}

Status convertSelu(ImportContext& ctx) {
  DLC_ASSIGN_OR_RETURN(ir::Node * x, x0(ctx));
  DLC_ASSIGN_OR_RETURN(float alpha, ctx.attrFloat("alpha", 1.67326319217681884765625f));
  DLC_ASSIGN_OR_RETURN(float gamma, ctx.attrFloat("gamma", 1.05070102214813232421875f));
  Builder b(ctx);
  ir::Node* neg = b.sub(b.mul(b.c(x, alpha), b.unary(OpKind::Exp, x)), b.c(x, alpha));
  ir::Node* y = b.select(b.op(OpKind::LessEqual, {x, b.c(x, 0.0)}), neg, x);
  return b.finish(0, b.mul(y, b.c(x, gamma)));
}

Status convertCelu(ImportContext& ctx) {
  DLC_ASSIGN_OR_RETURN(ir::Node * x, x0(ctx));
  DLC_ASSIGN_OR_RETURN(float alpha, ctx.attrFloat("alpha", 1.0f));
  Builder b(ctx);
  ir::Node* e = b.unary(OpKind::Exp, b.div(x, b.c(x, alpha)));
  ir::Node* neg = b.min(b.c(x, 0.0), b.mul(b.c(x, alpha), b.sub(e, b.c(x, 1.0))));
  return b.finish(0, b.add(b.max(x, b.c(x, 0.0)), neg));
}

Status convertPRelu(ImportContext& ctx) {
  DLC_ASSIGN_OR_RETURN(ir::Node * x, x0(ctx));
  DLC_ASSIGN_OR_RETURN(ir::Node * slope, required(ctx, 1));
  Builder b(ctx);
  ir::Node* neg = b.op(OpKind::Less, {x, b.c(x, 0.0)});
  return b.finish(0, b.select(neg, b.mul(x, slope), x));
}

Status convertThresholdedRelu(ImportContext& ctx) {
  DLC_ASSIGN_OR_RETURN(ir::Node * x, x0(ctx));
  DLC_ASSIGN_OR_RETURN(float alpha, ctx.attrFloat("alpha", 1.0f));
  Builder b(ctx);
  ir::Node* keep = b.op(OpKind::Greater, {x, b.c(x, alpha)});
  return b.finish(0, b.select(keep, x, b.c(x, 0.0)));
}

Status convertMish(ImportContext& ctx) {
  DLC_ASSIGN_OR_RETURN(ir::Node * x, x0(ctx));
  Builder b(ctx);
  return b.finish(0, b.mul(x, b.unary(OpKind::Tanh, softplus(b, x))));
}

Status convertShrink(ImportContext& ctx) {
  DLC_ASSIGN_OR_RETURN(ir::Node * x, x0(ctx));
  DLC_ASSIGN_OR_RETURN(float lambd, ctx.attrFloat("lambd", 0.5f));
  DLC_ASSIGN_OR_RETURN(float bias, ctx.attrFloat("bias", 0.0f));
  Builder b(ctx);
  ir::Node* below = b.op(OpKind::Less, {x, b.c(x, -lambd)});
  ir::Node* above = b.op(OpKind::Greater, {x, b.c(x, lambd)});
  ir::Node* hi = b.select(above, b.sub(x, b.c(x, bias)), b.c(x, 0.0));
  return b.finish(0, b.select(below, b.add(x, b.c(x, bias)), hi));
}

namespace {

Status softmaxLike(ImportContext& ctx, OpKind op) {
  DLC_ASSIGN_OR_RETURN(ir::Node * x, x0(ctx));
  int rank = x->type.shape.rank();
  bool legacy = ctx.opset() < 13;
  DLC_ASSIGN_OR_RETURN(int64_t axisAttr, ctx.attrInt("axis", legacy ? 1 : -1));
  if (rank == 0) return ctx.error(StatusCode::kInvalidArgument, "input must have rank >= 1");
  DLC_ASSIGN_OR_RETURN(int axis, axisOf(ctx, axisAttr, rank, "axis"));
  Builder b(ctx);
  ir::Attributes attrs;
  attrs.set("axis", int64_t(-1));
  if (!legacy || axis == rank - 1) {
    attrs.set("axis", int64_t(axis));
    return b.finish(0, b.op(op, {x}, std::move(attrs)));
  }
  // Opset < 13: the op normalises over the flattened dims [axis, rank).
  ir::Attributes flat;
  flat.set("axis", int64_t(axis));
  ir::Node* x2 = b.op(OpKind::Flatten, {x}, std::move(flat));
  ir::Node* y2 = b.op(op, {x2}, std::move(attrs));
  return b.finish(0, b.reshape(y2, x->type.shape.dims()));
}

}  // namespace

Status convertSoftmax(ImportContext& ctx) { return softmaxLike(ctx, OpKind::Softmax); }
Status convertLogSoftmax(ImportContext& ctx) { return softmaxLike(ctx, OpKind::LogSoftmax); }

}  // namespace dlc::onnxfe::ops
