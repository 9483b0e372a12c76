// ONNX losses for inference graphs: NegativeLogLikelihoodLoss and
// SoftmaxCrossEntropyLoss (log_softmax over the class axis, then the same
// NLL), with class weights, ignore_index and the none/sum/mean reductions.
// The target class is picked with a one-hot comparison against the class
// indices, so out-of-range targets (an ignored -1) pick nothing.
//
// What this deliberately does not do: check that targets lie in [0, C)
// (ONNX leaves that undefined too).
#include "frontends/onnx/ops/Converters.h"

namespace dlc::onnxfe::ops {

namespace {

using ir::DType;
using ir::OpKind;

// The NLL of log-probabilities `logp` [N, C, d...] for `target` [N, d...].
Status nll(ImportContext& ctx, Builder& b, ir::Node* logp, ir::Node* target, ir::Node* weight) {
  DLC_ASSIGN_OR_RETURN(std::string reduction, ctx.attrString("reduction", "mean"));
  if (reduction != "none" && reduction != "sum" && reduction != "mean")
    return ctx.error(StatusCode::kUnsupported,
                     strCat("attribute 'reduction' = \"", reduction, "\" is not supported"));
  bool ignore = ctx.hasAttr("ignore_index");
  DLC_ASSIGN_OR_RETURN(int64_t ignoreIndex, ctx.attrInt("ignore_index", 0));
  int rank = logp->type.shape.rank();
  if (rank < 2 || target->type.shape.rank() != rank - 1)
    return ctx.error(StatusCode::kInvalidArgument,
                     strCat("expects input [N,C,...] and target [N,...], got ", logp->type.str(),
                            " and ", target->type.str()));
  int64_t c = logp->type.shape.dim(1);
  DType t = logp->type.dtype;
  // hit[n, k, ...] = (target[n, ...] == k).
  std::vector<int64_t> tDims = target->type.shape.dims();
  tDims.insert(tDims.begin() + 1, 1);
  std::vector<int64_t> cDims(size_t(rank), 1);
  cDims[1] = c;
  DLC_ASSIGN_OR_RETURN(Tensor classes,
                       helperTensor(ctx, target->type.dtype, cDims, "the class index constant"));
  for (int64_t k = 0; k < c; ++k) classes.setFromDouble(k, double(k));
  ir::Node* hit = b.op(OpKind::Equal, {b.reshape(target, tDims), ctx.constant(classes, "classes")});
  ir::Node* oneHot = b.cast(hit, t);
  ir::Node* picked = b.reduce(OpKind::ReduceSum, b.mul(logp, oneHot), {1}, false);
  ir::Node* w = nullptr;  // the weight of each element's target class
  if (weight) w = b.reduce(OpKind::ReduceSum, b.mul(oneHot, b.reshape(weight, cDims)), {1}, false);
  if (ignore) {
    ir::Node* keep =
        b.op(OpKind::NotEqual, {target, ctx.scalar(target->type.dtype, double(ignoreIndex))});
    ir::Node* k = b.cast(keep, t);
    w = w ? b.mul(w, k) : k;
  }
  ir::Node* loss = b.unary(OpKind::Neg, picked);
  if (w) loss = b.mul(loss, w);
  if (reduction == "none") return b.finish(0, loss);
  std::vector<int64_t> all;
  for (int i = 0; i < rank - 1; ++i) all.push_back(i);
  ir::Node* sum = b.reduce(OpKind::ReduceSum, loss, all, false);
  if (reduction == "sum") return b.finish(0, sum);
  if (!w) return b.finish(0, b.reduce(OpKind::ReduceMean, loss, all, false));
  return b.finish(0, b.div(sum, b.reduce(OpKind::ReduceSum, w, all, false)));
}

}  // namespace

Status convertNegativeLogLikelihoodLoss(ImportContext& ctx) {
  DLC_ASSIGN_OR_RETURN(ir::Node * logp, required(ctx, 0));
  DLC_ASSIGN_OR_RETURN(ir::Node * target, required(ctx, 1));
  ir::Node* weight = nullptr;
  if (ctx.hasInput(2)) {
    DLC_ASSIGN_OR_RETURN(weight, ctx.input(2));
  }
  Builder b(ctx);
  return nll(ctx, b, logp, target, weight);
}

Status convertSoftmaxCrossEntropyLoss(ImportContext& ctx) {
  DLC_ASSIGN_OR_RETURN(ir::Node * scores, required(ctx, 0));
  DLC_ASSIGN_OR_RETURN(ir::Node * target, required(ctx, 1));
  ir::Node* weight = nullptr;
  if (ctx.hasInput(2)) {
    DLC_ASSIGN_OR_RETURN(weight, ctx.input(2));
  }
  Builder b(ctx);
  ir::Attributes attrs;
  attrs.set("axis", int64_t(1));
  ir::Node* logp = b.op(OpKind::LogSoftmax, {scores}, std::move(attrs));
  DLC_RETURN_IF_ERROR(b.status());
  DLC_RETURN_IF_ERROR(nll(ctx, b, logp, target, weight));
  if (ctx.numOutputs() > 1 && ctx.outputUsed(1)) return b.finish(1, logp);
  return Status::OK();
}

}  // namespace dlc::onnxfe::ops
