// The CUDA code section: its byte layout, round trips, and a DataLoss naming
// the source for every truncation and corruption (never a read out of bounds).
#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

#include "runtime/src/CudaCode.h"
#include "support/Endian.h"

namespace dlc::rt {
namespace {

CudaCode sample() {
  CudaCode c;
  c.ptxArch = "compute_90";
  c.ptx = ".version 8.8\n.target sm_90\n.address_size 64\n.visible .entry dlc_k0(\n)\n{ ret; }\n";
  c.cubinArch = "sm_90";
  c.cubin = {0x7f, 'E', 'L', 'F', 2, 1, 1, 0x33, 0, 0, 0xff, 0x00, 0x10};
  return c;
}

void expectSame(const CudaCode& a, const CudaCode& b) {
  EXPECT_EQ(a.ptxArch, b.ptxArch);
  EXPECT_EQ(a.ptx, b.ptx);
  EXPECT_EQ(a.cubinArch, b.cubinArch);
  EXPECT_EQ(a.cubin, b.cubin);
}

TEST(CudaCodeTest, LayoutIsAsDocumented) {
  CudaCode c = sample();
  std::vector<uint8_t> bytes = serializeCudaCode(c);
  ASSERT_EQ(bytes.size(),
            16 + 4 * 8 + c.ptxArch.size() + c.ptx.size() + c.cubinArch.size() + c.cubin.size());
  EXPECT_EQ(std::memcmp(bytes.data(), "DLCCUDA\0", 8), 0);
  EXPECT_EQ(loadLE32(bytes.data() + 8), 1u);
  EXPECT_EQ(loadLE32(bytes.data() + 12), 0u);
  size_t pos = 16;
  EXPECT_EQ(loadLE64(bytes.data() + pos), c.ptxArch.size());
  EXPECT_EQ(std::string(bytes.begin() + pos + 8, bytes.begin() + pos + 8 + c.ptxArch.size()),
            c.ptxArch);
  pos += 8 + c.ptxArch.size();
  EXPECT_EQ(loadLE64(bytes.data() + pos), c.ptx.size());
  pos += 8 + c.ptx.size();
  EXPECT_EQ(loadLE64(bytes.data() + pos), c.cubinArch.size());
  pos += 8 + c.cubinArch.size();
  EXPECT_EQ(loadLE64(bytes.data() + pos), c.cubin.size());
  EXPECT_EQ(std::vector<uint8_t>(bytes.begin() + pos + 8, bytes.end()), c.cubin);
}

TEST(CudaCodeTest, RoundTripWithCubin) {
  CudaCode c = sample();
  StatusOr<CudaCode> parsed = parseCudaCode(serializeCudaCode(c), "m.dlc");
  ASSERT_TRUE(parsed.ok()) << parsed.status().toString();
  expectSame(*parsed, c);
}

TEST(CudaCodeTest, RoundTripPtxOnly) {
  CudaCode c = sample();
  c.cubinArch.clear();
  c.cubin.clear();
  StatusOr<CudaCode> parsed = parseCudaCode(serializeCudaCode(c), "m.dlc");
  ASSERT_TRUE(parsed.ok()) << parsed.status().toString();
  expectSame(*parsed, c);
}

TEST(CudaCodeTest, RoundTripLargeBinary) {
  CudaCode c = sample();
  c.cubin.resize(1 << 20);
  for (size_t i = 0; i < c.cubin.size(); ++i) c.cubin[i] = uint8_t(i * 2654435761u >> 24);
  c.ptx = std::string(300000, 'x');
  StatusOr<CudaCode> parsed = parseCudaCode(serializeCudaCode(c), "m.dlc");
  ASSERT_TRUE(parsed.ok()) << parsed.status().toString();
  expectSame(*parsed, c);
}

TEST(CudaCodeTest, EveryTruncationIsDataLoss) {
  const std::vector<uint8_t> bytes = serializeCudaCode(sample());
  for (size_t cut = 0; cut < bytes.size(); ++cut) {
    std::vector<uint8_t> prefix(bytes.begin(), bytes.begin() + cut);
    StatusOr<CudaCode> parsed = parseCudaCode(prefix, "model.dlc");
    ASSERT_FALSE(parsed.ok()) << "cut at " << cut;
    EXPECT_EQ(parsed.status().code(), StatusCode::kDataLoss) << "cut at " << cut;
    EXPECT_EQ(parsed.status().message().rfind("model.dlc: ", 0), 0u) << parsed.status().message();
    EXPECT_NE(parsed.status().message().find("truncated"), std::string::npos)
        << "cut at " << cut << ": " << parsed.status().message();
  }
}

TEST(CudaCodeTest, TrailingBytesAreDataLoss) {
  std::vector<uint8_t> bytes = serializeCudaCode(sample());
  bytes.push_back(0);
  StatusOr<CudaCode> parsed = parseCudaCode(bytes, "m.dlc");
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.status().code(), StatusCode::kDataLoss);
  EXPECT_NE(parsed.status().message().find("1 unexpected bytes"), std::string::npos);
}

TEST(CudaCodeTest, BadMagicIsDataLoss) {
  std::vector<uint8_t> bytes = serializeCudaCode(sample());
  bytes[3] = 'X';
  StatusOr<CudaCode> parsed = parseCudaCode(bytes, "m.dlc");
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.status().code(), StatusCode::kDataLoss);
  EXPECT_NE(parsed.status().message().find("bad magic"), std::string::npos);
}

