// reduce_sum, reduce_mean, reduce_max, reduce_min over `axes` (default:
// all; an empty list also means all, as in ONNX) with `keepdims`.
//
// Float sums accumulate in double; integer sums (reduce_sum/max/min take
// integers, reduce_mean floats only) in int64, wrapping to the dtype on
// store. An empty extent
// gives 0 for sum/mean and -inf/+inf for max/min (the dtype's lowest/highest
// value for integers). reduce_max/min propagate NaN.
#include <cmath>
#include <limits>

#include "compiler/reference/Kernels.h"
#include "compiler/reference/Values.h"

namespace dlc::ref {

using ir::DType;
using ir::OpKind;

StatusOr<Tensor> evalReduction(const OpContext& ctx) {
  const Tensor& x = ctx.operand(0);
  OpKind op = ctx.op();
  size_t rank = x.dims().size();
  if (!ir::isFloat(x.dtype()) && (!ir::isInteger(x.dtype()) || op == OpKind::ReduceMean))
    return unsupportedDType(ctx, x.dtype());

  std::vector<int64_t> axes = ctx.attrs().getInts("axes", {});
  std::vector<bool> reduced(rank, axes.empty());
  for (int64_t a : axes) {
    DLC_ASSIGN_OR_RETURN(int axis, ir::normalizeAxis(a, int(rank)));
    if (reduced[size_t(axis)]) return invalidArgument("axis ", a, " appears twice in axes");
    reduced[size_t(axis)] = true;
  }
  bool keepDims = ctx.attrs().getInt("keepdims", 0) != 0;
  Dims keptDims = x.dims(), dims;
  int64_t count = 1;
  for (size_t a = 0; a < rank; ++a) {
    if (reduced[a]) {
      count *= x.dims()[a];
      keptDims[a] = 1;
      if (keepDims) dims.push_back(1);
    } else {
      dims.push_back(x.dims()[a]);
    }
  }
  DLC_RETURN_IF_ERROR(checkResult(ctx, dims, x.dtype()));

  // Every input element lands in the output element at its index with the
  // reduced axes zeroed: strides over keptDims with 0 on reduced axes.
  Dims outStrides = rowMajorStrides(keptDims);
  for (size_t a = 0; a < rank; ++a)
    if (reduced[a]) outStrides[a] = 0;
  int64_t outCount = product(keptDims);
  bool isMax = op == OpKind::ReduceMax, isMin = op == OpKind::ReduceMin;
  Tensor out(x.dtype(), dims);
  Dims index(rank, 0);

  if (ir::isFloat(x.dtype())) {
    double init = isMax ? -INFINITY : isMin ? INFINITY : 0.0;
    std::vector<double> acc(size_t(outCount), init);
    for (int64_t i = 0; i < x.numElements(); ++i, nextIndex(index, x.dims())) {
      double& a = acc[size_t(offsetOf(index, outStrides))];
      double v = x.getAsDouble(i);
      if (isMax)
        a = ieeeMaximum(a, v);
      else if (isMin)
        a = ieeeMinimum(a, v);
      else
        a += v;
    }
    for (int64_t o = 0; o < outCount; ++o) {
      double v = acc[size_t(o)];
      if (op == OpKind::ReduceMean) v = count == 0 ? 0.0 : v / double(count);
      out.setFromDouble(o, v);
    }
    return out;
  }

  int64_t init = isMax ? ir::integerLowest(x.dtype())
                       : isMin ? ir::integerHighest(x.dtype()) : 0;
  std::vector<int64_t> acc(size_t(outCount), init);
  for (int64_t i = 0; i < x.numElements(); ++i, nextIndex(index, x.dims())) {
    int64_t& a = acc[size_t(offsetOf(index, outStrides))];
    int64_t v = loadInt(x, i);
    if (isMax)
      a = std::max(a, v);
    else if (isMin)
      a = std::min(a, v);
    else
      a = int64_t(uint64_t(a) + uint64_t(v));
  }
  for (int64_t o = 0; o < outCount; ++o) storeInt(out, o, acc[size_t(o)]);
  return out;
}

}  // namespace dlc::ref
