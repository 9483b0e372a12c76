#include "support/Tensor.h"

#include <unistd.h>

#include <cmath>
#include <cstdlib>
#include <sstream>

namespace dlc {

using ir::DType;

namespace {

std::string dimsText(DType dtype, const std::vector<int64_t>& dims) {
  std::string s = strCat(ir::dtypeName(dtype), "[");
  for (size_t i = 0; i < dims.size(); ++i) s += strCat(i ? "," : "", dims[i]);
  return s + "]";
}

// Zeroed 64-byte aligned storage of at least `bytes` bytes; null when the
// host cannot provide it.
std::shared_ptr<uint8_t> allocateZeroed(size_t bytes) {
  if (bytes > SIZE_MAX - 63) return nullptr;
  size_t alloc = (bytes + 63) / 64 * 64;
  if (alloc == 0) alloc = 64;
  void* p = std::aligned_alloc(64, alloc);
  if (!p) return nullptr;
  std::memset(p, 0, alloc);
  return std::shared_ptr<uint8_t>(static_cast<uint8_t*>(p), [](uint8_t* q) { std::free(q); });
}

// The host's physical memory in bytes (0 when unknown). A tensor larger than
// this is refused before any allocation is attempted: with overcommit the
// allocation could succeed, and zeroing it would then exhaust the host.
int64_t physicalMemoryBytes() {
  static const int64_t bytes = [] {
    long pages = ::sysconf(_SC_PHYS_PAGES), page = ::sysconf(_SC_PAGE_SIZE);
    return pages > 0 && page > 0 ? int64_t(pages) * int64_t(page) : int64_t(0);
  }();
  return bytes;
}

}  // namespace

Tensor::Tensor(DType dtype, std::vector<int64_t> dims)
    : dtype_(dtype), dims_(std::move(dims)) {
  size_t bytes = byteSize();
  storage_ = allocateZeroed(bytes);
  DLC_CHECK(storage_ != nullptr, "out of host memory allocating ", bytes, " bytes");
}

StatusOr<int64_t> Tensor::checkedByteSize(DType dtype, const std::vector<int64_t>& dims) {
  int64_t elements = 1;
  for (int64_t d : dims) {
    if (d < 0)
      return invalidArgument("tensor ", dimsText(dtype, dims), " has a negative dimension");
  }
  for (int64_t d : dims) {
    if (__builtin_mul_overflow(elements, d, &elements))
      return outOfRange("tensor ", dimsText(dtype, dims), " has more elements than fit in int64");
  }
  int64_t bytes = 0;
  if (__builtin_mul_overflow(elements, int64_t(ir::dtypeSize(dtype)), &bytes))
    return outOfRange("tensor ", dimsText(dtype, dims), " has more bytes than fit in int64");
  return bytes;
}

StatusOr<Tensor> Tensor::create(DType dtype, std::vector<int64_t> dims) {
  DLC_ASSIGN_OR_RETURN(int64_t bytes, checkedByteSize(dtype, dims));
  if (uint64_t(bytes) > uint64_t(SIZE_MAX))
    return outOfRange("tensor ", dimsText(dtype, dims), " needs ", bytes,
                      " bytes, more than this host can address");
  if (int64_t memory = physicalMemoryBytes(); memory > 0 && bytes > memory)
    return unavailable("out of host memory allocating ", bytes, " bytes for tensor ",
                       dimsText(dtype, dims), ": more than the host's ", memory,
                       " bytes of memory");
  std::shared_ptr<uint8_t> storage = allocateZeroed(size_t(bytes));
  if (!storage)
    return unavailable("out of host memory allocating ", bytes, " bytes for tensor ",
                       dimsText(dtype, dims));
  Tensor t;
  t.dtype_ = dtype;
  t.dims_ = std::move(dims);
  t.storage_ = std::move(storage);
  return t;
}

int64_t Tensor::numElements() const {
  int64_t n = 1;
  for (int64_t d : dims_) n *= d;
  return n;
}

double Tensor::getAsDouble(int64_t i) const {
  const void* p = data();
  switch (dtype_) {
    case DType::F32: return static_cast<const float*>(p)[i];
    case DType::F16: return halfToFloat(static_cast<const uint16_t*>(p)[i]);
    case DType::BF16: return bf16ToFloat(static_cast<const uint16_t*>(p)[i]);
    case DType::U8: return static_cast<const uint8_t*>(p)[i];
    case DType::I32: return static_cast<const int32_t*>(p)[i];
    case DType::I64: return double(static_cast<const int64_t*>(p)[i]);
    case DType::Bool: return static_cast<const uint8_t*>(p)[i] ? 1.0 : 0.0;
  }
  return 0;
}

void Tensor::setFromDouble(int64_t i, double v) {
  void* p = data();
  switch (dtype_) {
    case DType::F32: static_cast<float*>(p)[i] = float(v); break;
    case DType::F16: static_cast<uint16_t*>(p)[i] = floatToHalf(float(v)); break;
    case DType::BF16: static_cast<uint16_t*>(p)[i] = floatToBf16(float(v)); break;
    case DType::U8: static_cast<uint8_t*>(p)[i] = uint8_t(int64_t(v)); break;
    case DType::I32: static_cast<int32_t*>(p)[i] = int32_t(v); break;
    case DType::I64: static_cast<int64_t*>(p)[i] = int64_t(v); break;
    case DType::Bool: static_cast<uint8_t*>(p)[i] = v != 0.0; break;
  }
}

Tensor Tensor::reshaped(std::vector<int64_t> dims) const {
  Tensor t = *this;
  t.dims_ = std::move(dims);
  DLC_CHECK(t.numElements() == numElements(), "reshape changes element count");
  return t;
}

Tensor Tensor::clone() const {
  Tensor t(dtype_, dims_);
  if (byteSize()) std::memcpy(t.data(), data(), byteSize());
  return t;
}

std::string Tensor::summary(int maxElements) const {
  std::ostringstream os;
  os << type().str() << "{";
  int64_t n = numElements();
  for (int64_t i = 0; i < n && i < maxElements; ++i) os << (i ? ", " : "") << getAsDouble(i);
  if (n > maxElements) os << ", ...";
  os << "}";
  return os.str();
}

float halfToFloat(uint16_t h) {
  uint32_t sign = uint32_t(h & 0x8000) << 16;
  uint32_t exp = (h >> 10) & 0x1f, mant = h & 0x3ff;
  uint32_t bits;
  if (exp == 0) {
    if (mant == 0) {
      bits = sign;
    } else {  // subnormal
      int e = -1;
      do { ++e; mant <<= 1; } while (!(mant & 0x400));
      bits = sign | uint32_t(127 - 15 - e) << 23 | (mant & 0x3ff) << 13;
    }
  } else if (exp == 31) {
    bits = sign | 0x7f800000u | mant << 13;
  } else {
    bits = sign | (exp + 112) << 23 | mant << 13;
  }
  float f;
  std::memcpy(&f, &bits, 4);
  return f;
}

uint16_t floatToHalf(float f) {
  uint32_t x;
  std::memcpy(&x, &f, 4);
  uint32_t sign = (x >> 16) & 0x8000;
  uint32_t absx = x & 0x7fffffff;
  if (absx >= 0x7f800000) return uint16_t(sign | 0x7c00 | (absx > 0x7f800000 ? 0x200 : 0));
  if (absx >= 0x477ff000) return uint16_t(sign | 0x7c00);  // overflow to inf
  if (absx < 0x38800000) {                                   // subnormal or zero
    float a;
    std::memcpy(&a, &absx, 4);
    return uint16_t(sign | uint32_t(std::nearbyint(a * 16777216.0f)));
  }
  uint32_t mant = absx & 0x7fffff;
  uint32_t exp = (absx >> 23) - 112;
  uint32_t h = exp << 10 | mant >> 13;
  uint32_t rem = mant & 0x1fff;
  if (rem > 0x1000 || (rem == 0x1000 && (h & 1))) ++h;
  return uint16_t(sign | h);
}

float bf16ToFloat(uint16_t h) {
  uint32_t bits = uint32_t(h) << 16;
  float f;
  std::memcpy(&f, &bits, 4);
  return f;
}

uint16_t floatToBf16(float f) {
  uint32_t x;
  std::memcpy(&x, &f, 4);
  if ((x & 0x7fffffff) > 0x7f800000) return uint16_t((x >> 16) | 0x40);
  uint32_t lsb = (x >> 16) & 1;
  return uint16_t((x + 0x7fff + lsb) >> 16);
}

}  // namespace dlc
