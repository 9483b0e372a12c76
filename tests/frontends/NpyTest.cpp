// .npy / .npz: round trips for every dtype, byte-exact headers, hand-built
// archives (stored, numpy-style zip64 extras, deflated members) and every
// rejection path.
#include <gtest/gtest.h>

#include <cstring>

#include "support/Npy.h"
#include "tests/frontends/TestFiles.h"

namespace dlc {
namespace {

using ir::DType;
using testing::failsWith;
using testing::TempDir;

Tensor patterned(DType dtype, std::vector<int64_t> dims) {
  Tensor t(dtype, std::move(dims));
  for (int64_t i = 0; i < t.numElements(); ++i) {
    double v = dtype == DType::Bool ? double(i % 3 == 0)
               : dtype == DType::U8 ? double((i * 37) % 256)
               : ir::isFloat(dtype) ? double(i) * 0.5 - 3.0
                                    : double(i * 1000 - 7);
    t.setFromDouble(i, v);
  }
  return t;
}

bool sameTensor(const Tensor& a, const Tensor& b) {
  return a.dtype() == b.dtype() && a.dims() == b.dims() &&
         std::memcmp(a.data(), b.data(), a.byteSize()) == 0;
}

const DType kNpyDTypes[] = {DType::F32, DType::F16, DType::U8, DType::I32, DType::I64, DType::Bool};

TEST(Npy, RoundTripsEveryDtypeAndRank) {
  TempDir dir;
  for (DType dtype : kNpyDTypes) {
    for (std::vector<int64_t> dims :
         {std::vector<int64_t>{}, {5}, {2, 3}, {2, 0, 4}, {1, 2, 3, 4}}) {
      Tensor t = patterned(dtype, dims);
      std::string path = dir.file("t.npy");
      ASSERT_TRUE(writeNpy(path, t).ok());
      auto back = readNpy(path);
      ASSERT_TRUE(back.ok()) << back.status().toString();
      EXPECT_TRUE(sameTensor(t, *back)) << t.summary() << " vs " << back->summary();
    }
  }
  // Spot-check values, not just bytes.
  Tensor t = patterned(DType::I64, {3});
  ASSERT_TRUE(writeNpy(dir.file("i.npy"), t).ok());
  auto back = readNpy(dir.file("i.npy"));
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->as<int64_t>()[2], 1993);
}

TEST(Npy, WritesTheNumpyHeaderByteForByte) {
  Tensor t(DType::F32, {3});
  auto bytes = serializeNpy(t);
  ASSERT_TRUE(bytes.ok());
  std::string expectDict = "{'descr': '<f4', 'fortran_order': False, 'shape': (3,), }";
  EXPECT_EQ(bytes->substr(0, 8), std::string("\x93NUMPY\x01\x00", 8));
  size_t headerLen = uint8_t((*bytes)[8]) | size_t(uint8_t((*bytes)[9])) << 8;
  EXPECT_EQ((10 + headerLen) % 64, 0u);
  EXPECT_EQ(bytes->substr(10, expectDict.size()), expectDict);
  EXPECT_EQ((*bytes)[10 + headerLen - 1], '\n');
  EXPECT_EQ(bytes->size(), 10 + headerLen + 12);

  auto scalar = serializeNpy(Tensor(DType::U8, {}));
  ASSERT_TRUE(scalar.ok());
  EXPECT_NE(scalar->find("'descr': '|u1', 'fortran_order': False, 'shape': ()"), std::string::npos);
  auto matrix = serializeNpy(Tensor(DType::Bool, {2, 3}));
  ASSERT_TRUE(matrix.ok());
  EXPECT_NE(matrix->find("'descr': '|b1', 'fortran_order': False, 'shape': (2, 3)"),
            std::string::npos);
}

std::string npyWithHeader(int major, const std::string& dict, const std::string& data) {
  std::string out("\x93NUMPY", 6);
  out += char(major);
  out += char(0);
  testing::putLE(out, dict.size(), major == 1 ? 2 : 4);
  return out + dict + data;
}

TEST(Npy, ReadsVersion2And3HeadersAndDoubleQuotes) {
  std::string data(8, '\0');
  float v[2] = {1.5f, -2.0f};
  std::memcpy(data.data(), v, 8);
  for (int major : {2, 3}) {
    auto t = parseNpy(npyWithHeader(major,
                                    "{\"descr\": \"<f4\", \"shape\": (2,), "
                                    "\"fortran_order\": False}\n",
                                    data),
                      "x.npy");
    ASSERT_TRUE(t.ok()) << t.status().toString();
    EXPECT_EQ(t->dims(), std::vector<int64_t>{2});
    EXPECT_FLOAT_EQ(t->as<float>()[1], -2.0f);
  }
}

TEST(Npy, NormalizesBoolBytes) {
  auto t = parseNpy(npyWithHeader(1, "{'descr': '|b1', 'fortran_order': False, 'shape': (3,), }",
                                  std::string("\x00\x05\x01", 3)),
                    "b.npy");
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->as<uint8_t>()[0], 0);
  EXPECT_EQ(t->as<uint8_t>()[1], 1);
  EXPECT_EQ(t->as<uint8_t>()[2], 1);
}