TEST(CudaCodeTest, OtherVersionIsRefused) {
  std::vector<uint8_t> bytes = serializeCudaCode(sample());
  storeLE(bytes.data() + 8, 2, 4);
  StatusOr<CudaCode> parsed = parseCudaCode(bytes, "m.dlc");
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(parsed.status().message().find("version 2"), std::string::npos);
}

TEST(CudaCodeTest, HugeLengthsDoNotOverflow) {
  // Each length field in turn claims 2^64-1, 2^63 and one byte more than is left.
  const std::vector<uint8_t> good = serializeCudaCode(sample());
  CudaCode c = sample();
  const size_t offsets[] = {16, 16 + 8 + c.ptxArch.size(),
                            16 + 16 + c.ptxArch.size() + c.ptx.size(),
                            16 + 24 + c.ptxArch.size() + c.ptx.size() + c.cubinArch.size()};
  for (size_t off : offsets) {
    for (uint64_t len : {~uint64_t(0), uint64_t(1) << 63, uint64_t(good.size() - off - 8 + 1)}) {
      std::vector<uint8_t> bytes = good;
      storeLE(bytes.data() + off, len, 8);
      StatusOr<CudaCode> parsed = parseCudaCode(bytes, "m.dlc");
      ASSERT_FALSE(parsed.ok()) << off << " " << len;
      EXPECT_EQ(parsed.status().code(), StatusCode::kDataLoss);
    }
  }
}

TEST(CudaCodeTest, InconsistentContentIsDataLoss) {
  CudaCode nulInPtx = sample();
  nulInPtx.ptx[5] = '\0';
  CudaCode cubinWithoutArch = sample();
  cubinWithoutArch.cubinArch.clear();
  CudaCode archWithoutCubin = sample();
  archWithoutCubin.cubin.clear();
  CudaCode ptxWithoutArch = sample();
  ptxWithoutArch.ptxArch.clear();
  CudaCode empty;
  struct Case {
    const CudaCode* code;
    const char* message;
  };
  for (const Case& c :
       {Case{&nulInPtx, "NUL"}, Case{&cubinWithoutArch, "CUBIN without an arch"},
        Case{&archWithoutCubin, "CUBIN arch without a CUBIN"},
        Case{&ptxWithoutArch, "PTX without an arch"}, Case{&empty, "neither PTX nor a CUBIN"}}) {
    StatusOr<CudaCode> parsed = parseCudaCode(serializeCudaCode(*c.code), "m.dlc");
    ASSERT_FALSE(parsed.ok()) << c.message;
    EXPECT_EQ(parsed.status().code(), StatusCode::kDataLoss);
    EXPECT_NE(parsed.status().message().find(c.message), std::string::npos)
        << parsed.status().message();
  }
}

}  // namespace
}  // namespace dlc::rt
