// Random valid graphs for differential testing, one per seed.
//
// generateCase(seed) builds an ir::Graph of 2 to 30 computations on f32
// tensors of at most 64K elements (at batch 3), from the op table's shape
// rules: elementwise chains with NumPy broadcasting (lower- and higher-rank
// operands, size-1 dims), unary math, reductions with keepdims, matmul and
// dense, small conv2d and pooling, softmax / log_softmax / layer_norm / batch_norm,
// reshape / flatten / transpose / slice / pad / concat / broadcast_to,
// gather with constant indices, and compare + select. Some graphs take a
// batch input (N) and run at batch 1 and 3.
//
// Values are kept tame: inputs are uniform in [-2, 2], every value carries a
// conservative interval, and domain-sensitive ops only see operands their
// domain accepts (log/rsqrt of >= 0.05, divisors and reciprocals away from
// 0, exp of <= 8, pow of bases >= 0.1), inserting abs(x)+c where needed.
// Comparisons only read values computed exactly (no rounding), so f32 and
// float64 agree on every predicate.
//
// What this deliberately does not do: non-f32 dtypes, runtime
// gather indices, or invalid graphs (the parsers' fuzzers cover those).
#pragma once

#include <cstdint>

#include "tests/fuzz/FuzzCase.h"

namespace dlc::fuzz {

// The limits of one generated graph.
constexpr int kMinNodes = 2;
constexpr int kMaxNodes = 30;
constexpr int64_t kMaxTensorElements = 64 * 1024;

// The case of `seed`: the same graph and inputs for the same seed, always.
// Never fails; a candidate node shape inference refuses is dropped (and
// counted in *rejected when given: a generator bug, not a compiler bug).
FuzzCase generateCase(uint64_t seed, int* rejected = nullptr);

// Fresh input values for `graph` at `batch`, uniform in [-2, 2], from `seed`.
InputSet makeInputs(const ir::Graph& graph, int64_t batch, uint64_t seed);

}  // namespace dlc::fuzz
