#include "runtime/src/Checksum.h"

namespace dlc::rt {

uint64_t fnv1a64(const void* data, size_t size, uint64_t hash) {
  constexpr uint64_t kPrime = 0x100000001b3ull;
  const auto* p = static_cast<const uint8_t*>(data);
  for (size_t i = 0; i < size; ++i) {
    hash ^= p[i];
    hash *= kPrime;
  }
  return hash;
}

}  // namespace dlc::rt
