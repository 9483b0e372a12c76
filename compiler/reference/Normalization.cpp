// Row ops and normalisations: softmax, log_softmax (over one axis),
// layer_norm (over dims [axis, rank)) and inference-form batch_norm
// (channel axis 1).
//
// All in double: softmax subtracts the row max first; layer_norm uses the
// two-pass mean and biased variance. Float dtypes only.
#include <cmath>

#include "compiler/reference/Kernels.h"
#include "compiler/reference/Values.h"

namespace dlc::ref {

using ir::OpKind;

namespace {

StatusOr<Tensor> evalSoftmax(const OpContext& ctx) {
  const Tensor& x = ctx.operand(0);
  if (x.rank() == 0) return invalidArgument(ir::opName(ctx.op()), " needs rank >= 1");
  DLC_ASSIGN_OR_RETURN(int axis, ir::normalizeAxis(ctx.attrs().getInt("axis", -1), x.rank()));
  DLC_RETURN_IF_ERROR(checkResult(ctx, x.dims(), x.dtype()));
  bool isLog = ctx.op() == OpKind::LogSoftmax;
  int64_t outer = product(x.dims(), 0, size_t(axis));
  int64_t len = x.dims()[size_t(axis)];
  int64_t inner = product(x.dims(), size_t(axis) + 1, x.dims().size());
  std::vector<double> v = loadDoubles(x);
  Tensor out(x.dtype(), x.dims());
  for (int64_t o = 0; o < outer; ++o) {
    for (int64_t in = 0; in < inner; ++in) {
      auto at = [&](int64_t k) { return (o * len + k) * inner + in; };
      double max = -INFINITY;
      for (int64_t k = 0; k < len; ++k) {
        double e = v[size_t(at(k))];
        max = std::isnan(e) || e > max ? e : max;
      }
      double sum = 0;
      for (int64_t k = 0; k < len; ++k) sum += std::exp(v[size_t(at(k))] - max);
      for (int64_t k = 0; k < len; ++k) {
        double shifted = v[size_t(at(k))] - max;
        out.setFromDouble(at(k), isLog ? shifted - std::log(sum) : std::exp(shifted) / sum);
      }
    }
  }
  return out;
}

StatusOr<Tensor> evalLayerNorm(const OpContext& ctx) {
  const Tensor& x = ctx.operand(0);
  if (x.rank() == 0) return invalidArgument("layer_norm needs rank >= 1");
  DLC_ASSIGN_OR_RETURN(int axis, ir::normalizeAxis(ctx.attrs().getInt("axis", -1), x.rank()));
  double eps = ctx.attrs().getFloat("epsilon", 1e-5);
  DLC_RETURN_IF_ERROR(checkResult(ctx, x.dims(), x.dtype()));
  int64_t rows = product(x.dims(), 0, size_t(axis));
  int64_t cols = product(x.dims(), size_t(axis), x.dims().size());
  Dims paramDims(x.dims().begin() + axis, x.dims().end());
  std::vector<double> gamma(size_t(cols), 1.0), beta(size_t(cols), 0.0);
  for (size_t p = 1; p < ctx.numOperands(); ++p) {
    const Tensor& param = ctx.operand(p);
    if (param.dims() != paramDims)
      return invalidArgument("layer_norm: ", p == 1 ? "gamma" : "beta", " has shape ",
                             dimsStr(param.dims()), ", expected ", dimsStr(paramDims));
    (p == 1 ? gamma : beta) = loadDoubles(param);
  }
  std::vector<double> v = loadDoubles(x);
  Tensor out(x.dtype(), x.dims());
  for (int64_t r = 0; r < rows; ++r) {
    const double* row = v.data() + r * cols;
    double mean = 0, var = 0;
    for (int64_t c = 0; c < cols; ++c) mean += row[c];
    mean /= double(cols);
    for (int64_t c = 0; c < cols; ++c) var += (row[c] - mean) * (row[c] - mean);
    var /= double(cols);
    double invStd = 1.0 / std::sqrt(var + eps);
    for (int64_t c = 0; c < cols; ++c)
      out.setFromDouble(r * cols + c,
                        (row[c] - mean) * invStd * gamma[size_t(c)] + beta[size_t(c)]);
  }
  return out;
}

StatusOr<Tensor> evalBatchNorm(const OpContext& ctx) {
  const Tensor& x = ctx.operand(0);
  if (x.rank() < 2) return invalidArgument("batch_norm needs rank >= 2, got ", x.rank());
  double eps = ctx.attrs().getFloat("epsilon", 1e-5);
  DLC_RETURN_IF_ERROR(checkResult(ctx, x.dims(), x.dtype()));
  int64_t channels = x.dims()[1];
  static const char* kNames[] = {"x", "scale", "bias", "mean", "var"};
  std::vector<std::vector<double>> params;
  for (size_t p = 1; p < 5; ++p) {
    if (ctx.operand(p).dims() != Dims{channels})
      return invalidArgument("batch_norm: ", kNames[p], " has shape ",
                             dimsStr(ctx.operand(p).dims()), ", expected [", channels, "]");
    params.push_back(loadDoubles(ctx.operand(p)));
  }
  const std::vector<double>& scale = params[0];
  const std::vector<double>& bias = params[1];
  const std::vector<double>& mean = params[2];
  const std::vector<double>& var = params[3];
  int64_t inner = product(x.dims(), 2, x.dims().size());
  Tensor out(x.dtype(), x.dims());
  for (int64_t i = 0; i < x.numElements(); ++i) {
    size_t c = size_t((i / inner) % channels);
    out.setFromDouble(i, (x.getAsDouble(i) - mean[c]) / std::sqrt(var[c] + eps) * scale[c] +
                             bias[c]);
  }
  return out;
}

}  // namespace

StatusOr<Tensor> evalNormalization(const OpContext& ctx) {
  for (const Tensor* t : ctx.operands)
    if (!ir::isFloat(t->dtype())) return unsupportedDType(ctx, t->dtype());
  switch (ctx.op()) {
    case OpKind::Softmax:
    case OpKind::LogSoftmax: return evalSoftmax(ctx);
    case OpKind::LayerNorm: return evalLayerNorm(ctx);
    case OpKind::BatchNorm: return evalBatchNorm(ctx);
    default: return internalError("evalNormalization: not a normalisation op");
  }
}

}  // namespace dlc::ref
