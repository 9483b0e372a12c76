// gather(data, indices) {axis}: ONNX Gather (docs/ops.md, "Shape ops").
//
// out[a..., i..., b...] = data[a..., idx, b...] with idx = indices[i...],
// a negative idx counting from the end of the axis. An index still out of
// range after that is clamped into [0, extent) (as XLA's gather does):
// constant indices were range-checked at compile time, runtime indices
// never read outside `data`. Copies whole elements, so every dtype works.
// It does not check that the node's type holds; checkResult does.
#include "compiler/reference/Kernels.h"
#include "compiler/reference/Values.h"

namespace dlc::ref {

StatusOr<Tensor> evalGather(const OpContext& ctx) {
  const Tensor& data = ctx.operand(0);
  const Tensor& indices = ctx.operand(1);
  if (indices.dtype() != ir::DType::I32 && indices.dtype() != ir::DType::I64)
    return unsupportedDType(ctx, indices.dtype());
  DLC_ASSIGN_OR_RETURN(int axis, ir::normalizeAxis(ctx.attrs().getInt("axis", 0), data.rank()));
  if (data.rank() == 0) return invalidArgument("gather: data must have rank >= 1");
  const Dims& dd = data.dims();
  Dims dims(dd.begin(), dd.begin() + axis);
  dims.insert(dims.end(), indices.dims().begin(), indices.dims().end());
  dims.insert(dims.end(), dd.begin() + axis + 1, dd.end());
  DLC_RETURN_IF_ERROR(checkResult(ctx, dims, data.dtype()));
  int64_t extent = dd[size_t(axis)];
  int64_t outer = product(dd, 0, size_t(axis));
  int64_t inner = product(dd, size_t(axis) + 1, dd.size());
  int64_t count = indices.numElements();
  Tensor out(data.dtype(), dims);
  if (out.numElements() == 0) return out;
  if (extent == 0) return invalidArgument("gather: axis ", axis, " of data ", dimsStr(dd),
                                          " is empty");
  int64_t to = 0;
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t k = 0; k < count; ++k) {
      int64_t idx = loadInt(indices, k);
      if (idx < 0) idx += extent;
      idx = idx < 0 ? 0 : (idx >= extent ? extent - 1 : idx);
      int64_t from = (o * extent + idx) * inner;
      for (int64_t j = 0; j < inner; ++j) copyElement(data, from + j, out, to++);
    }
  return out;
}

}  // namespace dlc::ref
