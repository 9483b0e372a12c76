// safetensors: round trip of all seven dtypes, the exact layout, and every
// header check (offsets, overlap, sizes, dtypes).
#include <gtest/gtest.h>

#include <cstring>

#include "support/Safetensors.h"
#include "tests/frontends/TestFiles.h"

namespace dlc {
namespace {

using ir::DType;
using testing::failsWith;

std::string withHeader(const std::string& header, const std::string& data) {
  std::string out;
  testing::putLE(out, header.size(), 8);
  return out + header + data;
}

TEST(Safetensors, RoundTripsEveryDtype) {
  testing::TempDir dir;
  std::vector<std::pair<std::string, Tensor>> tensors;
  for (int d = 0; d < ir::kNumDTypes; ++d) {
    Tensor t(DType(d), {3, 2});
    for (int64_t i = 0; i < 6; ++i) t.setFromDouble(i, DType(d) == DType::Bool ? i % 2 : i + 1);
    tensors.push_back({"layer." + std::string(ir::dtypeName(DType(d))), t});
  }
  tensors.push_back({"scalar", Tensor(DType::F32, {})});
  tensors.push_back({"empty", Tensor(DType::I32, {0, 4})});
  ASSERT_TRUE(writeSafetensors(dir.file("m.safetensors"), tensors).ok());
  auto back = readSafetensors(dir.file("m.safetensors"));
  ASSERT_TRUE(back.ok()) << back.status().toString();
  ASSERT_EQ(back->size(), tensors.size());
  for (const auto& [name, t] : tensors) {
    const Tensor& b = back->at(name);
    EXPECT_EQ(b.dtype(), t.dtype()) << name;
    EXPECT_EQ(b.dims(), t.dims()) << name;
    EXPECT_EQ(std::memcmp(b.data(), t.data(), t.byteSize()), 0) << name;
  }
  EXPECT_EQ(back->at("layer.bf16").getAsDouble(5), 6.0);
  EXPECT_EQ(back->at("layer.i64").as<int64_t>()[4], 5);
}

TEST(Safetensors, LayoutMatchesTheSpec) {
  Tensor t(DType::F32, {2});
  t.as<float>()[0] = 1.0f;
  t.as<float>()[1] = 2.0f;
  auto bytes = serializeSafetensors({{"w", t}});
  ASSERT_TRUE(bytes.ok());
  uint64_t n = 0;
  for (int i = 7; i >= 0; --i) n = n << 8 | uint8_t((*bytes)[size_t(i)]);
  EXPECT_EQ(n % 8, 0u);
  std::string header = bytes->substr(8, size_t(n));
  EXPECT_NE(header.find("\"w\":{\"data_offsets\":[0,8],\"dtype\":\"F32\",\"shape\":[2]}"),
            std::string::npos)
      << header;
  EXPECT_EQ(bytes->size(), 8 + n + 8);
  float back[2];
  std::memcpy(back, bytes->data() + 8 + n, 8);
  EXPECT_EQ(back[1], 2.0f);
}

TEST(Safetensors, ReadsAHandWrittenFileWithMetadata) {
  std::string data(12, '\0');
  int32_t v[3] = {7, -8, 9};
  std::memcpy(data.data(), v, 12);
  auto back = parseSafetensors(
      withHeader(R"({"__metadata__":{"format":"pt"},"b":{"dtype":"I32","shape":[3],)"
                 R"("data_offsets":[0,12]}})",
                 data),
      "h.safetensors");
  ASSERT_TRUE(back.ok()) << back.status().toString();
  EXPECT_EQ(back->size(), 1u);
  EXPECT_EQ(back->at("b").as<int32_t>()[1], -8);
}

TEST(Safetensors, RejectsBadHeaders) {
  std::string data(16, '\0');
  auto check = [&](const std::string& header, std::vector<std::string> parts) {
    EXPECT_TRUE(
        failsWith(parseSafetensors(withHeader(header, data), "m.safetensors").status(), parts))
        << header;
  };
  check(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[12,20]}})",
        {"m.safetensors", "'a'", "run past"});
  check(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},)"
        R"("b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}})",
        {"overlap"});
  check(R"({"a":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}})", {"spans 8 bytes", "12"});
  check(R"({"a":{"dtype":"F64","shape":[1],"data_offsets":[0,8]}})", {"dtype F64"});
  check(R"({"a":{"dtype":"F32","shape":[-1],"data_offsets":[0,8]}})", {"non-negative"});
  check(R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[8,4]}})", {"end before begin"});
  check(R"({"a":{"dtype":"F32","shape":[1]}})", {"data_offsets"});
  check(R"({"a":[1,2]})", {"not an object"});
  check(R"(["a"])", {"not a JSON object"});
  check(R"({"a":)", {"not a JSON object"});
  std::string huge;
  testing::putLE(huge, uint64_t(1) << 40, 8);
  EXPECT_TRUE(
      failsWith(parseSafetensors(huge + "{}", "m.safetensors").status(), {"header length"}));
  std::string pastEnd;
  testing::putLE(pastEnd, 100, 8);
  EXPECT_TRUE(
      failsWith(parseSafetensors(pastEnd + "{}", "m.safetensors").status(), {"runs past the end"}));
  EXPECT_TRUE(failsWith(parseSafetensors("abc", "m.safetensors").status(), {"shorter than 8"}));
}

TEST(Safetensors, WriterRejectsDuplicateNames) {
  Tensor t(DType::F32, {1});
  EXPECT_TRUE(failsWith(serializeSafetensors({{"a", t}, {"a", t}}).status(), {"twice"}));
  EXPECT_TRUE(failsWith(serializeSafetensors({{"__metadata__", t}}).status(), {"__metadata__"}));
}

}  // namespace
}  // namespace dlc