TEST(Npy, RejectsWhatItCannotReadFaithfully) {
  const std::string four(4, '\0');
  auto header = [](const std::string& descr, const char* fortran, const std::string& shape) {
    return "{'descr': '" + descr + "', 'fortran_order': " + fortran + ", 'shape': " + shape + ", }";
  };
  EXPECT_TRUE(
      failsWith(parseNpy(npyWithHeader(1, header("<f4", "True", "(1,)"), four), "a.npy").status(),
                {"a.npy", "Fortran-order"}));
  EXPECT_TRUE(failsWith(
      parseNpy(npyWithHeader(1, header("<f8", "False", "(1,)"), four + four), "a.npy").status(),
      {"a.npy", "'<f8' is not supported"}));
  EXPECT_TRUE(
      failsWith(parseNpy(npyWithHeader(1, header(">f4", "False", "(1,)"), four), "a.npy").status(),
                {"big-endian"}));
  EXPECT_TRUE(
      failsWith(parseNpy(npyWithHeader(1, header("<f4", "False", "(2,)"), four), "a.npy").status(),
                {"truncated .npy data", "8 needed"}));
  EXPECT_TRUE(failsWith(
      parseNpy(npyWithHeader(1, header("<f4", "False", "()"), four + "x"), "a.npy").status(),
      {"1 trailing bytes"}));
  EXPECT_TRUE(failsWith(
      parseNpy(npyWithHeader(1, "{'descr': '<f4', 'shape': (1,), }", four), "a.npy").status(),
      {"malformed .npy header"}));
  EXPECT_TRUE(
      failsWith(parseNpy(npyWithHeader(4, header("<f4", "False", "(1,)"), four), "a.npy").status(),
                {"version 4"}));
  EXPECT_TRUE(failsWith(
      parseNpy(npyWithHeader(1, header("<f4", "False", "(1, 1, 1, 1, 1, 1, 1, 1, 1)"), four),
               "a.npy")
          .status(),
      {"rank"}));
  EXPECT_TRUE(failsWith(
      parseNpy(npyWithHeader(1, header("<f4", "False", "(4294967296, 4294967296)"), four), "a.npy")
          .status(),
      {"2^40"}));
  EXPECT_TRUE(failsWith(parseNpy("PK\x03\x04 not npy", "a.npy").status(), {"bad magic"}));
  EXPECT_TRUE(failsWith(writeNpy("/tmp/never.npy", Tensor(DType::BF16, {2})), {"bf16"}));
}

TEST(Npy, MissingFileIsNotFound) {
  auto t = readNpy("/nonexistent/dir/w.npy");
  EXPECT_EQ(t.status().code(), StatusCode::kNotFound);
  EXPECT_TRUE(failsWith(t.status(), {"/nonexistent/dir/w.npy"}));
}

