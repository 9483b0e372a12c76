// Shape values: small integer tensors computed from tensor shapes, tracked
// entry by entry at import time so that ONNX shape-computing subgraphs
// (Shape -> Gather -> Concat -> Reshape, the pattern every exporter writes
// for `x.view(x.size(0), -1)`) fold to constants even when the batch is the
// symbol N. An entry equal to kSymbolicN stands for N (not ir::kBatch, which
// is -1: a literal -1, Reshape's "infer this extent", must stay distinct).
//
// The functions here are the pure arithmetic of the ONNX ops on such
// values (Shape, Gather, Concat, Unsqueeze, Squeeze, Slice, Cast and
// Add/Sub/Mul/Div). Errors carry no file or node prefix; kUnsupported means
// "not representable as a shape value" (a caller may then fall back to the
// general converter when the value holds no N).
//
// What this deliberately does not do: values of rank above 1, arithmetic
// that would make an entry a multiple of N (dlc's batch extent is exactly N),
// or anything that reads tensor data at run time.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "ir/Types.h"
#include "support/Status.h"
#include "support/Tensor.h"

namespace dlc::onnxfe {

// The entry that stands for the batch size N.
constexpr int64_t kSymbolicN = INT64_MIN;
// Most entries a shape value may hold.
constexpr size_t kMaxShapeValueEntries = 4096;

struct ShapeValue {
  ir::DType dtype = ir::DType::I64;  // the ONNX tensor's dtype (Shape gives i64)
  bool scalar = false;               // rank 0 (one entry) instead of rank 1
  std::vector<int64_t> entries;      // kSymbolicN marks N

  bool hasBatch() const;
  // "[N,3,4]" ("N" for a scalar holding N).
  std::string str() const;
  // The value as a tensor; only when !hasBatch().
  Tensor toTensor() const;
};

// An integer (or integral float) tensor of rank 0 or 1 as a shape value.
// Unsupported for anything else.
StatusOr<ShapeValue> shapeValueFromTensor(const Tensor& t);

// ONNX Shape with opset-15 `start`/`end` (negative counts from the end,
// clamped); `hasEnd` false means the rank. ir::kBatch dims become kSymbolicN.
ShapeValue shapeOf(const ir::Shape& shape, int64_t start, int64_t end, bool hasEnd);

// Gather along axis 0 with constant `indices` (scalar or 1-D).
StatusOr<ShapeValue> gatherShape(const ShapeValue& data, const ShapeValue& indices);
// Concat of 1-D values along axis 0.
StatusOr<ShapeValue> concatShapes(const std::vector<ShapeValue>& parts);
// Unsqueeze of a scalar to [1] (axes [0] or [-1]).
StatusOr<ShapeValue> unsqueezeShape(const ShapeValue& v, const std::vector<int64_t>& axes);
// Squeeze of a 1-D value of one entry to a scalar (axes [], [0] or [-1]).
StatusOr<ShapeValue> squeezeShape(const ShapeValue& v, const std::vector<int64_t>& axes);
// ONNX Slice on a 1-D value (axes [0] or [-1]; steps may be negative).
StatusOr<ShapeValue> sliceShape(const ShapeValue& v, const std::vector<int64_t>& starts,
                                const std::vector<int64_t>& ends,
                                const std::vector<int64_t>& axes,
                                const std::vector<int64_t>& steps);
// Cast to `to` (integer wrap as docs/ops.md cast; N only to i32/i64/floats).
StatusOr<ShapeValue> castShape(const ShapeValue& v, ir::DType to);

enum class ShapeArith { kAdd, kSub, kMul, kDiv };
// Elementwise a (op) b with broadcasting of a single entry. An N entry
// survives only N*1, 1*N, N/1, N+0, 0+N and N-0.
StatusOr<ShapeValue> arithShape(ShapeArith op, const ShapeValue& a, const ShapeValue& b);

}  // namespace dlc::onnxfe
