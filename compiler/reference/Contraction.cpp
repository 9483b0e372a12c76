// Contractions: matmul (batched, broadcast batch dims, optional transposes of
// the last two dims), dense (x[..., in] · w[in, out] + b) and conv2d (NCHW x,
// OIHW w, groups, dilations, pads [top, left, bottom, right]).
//
// Naive loops with double accumulators, the plainest possible form: this is
// the one place where a triple loop is the right implementation. Float dtypes
// only.
#include "compiler/reference/Kernels.h"
#include "compiler/reference/Values.h"

namespace dlc::ref {

using ir::OpKind;

namespace {

StatusOr<Tensor> evalMatMul(const OpContext& ctx) {
  const Tensor& a = ctx.operand(0);
  const Tensor& b = ctx.operand(1);
  if (a.rank() < 2 || b.rank() < 2)
    return invalidArgument("matmul needs operands of rank >= 2, got ", dimsStr(a.dims()),
                           " and ", dimsStr(b.dims()));
  bool ta = ctx.attrs().getInt("transpose_a", 0) != 0;
  bool tb = ctx.attrs().getInt("transpose_b", 0) != 0;
  size_t ra = a.dims().size(), rb = b.dims().size();
  int64_t m = a.dims()[ra - (ta ? 1 : 2)], k = a.dims()[ra - (ta ? 2 : 1)];
  int64_t kb = b.dims()[rb - (tb ? 1 : 2)], n = b.dims()[rb - (tb ? 2 : 1)];
  if (k != kb)
    return invalidArgument("matmul: contraction extents differ: ", dimsStr(a.dims()),
                           ta ? "^T" : "", " x ", dimsStr(b.dims()), tb ? "^T" : "");
  Dims aBatch(a.dims().begin(), a.dims().end() - 2), bBatch(b.dims().begin(), b.dims().end() - 2);
  DLC_ASSIGN_OR_RETURN(Dims batch, broadcastDims(aBatch, bBatch));
  Dims dims = batch;
  dims.push_back(m);
  dims.push_back(n);
  DLC_RETURN_IF_ERROR(checkResult(ctx, dims, a.dtype()));

  Dims aStrides = rowMajorStrides(a.dims()), bStrides = rowMajorStrides(b.dims());
  DLC_ASSIGN_OR_RETURN(Dims aBatchStrides,
                       broadcastStrides(aBatch, Dims(aStrides.begin(), aStrides.end() - 2), batch));
  DLC_ASSIGN_OR_RETURN(Dims bBatchStrides,
                       broadcastStrides(bBatch, Dims(bStrides.begin(), bStrides.end() - 2), batch));
  // Element strides of the logical (post-transpose) rows and columns.
  int64_t aRow = ta ? aStrides[ra - 1] : aStrides[ra - 2];
  int64_t aCol = ta ? aStrides[ra - 2] : aStrides[ra - 1];
  int64_t bRow = tb ? bStrides[rb - 1] : bStrides[rb - 2];
  int64_t bCol = tb ? bStrides[rb - 2] : bStrides[rb - 1];

  std::vector<double> av = loadDoubles(a), bv = loadDoubles(b);
  Tensor out(a.dtype(), dims);
  Dims index(batch.size(), 0);
  int64_t o = 0;
  for (int64_t bi = 0; bi < product(batch); ++bi, nextIndex(index, batch)) {
    int64_t aBase = offsetOf(index, aBatchStrides), bBase = offsetOf(index, bBatchStrides);
    for (int64_t i = 0; i < m; ++i) {
      for (int64_t j = 0; j < n; ++j) {
        double sum = 0;
        for (int64_t p = 0; p < k; ++p)
          sum += av[size_t(aBase + i * aRow + p * aCol)] * bv[size_t(bBase + p * bRow + j * bCol)];
        out.setFromDouble(o++, sum);
      }
    }
  }
  return out;
}

StatusOr<Tensor> evalDense(const OpContext& ctx) {
  const Tensor& x = ctx.operand(0);
  const Tensor& w = ctx.operand(1);
  if (x.rank() < 1 || w.rank() != 2 || x.dims().back() != w.dims()[0])
    return invalidArgument("dense: x ", dimsStr(x.dims()), " and w ", dimsStr(w.dims()),
                           " do not match (expected x[..., in] and w[in, out])");
  int64_t in = w.dims()[0], outFeatures = w.dims()[1];
  std::vector<double> bias(size_t(outFeatures), 0.0);
  if (ctx.numOperands() == 3) {
    if (ctx.operand(2).dims() != Dims{outFeatures})
      return invalidArgument("dense: bias has shape ", dimsStr(ctx.operand(2).dims()),
                             ", expected [", outFeatures, "]");
    bias = loadDoubles(ctx.operand(2));
  }
  Dims dims = x.dims();
  dims.back() = outFeatures;
  DLC_RETURN_IF_ERROR(checkResult(ctx, dims, x.dtype()));
  std::vector<double> xv = loadDoubles(x), wv = loadDoubles(w);
  int64_t rows = product(x.dims(), 0, x.dims().size() - 1);
  Tensor out(x.dtype(), dims);
  for (int64_t r = 0; r < rows; ++r) {
    for (int64_t j = 0; j < outFeatures; ++j) {
      double sum = bias[size_t(j)];
      for (int64_t p = 0; p < in; ++p)
        sum += xv[size_t(r * in + p)] * wv[size_t(p * outFeatures + j)];
      out.setFromDouble(r * outFeatures + j, sum);
    }
  }
  return out;
}

// Reads a list attribute of exactly `size` entries, each >= `min`.
StatusOr<std::vector<int64_t>> intsAttr(const OpContext& ctx, const std::string& name,
                                        std::vector<int64_t> def, int64_t min) {
  std::vector<int64_t> v = ctx.attrs().getInts(name, def);
  bool ok = v.size() == def.size();
  for (int64_t e : v) ok = ok && e >= min;
  if (!ok)
    return invalidArgument(ir::opName(ctx.op()), ": '", name, "' must have ", def.size(),
                           " entries >= ", min, ", got ", dimsStr(v));
  return v;
}

StatusOr<Tensor> evalConv2D(const OpContext& ctx) {
  const Tensor& x = ctx.operand(0);
  const Tensor& w = ctx.operand(1);
  if (x.rank() != 4 || w.rank() != 4)
    return invalidArgument("conv2d needs a 4-D input and weight, got ", dimsStr(x.dims()),
                           " and ", dimsStr(w.dims()));
  DLC_ASSIGN_OR_RETURN(auto strides, intsAttr(ctx, "strides", {1, 1}, 1));
  DLC_ASSIGN_OR_RETURN(auto pads, intsAttr(ctx, "pads", {0, 0, 0, 0}, 0));
  DLC_ASSIGN_OR_RETURN(auto dilations, intsAttr(ctx, "dilations", {1, 1}, 1));
  int64_t groups = ctx.attrs().getInt("groups", 1);
  int64_t batch = x.dims()[0], channels = x.dims()[1], h = x.dims()[2], wd = x.dims()[3];
  int64_t outChannels = w.dims()[0], groupChannels = w.dims()[1];
  int64_t kh = w.dims()[2], kw = w.dims()[3];
  if (groups < 1 || channels % groups != 0 || outChannels % groups != 0 ||
      groupChannels != channels / groups)
    return invalidArgument("conv2d: weight ", dimsStr(w.dims()), " with groups=", groups,
                           " does not fit input ", dimsStr(x.dims()));
  int64_t spanH = dilations[0] * (kh - 1) + 1, spanW = dilations[1] * (kw - 1) + 1;
  int64_t paddedH = h + pads[0] + pads[2], paddedW = wd + pads[1] + pads[3];
  if (paddedH < spanH || paddedW < spanW)
    return invalidArgument("conv2d: the kernel window is larger than the padded input");
  int64_t oh = (paddedH - spanH) / strides[0] + 1, ow = (paddedW - spanW) / strides[1] + 1;
  std::vector<double> bias(size_t(outChannels), 0.0);
  if (ctx.numOperands() == 3) {
    if (ctx.operand(2).dims() != Dims{outChannels})
      return invalidArgument("conv2d: bias has shape ", dimsStr(ctx.operand(2).dims()),
                             ", expected [", outChannels, "]");
    bias = loadDoubles(ctx.operand(2));
  }
  Dims dims = {batch, outChannels, oh, ow};
  DLC_RETURN_IF_ERROR(checkResult(ctx, dims, x.dtype()));

  std::vector<double> xv = loadDoubles(x), wv = loadDoubles(w);
  int64_t outPerGroup = outChannels / groups;
  Tensor out(x.dtype(), dims);
  int64_t o = 0;
  for (int64_t nI = 0; nI < batch; ++nI)
    for (int64_t oc = 0; oc < outChannels; ++oc)
      for (int64_t y = 0; y < oh; ++y)
        for (int64_t xo = 0; xo < ow; ++xo) {
          int64_t g = oc / outPerGroup;
          double sum = bias[size_t(oc)];
          for (int64_t c = 0; c < groupChannels; ++c)
            for (int64_t i = 0; i < kh; ++i)
              for (int64_t j = 0; j < kw; ++j) {
                int64_t iy = y * strides[0] - pads[0] + i * dilations[0];
                int64_t ix = xo * strides[1] - pads[1] + j * dilations[1];
                if (iy < 0 || iy >= h || ix < 0 || ix >= wd) continue;
                int64_t ic = g * groupChannels + c;
                sum += xv[size_t(((nI * channels + ic) * h + iy) * wd + ix)] *
                       wv[size_t(((oc * groupChannels + c) * kh + i) * kw + j)];
              }
          out.setFromDouble(o++, sum);
        }
  return out;
}

}  // namespace

StatusOr<Tensor> evalContraction(const OpContext& ctx) {
  for (const Tensor* t : ctx.operands) {
    if (!ir::isFloat(t->dtype())) return unsupportedDType(ctx, t->dtype());
    if (t->dtype() != ctx.operand(0).dtype())
      return invalidArgument("operands have different dtypes ",
                             ir::dtypeName(ctx.operand(0).dtype()), " and ",
                             ir::dtypeName(t->dtype()));
  }
  switch (ctx.op()) {
    case OpKind::MatMul: return evalMatMul(ctx);
    case OpKind::Dense: return evalDense(ctx);
    case OpKind::Conv2D: return evalConv2D(ctx);
    default: return internalError("evalContraction: not a contraction");
  }
}

}  // namespace dlc::ref
