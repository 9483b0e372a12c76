// The reference kernels, one entry point per op family, and the context the
// driver hands them.
//
// Internal to compiler/reference. The driver (Interpreter.cpp) has checked
// the operand count, dtypes and ranks against the node's operand types and
// bound the batch symbol; each kernel still derives its result dims from its
// operands and attributes and compares them with the node's type
// (checkResultDims), so a wrong type is an error, never a wrong result.
// Errors name the problem only; the driver adds the node.
#pragma once

#include <vector>

#include "compiler/reference/Indexing.h"
#include "ir/Graph.h"
#include "support/Tensor.h"

namespace dlc::ref {

struct OpContext {
  const ir::Node& node;
  const std::vector<const Tensor*>& operands;
  int64_t batch;        // the value of the batch symbol N
  Dims outDims;         // node.type.shape with N bound to the batch
  ir::DType outDType;   // node.type.dtype

  const Tensor& operand(size_t i) const { return *operands[i]; }
  size_t numOperands() const { return operands.size(); }
  const ir::Attributes& attrs() const { return node.attrs; }
  ir::OpKind op() const { return node.op; }
};

// Errors unless `computed` equals ctx.outDims and `dtype` equals ctx.outDType.
Status checkResult(const OpContext& ctx, const Dims& computed, ir::DType dtype);

// "add does not take i32" style error for an op/dtype pair.
Status unsupportedDType(const OpContext& ctx, ir::DType dtype);

// Elementwise.cpp: unary math, cast, logical_not, binary, comparisons, select.
StatusOr<Tensor> evalElementwise(const OpContext& ctx);
// ShapeOps.cpp: reshape, flatten, transpose, broadcast_to, concat, slice, pad.
StatusOr<Tensor> evalShapeOp(const OpContext& ctx);
// Gather.cpp: gather (index remap reading its source index from `indices`).
StatusOr<Tensor> evalGather(const OpContext& ctx);
// Reductions.cpp: reduce_sum/mean/max/min.
StatusOr<Tensor> evalReduction(const OpContext& ctx);
// Normalization.cpp: softmax, log_softmax, layer_norm, batch_norm.
StatusOr<Tensor> evalNormalization(const OpContext& ctx);
// Contraction.cpp: matmul, dense, conv2d.
StatusOr<Tensor> evalContraction(const OpContext& ctx);
// Pooling.cpp: max_pool2d, avg_pool2d, global_avg_pool.
StatusOr<Tensor> evalPool(const OpContext& ctx);

}  // namespace dlc::ref
