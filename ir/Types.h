// Element types, shapes with a symbolic batch dimension, and tensor types.
//
// A dimension is either a static extent (>= 0) or the batch symbol N
// (kBatch). A model declared with batch "N" is compiled once and runs at any
// batch size: every extent that depends on N is exactly N (never N*k), which
// keeps kernels' index math affine in one runtime parameter.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "support/Status.h"

namespace dlc::ir {

enum class DType : uint8_t { F32, F16, BF16, U8, I32, I64, Bool };

constexpr int kNumDTypes = 7;
size_t dtypeSize(DType t);
std::string_view dtypeName(DType t);              // "f32", "u8", "bool", ...
std::optional<DType> parseDType(std::string_view name);
bool isFloat(DType t);
bool isInteger(DType t);
// The range of an integer dtype (u8, i32, i64), e.g. the identity of a
// max/min reduction over integers.
int64_t integerLowest(DType t);
int64_t integerHighest(DType t);

// The symbolic batch extent.
constexpr int64_t kBatch = -1;
// Limits enforced on every shape a user can write.
constexpr int kMaxRank = 8;
constexpr int64_t kMaxElements = int64_t(1) << 40;

class Shape {
 public:
  Shape() = default;
  Shape(std::vector<int64_t> dims) : dims_(std::move(dims)) {}  // NOLINT
  Shape(std::initializer_list<int64_t> dims) : dims_(dims) {}

  int rank() const { return int(dims_.size()); }
  int64_t dim(int i) const { return dims_[size_t(i)]; }
  int64_t& dim(int i) { return dims_[size_t(i)]; }
  const std::vector<int64_t>& dims() const { return dims_; }
  bool isScalar() const { return dims_.empty(); }
  bool hasBatch() const;
  // Number of elements with the batch symbol bound to `batch`.
  int64_t numElements(int64_t batch = 1) const;
  // Product of the static extents (the batch symbol counts as 1).
  int64_t staticElements() const;
  // Dimensions with N replaced by `batch`.
  std::vector<int64_t> bind(int64_t batch) const;
  std::string str() const;  // "[N,28,28]"
  bool operator==(const Shape& o) const { return dims_ == o.dims_; }
  bool operator!=(const Shape& o) const { return dims_ != o.dims_; }

 private:
  std::vector<int64_t> dims_;
};

// Checks rank and element-count limits (no int64 overflow).
Status validateShape(const Shape& shape);

struct TensorType {
  DType dtype = DType::F32;
  Shape shape;
  std::string str() const;  // "f32[N,784]"
  int64_t byteSize(int64_t batch = 1) const {
    return shape.numElements(batch) * int64_t(dtypeSize(dtype));
  }
  bool operator==(const TensorType& o) const {
    return dtype == o.dtype && shape == o.shape;
  }
  bool operator!=(const TensorType& o) const { return !(*this == o); }
};

// NumPy broadcasting of two shapes; error text names both shapes.
StatusOr<Shape> broadcastShapes(const Shape& a, const Shape& b);

// Normalizes a possibly negative axis against `rank`.
StatusOr<int> normalizeAxis(int64_t axis, int rank);

}  // namespace dlc::ir
