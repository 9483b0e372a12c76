// Little-endian integer encoding: the byte order of every binary format dlc
// reads or writes (artifacts, .npy, .npz/zip, safetensors).
//
// Byte-wise, so the result does not depend on the host's byte order or on the
// alignment of the pointer. What this deliberately does not do: bounds
// checks (callers check the size of what they read before reading it) and
// big-endian formats (IDX decodes its four big-endian extents itself).
#pragma once

#include <cstdint>
#include <string>

namespace dlc {

// The `bytes`-byte (1..8) little-endian unsigned integer at `p`.
inline uint64_t loadLE(const void* p, int bytes) {
  const uint8_t* b = static_cast<const uint8_t*>(p);
  uint64_t v = 0;
  for (int i = bytes - 1; i >= 0; --i) v = (v << 8) | b[i];
  return v;
}
inline uint16_t loadLE16(const void* p) { return uint16_t(loadLE(p, 2)); }
inline uint32_t loadLE32(const void* p) { return uint32_t(loadLE(p, 4)); }
inline uint64_t loadLE64(const void* p) { return loadLE(p, 8); }

// Writes the low `bytes` (1..8) bytes of `v` at `p`, least significant first.
inline void storeLE(void* p, uint64_t v, int bytes) {
  uint8_t* b = static_cast<uint8_t*>(p);
  for (int i = 0; i < bytes; ++i) b[i] = uint8_t(v >> (8 * i));
}

// Appends the low `bytes` (1..8) bytes of `v` to `out`, least significant first.
inline void appendLE(std::string& out, uint64_t v, int bytes) {
  for (int i = 0; i < bytes; ++i) out.push_back(char(uint8_t(v >> (8 * i))));
}

}  // namespace dlc
