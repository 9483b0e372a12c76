// ONNX shape ops: Reshape (allowzero), Flatten, Transpose, Concat, Slice
// (inputs, opset >= 10), Pad (constant mode; negative pads crop), Squeeze,
// Unsqueeze (axes attribute < 13, input >= 13) and Expand (bidirectional
// broadcast).
//
// What this deliberately does not do: Pad modes reflect/edge/wrap, and
// zero-sized results of Reshape with allowzero (the core has no empty
// extents in reshape specs).
#include <algorithm>
#include <climits>

#include "frontends/onnx/ops/Converters.h"

namespace dlc::onnxfe::ops {

namespace {
using ir::kBatch;
using ir::OpKind;
}  // namespace

Status convertReshape(ImportContext& ctx) {
  DLC_ASSIGN_OR_RETURN(ir::Node * x, required(ctx, 0));
  DLC_ASSIGN_OR_RETURN(std::vector<int64_t> shape, ctx.shapeInput(1));
  DLC_ASSIGN_OR_RETURN(int64_t allowzero, ctx.attrInt("allowzero", 0));
  const auto& in = x->type.shape.dims();
  // Resolve 0 (copy) here so that -1 is the only symbolic entry left.
  int minusOnes = 0;
  for (size_t i = 0; i < shape.size(); ++i) {
    if (shape[i] == 0) {
      if (allowzero)
        return ctx.error(StatusCode::kUnsupported,
                         "allowzero = 1 with a 0 in 'shape' (an empty tensor) is not supported");
      if (i >= in.size())
        return ctx.error(StatusCode::kInvalidArgument,
                         strCat("shape entry ", i, " is 0 but the input has rank ", in.size()));
      shape[i] = in[i];
    }
    if (shape[i] == -1) ++minusOnes;
  }
  if (minusOnes > 1)
    return ctx.error(StatusCode::kUnsupported,
                     "the shape holds both the batch N and an inferred -1 extent");
  ir::Attributes attrs;
  attrs.set("shape", shape);
  DLC_ASSIGN_OR_RETURN(ir::Node * y, ctx.emit(OpKind::Reshape, {x}, std::move(attrs)));
  return ctx.setOutput(0, y);
}

Status convertFlatten(ImportContext& ctx) {
  DLC_ASSIGN_OR_RETURN(ir::Node * x, required(ctx, 0));
  DLC_ASSIGN_OR_RETURN(int64_t axis, ctx.attrInt("axis", 1));
  ir::Attributes attrs;
  attrs.set("axis", axis);
  DLC_ASSIGN_OR_RETURN(ir::Node * y, ctx.emit(OpKind::Flatten, {x}, std::move(attrs)));
  return ctx.setOutput(0, y);
}

Status convertTranspose(ImportContext& ctx) {
  DLC_ASSIGN_OR_RETURN(ir::Node * x, required(ctx, 0));
  ir::Attributes attrs;
  if (ctx.hasAttr("perm")) {
    DLC_ASSIGN_OR_RETURN(auto perm, ctx.attrInts("perm", {}));
    attrs.set("perm", perm);
  }
  DLC_ASSIGN_OR_RETURN(ir::Node * y, ctx.emit(OpKind::Transpose, {x}, std::move(attrs)));
  return ctx.setOutput(0, y);
}

Status convertConcat(ImportContext& ctx) {
  std::vector<ir::Node*> ins;
  for (int i = 0; i < ctx.numInputs(); ++i) {
    DLC_ASSIGN_OR_RETURN(ir::Node * x, required(ctx, i));
    ins.push_back(x);
  }
  if (!ctx.hasAttr("axis"))
    return ctx.error(StatusCode::kInvalidArgument, "attribute 'axis' is required");
  DLC_ASSIGN_OR_RETURN(int64_t axis, ctx.attrInt("axis", 0));
  ir::Attributes attrs;
  attrs.set("axis", axis);
  DLC_ASSIGN_OR_RETURN(ir::Node * y, ctx.emit(OpKind::Concat, std::move(ins), std::move(attrs)));
  return ctx.setOutput(0, y);
}

namespace {

StatusOr<ir::Node*> emitSlice(ImportContext& ctx, ir::Node* x, std::vector<int64_t> starts,
                              std::vector<int64_t> ends, std::vector<int64_t> axes,
                              std::vector<int64_t> steps, std::string_view suffix = "") {
  ir::Attributes attrs;
  attrs.set("starts", std::move(starts));
  attrs.set("ends", std::move(ends));
  attrs.set("axes", std::move(axes));
  attrs.set("steps", std::move(steps));
  return ctx.emit(OpKind::Slice, {x}, std::move(attrs), suffix);
}

}  // namespace

Status convertSlice(ImportContext& ctx) {
  DLC_ASSIGN_OR_RETURN(ir::Node * x, required(ctx, 0));
  int rank = x->type.shape.rank();
  DLC_ASSIGN_OR_RETURN(auto starts, ctx.intsInput(1));
  DLC_ASSIGN_OR_RETURN(auto ends, ctx.intsInput(2));
  std::vector<int64_t> axes, steps;
  if (ctx.hasInput(3)) {
    DLC_ASSIGN_OR_RETURN(axes, ctx.intsInput(3));
  } else {
    for (size_t i = 0; i < starts.size(); ++i) axes.push_back(int64_t(i));
  }
  if (ctx.hasInput(4)) {
    DLC_ASSIGN_OR_RETURN(steps, ctx.intsInput(4));
  } else {
    steps.assign(starts.size(), 1);
  }
  if (ends.size() != starts.size() || axes.size() != starts.size() || steps.size() != starts.size())
    return ctx.error(StatusCode::kInvalidArgument,
                     "starts, ends, axes and steps must have the same length");
  for (auto& a : axes) {
    DLC_ASSIGN_OR_RETURN(a, axisOf(ctx, a, rank, "axes"));
  }
  DLC_ASSIGN_OR_RETURN(ir::Node * y, emitSlice(ctx, x, starts, ends, axes, steps));
  return ctx.setOutput(0, y);
}

Status convertPad(ImportContext& ctx) {
  DLC_ASSIGN_OR_RETURN(ir::Node * x, required(ctx, 0));
  int rank = x->type.shape.rank();
  DLC_ASSIGN_OR_RETURN(std::string mode, ctx.attrString("mode", "constant"));
  if (mode != "constant")
    return ctx.error(StatusCode::kUnsupported,
                     strCat("attribute 'mode' = \"", mode, "\" is not supported (constant only)"));
  DLC_ASSIGN_OR_RETURN(auto pads, ctx.intsInput(1));
  double value = 0.0;
  if (ctx.hasInput(2)) {
    const Tensor* v = ctx.constantInput(2);
    if (!v || v->numElements() != 1)
      return ctx.error(StatusCode::kUnsupported,
                       "input 'constant_value' must be a constant scalar");
    value = v->getAsDouble(0);
  }
  std::vector<int64_t> axes;
  if (ctx.hasInput(3)) {
    DLC_ASSIGN_OR_RETURN(axes, ctx.intsInput(3));
    for (auto& a : axes) {
      DLC_ASSIGN_OR_RETURN(a, axisOf(ctx, a, rank, "axes"));
    }
  } else {
    for (int i = 0; i < rank; ++i) axes.push_back(i);
  }
  size_t k = axes.size();
  if (pads.size() != 2 * k)
    return ctx.error(StatusCode::kInvalidArgument,
                     strCat("'pads' must have ", 2 * k, " entries, got ", pads.size()));
  std::vector<int64_t> full(size_t(2 * rank), 0);
  for (size_t i = 0; i < k; ++i) {
    full[size_t(axes[i])] = pads[i];
    full[size_t(axes[i] + rank)] = pads[i + k];
  }
  // Negative pads crop: a slice first, then the (non-negative) padding.
  std::vector<int64_t> sStarts, sEnds, sAxes, sSteps;
  for (int i = 0; i < rank; ++i) {
    int64_t b = full[size_t(i)], e = full[size_t(i + rank)];
    if (b >= 0 && e >= 0) continue;
    int64_t extent = x->type.shape.dim(i);
    if (extent == kBatch)
      return ctx.error(StatusCode::kUnsupported, "negative 'pads' on the batch axis N");
    // A crop must leave at least one element (ONNX has no negative extents;
    // the core has no empty ones).
    int64_t kept = extent;
    if ((b < 0 && (b < -extent || (kept += b) < 1)) || (e < 0 && (e < -extent || (kept += e) < 1)))
      return ctx.error(StatusCode::kInvalidArgument,
                       strCat("'pads' ", b, " and ", e, " crop axis ", i, " of ", x->type.str(),
                              " to nothing"));
    sAxes.push_back(i);
    sStarts.push_back(b < 0 ? -b : 0);
    sEnds.push_back(e < 0 ? e : INT64_MAX);
    sSteps.push_back(1);
    if (b < 0) full[size_t(i)] = 0;
    if (e < 0) full[size_t(i + rank)] = 0;
  }
  if (!sAxes.empty()) {
    DLC_ASSIGN_OR_RETURN(x, emitSlice(ctx, x, sStarts, sEnds, sAxes, sSteps, "crop"));
  }
  bool any = std::any_of(full.begin(), full.end(), [](int64_t p) { return p != 0; });
  ir::Node* y = x;
  if (any || sAxes.empty()) {
    ir::Attributes attrs;
    attrs.set("pads", full);
    attrs.set("value", value);
    DLC_ASSIGN_OR_RETURN(y, ctx.emit(OpKind::Pad, {x}, std::move(attrs)));
  }
  return ctx.setOutput(0, y);
}

Status convertSqueeze(ImportContext& ctx) {
  DLC_ASSIGN_OR_RETURN(ir::Node * x, required(ctx, 0));
  const auto& in = x->type.shape.dims();
  int rank = int(in.size());
  bool present = false;
  DLC_ASSIGN_OR_RETURN(auto axes, axesAttrOrInput(ctx, "axes", 13, 1, &present));
  std::vector<bool> drop(size_t(rank), false);
  if (!present) {
    for (int i = 0; i < rank; ++i) drop[size_t(i)] = in[size_t(i)] == 1;
  } else {
    for (int64_t a : axes) {
      DLC_ASSIGN_OR_RETURN(int axis, axisOf(ctx, a, rank, "axes"));
      if (in[size_t(axis)] != 1)
        return ctx.error(StatusCode::kInvalidArgument,
                         strCat("cannot squeeze axis ", axis, " of ", x->type.str()));
      drop[size_t(axis)] = true;
    }
  }
  std::vector<int64_t> out;
  for (int i = 0; i < rank; ++i)
    if (!drop[size_t(i)]) out.push_back(in[size_t(i)]);
  DLC_ASSIGN_OR_RETURN(ir::Node * y, reshapeTo(ctx, x, out, ""));
  return ctx.setOutput(0, y);
}

Status convertUnsqueeze(ImportContext& ctx) {
  DLC_ASSIGN_OR_RETURN(ir::Node * x, required(ctx, 0));
  const auto& in = x->type.shape.dims();
  bool present = false;
  DLC_ASSIGN_OR_RETURN(auto axes, axesAttrOrInput(ctx, "axes", 13, 1, &present));
  int outRank = int(in.size() + axes.size());
  std::vector<bool> inserted(size_t(outRank), false);
  for (int64_t a : axes) {
    DLC_ASSIGN_OR_RETURN(int axis, axisOf(ctx, a, outRank, "axes"));
    if (inserted[size_t(axis)])
      return ctx.error(StatusCode::kInvalidArgument, strCat("axes repeat axis ", axis));
    inserted[size_t(axis)] = true;
  }
  std::vector<int64_t> out;
  size_t j = 0;
  for (int i = 0; i < outRank; ++i) out.push_back(inserted[size_t(i)] ? 1 : in[j++]);
  DLC_ASSIGN_OR_RETURN(ir::Node * y, reshapeTo(ctx, x, out, ""));
  return ctx.setOutput(0, y);
}

Status convertExpand(ImportContext& ctx) {
  DLC_ASSIGN_OR_RETURN(ir::Node * x, required(ctx, 0));
  DLC_ASSIGN_OR_RETURN(std::vector<int64_t> shape, ctx.shapeInput(1));
  StatusOr<ir::Shape> outOr = ir::broadcastShapes(x->type.shape, ir::Shape(shape));
  if (!outOr.ok()) return ctx.error(StatusCode::kInvalidArgument, outOr.status().message());
  const ir::Shape& out = *outOr;
  if (out == x->type.shape) return ctx.setOutput(0, x);
  ir::Attributes attrs;
  attrs.set("shape", out.dims());
  DLC_ASSIGN_OR_RETURN(ir::Node * y, ctx.emit(OpKind::BroadcastTo, {x}, std::move(attrs)));
  return ctx.setOutput(0, y);
}

}  // namespace dlc::onnxfe::ops
