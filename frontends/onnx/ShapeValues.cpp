// Shape values: the import-time arithmetic of ONNX shape subgraphs (see
// ShapeValues.h).
#include "frontends/onnx/ShapeValues.h"

#include <algorithm>
#include <cmath>

namespace dlc::onnxfe {

namespace {

std::string entryStr(int64_t e) { return e == kSymbolicN ? "N" : std::to_string(e); }

// Normalizes a 1-D axis list to "axis 0": only [0] and [-1] qualify.
bool isAxisZero(const std::vector<int64_t>& axes) {
  return axes.size() == 1 && (axes[0] == 0 || axes[0] == -1);
}

// Wraps `v` to integer dtype `t` as a two's-complement cast.
int64_t wrapTo(int64_t v, ir::DType t) {
  switch (t) {
    case ir::DType::U8: return int64_t(uint8_t(v));
    case ir::DType::I32: return int64_t(int32_t(v));
    case ir::DType::Bool: return v != 0 ? 1 : 0;
    default: return v;
  }
}

StatusOr<int64_t> combine(ShapeArith op, int64_t a, int64_t b, ir::DType dtype) {
  bool aN = a == kSymbolicN, bN = b == kSymbolicN;
  if (aN || bN) {
    bool keeps = (op == ShapeArith::kMul && ((aN && b == 1) || (bN && a == 1))) ||
                 (op == ShapeArith::kDiv && aN && b == 1) ||
                 (op == ShapeArith::kAdd && ((aN && b == 0) || (bN && a == 0))) ||
                 (op == ShapeArith::kSub && aN && b == 0);
    if (!keeps)
      return unsupported("shape arithmetic ", entryStr(a),
                         op == ShapeArith::kAdd   ? " + "
                         : op == ShapeArith::kSub ? " - "
                         : op == ShapeArith::kMul ? " * "
                                                  : " / ",
                         entryStr(b),
                         " on the batch size N is not supported (dlc's batch extent is "
                         "exactly N)");
    return kSymbolicN;
  }
  if (ir::isFloat(dtype)) {
    double r = op == ShapeArith::kAdd   ? double(a) + double(b)
               : op == ShapeArith::kSub ? double(a) - double(b)
               : op == ShapeArith::kMul ? double(a) * double(b)
                                        : double(a) / double(b);
    if (!std::isfinite(r) || r != std::floor(r) || std::fabs(r) > 9.0e15)
      return unsupported("shape arithmetic gives the non-integer ", r);
    return int64_t(r);
  }
  // Integer math wraps like the core ops (computed in uint64 to avoid UB).
  uint64_t ua = uint64_t(a), ub = uint64_t(b);
  int64_t r = 0;
  switch (op) {
    case ShapeArith::kAdd: r = int64_t(ua + ub); break;
    case ShapeArith::kSub: r = int64_t(ua - ub); break;
    case ShapeArith::kMul: r = int64_t(ua * ub); break;
    case ShapeArith::kDiv:
      r = b == 0 ? 0 : (b == -1 ? int64_t(0 - ua) : a / b);
      break;
  }
  return wrapTo(r, dtype);
}

}  // namespace

bool ShapeValue::hasBatch() const {
  return std::find(entries.begin(), entries.end(), kSymbolicN) != entries.end();
}

std::string ShapeValue::str() const {
  if (scalar && entries.size() == 1) return entryStr(entries[0]);
  std::string s = "[";
  for (size_t i = 0; i < entries.size(); ++i) {
    if (i) s += ",";
    s += entryStr(entries[i]);
  }
  return s + "]";
}

Tensor ShapeValue::toTensor() const {
  DLC_CHECK(!hasBatch(), "a shape value holding N has no tensor");
  std::vector<int64_t> dims;
  if (!scalar) dims.push_back(int64_t(entries.size()));
  Tensor t(dtype, dims);
  for (size_t i = 0; i < entries.size(); ++i) t.setFromDouble(int64_t(i), double(entries[i]));
  return t;
}

StatusOr<ShapeValue> shapeValueFromTensor(const Tensor& t) {
  if (t.rank() > 1 || size_t(t.numElements()) > kMaxShapeValueEntries)
    return unsupported("a tensor of shape ", t.type().shape.str(), " is not a shape value");
  ShapeValue v;
  v.dtype = t.dtype();
  v.scalar = t.rank() == 0;
  for (int64_t i = 0; i < t.numElements(); ++i) {
    if (t.dtype() == ir::DType::I64 && t.as<int64_t>()[i] != kSymbolicN) {
      v.entries.push_back(t.as<int64_t>()[i]);
      continue;
    }
    double d = t.getAsDouble(i);
    if (!std::isfinite(d) || d != std::floor(d) || std::fabs(d) > 9.0e15)
      return unsupported("value ", d, " is not an integer");
    v.entries.push_back(int64_t(d));
  }
  return v;
}

ShapeValue shapeOf(const ir::Shape& shape, int64_t start, int64_t end, bool hasEnd) {
  int64_t rank = shape.rank();
  if (!hasEnd) end = rank;
  if (start < 0) start += rank;
  if (end < 0) end += rank;
  start = std::clamp<int64_t>(start, 0, rank);
  end = std::clamp<int64_t>(end, 0, rank);
  ShapeValue v;
  for (int64_t i = start; i < end; ++i)
    v.entries.push_back(shape.dim(int(i)) == ir::kBatch ? kSymbolicN : shape.dim(int(i)));
  return v;
}

StatusOr<ShapeValue> gatherShape(const ShapeValue& data, const ShapeValue& indices) {
  if (data.scalar) return invalidArgument("Gather needs data of rank >= 1, got a scalar");
  if (indices.hasBatch()) return unsupported("Gather indices depend on N");
  int64_t n = int64_t(data.entries.size());
  ShapeValue out;
  out.dtype = data.dtype;
  out.scalar = indices.scalar;
  for (int64_t idx : indices.entries) {
    if (idx < -n || idx >= n)
      return invalidArgument("Gather index ", idx, " is out of range for ", n, " entries");
    out.entries.push_back(data.entries[size_t(idx < 0 ? idx + n : idx)]);
  }
  return out;
}

StatusOr<ShapeValue> concatShapes(const std::vector<ShapeValue>& parts) {
  if (parts.empty()) return invalidArgument("Concat of no inputs");
  ShapeValue out;
  out.dtype = parts[0].dtype;
  for (const ShapeValue& p : parts) {
    if (p.scalar) return invalidArgument("Concat inputs must have rank >= 1, got a scalar");
    if (p.dtype != out.dtype)
      return invalidArgument("Concat inputs mix ", ir::dtypeName(out.dtype), " and ",
                             ir::dtypeName(p.dtype));
    out.entries.insert(out.entries.end(), p.entries.begin(), p.entries.end());
  }
  if (out.entries.size() > kMaxShapeValueEntries)
    return unsupported("a shape value of ", out.entries.size(), " entries");
  return out;
}

StatusOr<ShapeValue> unsqueezeShape(const ShapeValue& v, const std::vector<int64_t>& axes) {
  if (!v.scalar || !isAxisZero(axes))
    return unsupported("Unsqueeze of a shape value to rank 2 or more");
  ShapeValue out = v;
  out.scalar = false;
  return out;
}

StatusOr<ShapeValue> squeezeShape(const ShapeValue& v, const std::vector<int64_t>& axes) {
  if (v.scalar) return invalidArgument("Squeeze of a scalar");
  if (axes.empty() && v.entries.size() != 1) return v;  // no extent-1 axis
  if (v.entries.size() != 1 || !(axes.empty() || isAxisZero(axes)))
    return invalidArgument("Squeeze axis 0 of a shape value of ", v.entries.size(),
                           " entries");
  ShapeValue out = v;
  out.scalar = true;
  return out;
}

StatusOr<ShapeValue> sliceShape(const ShapeValue& v, const std::vector<int64_t>& starts,
                                const std::vector<int64_t>& ends,
                                const std::vector<int64_t>& axes,
                                const std::vector<int64_t>& steps) {
  if (v.scalar) return invalidArgument("Slice of a scalar");
  if (starts.size() != 1 || ends.size() != 1 || (!axes.empty() && !isAxisZero(axes)) ||
      steps.size() > 1)
    return invalidArgument("Slice of a 1-D shape value needs one start, end, axis and step");
  int64_t len = int64_t(v.entries.size());
  int64_t step = steps.empty() ? 1 : steps[0];
  if (step == 0) return invalidArgument("Slice step 0");
  auto norm = [&](int64_t x) { return x < 0 ? (x < -len ? -1 : x + len) : x; };
  int64_t start = norm(starts[0]), end = ends[0];
  end = end < -len ? -1 : (end < 0 ? end + len : end);
  ShapeValue out;
  out.dtype = v.dtype;
  if (step > 0) {
    start = std::clamp<int64_t>(start, 0, len);
    end = std::clamp<int64_t>(end, 0, len);
    // Stepping stops before it passes `end`: i + step may not overflow.
    for (int64_t i = start; i < end; i = step < end - i ? i + step : end)
      out.entries.push_back(v.entries[size_t(i)]);
  } else {
    start = std::clamp<int64_t>(start, 0, len - 1);
    end = std::clamp<int64_t>(end, -1, len - 1);
    for (int64_t i = start; i > end; i = step > end - i ? i + step : end)
      out.entries.push_back(v.entries[size_t(i)]);
  }
  return out;
}

StatusOr<ShapeValue> castShape(const ShapeValue& v, ir::DType to) {
  ShapeValue out = v;
  out.dtype = to;
  if (v.hasBatch() && (to == ir::DType::U8 || to == ir::DType::Bool))
    return unsupported("Cast of the batch size N to ", ir::dtypeName(to));
  if (ir::isInteger(to) || to == ir::DType::Bool)
    for (int64_t& e : out.entries)
      if (e != kSymbolicN) e = wrapTo(e, to);
  return out;
}

StatusOr<ShapeValue> arithShape(ShapeArith op, const ShapeValue& a, const ShapeValue& b) {
  if (a.dtype != b.dtype)
    return invalidArgument("operands mix ", ir::dtypeName(a.dtype), " and ",
                           ir::dtypeName(b.dtype));
  size_t na = a.entries.size(), nb = b.entries.size();
  if (na != nb && na != 1 && nb != 1)
    return invalidArgument("operands of ", na, " and ", nb, " entries do not broadcast");
  ShapeValue out;
  out.dtype = a.dtype;
  out.scalar = a.scalar && b.scalar;
  size_t n = std::max(na, nb);
  for (size_t i = 0; i < n; ++i) {
    DLC_ASSIGN_OR_RETURN(int64_t r, combine(op, a.entries[na == 1 ? 0 : i],
                                            b.entries[nb == 1 ? 0 : i], a.dtype));
    out.entries.push_back(r);
  }
  return out;
}

}  // namespace dlc::onnxfe
