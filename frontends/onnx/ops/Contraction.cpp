// ONNX contractions: MatMul (1-D operands promoted as NumPy does), Gemm
// (alpha, beta, transA/B, C broadcast) and Conv (1-D via a 2-D view, 2-D;
// auto_pad, groups, dilations).
//
// What this deliberately does not do: 3-D convolution, integer MatMul
// (MatMulInteger), ConvTranspose.
#include "frontends/onnx/ops/Converters.h"

namespace dlc::onnxfe::ops {

namespace {

using ir::OpKind;

}  // namespace

Status convertMatMul(ImportContext& ctx) {
  DLC_ASSIGN_OR_RETURN(ir::Node * a, required(ctx, 0));
  DLC_ASSIGN_OR_RETURN(ir::Node * b, required(ctx, 1));
  const auto& ad = a->type.shape.dims();
  const auto& bd = b->type.shape.dims();
  if (ad.empty() || bd.empty())
    return ctx.error(StatusCode::kInvalidArgument, "MatMul operands must have rank >= 1");
  bool aVec = ad.size() == 1;
  bool bVec = bd.size() == 1;
  if (aVec) {
    DLC_ASSIGN_OR_RETURN(a, reshapeTo(ctx, a, {1, ad[0]}, "a_row"));
  }
  if (bVec) {
    DLC_ASSIGN_OR_RETURN(b, reshapeTo(ctx, b, {bd[0], 1}, "b_col"));
  }
  DLC_ASSIGN_OR_RETURN(ir::Node * y, ctx.emit(OpKind::MatMul, {a, b}));
  if (aVec || bVec) {
    std::vector<int64_t> dims = y->type.shape.dims();
    if (bVec) dims.erase(dims.end() - 1);
    if (aVec) dims.erase(dims.end() - (bVec ? 1 : 2));
    DLC_ASSIGN_OR_RETURN(y, reshapeTo(ctx, y, dims, "squeeze"));
  }
  return ctx.setOutput(0, y);
}

Status convertGemm(ImportContext& ctx) {
  DLC_ASSIGN_OR_RETURN(ir::Node * a, required(ctx, 0));
  DLC_ASSIGN_OR_RETURN(ir::Node * b, required(ctx, 1));
  DLC_ASSIGN_OR_RETURN(float alpha, ctx.attrFloat("alpha", 1.f));
  DLC_ASSIGN_OR_RETURN(float beta, ctx.attrFloat("beta", 1.f));
  DLC_ASSIGN_OR_RETURN(int64_t transA, ctx.attrInt("transA", 0));
  DLC_ASSIGN_OR_RETURN(int64_t transB, ctx.attrInt("transB", 0));
  if (a->type.shape.rank() != 2 || b->type.shape.rank() != 2)
    return ctx.error(StatusCode::kInvalidArgument, strCat("Gemm expects 2-D A and B, got ",
                                                          a->type.str(), " and ", b->type.str()));
  ir::Attributes attrs;
  if (transA) attrs.set("transpose_a", int64_t(1));
  if (transB) attrs.set("transpose_b", int64_t(1));
  DLC_ASSIGN_OR_RETURN(ir::Node * y, ctx.emit(OpKind::MatMul, {a, b}, std::move(attrs), "matmul"));
  if (alpha != 1.f) {
    DLC_ASSIGN_OR_RETURN(y, ctx.emit(OpKind::Mul, {y, scalarLike(ctx, y, alpha)}, {}, "alpha"));
  }
  if (ctx.hasInput(2) && beta != 0.f) {
    DLC_ASSIGN_OR_RETURN(ir::Node * c, ctx.input(2));
    // C broadcasts to [M, N] one way only: it may not widen the result.
    const auto& cd = c->type.shape.dims();
    const auto& yd = y->type.shape.dims();
    bool fits = cd.size() <= 2;
    for (size_t i = 0; fits && i < cd.size(); ++i) {
      int64_t target = yd[yd.size() - cd.size() + i];
      fits = cd[i] == 1 || cd[i] == target;
    }
    if (!fits)
      return ctx.error(StatusCode::kInvalidArgument,
                       strCat("input C ", c->type.str(), " does not broadcast to the result ",
                              y->type.str()));
    if (beta != 1.f) {
      DLC_ASSIGN_OR_RETURN(c, ctx.emit(OpKind::Mul, {c, scalarLike(ctx, c, beta)}, {}, "beta"));
    }
    DLC_ASSIGN_OR_RETURN(y, ctx.emit(OpKind::Add, {y, c}, {}, "bias"));
  }
  return ctx.setOutput(0, y);
}

Status convertConv(ImportContext& ctx) {
  DLC_ASSIGN_OR_RETURN(ir::Node * x, required(ctx, 0));
  DLC_ASSIGN_OR_RETURN(ir::Node * w, required(ctx, 1));
  int rank = x->type.shape.rank();
  if (rank != 3 && rank != 4)
    return ctx.error(
        StatusCode::kUnsupported,
        strCat("only 1-D and 2-D convolutions are supported, got input ", x->type.str()));
  if (w->type.shape.rank() != rank)
    return ctx.error(StatusCode::kInvalidArgument,
                     strCat("weight ", w->type.str(), " does not match input ", x->type.str()));
  size_t n = size_t(rank - 2);
  std::vector<int64_t> spatial(x->type.shape.dims().begin() + 2, x->type.shape.dims().end());
  std::vector<int64_t> kernel(w->type.shape.dims().begin() + 2, w->type.shape.dims().end());
  DLC_ASSIGN_OR_RETURN(auto kshape, ctx.attrInts("kernel_shape", kernel));
  if (kshape != kernel)
    return ctx.error(StatusCode::kInvalidArgument, "attribute 'kernel_shape' does not match W");
  DLC_ASSIGN_OR_RETURN(auto strides, ctx.attrInts("strides", std::vector<int64_t>(n, 1)));
  DLC_ASSIGN_OR_RETURN(auto dil, ctx.attrInts("dilations", std::vector<int64_t>(n, 1)));
  DLC_ASSIGN_OR_RETURN(int64_t groups, ctx.attrInt("group", 1));
  if (strides.size() != n || dil.size() != n)
    return ctx.error(StatusCode::kInvalidArgument,
                     "attributes 'strides'/'dilations' have the wrong length");
  DLC_ASSIGN_OR_RETURN(auto pads, windowPads(ctx, spatial, kernel, strides, dil));
  if (n == 1) {
    // A 1-D convolution is a 2-D one over a [1, L] image.
    const auto& xd = x->type.shape.dims();
    const auto& wd = w->type.shape.dims();
    DLC_ASSIGN_OR_RETURN(x, reshapeTo(ctx, x, {xd[0], xd[1], 1, xd[2]}, "x_2d"));
    DLC_ASSIGN_OR_RETURN(w, reshapeTo(ctx, w, {wd[0], wd[1], 1, wd[2]}, "w_2d"));
    strides.insert(strides.begin(), 1);
    dil.insert(dil.begin(), 1);
    pads = {0, pads[0], 0, pads[1]};
  }
  ir::Attributes attrs;
  attrs.set("strides", strides);
  attrs.set("pads", pads);
  attrs.set("dilations", dil);
  attrs.set("groups", groups);
  std::vector<ir::Node*> ins = {x, w};
  if (ctx.hasInput(2)) {
    DLC_ASSIGN_OR_RETURN(ir::Node * b, ctx.input(2));
    ins.push_back(b);
  }
  DLC_ASSIGN_OR_RETURN(ir::Node * y, ctx.emit(OpKind::Conv2D, std::move(ins), std::move(attrs)));
  if (n == 1) {
    const auto& yd = y->type.shape.dims();
    DLC_ASSIGN_OR_RETURN(y, reshapeTo(ctx, y, {yd[0], yd[1], yd[3]}, "y_1d"));
  }
  return ctx.setOutput(0, y);
}

}  // namespace dlc::onnxfe::ops
