// Pooling over NCHW: max_pool2d, avg_pool2d and global_avg_pool.
//
// Padding never wins a max; avg_pool2d divides by the in-bounds count unless
// count_include_pad is set, in which case it divides by the kernel area. A
// window with no in-bounds element gives -inf (max) or 0 (avg). Sums in
// double. Float dtypes only; no dilation, no ceil mode (docs/ops.md has
// neither).
#include <cmath>

#include "compiler/reference/Kernels.h"
#include "compiler/reference/Values.h"

namespace dlc::ref {

using ir::OpKind;

namespace {

StatusOr<Tensor> evalWindowPool(const OpContext& ctx) {
  const Tensor& x = ctx.operand(0);
  std::string name(ir::opName(ctx.op()));
  if (x.rank() != 4) return invalidArgument(name, " needs a 4-D NCHW input, got ", dimsStr(x.dims()));
  std::vector<int64_t> kernel = ctx.attrs().getInts("kernel", {});
  if (kernel.size() != 2 || kernel[0] < 1 || kernel[1] < 1)
    return invalidArgument(name, ": 'kernel' must be [kh, kw] with entries >= 1, got ",
                           dimsStr(kernel));
  std::vector<int64_t> strides = ctx.attrs().getInts("strides", kernel);
  std::vector<int64_t> pads = ctx.attrs().getInts("pads", {0, 0, 0, 0});
  if (strides.size() != 2 || strides[0] < 1 || strides[1] < 1)
    return invalidArgument(name, ": 'strides' must be 2 entries >= 1, got ", dimsStr(strides));
  if (pads.size() != 4 || pads[0] < 0 || pads[1] < 0 || pads[2] < 0 || pads[3] < 0)
    return invalidArgument(name, ": 'pads' must be 4 entries >= 0, got ", dimsStr(pads));
  bool isMax = ctx.op() == OpKind::MaxPool2D;
  bool includePad = ctx.attrs().getInt("count_include_pad", 0) != 0;

  int64_t n = x.dims()[0], c = x.dims()[1], h = x.dims()[2], w = x.dims()[3];
  int64_t paddedH = h + pads[0] + pads[2], paddedW = w + pads[1] + pads[3];
  if (paddedH < kernel[0] || paddedW < kernel[1])
    return invalidArgument(name, ": the window is larger than the padded input");
  int64_t oh = (paddedH - kernel[0]) / strides[0] + 1;
  int64_t ow = (paddedW - kernel[1]) / strides[1] + 1;
  Dims dims = {n, c, oh, ow};
  DLC_RETURN_IF_ERROR(checkResult(ctx, dims, x.dtype()));

  std::vector<double> xv = loadDoubles(x);
  Tensor out(x.dtype(), dims);
  int64_t o = 0;
  for (int64_t plane = 0; plane < n * c; ++plane)
    for (int64_t y = 0; y < oh; ++y)
      for (int64_t xo = 0; xo < ow; ++xo) {
        double acc = isMax ? -INFINITY : 0.0;
        int64_t inBounds = 0;
        for (int64_t i = 0; i < kernel[0]; ++i)
          for (int64_t j = 0; j < kernel[1]; ++j) {
            int64_t iy = y * strides[0] - pads[0] + i, ix = xo * strides[1] - pads[1] + j;
            if (iy < 0 || iy >= h || ix < 0 || ix >= w) continue;
            ++inBounds;
            double v = xv[size_t((plane * h + iy) * w + ix)];
            if (isMax)
              acc = ieeeMaximum(acc, v);
            else
              acc += v;
          }
        if (!isMax) {
          // Windows never leave the padded input (floor mode), so the padded
          // count is the full kernel area.
          int64_t divisor = includePad ? kernel[0] * kernel[1] : inBounds;
          acc = divisor == 0 ? 0.0 : acc / double(divisor);
        }
        out.setFromDouble(o++, acc);
      }
  return out;
}

StatusOr<Tensor> evalGlobalAvgPool(const OpContext& ctx) {
  const Tensor& x = ctx.operand(0);
  if (x.rank() != 4)
    return invalidArgument("global_avg_pool needs a 4-D NCHW input, got ", dimsStr(x.dims()));
  Dims dims = {x.dims()[0], x.dims()[1], 1, 1};
  DLC_RETURN_IF_ERROR(checkResult(ctx, dims, x.dtype()));
  int64_t planes = x.dims()[0] * x.dims()[1], area = x.dims()[2] * x.dims()[3];
  std::vector<double> xv = loadDoubles(x);
  Tensor out(x.dtype(), dims);
  for (int64_t p = 0; p < planes; ++p) {
    double sum = 0;
    for (int64_t i = 0; i < area; ++i) sum += xv[size_t(p * area + i)];
    out.setFromDouble(p, area == 0 ? 0.0 : sum / double(area));
  }
  return out;
}

}  // namespace

StatusOr<Tensor> evalPool(const OpContext& ctx) {
  if (!ir::isFloat(ctx.operand(0).dtype())) return unsupportedDType(ctx, ctx.operand(0).dtype());
  if (ctx.op() == OpKind::GlobalAvgPool) return evalGlobalAvgPool(ctx);
  return evalWindowPool(ctx);
}

}  // namespace dlc::ref
