#include "runtime/src/Checksum.h"

#include <bit>
#include <cstring>

namespace dlc::rt {
namespace {

constexpr uint64_t kP1 = 0x9e3779b185ebca87ull;
constexpr uint64_t kP2 = 0xc2b2ae3d27d4eb4full;
constexpr uint64_t kP3 = 0x165667b19e3779f9ull;
constexpr uint64_t kP4 = 0x85ebca77c2b2ae63ull;
constexpr uint64_t kP5 = 0x27d4eb2f165667c5ull;

uint64_t rotl(uint64_t x, int r) { return (x << r) | (x >> (64 - r)); }

// Little-endian loads whatever the host's byte order, so the checksum of a
// file is the same everywhere.
uint64_t load64(const uint8_t* p) {
  uint64_t v;
  std::memcpy(&v, p, 8);
  if constexpr (std::endian::native == std::endian::big) v = __builtin_bswap64(v);
  return v;
}

uint64_t mix(uint64_t acc, uint64_t word) { return rotl(acc + word * kP2, 31) * kP1; }

uint64_t merge(uint64_t h, uint64_t lane) { return (h ^ mix(0, lane)) * kP1 + kP4; }

}  // namespace

uint64_t checksum64(const void* data, size_t size) {
  // Counts, not pointer bounds: `data` may be null when `size` is 0.
  const auto* p = static_cast<const uint8_t*>(data);
  size_t left = size;
  uint64_t h;
  if (left >= 32) {
    uint64_t a = kP1 + kP2, b = kP2, c = 0, d = 0 - kP1;
    for (; left >= 32; p += 32, left -= 32) {
      a = mix(a, load64(p));
      b = mix(b, load64(p + 8));
      c = mix(c, load64(p + 16));
      d = mix(d, load64(p + 24));
    }
    h = merge(merge(merge(merge(kP5, a), b), c), d);
  } else {
    h = kP5;
  }
  h += uint64_t(size);
  for (; left >= 8; p += 8, left -= 8) h = rotl(h ^ mix(0, load64(p)), 27) * kP1 + kP4;
  for (; left > 0; ++p, --left) h = rotl(h ^ (uint64_t(*p) * kP5), 11) * kP1;
  h ^= h >> 33;
  h *= kP2;
  h ^= h >> 29;
  h *= kP3;
  h ^= h >> 32;
  return h;
}

}  // namespace dlc::rt
