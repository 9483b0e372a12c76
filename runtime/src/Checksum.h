// A 64-bit FNV-1a checksum, used to detect corrupt artifacts.
//
// FNV-1a catches every single-byte change and is dependency free; it is not
// cryptographic and deliberately does not try to detect tampering.
#pragma once

#include <cstddef>
#include <cstdint>

namespace dlc::rt {

constexpr uint64_t kFnvOffsetBasis = 0xcbf29ce484222325ull;

// Continues a running checksum (start with kFnvOffsetBasis).
uint64_t fnv1a64(const void* data, size_t size, uint64_t hash = kFnvOffsetBasis);

}  // namespace dlc::rt
