// Helpers shared by the ONNX converters: required inputs, casts, reshapes,
// axis normalisation and axes given as attribute or input.
//
// What this deliberately does not do: convert any ONNX op by itself.
#include <algorithm>

#include "frontends/onnx/ops/Converters.h"

namespace dlc::onnxfe::ops {

StatusOr<ir::Node*> required(ImportContext& ctx, int i) {
  if (!ctx.hasInput(i))
    return ctx.error(StatusCode::kInvalidArgument, strCat("input ", i, " is required"));
  return ctx.input(i);
}

StatusOr<ir::Node*> castTo(ImportContext& ctx, ir::Node* x, ir::DType dtype,
                           std::string_view suffix) {
  if (x->type.dtype == dtype) return x;
  ir::Attributes attrs;
  attrs.set("to", std::string(ir::dtypeName(dtype)));
  return ctx.emit(ir::OpKind::Cast, {x}, std::move(attrs), suffix);
}

StatusOr<ir::Node*> reshapeTo(ImportContext& ctx, ir::Node* x, const std::vector<int64_t>& dims,
                              std::string_view suffix) {
  if (x->type.shape.dims() == dims) return x;
  ir::Attributes attrs;
  attrs.set("shape", dims);  // ir::kBatch == -1: the inferred entry is N
  return ctx.emit(ir::OpKind::Reshape, {x}, std::move(attrs), suffix);
}

ir::Node* scalarLike(ImportContext& ctx, const ir::Node* x, double value) {
  return ctx.scalar(x->type.dtype, value);
}

StatusOr<int> axisOf(ImportContext& ctx, int64_t axis, int rank, std::string_view attr) {
  if (axis < -rank || axis >= rank)
    return ctx.error(StatusCode::kInvalidArgument,
                     strCat(attr, " = ", axis, " is out of range for rank ", rank));
  return int(axis < 0 ? axis + rank : axis);
}

StatusOr<std::vector<int64_t>> axesAttrOrInput(ImportContext& ctx, std::string_view name,
                                               int64_t inputOpset, int inputIndex, bool* present) {
  // The model must use the form its opset defines: an `axes` input at an
  // older opset (or the attribute at a newer one) is an invalid model that
  // would otherwise be read silently as "no axes".
  if (ctx.opset() < inputOpset) {
    if (ctx.hasInput(inputIndex))
      return ctx.error(StatusCode::kInvalidArgument,
                       strCat("input ", inputIndex, " (", name, ") is not defined at opset ",
                              ctx.opset(), "; before opset ", inputOpset, " '", name,
                              "' is an attribute"));
    *present = ctx.hasAttr(name);
    return ctx.attrInts(name, {});
  }
  if (ctx.hasAttr(name))
    return ctx.error(StatusCode::kInvalidArgument,
                     strCat("attribute '", name, "' is not defined at opset ", ctx.opset(),
                            "; from opset ", inputOpset, " it is input ", inputIndex));
  *present = ctx.hasInput(inputIndex);
  if (!*present) return std::vector<int64_t>{};
  return ctx.intsInput(inputIndex);
}

StatusOr<Tensor> helperTensor(ImportContext& ctx, ir::DType dtype,
                              const std::vector<int64_t>& dims, std::string_view what) {
  int64_t elements = 1;
  for (int64_t d : dims) {
    if (d == ir::kBatch)
      return ctx.error(StatusCode::kUnsupported,
                       strCat(what, " over the batch axis N is not supported"));
    if (d < 0)
      return ctx.error(StatusCode::kInvalidArgument, strCat(what, " has the negative extent ", d));
    if (__builtin_mul_overflow(elements, d, &elements) || elements > kMaxHelperElements)
      return ctx.error(StatusCode::kOutOfRange,
                       strCat(what, " ", ir::Shape(dims).str(), " would hold more than ",
                              kMaxHelperElements, " elements"));
  }
  auto t = Tensor::create(dtype, dims);
  if (!t.ok()) return ctx.error(t.status().code(), t.status().message());
  return t;
}

Status onlyFirstOutput(ImportContext& ctx) {
  for (int i = 1; i < ctx.numOutputs(); ++i)
    if (ctx.outputUsed(i))
      return ctx.error(StatusCode::kUnsupported,
                       strCat("output ", i, " is used; only output 0 is supported"));
  return Status::OK();
}

// Explicit [begin..., end...] pads for `spatial` axes under auto_pad.
StatusOr<std::vector<int64_t>> windowPads(ImportContext& ctx, const std::vector<int64_t>& in,
                                          const std::vector<int64_t>& kernel,
                                          const std::vector<int64_t>& strides,
                                          const std::vector<int64_t>& dil) {
  size_t n = kernel.size();
  if (in.size() != n || strides.size() != n || dil.size() != n)
    return ctx.error(StatusCode::kInvalidArgument,
                     strCat("attributes 'kernel_shape', 'strides' and 'dilations' need ", in.size(),
                            " entries each"));
  // Bounded so that window arithmetic on extents below 2^40 cannot overflow.
  constexpr int64_t kMaxWindowValue = int64_t(1) << 20;
  auto positive = [&](const std::vector<int64_t>& v, std::string_view attr) -> Status {
    for (int64_t x : v)
      if (x < 1 || x > kMaxWindowValue)
        return ctx.error(StatusCode::kInvalidArgument,
                         strCat("attribute '", attr, "' = ", x, " must be in [1, ",
                                kMaxWindowValue, "]"));
    return Status::OK();
  };
  DLC_RETURN_IF_ERROR(positive(kernel, "kernel_shape"));
  DLC_RETURN_IF_ERROR(positive(strides, "strides"));
  DLC_RETURN_IF_ERROR(positive(dil, "dilations"));
  DLC_ASSIGN_OR_RETURN(std::string autoPad, ctx.attrString("auto_pad", "NOTSET"));
  if (autoPad == "NOTSET") {
    DLC_ASSIGN_OR_RETURN(auto pads, ctx.attrInts("pads", std::vector<int64_t>(2 * n, 0)));
    if (pads.size() != 2 * n)
      return ctx.error(StatusCode::kInvalidArgument,
                       strCat("attribute 'pads' must have ", 2 * n, " entries"));
    for (int64_t p : pads)
      if (p < 0 || p > kMaxWindowValue)
        return ctx.error(StatusCode::kInvalidArgument,
                         strCat("attribute 'pads' = ", p, " must be in [0, ", kMaxWindowValue,
                                "]"));
    return pads;
  }
  std::vector<int64_t> pads(2 * n, 0);
  if (autoPad == "VALID") return pads;
  if (autoPad != "SAME_UPPER" && autoPad != "SAME_LOWER")
    return ctx.error(StatusCode::kUnsupported, strCat("auto_pad = ", autoPad, " is not supported"));
  for (size_t i = 0; i < n; ++i) {
    int64_t out = (in[i] + strides[i] - 1) / strides[i];
    int64_t total =
        std::max<int64_t>(0, (out - 1) * strides[i] + (kernel[i] - 1) * dil[i] + 1 - in[i]);
    int64_t small = total / 2;
    pads[i] = autoPad == "SAME_UPPER" ? small : total - small;
    pads[i + n] = total - pads[i];
  }
  return pads;
}

ir::Node* Builder::check(StatusOr<ir::Node*> r) {
  if (!r.ok()) {
    if (status_.ok()) status_ = r.status();
    return nullptr;
  }
  return *r;
}

ir::Node* Builder::op(ir::OpKind kind, std::vector<ir::Node*> inputs, ir::Attributes attrs) {
  for (ir::Node* in : inputs)
    if (!in) return nullptr;
  if (!status_.ok()) return nullptr;
  return check(ctx_.emit(kind, std::move(inputs), std::move(attrs), strCat("t", counter_++)));
}

ir::Node* Builder::c(const ir::Node* x, double value) {
  if (!x) return nullptr;
  return ctx_.scalar(x->type.dtype, value);
}

ir::Node* Builder::reshape(ir::Node* x, const std::vector<int64_t>& dims) {
  if (!x || !status_.ok()) return nullptr;
  return check(reshapeTo(ctx_, x, dims, strCat("t", counter_++)));
}

ir::Node* Builder::transpose(ir::Node* x, const std::vector<int64_t>& perm) {
  ir::Attributes attrs;
  attrs.set("perm", perm);
  return op(ir::OpKind::Transpose, {x}, std::move(attrs));
}

ir::Node* Builder::reduce(ir::OpKind kind, ir::Node* x, const std::vector<int64_t>& axes,
                          bool keepdims) {
  ir::Attributes attrs;
  attrs.set("axes", axes);
  attrs.set("keepdims", int64_t(keepdims ? 1 : 0));
  return op(kind, {x}, std::move(attrs));
}

ir::Node* Builder::cast(ir::Node* x, ir::DType dtype) {
  if (!x || !status_.ok()) return nullptr;
  return check(castTo(ctx_, x, dtype, strCat("t", counter_++)));
}

Status Builder::finish(int i, ir::Node* y) {
  DLC_RETURN_IF_ERROR(status_);
  if (!y) return ctx_.error(StatusCode::kInternal, "decomposition produced no value");
  return ctx_.setOutput(i, y);
}

}  // namespace dlc::onnxfe::ops
