// Element loads and stores for the reference kernels, in the two exact
// domains the interpreter computes in: double for floats, int64 for
// integers and bool.
//
// Internal to compiler/reference. Float stores round once to the dtype
// (f16/bf16 via support/Tensor.h); integer stores wrap to the dtype's width;
// storeSaturating implements docs/ops.md's float -> integer cast rules.
#pragma once

#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <vector>

#include "support/Tensor.h"

namespace dlc::ref {

// Every element as a double (exact for f32/f16/bf16/u8/i32/bool).
std::vector<double> loadDoubles(const Tensor& t);

// Element i of an integer or bool tensor, exactly.
int64_t loadInt(const Tensor& t, int64_t i);

// Stores v into an integer or bool tensor, wrapping modulo the dtype's width
// (bool stores v != 0).
void storeInt(Tensor& t, int64_t i, int64_t v);

// Stores a float value into any dtype with cast semantics: floats round to
// the dtype; integers truncate toward zero and saturate (NaN -> 0); bool is
// v != 0.
void storeSaturating(Tensor& t, int64_t i, double v);

// IEEE 754-2019 maximum and minimum, as docs/ops.md specifies and every
// backend computes (maximum/minimum, reduce_max/min, max_pool2d): NaN when
// either operand is NaN, and -0 < +0.
inline double ieeeMaximum(double a, double b) {
  if (std::isnan(a) || std::isnan(b)) return std::numeric_limits<double>::quiet_NaN();
  if (a == b) return std::signbit(a) ? b : a;
  return a > b ? a : b;
}
inline double ieeeMinimum(double a, double b) {
  if (std::isnan(a) || std::isnan(b)) return std::numeric_limits<double>::quiet_NaN();
  if (a == b) return std::signbit(a) ? a : b;
  return a < b ? a : b;
}

// Copies element `from` of `src` to element `to` of `dst` (same dtype).
inline void copyElement(const Tensor& src, int64_t from, Tensor& dst, int64_t to) {
  size_t size = ir::dtypeSize(src.dtype());
  std::memcpy(static_cast<uint8_t*>(dst.data()) + to * int64_t(size),
              static_cast<const uint8_t*>(src.data()) + from * int64_t(size), size);
}

}  // namespace dlc::ref
