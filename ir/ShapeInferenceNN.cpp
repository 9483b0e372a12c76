// Shape inference for the neural-network ops: reductions, row ops
// (softmax, log_softmax, layer_norm), batch_norm, contractions (matmul,
// dense, conv2d) and pools (docs/ops.md).
//
// Parameter operands (gamma, scale, w, b, ...) are checked against the
// shape the op requires and the message shows both. Spatial and channel
// extents must be static; only the leading (batch) extent may be N.
#include "ir/ShapeInferenceInternal.h"

namespace dlc::ir::infer {

namespace {

std::string listStr(const std::vector<int64_t>& v) { return attrToString(v); }

// Operand i must have exactly `expected` shape and operand 0's dtype.
Status checkParam(const Node& node, size_t i, const Shape& expected, const std::string& form) {
  const TensorType& t = operandType(node, i);
  if (t.shape != expected)
    return invalidArgument(op(node), " expects ", operandName(node, i), " of shape ", form,
                           " = ", expected.str(), ", got ", t.shape.str());
  return checkSameDType(node, 0, i + 1);
}

StatusOr<TensorType> inferReduce(const Node& node) {
  const TensorType& in = operandType(node, 0);
  int rank = in.shape.rank();
  DLC_RETURN_IF_ERROR(checkDType(
      node, 0, node.op == OpKind::ReduceMean ? DTypeClass::Float : DTypeClass::Numeric));
  DLC_ASSIGN_OR_RETURN(auto axes, optionalIntsAttr(node, "axes"));
  DLC_ASSIGN_OR_RETURN(bool keepdims, boolAttr(node, "keepdims", /*def=*/false));
  std::vector<bool> reduced(size_t(rank), !axes || axes->empty());
  if (axes)
    for (int64_t a : *axes) {
      DLC_ASSIGN_OR_RETURN(int axis, axisAttrValue(node, "axes", a, rank));
      if (reduced[size_t(axis)] && !axes->empty())
        return invalidArgument(op(node), " attribute 'axes' = ", listStr(*axes),
                               " repeats axis ", axis);
      reduced[size_t(axis)] = true;
    }
  std::vector<int64_t> out;
  for (int i = 0; i < rank; ++i) {
    if (!reduced[size_t(i)]) out.push_back(in.shape.dim(i));
    else if (keepdims) out.push_back(1);
  }
  return TensorType{in.dtype, Shape(out)};
}

StatusOr<TensorType> inferSoftmax(const Node& node) {
  const TensorType& in = operandType(node, 0);
  DLC_RETURN_IF_ERROR(checkDType(node, 0, DTypeClass::Float));
  DLC_ASSIGN_OR_RETURN(int64_t axis, intAttr(node, "axis", -1));
  DLC_RETURN_IF_ERROR(axisAttrValue(node, "axis", axis, in.shape.rank()).status());
  return in;
}

StatusOr<TensorType> inferLayerNorm(const Node& node) {
  const TensorType& in = operandType(node, 0);
  DLC_RETURN_IF_ERROR(checkDType(node, 0, DTypeClass::Float));
  DLC_ASSIGN_OR_RETURN(int64_t axisValue, intAttr(node, "axis", -1));
  DLC_ASSIGN_OR_RETURN(int axis, axisAttrValue(node, "axis", axisValue, in.shape.rank()));
  DLC_RETURN_IF_ERROR(floatAttr(node, "epsilon", 1e-5).status());
  Shape normalized(std::vector<int64_t>(in.shape.dims().begin() + axis, in.shape.dims().end()));
  for (size_t i = 1; i < node.inputs.size(); ++i)
    DLC_RETURN_IF_ERROR(checkParam(node, i, normalized, strCat("x.shape[", axis, ":]")));
  return in;
}

StatusOr<TensorType> inferBatchNorm(const Node& node) {
  const TensorType& in = operandType(node, 0);
  DLC_RETURN_IF_ERROR(checkDType(node, 0, DTypeClass::Float));
  DLC_RETURN_IF_ERROR(checkRank(node, 0, 2, /*atLeast=*/true));
  DLC_RETURN_IF_ERROR(checkStatic(node, 0, 1, "channel axis 1"));
  DLC_RETURN_IF_ERROR(floatAttr(node, "epsilon", 1e-5).status());
  for (size_t i = 1; i < 5; ++i)
    DLC_RETURN_IF_ERROR(checkParam(node, i, Shape({in.shape.dim(1)}), "[C]"));
  return in;
}

StatusOr<TensorType> inferMatMul(const Node& node) {
  DLC_RETURN_IF_ERROR(checkDType(node, 0, DTypeClass::Float));
  DLC_RETURN_IF_ERROR(checkSameDType(node, 0, 2));
  DLC_RETURN_IF_ERROR(checkRank(node, 0, 2, /*atLeast=*/true));
  DLC_RETURN_IF_ERROR(checkRank(node, 1, 2, /*atLeast=*/true));
  DLC_ASSIGN_OR_RETURN(bool ta, boolAttr(node, "transpose_a", /*def=*/false));
  DLC_ASSIGN_OR_RETURN(bool tb, boolAttr(node, "transpose_b", /*def=*/false));
  const Shape& a = operandType(node, 0).shape;
  const Shape& b = operandType(node, 1).shape;
  int ra = a.rank(), rb = b.rank();
  int64_t m = a.dim(ra - (ta ? 1 : 2)), ka = a.dim(ra - (ta ? 2 : 1));
  int64_t kb = b.dim(rb - (tb ? 1 : 2)), n = b.dim(rb - (tb ? 2 : 1));
  if (ka != kb)
    return invalidArgument("matmul contraction dims differ: a ", a.str(), (ta ? " (transposed)" : ""),
                           " has K = ", Shape({ka}).str(), ", b ", b.str(),
                           (tb ? " (transposed)" : ""), " has K = ", Shape({kb}).str());
  Shape batchA(std::vector<int64_t>(a.dims().begin(), a.dims().end() - 2));
  Shape batchB(std::vector<int64_t>(b.dims().begin(), b.dims().end() - 2));
  auto batch = broadcastShapes(batchA, batchB);
  if (!batch.ok())
    return invalidArgument("matmul batch dims of a ", a.str(), " and b ", b.str(),
                           " do not broadcast");
  std::vector<int64_t> out = batch->dims();
  out.push_back(m);
  out.push_back(n);
  return TensorType{operandType(node, 0).dtype, Shape(out)};
}

StatusOr<TensorType> inferDense(const Node& node) {
  DLC_RETURN_IF_ERROR(checkDType(node, 0, DTypeClass::Float));
  DLC_RETURN_IF_ERROR(checkRank(node, 0, 1, /*atLeast=*/true));
  const Shape& x = operandType(node, 0).shape;
  const Shape& w = operandType(node, 1).shape;
  int64_t in = x.dim(x.rank() - 1);
  if (w.rank() != 2 || w.dim(0) != in)
    return invalidArgument("dense expects w of shape [",
                           in == kBatch ? std::string("N") : std::to_string(in), ",out], got ",
                           w.str(), " (x is ", x.str(), ")");
  DLC_RETURN_IF_ERROR(checkSameDType(node, 0, 2));
  int64_t outDim = w.dim(1);
  if (node.inputs.size() == 3)
    DLC_RETURN_IF_ERROR(checkParam(node, 2, Shape({outDim}), "[out]"));
  std::vector<int64_t> out = x.dims();
  out.back() = outDim;
  return TensorType{operandType(node, 0).dtype, Shape(out)};
}

StatusOr<std::vector<int64_t>> positiveInts(const Node& node, const std::string& name,
                                            std::vector<int64_t> def, int length) {
  DLC_ASSIGN_OR_RETURN(std::vector<int64_t> v, intsAttr(node, name, std::move(def), length));
  for (int64_t e : v)
    if (e <= 0 || e > kMaxElements)
      return invalidArgument(op(node), " attribute '", name, "' = ", listStr(v),
                             " must be positive");
  return v;
}

StatusOr<std::vector<int64_t>> padsAttr(const Node& node) {
  DLC_ASSIGN_OR_RETURN(std::vector<int64_t> pads, intsAttr(node, "pads", {0, 0, 0, 0}, 4));
  for (int64_t p : pads)
    if (p < 0 || p > kMaxElements)
      return invalidArgument(op(node), " attribute 'pads' = ", listStr(pads),
                             " must be non-negative [top,left,bottom,right]");
  return pads;
}

// floor((size + padSum - window) / stride) + 1 for one spatial axis.
StatusOr<int64_t> windowExtent(const Node& node, int64_t size, int64_t padSum, int64_t window,
                               int64_t stride, const char* axis) {
  int64_t span = size + padSum - window;
  if (span < 0)
    return invalidArgument(op(node), " window ", window, " is larger than the padded ", axis,
                           " extent ", size + padSum, " of x ", operandType(node, 0).shape.str());
  return span / stride + 1;
}

StatusOr<TensorType> inferConv2D(const Node& node) {
  DLC_RETURN_IF_ERROR(checkDType(node, 0, DTypeClass::Float));
  DLC_RETURN_IF_ERROR(checkRank(node, 0, 4));
  DLC_RETURN_IF_ERROR(checkRank(node, 1, 4));
  DLC_RETURN_IF_ERROR(checkSameDType(node, 0, 2));
  for (int d = 1; d < 4; ++d) DLC_RETURN_IF_ERROR(checkStatic(node, 0, d, "C/H/W extent"));
  DLC_ASSIGN_OR_RETURN(auto strides, positiveInts(node, "strides", {1, 1}, 2));
  DLC_ASSIGN_OR_RETURN(auto dilations, positiveInts(node, "dilations", {1, 1}, 2));
  DLC_ASSIGN_OR_RETURN(auto pads, padsAttr(node));
  DLC_ASSIGN_OR_RETURN(int64_t groups, intAttr(node, "groups", 1));
  const Shape& x = operandType(node, 0).shape;
  const Shape& w = operandType(node, 1).shape;
  int64_t c = x.dim(1), o = w.dim(0);
  if (groups < 1 || c % groups != 0)
    return invalidArgument("conv2d attribute 'groups' = ", groups,
                           " must be positive and divide the C = ", c, " channels of x ", x.str());
  if (o == kBatch || o % groups != 0 || w.dim(1) != c / groups || w.dim(2) < 1 || w.dim(3) < 1)
    return invalidArgument("conv2d expects w of shape [O,C/groups,KH,KW] with C/groups = ",
                           c / groups, " and O divisible by groups = ", groups, ", got ", w.str(),
                           " (x is ", x.str(), ")");
  if (node.inputs.size() == 3) DLC_RETURN_IF_ERROR(checkParam(node, 2, Shape({o}), "[O]"));
  for (int i = 0; i < 2; ++i)
    if (w.dim(2 + i) - 1 > kMaxElements / dilations[size_t(i)])
      return invalidArgument("conv2d attribute 'dilations' = ", listStr(dilations),
                             " makes the kernel of w ", w.str(), " too large");
  int64_t kh = dilations[0] * (w.dim(2) - 1) + 1, kw = dilations[1] * (w.dim(3) - 1) + 1;
  DLC_ASSIGN_OR_RETURN(int64_t oh,
                       windowExtent(node, x.dim(2), pads[0] + pads[2], kh, strides[0], "H"));
  DLC_ASSIGN_OR_RETURN(int64_t ow,
                       windowExtent(node, x.dim(3), pads[1] + pads[3], kw, strides[1], "W"));
  return TensorType{operandType(node, 0).dtype, Shape({x.dim(0), o, oh, ow})};
}

StatusOr<TensorType> inferWindowPool(const Node& node) {
  DLC_RETURN_IF_ERROR(checkDType(node, 0, DTypeClass::Float));
  DLC_RETURN_IF_ERROR(checkRank(node, 0, 4));
  for (int d = 1; d < 4; ++d) DLC_RETURN_IF_ERROR(checkStatic(node, 0, d, "C/H/W extent"));
  if (!node.attrs.has("kernel"))
    return invalidArgument(op(node), " requires attribute 'kernel'");
  DLC_ASSIGN_OR_RETURN(auto kernel, positiveInts(node, "kernel", {}, 2));
  DLC_ASSIGN_OR_RETURN(auto strides, positiveInts(node, "strides", kernel, 2));
  DLC_ASSIGN_OR_RETURN(auto pads, padsAttr(node));
  for (int i = 0; i < 4; ++i)
    if (pads[size_t(i)] >= kernel[size_t(i % 2)])
      return invalidArgument(op(node), " attribute 'pads' = ", listStr(pads),
                             " must be smaller than the kernel ", listStr(kernel));
  if (node.op == OpKind::AvgPool2D)
    DLC_RETURN_IF_ERROR(boolAttr(node, "count_include_pad", /*def=*/false).status());
  const Shape& x = operandType(node, 0).shape;
  DLC_ASSIGN_OR_RETURN(int64_t oh,
                       windowExtent(node, x.dim(2), pads[0] + pads[2], kernel[0], strides[0], "H"));
  DLC_ASSIGN_OR_RETURN(int64_t ow,
                       windowExtent(node, x.dim(3), pads[1] + pads[3], kernel[1], strides[1], "W"));
  return TensorType{operandType(node, 0).dtype, Shape({x.dim(0), x.dim(1), oh, ow})};
}

}  // namespace

StatusOr<TensorType> inferReduceOrRow(const Node& node) {
  switch (node.op) {
    case OpKind::ReduceSum:
    case OpKind::ReduceMean:
    case OpKind::ReduceMax:
    case OpKind::ReduceMin: return inferReduce(node);
    case OpKind::Softmax:
    case OpKind::LogSoftmax: return inferSoftmax(node);
    case OpKind::LayerNorm: return inferLayerNorm(node);
    case OpKind::BatchNorm: return inferBatchNorm(node);
    default: return internalError("inferReduceOrRow called for ", opName(node.op));
  }
}

StatusOr<TensorType> inferContraction(const Node& node) {
  switch (node.op) {
    case OpKind::MatMul: return inferMatMul(node);
    case OpKind::Dense: return inferDense(node);
    case OpKind::Conv2D: return inferConv2D(node);
    default: return internalError("inferContraction called for ", opName(node.op));
  }
}

StatusOr<TensorType> inferPool(const Node& node) {
  switch (node.op) {
    case OpKind::MaxPool2D:
    case OpKind::AvgPool2D: return inferWindowPool(node);
    case OpKind::GlobalAvgPool: {
      DLC_RETURN_IF_ERROR(checkDType(node, 0, DTypeClass::Float));
      DLC_RETURN_IF_ERROR(checkRank(node, 0, 4));
      const Shape& x = operandType(node, 0).shape;
      return TensorType{operandType(node, 0).dtype, Shape({x.dim(0), x.dim(1), 1, 1})};
    }
    default: return internalError("inferPool called for ", opName(node.op));
  }
}

}  // namespace dlc::ir::infer
