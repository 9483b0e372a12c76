// Index helpers shared by the reference kernels: row-major strides, NumPy
// broadcast index mapping and a multi-index odometer.
//
// Internal to compiler/reference. Nothing here is fast, on purpose: every
// kernel walks a multi-index and computes offsets from strides, the way the
// spec describes the op.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "support/Status.h"

namespace dlc::ref {

using Dims = std::vector<int64_t>;

// Product of dims[begin, end) (1 for an empty range).
int64_t product(const Dims& dims, size_t begin, size_t end);
inline int64_t product(const Dims& dims) { return product(dims, 0, dims.size()); }

// Row-major element strides of `dims`.
Dims rowMajorStrides(const Dims& dims);

// Strides that read a tensor of `inDims` (with element strides `inStrides`)
// at each multi-index of `outDims` under NumPy broadcasting: missing leading
// dims and stretched size-1 dims get stride 0. Errors if `inDims` does not
// broadcast to `outDims`.
StatusOr<Dims> broadcastStrides(const Dims& inDims, const Dims& inStrides,
                                const Dims& outDims);
StatusOr<Dims> broadcastStrides(const Dims& inDims, const Dims& outDims);

// NumPy broadcast of two concrete shapes.
StatusOr<Dims> broadcastDims(const Dims& a, const Dims& b);

// Advances `index` over `dims` in row-major order; false once it wraps.
bool nextIndex(Dims& index, const Dims& dims);

// sum(index[i] * strides[i]).
int64_t offsetOf(const Dims& index, const Dims& strides);

// "[2,3,4]".
std::string dimsStr(const Dims& dims);

}  // namespace dlc::ref
