// The artifact checksum: a 64-bit hash of every byte, used to detect corrupt
// (truncated, bit-flipped, partly written) artifacts.
//
// Four independent 64-bit lanes each take one 8-byte word of every 32-byte
// stripe (multiply, rotate, multiply: the round of xxHash64), so the loop runs
// at several bytes per cycle instead of FNV-1a's one byte per multiply; a
// 28 MB model is checksummed in a few milliseconds when it is built and when
// it is loaded. Every step is a bijection of the lane's state, so any change
// confined to one 8-byte word always changes the checksum. It is not
// cryptographic and deliberately does not try to detect tampering.
#pragma once

#include <cstddef>
#include <cstdint>

namespace dlc::rt {

uint64_t checksum64(const void* data, size_t size);

}  // namespace dlc::rt
