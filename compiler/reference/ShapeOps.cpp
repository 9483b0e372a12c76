// Shape ops: reshape, flatten, transpose, broadcast_to, concat, slice, pad.
//
// They move or repeat elements without arithmetic, so every one copies
// whole elements byte for byte and works on every dtype. Results are fresh
// tensors (never views), so no value aliases another.
#include <algorithm>
#include <limits>

#include "compiler/reference/Kernels.h"
#include "compiler/reference/Values.h"

namespace dlc::ref {

using ir::DType;
using ir::OpKind;

namespace {

StatusOr<Tensor> evalReshape(const OpContext& ctx) {
  const Tensor& x = ctx.operand(0);
  std::vector<int64_t> spec = ctx.attrs().getInts("shape", {});
  if (!ctx.attrs().has("shape")) return invalidArgument("reshape: missing attribute 'shape'");
  Dims dims(spec.size());
  int inferred = -1;
  for (size_t i = 0; i < spec.size(); ++i) {
    if (spec[i] > 0) {
      dims[i] = spec[i];
    } else if (spec[i] == 0) {
      if (i >= x.dims().size())
        return invalidArgument("reshape: shape entry ", i, " is 0 but the input has rank ",
                               x.rank());
      dims[i] = x.dims()[i];
    } else if (spec[i] == -1 && inferred < 0) {
      inferred = int(i);
    } else {
      return invalidArgument("reshape: invalid shape entry ", spec[i], " (one -1 at most)");
    }
  }
  if (inferred >= 0) {
    dims[size_t(inferred)] = 1;
    int64_t rest = product(dims);
    if (rest == 0 || x.numElements() % rest != 0)
      return invalidArgument("reshape: cannot infer the -1 extent of ", dimsStr(x.dims()),
                             " reshaped to ", dimsStr(spec));
    dims[size_t(inferred)] = x.numElements() / rest;
  }
  if (product(dims) != x.numElements())
    return invalidArgument("reshape: ", dimsStr(x.dims()), " has ", x.numElements(),
                           " elements, the target ", dimsStr(dims), " has ", product(dims));
  DLC_RETURN_IF_ERROR(checkResult(ctx, dims, x.dtype()));
  return x.clone().reshaped(dims);
}

StatusOr<Tensor> evalFlatten(const OpContext& ctx) {
  const Tensor& x = ctx.operand(0);
  int64_t axis = ctx.attrs().getInt("axis", 1);
  if (axis < 0) axis += x.rank();
  if (axis < 0 || axis > x.rank())
    return invalidArgument("flatten: axis ", ctx.attrs().getInt("axis", 1),
                           " is out of range for rank ", x.rank());
  Dims dims = {product(x.dims(), 0, size_t(axis)),
               product(x.dims(), size_t(axis), x.dims().size())};
  DLC_RETURN_IF_ERROR(checkResult(ctx, dims, x.dtype()));
  return x.clone().reshaped(dims);
}

StatusOr<Tensor> evalTranspose(const OpContext& ctx) {
  const Tensor& x = ctx.operand(0);
  size_t rank = x.dims().size();
  std::vector<int64_t> reversed(rank);
  for (size_t i = 0; i < rank; ++i) reversed[i] = int64_t(rank - 1 - i);
  std::vector<int64_t> perm = ctx.attrs().getInts("perm", reversed);
  std::vector<bool> seen(rank, false);
  if (perm.size() != rank)
    return invalidArgument("transpose: perm has ", perm.size(), " entries for rank ", rank);
  for (int64_t& p : perm) {
    if (p < 0) p += int64_t(rank);
    if (p < 0 || p >= int64_t(rank) || seen[size_t(p)])
      return invalidArgument("transpose: perm ", ir::Shape(ctx.attrs().getInts("perm", {})).str(),
                             " is not a permutation of rank ", rank);
    seen[size_t(p)] = true;
  }
  Dims dims(rank), strides(rank);
  Dims inStrides = rowMajorStrides(x.dims());
  for (size_t i = 0; i < rank; ++i) {
    dims[i] = x.dims()[size_t(perm[i])];
    strides[i] = inStrides[size_t(perm[i])];
  }
  DLC_RETURN_IF_ERROR(checkResult(ctx, dims, x.dtype()));
  Tensor out(x.dtype(), dims);
  Dims index(rank, 0);
  for (int64_t i = 0; i < out.numElements(); ++i, nextIndex(index, dims))
    copyElement(x, offsetOf(index, strides), out, i);
  return out;
}

StatusOr<Tensor> evalBroadcastTo(const OpContext& ctx) {
  const Tensor& x = ctx.operand(0);
  if (!ctx.attrs().has("shape")) return invalidArgument("broadcast_to: missing attribute 'shape'");
  Dims dims = ir::Shape(ctx.attrs().getInts("shape", {})).bind(ctx.batch);
  DLC_RETURN_IF_ERROR(checkResult(ctx, dims, x.dtype()));
  DLC_ASSIGN_OR_RETURN(Dims strides, broadcastStrides(x.dims(), dims));
  Tensor out(x.dtype(), dims);
  Dims index(dims.size(), 0);
  for (int64_t i = 0; i < out.numElements(); ++i, nextIndex(index, dims))
    copyElement(x, offsetOf(index, strides), out, i);
  return out;
}

StatusOr<Tensor> evalConcat(const OpContext& ctx) {
  const Tensor& first = ctx.operand(0);
  if (!ctx.attrs().has("axis")) return invalidArgument("concat: missing attribute 'axis'");
  DLC_ASSIGN_OR_RETURN(int axis, ir::normalizeAxis(ctx.attrs().getInt("axis", 0), first.rank()));
  if (first.rank() == 0) return invalidArgument("concat: operands must have rank >= 1");
  Dims dims = first.dims();
  dims[size_t(axis)] = 0;
  for (const Tensor* t : ctx.operands) {
    bool sameOther = t->rank() == first.rank();
    for (int d = 0; sameOther && d < first.rank(); ++d)
      sameOther = d == axis || t->dims()[size_t(d)] == first.dims()[size_t(d)];
    if (t->dtype() != first.dtype() || !sameOther)
      return invalidArgument("concat: operand ", t->type().str(), " does not match ",
                             first.type().str(), " outside axis ", axis);
    dims[size_t(axis)] += t->dims()[size_t(axis)];
  }
  DLC_RETURN_IF_ERROR(checkResult(ctx, dims, first.dtype()));
  Tensor out(first.dtype(), dims);
  int64_t outer = product(dims, 0, size_t(axis));
  int64_t inner = product(dims, size_t(axis) + 1, dims.size());
  int64_t to = 0;
  for (int64_t o = 0; o < outer; ++o) {
    for (const Tensor* t : ctx.operands) {
      int64_t chunk = t->dims()[size_t(axis)] * inner;
      for (int64_t j = 0; j < chunk; ++j) copyElement(*t, o * chunk + j, out, to++);
    }
  }
  return out;
}

// ONNX Slice: negative indices count from the end, then clamp to the range
// valid for the step's direction.
StatusOr<Tensor> evalSlice(const OpContext& ctx) {
  const Tensor& x = ctx.operand(0);
  size_t rank = x.dims().size();
  std::vector<int64_t> starts = ctx.attrs().getInts("starts", {});
  std::vector<int64_t> ends = ctx.attrs().getInts("ends", {});
  std::vector<int64_t> defaultAxes(starts.size());
  for (size_t i = 0; i < starts.size(); ++i) defaultAxes[i] = int64_t(i);
  std::vector<int64_t> axes = ctx.attrs().getInts("axes", defaultAxes);
  std::vector<int64_t> steps = ctx.attrs().getInts("steps", std::vector<int64_t>(starts.size(), 1));
  if (ends.size() != starts.size() || axes.size() != starts.size() ||
      steps.size() != starts.size())
    return invalidArgument("slice: starts, ends, axes and steps must have the same length (",
                           starts.size(), ", ", ends.size(), ", ", axes.size(), ", ",
                           steps.size(), ")");
  Dims begin(rank, 0), step(rank, 1), dims = x.dims();
  std::vector<bool> seen(rank, false);
  for (size_t i = 0; i < starts.size(); ++i) {
    DLC_ASSIGN_OR_RETURN(int axis, ir::normalizeAxis(axes[i], int(rank)));
    if (seen[size_t(axis)]) return invalidArgument("slice: axis ", axis, " appears twice");
    seen[size_t(axis)] = true;
    int64_t d = x.dims()[size_t(axis)], s = starts[i], e = ends[i], st = steps[i];
    if (st == 0) return invalidArgument("slice: step 0 on axis ", axis);
    if (s < 0) s += d;
    if (e < 0) e += d;
    if (st > 0) {
      s = std::clamp<int64_t>(s, 0, d);
      e = std::clamp<int64_t>(e, 0, d);
    } else {
      s = std::clamp<int64_t>(s, 0, d - 1);
      e = std::clamp<int64_t>(e, -1, d - 1);
    }
    int64_t len = st > 0 ? (e - s + st - 1) / st : (s - e + (-st) - 1) / (-st);
    begin[size_t(axis)] = s;
    step[size_t(axis)] = st;
    dims[size_t(axis)] = std::max<int64_t>(len, 0);
  }
  DLC_RETURN_IF_ERROR(checkResult(ctx, dims, x.dtype()));
  Tensor out(x.dtype(), dims);
  Dims inStrides = rowMajorStrides(x.dims());
  Dims index(rank, 0);
  for (int64_t i = 0; i < out.numElements(); ++i, nextIndex(index, dims)) {
    int64_t from = 0;
    for (size_t a = 0; a < rank; ++a) from += (begin[a] + index[a] * step[a]) * inStrides[a];
    copyElement(x, from, out, i);
  }
  return out;
}

StatusOr<Tensor> evalPad(const OpContext& ctx) {
  const Tensor& x = ctx.operand(0);
  size_t rank = x.dims().size();
  std::vector<int64_t> pads = ctx.attrs().getInts("pads", {});
  if (pads.size() != 2 * rank)
    return invalidArgument("pad: pads has ", pads.size(), " entries, expected ", 2 * rank);
  Dims dims = x.dims();
  for (size_t a = 0; a < rank; ++a) {
    if (pads[a] < 0 || pads[rank + a] < 0)
      return invalidArgument("pad: negative padding on axis ", a);
    dims[a] += pads[a] + pads[rank + a];
  }
  DLC_RETURN_IF_ERROR(checkResult(ctx, dims, x.dtype()));
  Tensor out(x.dtype(), dims);
  Tensor fill(x.dtype(), {1});
  storeSaturating(fill, 0, ctx.attrs().getFloat("value", 0.0));
  for (int64_t i = 0; i < out.numElements(); ++i) copyElement(fill, 0, out, i);
  Dims outStrides = rowMajorStrides(dims);
  Dims index(rank, 0);
  for (int64_t i = 0; i < x.numElements(); ++i, nextIndex(index, x.dims())) {
    int64_t to = 0;
    for (size_t a = 0; a < rank; ++a) to += (index[a] + pads[a]) * outStrides[a];
    copyElement(x, i, out, to);
  }
  return out;
}

}  // namespace

StatusOr<Tensor> evalShapeOp(const OpContext& ctx) {
  switch (ctx.op()) {
    case OpKind::Reshape: return evalReshape(ctx);
    case OpKind::Flatten: return evalFlatten(ctx);
    case OpKind::Transpose: return evalTranspose(ctx);
    case OpKind::BroadcastTo: return evalBroadcastTo(ctx);
    case OpKind::Concat: return evalConcat(ctx);
    case OpKind::Slice: return evalSlice(ctx);
    case OpKind::Pad: return evalPad(ctx);
    default: return internalError("evalShapeOp: not a shape op");
  }
}

}  // namespace dlc::ref
