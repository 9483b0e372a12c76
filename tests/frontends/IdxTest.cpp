// IDX (MNIST) files: synthetic raw and gzipped files, every header check,
// and the real Fashion-MNIST test labels when the dataset is installed.
#include <gtest/gtest.h>
#include <unistd.h>

#include "support/Idx.h"
#include "tests/frontends/TestFiles.h"

namespace dlc {
namespace {

using testing::failsWith;

std::string idx(std::vector<uint32_t> dims, const std::string& data, uint8_t type = 0x08) {
  std::string out{0, 0, char(type), char(dims.size())};
  for (uint32_t d : dims)
    for (int s = 24; s >= 0; s -= 8) out += char((d >> s) & 0xff);
  return out + data;
}

TEST(Idx, ReadsGzippedImagesAndRawLabels) {
  testing::TempDir dir;
  std::string pixels;
  for (int i = 0; i < 2 * 3 * 4; ++i) pixels += char(i * 10);
  std::string path = dir.write("images-idx3-ubyte.gz",
                               testing::deflateBytes(idx({2, 3, 4}, pixels), /*gzip=*/true));
  auto images = readIdx(path);
  ASSERT_TRUE(images.ok()) << images.status().toString();
  EXPECT_EQ(images->dtype(), ir::DType::U8);
  EXPECT_EQ(images->dims(), (std::vector<int64_t>{2, 3, 4}));
  EXPECT_EQ(images->as<uint8_t>()[23], 230);

  auto labels =
      readIdx(dir.write("labels-idx1-ubyte", idx({5}, std::string("\x01\x09\x00\x03\x07", 5))));
  ASSERT_TRUE(labels.ok()) << labels.status().toString();
  EXPECT_EQ(labels->dims(), std::vector<int64_t>{5});
  EXPECT_EQ(labels->as<uint8_t>()[1], 9);
  EXPECT_EQ(labels->as<uint8_t>()[4], 7);
}

TEST(Idx, RejectsBadFiles) {
  EXPECT_TRUE(failsWith(parseIdx(idx({3}, "ab"), "l.idx").status(),
                        {"l.idx", "need 3 data bytes", "holds 2"}));
  EXPECT_TRUE(failsWith(parseIdx(idx({3}, "abcd"), "l.idx").status(), {"holds 4"}));
  EXPECT_TRUE(failsWith(parseIdx(idx({1}, "abcd", 0x0D), "l.idx").status(), {"element type 0xd"}));
  EXPECT_TRUE(failsWith(parseIdx(std::string("\x01\x00\x08\x01", 4), "l.idx").status(),
                        {"two zero bytes"}));
  EXPECT_TRUE(failsWith(parseIdx(idx({}, ""), "l.idx").status(), {"rank 0"}));
  EXPECT_TRUE(
      failsWith(parseIdx(idx({2}, "").substr(0, 6), "l.idx").status(), {"truncated IDX header"}));
  EXPECT_TRUE(
      failsWith(parseIdx(idx({65536, 65536, 65536}, ""), "l.idx").status(), {"exceed the limit"}));
  std::string gz = testing::deflateBytes(idx({4}, "abcd"), /*gzip=*/true);
  EXPECT_TRUE(failsWith(parseIdx(gz.substr(0, gz.size() / 2), "l.gz").status(), {"l.gz"}));
  EXPECT_EQ(readIdx("/nonexistent/t10k-labels-idx1-ubyte.gz").status().code(),
            StatusCode::kNotFound);
}

TEST(Idx, RealFashionMnistTestLabels) {
  const char* path = "/usr/share/datasets/fashion-mnist/t10k-labels-idx1-ubyte.gz";
  if (::access(path, R_OK) != 0) GTEST_SKIP() << "Fashion-MNIST is not installed at " << path;
  auto labels = readIdx(path);
  ASSERT_TRUE(labels.ok()) << labels.status().toString();
  ASSERT_EQ(labels->dims(), std::vector<int64_t>{10000});
  int counts[10] = {};
  for (int64_t i = 0; i < 10000; ++i) {
    uint8_t l = labels->as<uint8_t>()[i];
    ASSERT_LT(l, 10);
    ++counts[l];
  }
  for (int c = 0; c < 10; ++c) EXPECT_EQ(counts[c], 1000) << "class " << c;
}

TEST(Idx, RealFashionMnistTestImages) {
  const char* path = "/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz";
  if (::access(path, R_OK) != 0) GTEST_SKIP() << "Fashion-MNIST is not installed at " << path;
  auto images = readIdx(path);
  ASSERT_TRUE(images.ok()) << images.status().toString();
  EXPECT_EQ(images->dims(), (std::vector<int64_t>{10000, 28, 28}));
}

}  // namespace
}  // namespace dlc
