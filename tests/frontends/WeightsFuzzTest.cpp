// Mutated weight files (.npy, .npz, safetensors, IDX) must be rejected or
// read, never crash or over-allocate. Run under ASan/UBSan to get the most
// out of it.
#include <gtest/gtest.h>

#include <functional>
#include <random>

#include "support/Idx.h"
#include "support/Npy.h"
#include "support/Safetensors.h"
#include "tests/frontends/TestFiles.h"

namespace dlc {
namespace {

using ir::DType;

// Applies 1..4 random byte edits (flip, set to 0x00/0xff, truncate) to `base`
// many times and feeds each result to `parse`. Returns how many failed.
int mutateAndParse(const std::string& base, const std::function<Status(std::string_view)>& parse,
                   unsigned seed) {
  std::mt19937 rng(seed);
  int failures = 0;
  for (int iter = 0; iter < 2000; ++iter) {
    std::string bytes = base;
    int edits = 1 + int(rng() % 4);
    for (int e = 0; e < edits && !bytes.empty(); ++e) {
      size_t at = rng() % bytes.size();
      switch (rng() % 4) {
        case 0:
          bytes[at] = char(bytes[at] ^ (1 << (rng() % 8)));
          break;
        case 1:
          bytes[at] = char(0xff);
          break;
        case 2:
          bytes[at] = 0;
          break;
        default:
          bytes.resize(at);
          break;
      }
    }
    if (!parse(bytes).ok()) ++failures;
  }
  return failures;
}

Tensor sample(DType dtype, std::vector<int64_t> dims) {
  Tensor t(dtype, std::move(dims));
  for (int64_t i = 0; i < t.numElements(); ++i) t.setFromDouble(i, double(i % 7));
  return t;
}

TEST(WeightsFuzz, Npy) {
  std::string base = *serializeNpy(sample(DType::F32, {3, 5}));
  int failures = mutateAndParse(
      base, [](std::string_view b) { return parseNpy(b, "f.npy").status(); }, 1);
  EXPECT_GT(failures, 100);
}

TEST(WeightsFuzz, Npz) {
  std::string stored = *serializeNpy(sample(DType::I32, {4, 4}));
  std::string zip =
      testing::handBuiltZip({{"a.npy", stored, /*deflate=*/false, /*zip64LocalExtra=*/true},
                             {"b.npy", *serializeNpy(sample(DType::U8, {64})), /*deflate=*/true}});
  ASSERT_TRUE(parseNpz(zip, "f.npz").ok());
  int failures = mutateAndParse(
      zip, [](std::string_view b) { return parseNpz(b, "f.npz").status(); }, 2);
  EXPECT_GT(failures, 100);
}

TEST(WeightsFuzz, Safetensors) {
  std::string base =
      *serializeSafetensors({{"w", sample(DType::F32, {2, 3})}, {"b", sample(DType::BF16, {3})}});
  int failures = mutateAndParse(
      base, [](std::string_view b) { return parseSafetensors(b, "f.safetensors").status(); }, 3);
  EXPECT_GT(failures, 100);
}

TEST(WeightsFuzz, Idx) {
  std::string raw{0, 0, 8, 3, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0, 3};
  raw += std::string(18, 'x');
  std::string gz = testing::deflateBytes(raw, /*gzip=*/true);
  ASSERT_TRUE(parseIdx(gz, "f.gz").ok());
  int failures = mutateAndParse(
      gz, [](std::string_view b) { return parseIdx(b, "f.gz").status(); }, 4);
  failures += mutateAndParse(
      raw, [](std::string_view b) { return parseIdx(b, "f.idx").status(); }, 5);
  EXPECT_GT(failures, 100);
}

}  // namespace
}  // namespace dlc
