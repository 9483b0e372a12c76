// Affine: a size that depends on the batch, value(N) = fixed + perBatch * N.
//
// Buffer sizes, byte counts and flop counts of a compiled model are all of
// this form: a tensor either has the batch dimension N or not, so one of
// the two parts is 0 for a single tensor, while sums over tensors may have
// both. The compiler (buffer assignment, manifest builder) and the runtime
// (manifest, memory plan) share this one type. It does no overflow checks:
// the runtime's bytesAt() checks a size at a concrete batch before use.
#pragma once

#include <algorithm>
#include <cstdint>

namespace dlc {

struct Affine {
  int64_t fixed = 0;
  int64_t perBatch = 0;

  // A size that does not depend on the batch, and one that scales with it.
  static constexpr Affine constant(int64_t v) { return {v, 0}; }
  static constexpr Affine batched(int64_t v) { return {0, v}; }

  constexpr int64_t at(int64_t batch) const { return fixed + perBatch * batch; }
  constexpr Affine plus(const Affine& o) const { return {fixed + o.fixed, perBatch + o.perBatch}; }
  constexpr Affine scaled(int64_t k) const { return {fixed * k, perBatch * k}; }
  // The component-wise maximum: at least as large as both at every batch >= 0.
  constexpr Affine max(const Affine& o) const {
    return {std::max(fixed, o.fixed), std::max(perBatch, o.perBatch)};
  }
  constexpr bool operator==(const Affine& o) const = default;
};

}  // namespace dlc
