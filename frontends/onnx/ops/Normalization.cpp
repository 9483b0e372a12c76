// ONNX normalisations: BatchNormalization (inference), LayerNormalization
// (with its optional Mean / InvStdDev outputs), InstanceNormalization (a
// layer_norm over the spatial dims, then a per-channel scale and bias) and
// MeanVarianceNormalization.
//
// What this deliberately does not do: BatchNormalization in training mode
// (or its running-statistics outputs), GroupNormalization.
#include "frontends/onnx/ops/Converters.h"

namespace dlc::onnxfe::ops {

namespace {

using ir::OpKind;

// [C] -> [C, 1, ..., 1] for a rank-`rank` channel-axis-1 operand.
std::vector<int64_t> channelShape(int64_t c, int rank) {
  std::vector<int64_t> d(size_t(rank - 1), 1);
  d[0] = c;
  return d;
}

}  // namespace

Status convertBatchNormalization(ImportContext& ctx) {
  DLC_ASSIGN_OR_RETURN(ir::Node * x, required(ctx, 0));
  DLC_ASSIGN_OR_RETURN(int64_t training, ctx.attrInt("training_mode", 0));
  if (training)
    return ctx.error(StatusCode::kUnsupported,
                     "attribute 'training_mode' = 1 is not supported (inference only)");
  DLC_RETURN_IF_ERROR(onlyFirstOutput(ctx));
  DLC_ASSIGN_OR_RETURN(float eps, ctx.attrFloat("epsilon", 1e-5f));
  std::vector<ir::Node*> ins = {x};
  for (int i = 1; i < 5; ++i) {
    DLC_ASSIGN_OR_RETURN(ir::Node * p, required(ctx, i));
    ins.push_back(p);
  }
  ir::Attributes attrs;
  attrs.set("epsilon", double(eps));
  Builder b(ctx);
  return b.finish(0, b.op(OpKind::BatchNorm, std::move(ins), std::move(attrs)));
}

Status convertLayerNormalization(ImportContext& ctx) {
  DLC_ASSIGN_OR_RETURN(ir::Node * x, required(ctx, 0));
  DLC_ASSIGN_OR_RETURN(int64_t axisAttr, ctx.attrInt("axis", -1));
  DLC_ASSIGN_OR_RETURN(float eps, ctx.attrFloat("epsilon", 1e-5f));
  DLC_ASSIGN_OR_RETURN(int64_t stash, ctx.attrInt("stash_type", 1));
  if (stash != 1)
    return ctx.error(StatusCode::kUnsupported,
                     strCat("attribute 'stash_type' = ", stash, " is not supported (FLOAT only)"));
  int rank = x->type.shape.rank();
  DLC_ASSIGN_OR_RETURN(int axis, axisOf(ctx, axisAttr, rank, "axis"));
  std::vector<int64_t> normShape(x->type.shape.dims().begin() + axis, x->type.shape.dims().end());
  Builder b(ctx);
  // Scale and B broadcast to the normalised shape, as ONNX allows.
  auto toNormShape = [&](ir::Node* v) -> ir::Node* {
    if (!v || v->type.shape.dims() == normShape) return v;
    ir::Attributes attrs;
    attrs.set("shape", normShape);
    return b.op(OpKind::BroadcastTo, {v}, std::move(attrs));
  };
  ir::Node* scale = nullptr;
  ir::Node* bias = nullptr;
  if (ctx.hasInput(1)) {
    DLC_ASSIGN_OR_RETURN(scale, ctx.input(1));
  }
  if (ctx.hasInput(2)) {
    DLC_ASSIGN_OR_RETURN(bias, ctx.input(2));
  }
  if (bias && !scale) scale = b.c(x, 1.0);
  std::vector<ir::Node*> ins = {x};
  if (scale) ins.push_back(toNormShape(scale));
  if (bias) ins.push_back(toNormShape(bias));
  ir::Attributes attrs;
  attrs.set("axis", int64_t(axis));
  attrs.set("epsilon", double(eps));
  ir::Node* y = b.op(OpKind::LayerNorm, std::move(ins), std::move(attrs));
  DLC_RETURN_IF_ERROR(b.finish(0, y));
  bool wantMean = ctx.numOutputs() > 1 && ctx.outputUsed(1);
  bool wantInv = ctx.numOutputs() > 2 && ctx.outputUsed(2);
  if (!wantMean && !wantInv) return Status::OK();
  // The statistics, in f32 (stash_type), shaped like x with the normalised
  // dims kept as 1.
  std::vector<int64_t> axes;
  for (int i = axis; i < rank; ++i) axes.push_back(i);
  ir::Node* xf = b.cast(x, ir::DType::F32);
  ir::Node* mean = b.reduce(OpKind::ReduceMean, xf, axes, /*keepdims=*/true);
  if (wantMean) DLC_RETURN_IF_ERROR(b.finish(1, mean));
  if (wantInv) {
    ir::Node* d = b.sub(xf, mean);
    ir::Node* var = b.reduce(OpKind::ReduceMean, b.mul(d, d), axes, /*keepdims=*/true);
    DLC_RETURN_IF_ERROR(b.finish(2, b.unary(OpKind::Rsqrt, b.add(var, b.c(var, eps)))));
  }
  return Status::OK();
}

Status convertInstanceNormalization(ImportContext& ctx) {
  DLC_ASSIGN_OR_RETURN(ir::Node * x, required(ctx, 0));
  DLC_ASSIGN_OR_RETURN(ir::Node * scale, required(ctx, 1));
  DLC_ASSIGN_OR_RETURN(ir::Node * bias, required(ctx, 2));
  DLC_ASSIGN_OR_RETURN(float eps, ctx.attrFloat("epsilon", 1e-5f));
  int rank = x->type.shape.rank();
  if (rank < 3)
    return ctx.error(StatusCode::kInvalidArgument,
                     strCat("input must have rank >= 3, got ", x->type.str()));
  int64_t c = x->type.shape.dim(1);
  Builder b(ctx);
  ir::Attributes attrs;
  attrs.set("axis", int64_t(2));
  attrs.set("epsilon", double(eps));
  ir::Node* norm = b.op(OpKind::LayerNorm, {x}, std::move(attrs));
  ir::Node* s = b.reshape(scale, channelShape(c, rank));
  ir::Node* o = b.reshape(bias, channelShape(c, rank));
  return b.finish(0, b.add(b.mul(norm, s), o));
}

Status convertMeanVarianceNormalization(ImportContext& ctx) {
  DLC_ASSIGN_OR_RETURN(ir::Node * x, required(ctx, 0));
  DLC_ASSIGN_OR_RETURN(auto axes, ctx.attrInts("axes", {0, 2, 3}));
  int rank = x->type.shape.rank();
  for (auto& a : axes) {
    DLC_ASSIGN_OR_RETURN(a, axisOf(ctx, a, rank, "axes"));
  }
  // ONNX's function body: (x - E[x]) / (sqrt(E[x^2] - E[x]^2) + 1e-9).
  Builder b(ctx);
  ir::Node* mean = b.reduce(OpKind::ReduceMean, x, axes, /*keepdims=*/true);
  ir::Node* meanSq = b.reduce(OpKind::ReduceMean, b.mul(x, x), axes, /*keepdims=*/true);
  ir::Node* var = b.sub(meanSq, b.mul(mean, mean));
  ir::Node* std = b.add(b.unary(OpKind::Sqrt, var), b.c(x, 1e-9));
  return b.finish(0, b.div(b.sub(x, mean), std));
}

}  // namespace dlc::onnxfe::ops
