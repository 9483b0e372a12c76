// ONNX data-movement ops built from core ops: Gather (core gather), Split
// (slices), Tile (reshape + broadcast_to + reshape), Range (constant inputs,
// folded to a constant), DepthToSpace and SpaceToDepth (reshape + transpose
// + reshape), EyeLike (a constant).
//
// What this deliberately does not do: Range with runtime inputs (its
// extent would be data-dependent), Split into empty parts.
#include <algorithm>
#include <cmath>

#include "frontends/onnx/OnnxTensor.h"
#include "frontends/onnx/ops/Converters.h"

namespace dlc::onnxfe::ops {

namespace {
using ir::kBatch;
using ir::OpKind;
}  // namespace

Status convertGather(ImportContext& ctx) {
  DLC_ASSIGN_OR_RETURN(ir::Node * data, required(ctx, 0));
  DLC_ASSIGN_OR_RETURN(ir::Node * indices, required(ctx, 1));
  DLC_ASSIGN_OR_RETURN(int64_t axis, ctx.attrInt("axis", 0));
  ir::Attributes attrs;
  attrs.set("axis", axis);
  Builder b(ctx);
  return b.finish(0, b.op(OpKind::Gather, {data, indices}, std::move(attrs)));
}

Status convertSplit(ImportContext& ctx) {
  DLC_ASSIGN_OR_RETURN(ir::Node * x, required(ctx, 0));
  int rank = x->type.shape.rank();
  DLC_ASSIGN_OR_RETURN(int64_t axisAttr, ctx.attrInt("axis", 0));
  DLC_ASSIGN_OR_RETURN(int axis, axisOf(ctx, axisAttr, rank, "axis"));
  int64_t extent = x->type.shape.dim(axis);
  if (extent == kBatch)
    return ctx.error(StatusCode::kUnsupported, "splitting the batch axis N is not supported");
  int parts = ctx.numOutputs();
  std::vector<int64_t> sizes;
  bool present = false;
  DLC_ASSIGN_OR_RETURN(sizes, axesAttrOrInput(ctx, "split", 13, 1, &present));
  if (!present || sizes.empty()) {
    sizes.clear();
    DLC_ASSIGN_OR_RETURN(int64_t numOutputs, ctx.attrInt("num_outputs", parts));
    if (numOutputs != parts || parts < 1)
      return ctx.error(StatusCode::kInvalidArgument,
                       strCat("attribute 'num_outputs' = ", numOutputs, " but the node has ", parts,
                              " outputs"));
    int64_t chunk = (extent + parts - 1) / parts;  // the last part may be smaller
    for (int i = 0; i < parts; ++i) sizes.push_back(std::min(chunk, extent - chunk * i));
  }
  if (int(sizes.size()) != parts)
    return ctx.error(StatusCode::kInvalidArgument,
                     strCat("'split' has ", sizes.size(), " entries for ", parts, " outputs"));
  int64_t total = 0;
  for (int64_t size : sizes) {
    if (size <= 0)
      return ctx.error(StatusCode::kUnsupported, "empty split parts are not supported");
    if (size > extent - total)
      return ctx.error(StatusCode::kInvalidArgument,
                       strCat("'split' sizes exceed the extent ", extent, " of axis ", axis));
    total += size;
  }
  int64_t begin = 0;
  Builder b(ctx);
  for (int i = 0; i < parts; ++i) {
    ir::Attributes attrs;
    attrs.set("starts", std::vector<int64_t>{begin});
    attrs.set("ends", std::vector<int64_t>{begin + sizes[size_t(i)]});
    attrs.set("axes", std::vector<int64_t>{axis});
    begin += sizes[size_t(i)];
    if (!ctx.outputUsed(i)) continue;
    DLC_RETURN_IF_ERROR(b.finish(i, b.op(OpKind::Slice, {x}, std::move(attrs))));
  }
  if (begin != extent)
    return ctx.error(StatusCode::kInvalidArgument,
                     strCat("'split' sizes sum to ", begin, ", not the extent ", extent));
  return Status::OK();
}

Status convertTile(ImportContext& ctx) {
  DLC_ASSIGN_OR_RETURN(ir::Node * x, required(ctx, 0));
  DLC_ASSIGN_OR_RETURN(auto repeats, ctx.intsInput(1));
  const auto& in = x->type.shape.dims();
  if (repeats.size() != in.size())
    return ctx.error(StatusCode::kInvalidArgument,
                     strCat("'repeats' has ", repeats.size(), " entries for ", x->type.str()));
  // x [.., d, ..] -> [.., 1, d, ..] -> broadcast [.., r, d, ..] -> [.., r*d, ..].
  std::vector<int64_t> expanded, target, out;
  for (size_t i = 0; i < in.size(); ++i) {
    if (repeats[i] < 1)
      return ctx.error(StatusCode::kUnsupported,
                       "'repeats' < 1 (an empty result) is not supported");
    if (repeats[i] == 1) {
      expanded.push_back(in[i]);
      target.push_back(in[i]);
      out.push_back(in[i]);
      continue;
    }
    if (in[i] == kBatch)
      return ctx.error(StatusCode::kUnsupported, "tiling the batch axis N is not supported");
    int64_t tiled = 0;
    if (__builtin_mul_overflow(repeats[i], in[i], &tiled) || tiled > ir::kMaxElements)
      return ctx.error(StatusCode::kOutOfRange,
                       strCat("'repeats' ", repeats[i], " on axis ", i, " of ", x->type.str(),
                              " gives more than ", ir::kMaxElements, " elements"));
    expanded.insert(expanded.end(), {1, in[i]});
    target.insert(target.end(), {repeats[i], in[i]});
    out.push_back(repeats[i] * in[i]);
  }
  Builder b(ctx);
  ir::Node* e = b.reshape(x, expanded);
  ir::Attributes attrs;
  attrs.set("shape", target);
  ir::Node* bc = target == expanded ? e : b.op(OpKind::BroadcastTo, {e}, std::move(attrs));
  return b.finish(0, b.reshape(bc, out));
}

Status convertRange(ImportContext& ctx) {
  const Tensor* start = ctx.constantInput(0);
  const Tensor* limit = ctx.constantInput(1);
  const Tensor* delta = ctx.constantInput(2);
  if (!start || !limit || !delta)
    return ctx.error(StatusCode::kUnsupported,
                     "Range needs constant start, limit and delta (its extent is data-dependent)");
  for (const Tensor* v : {start, limit, delta})
    if (v->numElements() != 1 || v->dtype() != start->dtype())
      return ctx.error(StatusCode::kInvalidArgument,
                       strCat("start, limit and delta must be scalars of one dtype, got ",
                              start->type().str(), ", ", limit->type().str(), " and ",
                              delta->type().str()));
  double s = start->getAsDouble(0), l = limit->getAsDouble(0), d = delta->getAsDouble(0);
  if (d == 0) return ctx.error(StatusCode::kInvalidArgument, "delta is 0");
  bool integer = start->dtype() == ir::DType::I64 || start->dtype() == ir::DType::I32;
  // Integers are exact: int64 values beyond 2^53 do not survive a double.
  auto asInt = [](const Tensor* v) {
    return v->dtype() == ir::DType::I64 ? v->as<int64_t>()[0] : int64_t(v->getAsDouble(0));
  };
  // Only integer Ranges convert (a float inf or NaN has no int64 value:
  // converting it was undefined behaviour, found by UBSan).
  __int128 is = integer ? asInt(start) : 0, il = integer ? asInt(limit) : 0,
           id = integer ? asInt(delta) : 0;
  double count = integer ? double(il > is == id > 0 && il != is
                                      ? (il - is + id - (id > 0 ? 1 : -1)) / id
                                      : 0)
                         : std::ceil((l - s) / d);
  if (!(count >= 1)) return ctx.error(StatusCode::kUnsupported, "an empty Range is not supported");
  if (count > double(kMaxHelperElements))
    return ctx.error(StatusCode::kOutOfRange,
                     strCat("Range(", s, ", ", l, ", ", d, ") would hold ", count,
                            " elements, more than ", kMaxHelperElements));
  DLC_ASSIGN_OR_RETURN(Tensor t, helperTensor(ctx, start->dtype(), {int64_t(count)}, "Range"));
  for (int64_t i = 0; i < int64_t(count); ++i) {
    if (start->dtype() == ir::DType::I64)
      t.as<int64_t>()[i] = int64_t(is + __int128(i) * id);
    else if (integer)
      t.as<int32_t>()[i] = int32_t(is + __int128(i) * id);
    else
      t.setFromDouble(i, s + double(i) * d);  // start + i * delta, rounded once
  }
  return ctx.setOutput(0, ctx.constant(std::move(t)));
}

Status convertEyeLike(ImportContext& ctx) {
  DLC_ASSIGN_OR_RETURN(ir::Node * x, required(ctx, 0));
  DLC_ASSIGN_OR_RETURN(int64_t k, ctx.attrInt("k", 0));
  ir::DType dtype = x->type.dtype;
  if (ctx.hasAttr("dtype")) {
    DLC_ASSIGN_OR_RETURN(int64_t code, ctx.attrInt("dtype", 0));
    StatusOr<ir::DType> t = dtypeFromOnnx(int32_t(code), "attribute 'dtype'");
    if (!t.ok())
      return ctx.error(
          StatusCode::kUnsupported,
          strCat("attribute 'dtype' = ", onnxDTypeName(int32_t(code)), " is not supported"));
    dtype = *t;
  }
  const auto& d = x->type.shape.dims();
  if (d.size() != 2 || x->type.shape.hasBatch())
    return ctx.error(StatusCode::kInvalidArgument,
                     strCat("input must be a static 2-D tensor, got ", x->type.str()));
  DLC_ASSIGN_OR_RETURN(Tensor eye, helperTensor(ctx, dtype, d, "EyeLike"));
  // A diagonal outside the matrix (any |k| up to INT64_MAX) leaves it zero.
  if (k > -d[0] && k < d[1])
    for (int64_t i = 0; i < d[0]; ++i)
      if (i + k >= 0 && i + k < d[1]) eye.setFromDouble(i * d[1] + i + k, 1.0);
  return ctx.setOutput(0, ctx.constant(std::move(eye)));
}

namespace {

// DepthToSpace (toSpace) or SpaceToDepth of NCHW x with blocksize bs.
Status blockRearrange(ImportContext& ctx, bool toSpace) {
  DLC_ASSIGN_OR_RETURN(ir::Node * x, required(ctx, 0));
  if (x->type.shape.rank() != 4)
    return ctx.error(StatusCode::kInvalidArgument,
                     strCat("input must have rank 4, got ", x->type.str()));
  DLC_ASSIGN_OR_RETURN(int64_t bs, ctx.attrInt("blocksize", 0));
  DLC_ASSIGN_OR_RETURN(std::string mode, ctx.attrString("mode", "DCR"));
  if (bs < 1) return ctx.error(StatusCode::kInvalidArgument, "attribute 'blocksize' must be >= 1");
  if (mode != "DCR" && mode != "CRD")
    return ctx.error(StatusCode::kUnsupported, strCat("attribute 'mode' = \"", mode, "\""));
  const auto& d = x->type.shape.dims();
  int64_t n = d[0], c = d[1], h = d[2], w = d[3];
  // bs^2 divides C (DepthToSpace) or bs divides H and W (SpaceToDepth), so
  // bs is at most an extent and bs^2 cannot overflow once bs <= 2^31.
  int64_t limit = toSpace ? c : std::min(h, w);
  if (bs > limit || bs > (int64_t(1) << 31))
    return ctx.error(StatusCode::kInvalidArgument,
                     strCat("attribute 'blocksize' = ", bs, " is larger than the ",
                            toSpace ? "channels of " : "spatial extents of ",
                            x->type.str()));
  Builder b(ctx);
  if (toSpace) {
    if (c % (bs * bs) != 0)
      return ctx.error(StatusCode::kInvalidArgument, "channels are not a multiple of blocksize^2");
    int64_t cc = c / (bs * bs);
    ir::Node* y = mode == "DCR"
                      ? b.transpose(b.reshape(x, {n, bs, bs, cc, h, w}), {0, 3, 4, 1, 5, 2})
                      : b.transpose(b.reshape(x, {n, cc, bs, bs, h, w}), {0, 1, 4, 2, 5, 3});
    return b.finish(0, b.reshape(y, {n, cc, h * bs, w * bs}));
  }
  if (h % bs != 0 || w % bs != 0)
    return ctx.error(StatusCode::kInvalidArgument, "H and W must be multiples of blocksize");
  ir::Node* y = b.transpose(b.reshape(x, {n, c, h / bs, bs, w / bs, bs}), {0, 3, 5, 1, 2, 4});
  return b.finish(0, b.reshape(y, {n, c * bs * bs, h / bs, w / bs}));
}

}  // namespace

Status convertDepthToSpace(ImportContext& ctx) { return blockRearrange(ctx, /*toSpace=*/true); }
Status convertSpaceToDepth(ImportContext& ctx) { return blockRearrange(ctx, /*toSpace=*/false); }

}  // namespace dlc::onnxfe::ops
