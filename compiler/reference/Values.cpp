// Exact element loads/stores and the saturating float -> integer store.
#include "compiler/reference/Values.h"

#include <cmath>
#include <limits>

namespace dlc::ref {

using ir::DType;

std::vector<double> loadDoubles(const Tensor& t) {
  std::vector<double> out(size_t(t.numElements()));
  for (int64_t i = 0; i < t.numElements(); ++i) out[size_t(i)] = t.getAsDouble(i);
  return out;
}

int64_t loadInt(const Tensor& t, int64_t i) {
  switch (t.dtype()) {
    case DType::U8: return t.as<uint8_t>()[i];
    case DType::I32: return t.as<int32_t>()[i];
    case DType::I64: return t.as<int64_t>()[i];
    case DType::Bool: return t.as<uint8_t>()[i] != 0;
    case DType::F32:
    case DType::F16:
    case DType::BF16: break;
  }
  DLC_CHECK(false, "loadInt on a float tensor");
  return 0;
}

void storeInt(Tensor& t, int64_t i, int64_t v) {
  switch (t.dtype()) {
    case DType::U8: t.as<uint8_t>()[i] = uint8_t(uint64_t(v)); return;
    case DType::I32: t.as<int32_t>()[i] = int32_t(uint32_t(uint64_t(v))); return;
    case DType::I64: t.as<int64_t>()[i] = v; return;
    case DType::Bool: t.as<uint8_t>()[i] = v != 0; return;
    case DType::F32:
    case DType::F16:
    case DType::BF16: break;
  }
  DLC_CHECK(false, "storeInt on a float tensor");
}

namespace {
template <typename T>
T saturate(double v) {
  if (std::isnan(v)) return 0;
  // Compare against 2^k bounds that double represents exactly.
  double hi = std::ldexp(1.0, std::numeric_limits<T>::digits);  // max + 1
  double lo = double(std::numeric_limits<T>::min());
  if (v >= hi) return std::numeric_limits<T>::max();
  if (v <= lo) return std::numeric_limits<T>::min();
  return T(std::trunc(v));
}
}  // namespace

void storeSaturating(Tensor& t, int64_t i, double v) {
  switch (t.dtype()) {
    case DType::F32:
    case DType::F16:
    case DType::BF16: t.setFromDouble(i, v); return;
    case DType::U8: t.as<uint8_t>()[i] = saturate<uint8_t>(v); return;
    case DType::I32: t.as<int32_t>()[i] = saturate<int32_t>(v); return;
    case DType::I64: t.as<int64_t>()[i] = saturate<int64_t>(v); return;
    case DType::Bool: t.as<uint8_t>()[i] = v != 0.0; return;
  }
}

}  // namespace dlc::ref
