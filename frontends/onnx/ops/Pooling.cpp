// ONNX pooling: MaxPool and AveragePool (1-D through a 2-D view, 2-D;
// auto_pad, ceil_mode as extra end padding where that is exact), and
// GlobalAveragePool / GlobalMaxPool (any rank >= 3).
//
// What this deliberately does not do: dilated pooling, MaxPool's Indices
// output, 3-D pooling, integer pooling, and ceil_mode where the extra end
// padding would change the result (an AveragePool that counts padding, or
// a window that would hold padding only).
#include "frontends/onnx/ops/Converters.h"

namespace dlc::onnxfe::ops {

namespace {

using ir::OpKind;

Status pool(ImportContext& ctx, OpKind op) {
  DLC_ASSIGN_OR_RETURN(ir::Node * x, required(ctx, 0));
  DLC_RETURN_IF_ERROR(onlyFirstOutput(ctx));
  int rank = x->type.shape.rank();
  if (rank != 3 && rank != 4)
    return ctx.error(StatusCode::kUnsupported,
                     strCat("only 1-D and 2-D pooling is supported, got input ", x->type.str()));
  if (!ir::isFloat(x->type.dtype))
    return ctx.error(StatusCode::kUnsupported,
                     strCat("pooling on ", ir::dtypeName(x->type.dtype), " is not supported"));
  size_t n = size_t(rank - 2);
  std::vector<int64_t> spatial(x->type.shape.dims().begin() + 2, x->type.shape.dims().end());
  if (!ctx.hasAttr("kernel_shape"))
    return ctx.error(StatusCode::kInvalidArgument, "attribute 'kernel_shape' is required");
  DLC_ASSIGN_OR_RETURN(auto kernel, ctx.attrInts("kernel_shape", {}));
  DLC_ASSIGN_OR_RETURN(auto strides, ctx.attrInts("strides", std::vector<int64_t>(n, 1)));
  DLC_ASSIGN_OR_RETURN(auto dil, ctx.attrInts("dilations", std::vector<int64_t>(n, 1)));
  if (kernel.size() != n || strides.size() != n || dil.size() != n)
    return ctx.error(StatusCode::kInvalidArgument,
                     "attributes 'kernel_shape'/'strides'/'dilations' have the wrong length");
  for (int64_t d : dil)
    if (d != 1)
      return ctx.error(StatusCode::kUnsupported, "attribute 'dilations' != 1 is not supported");
  DLC_ASSIGN_OR_RETURN(int64_t storageOrder, ctx.attrInt("storage_order", 0));
  (void)storageOrder;  // only affects the Indices output, refused above
  DLC_ASSIGN_OR_RETURN(auto pads, windowPads(ctx, spatial, kernel, strides, dil));
  DLC_ASSIGN_OR_RETURN(int64_t countPad, ctx.attrInt("count_include_pad", 0));
  DLC_ASSIGN_OR_RETURN(int64_t ceilMode, ctx.attrInt("ceil_mode", 0));
  DLC_ASSIGN_OR_RETURN(std::string autoPad, ctx.attrString("auto_pad", "NOTSET"));
  if (ceilMode && autoPad == "NOTSET") {
    for (size_t i = 0; i < n; ++i) {
      int64_t padded = spatial[i] + pads[i] + pads[i + n];
      int64_t out = (padded - kernel[i] + strides[i] - 1) / strides[i] + 1;
      // The last window must start inside the input or the begin padding.
      if ((out - 1) * strides[i] >= spatial[i] + pads[i]) --out;
      int64_t extra = (out - 1) * strides[i] + kernel[i] - padded;
      if (extra <= 0) continue;
      if (op == OpKind::AvgPool2D && countPad)
        return ctx.error(StatusCode::kUnsupported,
                         "ceil_mode = 1 with count_include_pad = 1 is not supported here");
      pads[i + n] += extra;
    }
  }
  for (size_t i = 0; i < 2 * n; ++i)
    if (pads[i] >= kernel[i % n])
      return ctx.error(StatusCode::kUnsupported,
                       strCat("padding ", pads[i], " as large as the kernel is not supported"));
  Builder b(ctx);
  if (n == 1) {
    const auto& d = x->type.shape.dims();
    x = b.reshape(x, {d[0], d[1], 1, d[2]});
    kernel.insert(kernel.begin(), 1);
    strides.insert(strides.begin(), 1);
    pads = {0, pads[0], 0, pads[1]};
  }
  ir::Attributes attrs;
  attrs.set("kernel", kernel);
  attrs.set("strides", strides);
  attrs.set("pads", pads);
  if (op == OpKind::AvgPool2D) attrs.set("count_include_pad", countPad ? int64_t(1) : int64_t(0));
  ir::Node* y = b.op(op, {x}, std::move(attrs));
  if (n == 1 && y) {
    const auto& d = y->type.shape.dims();
    y = b.reshape(y, {d[0], d[1], d[3]});
  }
  return b.finish(0, y);
}

Status globalPool(ImportContext& ctx, OpKind reduceOp) {
  DLC_ASSIGN_OR_RETURN(ir::Node * x, required(ctx, 0));
  int rank = x->type.shape.rank();
  if (rank < 3)
    return ctx.error(StatusCode::kInvalidArgument,
                     strCat("input must have rank >= 3, got ", x->type.str()));
  Builder b(ctx);
  if (rank == 4 && reduceOp == OpKind::ReduceMean)
    return b.finish(0, b.op(OpKind::GlobalAvgPool, {x}));
  std::vector<int64_t> axes;
  for (int i = 2; i < rank; ++i) axes.push_back(i);
  return b.finish(0, b.reduce(reduceOp, x, axes, /*keepdims=*/true));
}

}  // namespace

Status convertMaxPool(ImportContext& ctx) { return pool(ctx, OpKind::MaxPool2D); }
Status convertAveragePool(ImportContext& ctx) { return pool(ctx, OpKind::AvgPool2D); }
Status convertGlobalAveragePool(ImportContext& ctx) { return globalPool(ctx, OpKind::ReduceMean); }
Status convertGlobalMaxPool(ImportContext& ctx) { return globalPool(ctx, OpKind::ReduceMax); }

}  // namespace dlc::onnxfe::ops