TEST(Npz, RoundTripsEveryDtype) {
  TempDir dir;
  std::vector<std::pair<std::string, Tensor>> tensors;
  for (DType dtype : kNpyDTypes)
    tensors.push_back({"t_" + std::string(ir::dtypeName(dtype)), patterned(dtype, {2, 5})});
  tensors.push_back({"nested/name", patterned(DType::F32, {})});
  ASSERT_TRUE(writeNpz(dir.file("w.npz"), tensors).ok());
  auto back = readNpz(dir.file("w.npz"));
  ASSERT_TRUE(back.ok()) << back.status().toString();
  ASSERT_EQ(back->size(), tensors.size());
  for (const auto& [key, t] : tensors) {
    ASSERT_TRUE(back->count(key)) << key;
    EXPECT_TRUE(sameTensor(t, back->at(key))) << key;
  }
}

TEST(Npz, ReadsAHandBuiltNumpyStyleArchive) {
  // Two members laid out as np.savez does: stored, zip64 extra in the local
  // header with 0xffffffff sizes, real sizes in the central directory.
  Tensor a = patterned(DType::F32, {2, 2});
  Tensor b = patterned(DType::I64, {3});
  std::string zip = testing::handBuiltZip(
      {{"a.npy", *serializeNpy(a), /*deflate=*/false, /*zip64LocalExtra=*/true},
       {"b.npy", *serializeNpy(b), /*deflate=*/false, /*zip64LocalExtra=*/true}});
  auto back = parseNpz(zip, "hand.npz");
  ASSERT_TRUE(back.ok()) << back.status().toString();
  ASSERT_EQ(back->size(), 2u);
  EXPECT_FLOAT_EQ(back->at("a").as<float>()[3], -1.5f);
  EXPECT_EQ(back->at("b").as<int64_t>()[1], 993);
}

TEST(Npz, ReadsDeflatedMembers) {
  Tensor big = patterned(DType::F32, {64, 16});
  Tensor labels = patterned(DType::U8, {100});
  std::string zip = testing::handBuiltZip({{"big.npy", *serializeNpy(big), /*deflate=*/true},
                                           {"labels.npy", *serializeNpy(labels), true}});
  EXPECT_LT(zip.size(), serializeNpy(big)->size());  // really compressed
  auto back = parseNpz(zip, "c.npz");
  ASSERT_TRUE(back.ok()) << back.status().toString();
  EXPECT_TRUE(sameTensor(back->at("big"), big));
  EXPECT_TRUE(sameTensor(back->at("labels"), labels));
  EXPECT_FLOAT_EQ(back->at("big").as<float>()[1023], 1023 * 0.5f - 3.0f);
}

TEST(Npz, RejectsCorruptArchives) {
  std::string member = *serializeNpy(patterned(DType::F32, {4}));
  std::string good = testing::handBuiltZip({{"w.npy", member, /*deflate=*/true}});
  ASSERT_TRUE(parseNpz(good, "z.npz").ok());

  std::string badCrc = good;
  badCrc[badCrc.size() - 22 - 46 - 5 + 16] ^= 0x55;  // central-directory CRC of the member
  EXPECT_TRUE(failsWith(parseNpz(badCrc, "z.npz").status(), {"z.npz", "CRC-32"}));
  EXPECT_TRUE(failsWith(parseNpz(good.substr(0, good.size() - 30), "z.npz").status(), {"z.npz"}));
  EXPECT_TRUE(failsWith(parseNpz(good.substr(10), "z.npz").status(), {"z.npz"}));
  EXPECT_TRUE(failsWith(parseNpz("not a zip at all, just text bytes", "z.npz").status(),
                        {"not a zip archive"}));
  EXPECT_TRUE(
      failsWith(parseNpz(testing::handBuiltZip({{"readme.txt", "hello"}}), "z.npz").status(),
                {"'readme.txt' is not a .npy file"}));
  std::string corruptDeflate = testing::handBuiltZip({{"w.npy", member, true}});
  corruptDeflate[40] ^= 0xff;
  EXPECT_FALSE(parseNpz(corruptDeflate, "z.npz").ok());
}

}  // namespace
}  // namespace dlc
