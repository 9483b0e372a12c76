// Shape inference for the index-remapping ops: reshape, flatten, transpose,
// broadcast_to, concat, slice, pad, gather (docs/ops.md, "Shape ops").
//
// The batch symbol N follows one rule everywhere: an extent that depends on
// N is exactly N, so N may move between positions or be kept whole, but is
// never multiplied into or split out of a static extent.
#include <algorithm>
#include <climits>

#include "ir/ShapeInferenceInternal.h"

namespace dlc::ir::infer {

namespace {

std::string listStr(const std::vector<int64_t>& v) { return attrToString(v); }

StatusOr<TensorType> inferReshape(const Node& node) {
  const TensorType& in = operandType(node, 0);
  DLC_ASSIGN_OR_RETURN(std::vector<int64_t> spec, requiredIntsAttr(node, "shape"));
  auto fail = [&](const std::string& why) {
    return invalidArgument("reshape cannot reshape x ", in.shape.str(), " to shape ",
                           listStr(spec), ": ", why);
  };
  std::vector<int64_t> out(spec.size());
  int inferIndex = -1;
  bool outHasBatch = false;
  int64_t known = 1;  // product of the static output extents
  for (size_t i = 0; i < spec.size(); ++i) {
    int64_t d = spec[i];
    if (d == -1) {
      if (inferIndex >= 0) return fail("more than one -1 (N) entry");
      inferIndex = int(i);
      continue;
    }
    if (d < -1) return fail(strCat("entry ", d, " is negative"));
    if (d == 0) {
      if (int(i) >= in.shape.rank())
        return fail(strCat("entry ", i, " is 0 (copy) but x has rank ", in.shape.rank()));
      d = in.shape.dim(int(i));
    }
    out[i] = d;
    if (d == kBatch) {
      outHasBatch = true;
    } else {
      if (d != 0 && known > kMaxElements / d) return fail("too many elements");
      known *= d;
    }
  }
  int64_t inCount = in.shape.staticElements();
  if (in.shape.hasBatch()) {
    if (!outHasBatch) {
      if (inferIndex < 0) return fail("x has the batch dimension N; write -1 (N) to keep it");
      out[size_t(inferIndex)] = kBatch;
      inferIndex = -1;
    }
  } else if (outHasBatch) {
    return fail("x has no batch dimension N");
  }
  if (inferIndex >= 0) {
    if (known == 0 || inCount % known != 0)
      return fail(strCat("cannot infer the -1 entry: ", inCount, " elements are not a multiple of ",
                         known));
    out[size_t(inferIndex)] = inCount / known;
  } else if (known != inCount) {
    return fail(strCat("element counts differ (", inCount, " vs ", known, ")"));
  }
  return TensorType{in.dtype, Shape(out)};
}

StatusOr<TensorType> inferFlatten(const Node& node) {
  const TensorType& in = operandType(node, 0);
  int rank = in.shape.rank();
  DLC_ASSIGN_OR_RETURN(int64_t axis, intAttr(node, "axis", 1));
  if (axis < -rank || axis > rank)
    return invalidArgument("flatten attribute 'axis' = ", axis, " is out of range for x ",
                           in.shape.str());
  if (axis < 0) axis += rank;
  auto group = [&](int begin, int end) -> StatusOr<int64_t> {
    bool batch = false, zero = false;
    int64_t product = 1;
    for (int i = begin; i < end; ++i) {
      int64_t d = in.shape.dim(i);
      if (d == kBatch) batch = true;
      else if (d == 0) zero = true;
      else product *= d;
    }
    if (zero) return int64_t(0);
    if (!batch) return product;
    if (product != 1)
      return invalidArgument("flatten with axis ", axis, " would multiply N into a static extent: x ",
                             in.shape.str());
    return kBatch;
  };
  DLC_ASSIGN_OR_RETURN(int64_t outer, group(0, int(axis)));
  DLC_ASSIGN_OR_RETURN(int64_t inner, group(int(axis), rank));
  return TensorType{in.dtype, Shape({outer, inner})};
}

StatusOr<TensorType> inferTranspose(const Node& node) {
  const TensorType& in = operandType(node, 0);
  int rank = in.shape.rank();
  std::vector<int64_t> reversed(size_t(rank), 0);
  for (int i = 0; i < rank; ++i) reversed[size_t(i)] = rank - 1 - i;
  DLC_ASSIGN_OR_RETURN(std::vector<int64_t> perm, intsAttr(node, "perm", reversed));
  std::vector<bool> used(size_t(rank), false);
  bool valid = int(perm.size()) == rank;
  for (int64_t p : perm) {
    if (!valid || p < 0 || p >= rank || used[size_t(p)]) {
      valid = false;
      break;
    }
    used[size_t(p)] = true;
  }
  if (!valid)
    return invalidArgument("transpose attribute 'perm' = ", listStr(perm),
                           " is not a permutation of the dims of x ", in.shape.str());
  std::vector<int64_t> out;
  for (int64_t p : perm) out.push_back(in.shape.dim(int(p)));
  return TensorType{in.dtype, Shape(out)};
}

StatusOr<TensorType> inferBroadcastTo(const Node& node) {
  const TensorType& in = operandType(node, 0);
  DLC_ASSIGN_OR_RETURN(std::vector<int64_t> target, requiredIntsAttr(node, "shape"));
  for (int64_t d : target)
    if (d < -1)
      return invalidArgument("broadcast_to attribute 'shape' = ", listStr(target),
                             " has a negative extent");
  Shape shape(target);
  Status valid = validateShape(shape);
  if (!valid.ok()) return invalidArgument("broadcast_to attribute 'shape': ", valid.message());
  auto b = broadcastShapes(in.shape, shape);
  if (in.shape.rank() > shape.rank() || !b.ok() || *b != shape)
    return invalidArgument("broadcast_to cannot broadcast x ", in.shape.str(), " to shape ",
                           shape.str());
  return TensorType{in.dtype, shape};
}

StatusOr<TensorType> inferConcat(const Node& node) {
  DLC_RETURN_IF_ERROR(checkSameDType(node, 0, node.inputs.size()));
  const Shape& first = operandType(node, 0).shape;
  DLC_ASSIGN_OR_RETURN(int64_t axisAttr, requiredIntAttr(node, "axis"));
  DLC_ASSIGN_OR_RETURN(int axis, axisAttrValue(node, "axis", axisAttr, first.rank()));
  std::vector<int64_t> out = first.dims();
  out[size_t(axis)] = 0;
  for (size_t i = 0; i < node.inputs.size(); ++i) {
    const Shape& s = operandType(node, i).shape;
    bool compatible = s.rank() == first.rank();
    for (int d = 0; compatible && d < s.rank(); ++d)
      if (d != axis && s.dim(d) != first.dim(d)) compatible = false;
    if (!compatible)
      return invalidArgument("concat operand ", i, " ", s.str(), " does not match operand 0 ",
                             first.str(), " outside axis ", axis);
    if (s.dim(axis) == kBatch)
      return invalidArgument("concat cannot join along the batch axis N: operand ", i, " ",
                             s.str(), ", axis ", axis);
    out[size_t(axis)] += s.dim(axis);
  }
  return TensorType{operandType(node, 0).dtype, Shape(out)};
}

// ONNX slice of one axis of static extent d; returns the result extent.
int64_t sliceExtent(int64_t d, int64_t start, int64_t end, int64_t step) {
  if (start < 0) start += d;
  if (end < 0) end += d;
  if (step > 0) {
    start = std::clamp<int64_t>(start, 0, d);
    end = std::clamp<int64_t>(end, 0, d);
    return end > start ? (end - start - 1) / step + 1 : 0;
  }
  start = std::clamp<int64_t>(start, 0, d - 1);
  end = std::clamp<int64_t>(end, -1, d - 1);
  return start > end ? (start - end - 1) / -step + 1 : 0;
}

StatusOr<TensorType> inferSlice(const Node& node) {
  const TensorType& in = operandType(node, 0);
  int rank = in.shape.rank();
  DLC_ASSIGN_OR_RETURN(std::vector<int64_t> starts, requiredIntsAttr(node, "starts"));
  int k = int(starts.size());
  DLC_ASSIGN_OR_RETURN(std::vector<int64_t> ends, requiredIntsAttr(node, "ends"));
  if (int(ends.size()) != k)
    return invalidArgument("slice attribute 'ends' must have ", k, " entries (like 'starts'), got ",
                           listStr(ends));
  std::vector<int64_t> defAxes(size_t(k), 0);
  for (int i = 0; i < k; ++i) defAxes[size_t(i)] = i;
  DLC_ASSIGN_OR_RETURN(std::vector<int64_t> axes, intsAttr(node, "axes", defAxes, k));
  DLC_ASSIGN_OR_RETURN(std::vector<int64_t> steps,
                       intsAttr(node, "steps", std::vector<int64_t>(size_t(k), 1), k));
  std::vector<int64_t> out = in.shape.dims();
  std::vector<bool> seen(size_t(rank), false);
  for (int i = 0; i < k; ++i) {
    DLC_ASSIGN_OR_RETURN(int axis, axisAttrValue(node, "axes", axes[size_t(i)], rank));
    if (seen[size_t(axis)])
      return invalidArgument("slice attribute 'axes' = ", listStr(axes), " repeats axis ", axis);
    seen[size_t(axis)] = true;
    int64_t start = starts[size_t(i)], end = ends[size_t(i)], step = steps[size_t(i)];
    if (step == 0 || step == INT64_MIN)
      return invalidArgument("slice attribute 'steps' = ", listStr(steps),
                             " has an invalid entry ", step);
    int64_t d = in.shape.dim(axis);
    if (d == kBatch) {
      if (start != 0 || step != 1 || end < INT32_MAX)
        return invalidArgument("slice can only keep the batch axis ", axis, " of x ",
                               in.shape.str(),
                               " whole (start 0, end >= 2^31-1, step 1), got start ", start,
                               ", end ", end, ", step ", step);
      continue;
    }
    out[size_t(axis)] = sliceExtent(d, start, end, step);
  }
  return TensorType{in.dtype, Shape(out)};
}

StatusOr<TensorType> inferPad(const Node& node) {
  const TensorType& in = operandType(node, 0);
  int rank = in.shape.rank();
  DLC_ASSIGN_OR_RETURN(std::vector<int64_t> pads, requiredIntsAttr(node, "pads"));
  if (int(pads.size()) != 2 * rank)
    return invalidArgument("pad attribute 'pads' must have ", 2 * rank, " entries for x ",
                           in.shape.str(), ", got ", listStr(pads));
  DLC_RETURN_IF_ERROR(floatAttr(node, "value", 0.0).status());
  std::vector<int64_t> out = in.shape.dims();
  for (int i = 0; i < rank; ++i) {
    int64_t before = pads[size_t(i)], after = pads[size_t(i + rank)];
    if (before < 0 || after < 0 || before > kMaxElements || after > kMaxElements)
      return invalidArgument("pad attribute 'pads' = ", listStr(pads),
                             " has a negative or too large entry");
    if (out[size_t(i)] == kBatch) {
      if (before || after)
        return invalidArgument("pad cannot pad the batch axis ", i, " of x ", in.shape.str(),
                               ": 'pads' = ", listStr(pads));
      continue;
    }
    out[size_t(i)] += before + after;
  }
  return TensorType{in.dtype, Shape(out)};
}

// The value of element i of an i32/i64 constant tensor.
int64_t indexAt(const Tensor& t, int64_t i) {
  return t.dtype() == DType::I32 ? int64_t(t.as<int32_t>()[i]) : t.as<int64_t>()[i];
}

// ONNX Gather: data.shape[:axis] + indices.shape + data.shape[axis+1:].
// Constant indices are range-checked here; runtime ones are clamped.
StatusOr<TensorType> inferGather(const Node& node) {
  const TensorType& data = operandType(node, 0);
  const TensorType& indices = operandType(node, 1);
  if (indices.dtype != DType::I32 && indices.dtype != DType::I64)
    return invalidArgument("gather expects indices of dtype i32 or i64, got ", indices.str());
  DLC_ASSIGN_OR_RETURN(int64_t axisAttr, intAttr(node, "axis", 0));
  DLC_ASSIGN_OR_RETURN(int axis, axisAttrValue(node, "axis", axisAttr, data.shape.rank()));
  int64_t extent = data.shape.dim(axis);
  if (extent == kBatch)
    return invalidArgument("gather cannot gather along the batch axis N: axis ", axis,
                           " of data ", data.str(),
                           " (the index range would depend on the batch size)");
  bool hasIndices = indices.shape.hasBatch() || indices.shape.staticElements() > 0;
  if (extent == 0 && hasIndices)
    return invalidArgument("gather cannot gather from the empty axis ", axis, " of data ",
                           data.str());
  const Node* idx = node.inputs[1];
  if (idx->op == OpKind::Constant && !idx->value.empty() &&
      (idx->value.dtype() == DType::I32 || idx->value.dtype() == DType::I64)) {
    const Tensor& t = idx->value;
    for (int64_t i = 0; i < t.numElements(); ++i) {
      int64_t v = indexAt(t, i);
      if (v < -extent || v >= extent)
        return invalidArgument("gather index ", v, " (element ", i, " of the constant indices \"",
                               idx->name, "\") is out of range for axis ", axis, " of data ",
                               data.str(), ": valid indices are ", -extent, " to ", extent - 1);
    }
  }
  std::vector<int64_t> out(data.shape.dims().begin(), data.shape.dims().begin() + axis);
  out.insert(out.end(), indices.shape.dims().begin(), indices.shape.dims().end());
  out.insert(out.end(), data.shape.dims().begin() + axis + 1, data.shape.dims().end());
  return TensorType{data.dtype, Shape(out)};
}

}  // namespace

StatusOr<TensorType> inferShapeOp(const Node& node) {
  switch (node.op) {
    case OpKind::Reshape: return inferReshape(node);
    case OpKind::Flatten: return inferFlatten(node);
    case OpKind::Transpose: return inferTranspose(node);
    case OpKind::BroadcastTo: return inferBroadcastTo(node);
    case OpKind::Concat: return inferConcat(node);
    case OpKind::Slice: return inferSlice(node);
    case OpKind::Pad: return inferPad(node);
    case OpKind::Gather: return inferGather(node);
    default: return internalError("inferShapeOp called for ", opName(node.op));
  }
}

}  // namespace dlc::ir::infer
