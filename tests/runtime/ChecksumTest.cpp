// The artifact checksum: pinned values (the file format depends on them) and
// the detection guarantees runtime/src/Checksum.h states.
#include "runtime/src/Checksum.h"

#include <cstdint>
#include <random>
#include <vector>

#include <gtest/gtest.h>

namespace dlc::rt {
namespace {

std::vector<uint8_t> pattern(size_t n) {
  std::vector<uint8_t> b(n);
  for (size_t i = 0; i < n; ++i) b[i] = uint8_t(i * 37 + 11);
  return b;
}

TEST(Checksum, PinnedValues) {
  // Changing these changes the artifact format: bump Manifest::kFormatVersion.
  // Below one stripe (32 bytes) the function is xxHash64 with seed 0, whose
  // published values these are; longer inputs merge the lanes without
  // xxHash64's rotated sum, so that each merge is a bijection of its lane.
  EXPECT_EQ(checksum64(nullptr, 0), 0xef46db3751d8e999ull);
  const uint8_t abc[] = {'a', 'b', 'c'};
  EXPECT_EQ(checksum64(abc, 3), 0x44bc2cf5ad770999ull);
  std::vector<uint8_t> b = pattern(1000);
  EXPECT_EQ(checksum64(b.data(), b.size()), 0x751cfaa4ce24fbc1ull);
}

TEST(Checksum, EveryBitFlipChangesIt) {
  // Every length up to four stripes and a tail: stripes, 8-byte words and
  // single bytes all take part.
  for (size_t n = 1; n <= 140; ++n) {
    std::vector<uint8_t> b = pattern(n);
    const uint64_t base = checksum64(b.data(), n);
    for (size_t i = 0; i < n; ++i) {
      for (int bit = 0; bit < 8; ++bit) {
        b[i] ^= uint8_t(1 << bit);
        ASSERT_NE(checksum64(b.data(), n), base) << "length " << n << " byte " << i << " bit " << bit;
        b[i] ^= uint8_t(1 << bit);
      }
    }
  }
}

TEST(Checksum, AnyChangeWithinOneWordChangesIt) {
  std::vector<uint8_t> b = pattern(4096 + 13);
  const uint64_t base = checksum64(b.data(), b.size());
  std::mt19937_64 rng(7);
  for (size_t w = 0; w + 8 <= b.size(); w += 8) {
    std::vector<uint8_t> c = b;
    uint64_t x = rng() | 1;  // never zero: the word really changes
    for (int k = 0; k < 8; ++k) c[w + size_t(k)] ^= uint8_t(x >> (8 * k));
    ASSERT_NE(checksum64(c.data(), c.size()), base) << "word at " << w;
  }
}

TEST(Checksum, TruncationAndZeroPaddingChangeIt) {
  std::vector<uint8_t> b = pattern(256);
  const uint64_t base = checksum64(b.data(), b.size());
  for (size_t n = 0; n < b.size(); ++n) EXPECT_NE(checksum64(b.data(), n), base) << n;
  std::vector<uint8_t> zeros(64, 0);
  std::vector<uint64_t> seen;
  for (size_t n = 0; n <= zeros.size(); ++n) seen.push_back(checksum64(zeros.data(), n));
  for (size_t i = 0; i < seen.size(); ++i)
    for (size_t j = i + 1; j < seen.size(); ++j) EXPECT_NE(seen[i], seen[j]) << i << " " << j;
}

}  // namespace
}  // namespace dlc::rt
