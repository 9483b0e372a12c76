// ONNX ops that compare element positions, spelled with core ops and small
// index constants: ArgMax/ArgMin (the first or last position of the
// extreme), Hardmax, OneHot, Trilu, CumSum (a matmul with a triangular
// matrix) and Size.
//
// What this deliberately does not do: NaN-aware ArgMax/ArgMin (a NaN never
// equals the max), integer CumSum (the matmul computes in floats), Size of
// a tensor holding the batch N.
#include "frontends/onnx/ops/Converters.h"

namespace dlc::onnxfe::ops {

namespace {

using ir::DType;
using ir::OpKind;

// An i64 constant of rank `rank` holding 0..n-1 along `axis` (1 elsewhere);
// an error when n is N, negative or too large (helperTensor).
StatusOr<ir::Node*> iota(ImportContext& ctx, int rank, int axis, int64_t n) {
  std::vector<int64_t> dims(size_t(rank), 1);
  dims[size_t(axis)] = n;
  DLC_ASSIGN_OR_RETURN(Tensor t, helperTensor(ctx, DType::I64, dims, "the index constant"));
  for (int64_t i = 0; i < n; ++i) t.as<int64_t>()[i] = i;
  return ctx.constant(std::move(t), "iota");
}

// The index (i64, keepdims shape) of the first/last extreme along `axis`.
StatusOr<ir::Node*> argExtreme(ImportContext& ctx, Builder& b, ir::Node* x, int axis, bool max,
                               bool last) {
  int64_t n = x->type.shape.dim(axis);
  DLC_ASSIGN_OR_RETURN(ir::Node * idx, iota(ctx, x->type.shape.rank(), axis, n));
  ir::Node* src = x;
  if (x->type.dtype == DType::U8 || x->type.dtype == DType::Bool) src = b.cast(x, DType::I32);
  ir::Node* m = b.reduce(max ? OpKind::ReduceMax : OpKind::ReduceMin, src, {axis}, true);
  ir::Node* hit = b.op(OpKind::Equal, {src, m});
  ir::Node* miss = ctx.scalar(DType::I64, last ? -1.0 : double(n));
  ir::Node* cand = b.select(hit, idx, miss);
  return b.reduce(last ? OpKind::ReduceMax : OpKind::ReduceMin, cand, {axis}, true);
}

Status argConvert(ImportContext& ctx, bool max) {
  DLC_ASSIGN_OR_RETURN(ir::Node * x, required(ctx, 0));
  DLC_ASSIGN_OR_RETURN(int64_t axisAttr, ctx.attrInt("axis", 0));
  DLC_ASSIGN_OR_RETURN(int64_t keepdims, ctx.attrInt("keepdims", 1));
  DLC_ASSIGN_OR_RETURN(int64_t last, ctx.attrInt("select_last_index", 0));
  int rank = x->type.shape.rank();
  DLC_ASSIGN_OR_RETURN(int axis, axisOf(ctx, axisAttr, rank, "axis"));
  if (x->type.shape.dim(axis) == ir::kBatch)
    return ctx.error(StatusCode::kUnsupported, "reducing the batch axis N is not supported");
  Builder b(ctx);
  DLC_ASSIGN_OR_RETURN(ir::Node * y, argExtreme(ctx, b, x, axis, max, last != 0));
  if (!keepdims && y) {
    std::vector<int64_t> dims = x->type.shape.dims();
    dims.erase(dims.begin() + axis);
    y = b.reshape(y, dims);
  }
  return b.finish(0, y);
}

}  // namespace

Status convertArgMax(ImportContext& ctx) { return argConvert(ctx, /*max=*/true); }
Status convertArgMin(ImportContext& ctx) { return argConvert(ctx, /*max=*/false); }

Status convertHardmax(ImportContext& ctx) {
  DLC_ASSIGN_OR_RETURN(ir::Node * x, required(ctx, 0));
  int rank = x->type.shape.rank();
  bool legacy = ctx.opset() < 13;
  DLC_ASSIGN_OR_RETURN(int64_t axisAttr, ctx.attrInt("axis", legacy ? 1 : -1));
  DLC_ASSIGN_OR_RETURN(int axis, axisOf(ctx, axisAttr, rank, "axis"));
  Builder b(ctx);
  ir::Node* v = x;
  if (legacy && axis != rank - 1) {
    // Opset < 13: over the flattened dims [axis, rank).
    ir::Attributes flat;
    flat.set("axis", int64_t(axis));
    v = b.op(OpKind::Flatten, {x}, std::move(flat));
    axis = 1;
  }
  if (!v) return b.finish(0, v);
  int64_t n = v->type.shape.dim(axis);
  DLC_ASSIGN_OR_RETURN(ir::Node * arg, argExtreme(ctx, b, v, axis, /*max=*/true, /*last=*/false));
  DLC_ASSIGN_OR_RETURN(ir::Node * idx, iota(ctx, v->type.shape.rank(), axis, n));
  ir::Node* y = b.cast(b.op(OpKind::Equal, {idx, arg}), x->type.dtype);
  if (v != x) y = b.reshape(y, x->type.shape.dims());
  return b.finish(0, y);
}

Status convertOneHot(ImportContext& ctx) {
  DLC_ASSIGN_OR_RETURN(ir::Node * indices, required(ctx, 0));
  DLC_ASSIGN_OR_RETURN(ir::Node * values, required(ctx, 2));
  DLC_ASSIGN_OR_RETURN(int64_t axisAttr, ctx.attrInt("axis", -1));
  const Tensor* depthT = ctx.constantInput(1);
  if (!depthT || depthT->numElements() != 1)
    return ctx.error(StatusCode::kUnsupported, "input 'depth' must be a constant scalar");
  double depthValue = depthT->getAsDouble(0);  // floats truncate, as ONNX does
  if (!(depthValue >= 1) || depthValue > double(kMaxHelperElements))
    return ctx.error(StatusCode::kInvalidArgument,
                     strCat("depth = ", depthValue, " must be in [1, ", kMaxHelperElements, "]"));
  int64_t depth = int64_t(depthValue);
  int outRank = indices->type.shape.rank() + 1;
  DLC_ASSIGN_OR_RETURN(int axis, axisOf(ctx, axisAttr, outRank, "axis"));
  Builder b(ctx);
  ir::Node* idx = b.cast(indices, DType::I64);  // floats truncate, as ONNX does
  // Negative indices count from the end.
  ir::Node* neg = b.op(OpKind::Less, {idx, ctx.scalar(DType::I64, 0)});
  idx = b.select(neg, b.add(idx, ctx.scalar(DType::I64, double(depth))), idx);
  std::vector<int64_t> dims = indices->type.shape.dims();
  dims.insert(dims.begin() + axis, 1);
  idx = b.reshape(idx, dims);
  DLC_ASSIGN_OR_RETURN(ir::Node * depthIota, iota(ctx, outRank, axis, depth));
  ir::Node* hit = b.op(OpKind::Equal, {idx, depthIota});
  auto pick = [&](int64_t i) {
    ir::Attributes attrs;
    attrs.set("starts", std::vector<int64_t>{i});
    attrs.set("ends", std::vector<int64_t>{i + 1});
    return b.op(OpKind::Slice, {values}, std::move(attrs));
  };
  return b.finish(0, b.select(hit, pick(1), pick(0)));
}

Status convertTrilu(ImportContext& ctx) {
  DLC_ASSIGN_OR_RETURN(ir::Node * x, required(ctx, 0));
  DLC_ASSIGN_OR_RETURN(int64_t upper, ctx.attrInt("upper", 1));
  int64_t k = 0;
  if (ctx.hasInput(1)) {
    DLC_ASSIGN_OR_RETURN(auto kv, ctx.intsInput(1));
    if (kv.size() != 1) return ctx.error(StatusCode::kInvalidArgument, "k must be a scalar");
    k = kv[0];
  }
  int rank = x->type.shape.rank();
  if (rank < 2) return ctx.error(StatusCode::kInvalidArgument, "input must have rank >= 2");
  int64_t m = x->type.shape.dim(rank - 2), n = x->type.shape.dim(rank - 1);
  if (m == ir::kBatch || n == ir::kBatch)
    return ctx.error(StatusCode::kUnsupported, "Trilu over the batch axis N is not supported");
  DLC_ASSIGN_OR_RETURN(Tensor mask, helperTensor(ctx, DType::Bool, {m, n}, "the Trilu mask"));
  for (int64_t i = 0; i < m; ++i)
    for (int64_t j = 0; j < n; ++j)
      mask.as<uint8_t>()[i * n + j] = upper ? (j - i >= k) : (j - i <= k);
  Builder b(ctx);
  return b.finish(0, b.select(ctx.constant(std::move(mask), "mask"), x, b.c(x, 0.0)));
}

Status convertCumSum(ImportContext& ctx) {
  DLC_ASSIGN_OR_RETURN(ir::Node * x, required(ctx, 0));
  DLC_ASSIGN_OR_RETURN(auto axisV, ctx.intsInput(1));
  DLC_ASSIGN_OR_RETURN(int64_t exclusive, ctx.attrInt("exclusive", 0));
  DLC_ASSIGN_OR_RETURN(int64_t reverse, ctx.attrInt("reverse", 0));
  if (!ir::isFloat(x->type.dtype))
    return ctx.error(StatusCode::kUnsupported,
                     strCat("CumSum on ", ir::dtypeName(x->type.dtype), " is not supported"));
  if (axisV.size() != 1) return ctx.error(StatusCode::kInvalidArgument, "axis must be a scalar");
  int rank = x->type.shape.rank();
  DLC_ASSIGN_OR_RETURN(int axis, axisOf(ctx, axisV[0], rank, "axis"));
  int64_t n = x->type.shape.dim(axis);
  if (n == ir::kBatch)
    return ctx.error(StatusCode::kUnsupported, "CumSum over the batch axis N is not supported");
  // out[.., j] = sum_i x[.., i] * t[i, j] with the axis moved last.
  DLC_ASSIGN_OR_RETURN(Tensor t,
                       helperTensor(ctx, x->type.dtype, {n, n}, "the CumSum triangle"));
  for (int64_t i = 0; i < n; ++i)
    for (int64_t j = 0; j < n; ++j) {
      bool in = reverse ? (exclusive ? i > j : i >= j) : (exclusive ? i < j : i <= j);
      t.setFromDouble(i * n + j, in ? 1.0 : 0.0);
    }
  Builder b(ctx);
  std::vector<int64_t> perm;
  for (int i = 0; i < rank; ++i)
    if (i != axis) perm.push_back(i);
  perm.push_back(axis);
  ir::Node* v = axis == rank - 1 ? x : b.transpose(x, perm);
  if (rank == 1) v = b.reshape(v, {1, n});
  ir::Node* y = b.op(OpKind::MatMul, {v, ctx.constant(std::move(t), "triangle")});
  if (rank == 1) y = b.reshape(y, {n});
  if (axis != rank - 1) {
    std::vector<int64_t> inv(static_cast<size_t>(rank), 0);
    for (int i = 0; i < rank; ++i) inv[size_t(perm[size_t(i)])] = i;
    y = b.transpose(y, inv);
  }
  return b.finish(0, y);
}

Status convertSize(ImportContext& ctx) {
  DLC_ASSIGN_OR_RETURN(ir::Node * x, required(ctx, 0));
  if (x->type.shape.hasBatch())
    return ctx.error(StatusCode::kUnsupported,
                     "Size of a tensor with the batch N is not supported");
  Tensor t(DType::I64, {});
  t.as<int64_t>()[0] = x->type.shape.numElements();
  return ctx.setOutput(0, ctx.constant(std::move(t)));
}

}  // namespace dlc::onnxfe::ops
