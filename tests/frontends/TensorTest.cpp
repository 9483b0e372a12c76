// Tensor::create: sizes from users and files are checked (negative dims,
// int64 overflow, allocation failure) and come back as a Status, never abort.
#include <gtest/gtest.h>
#include <sys/resource.h>

#include <cstdlib>

#include "support/Tensor.h"
#include "tests/common/Sanitizers.h"

namespace dlc {
namespace {

using ir::DType;

TEST(TensorCreate, AllocatesZeroFilled) {
  auto t = Tensor::create(DType::I32, {3, 5});
  ASSERT_TRUE(t.ok()) << t.status().toString();
  EXPECT_EQ(t->numElements(), 15);
  EXPECT_EQ(t->byteSize(), 60u);
  for (int64_t i = 0; i < 15; ++i) EXPECT_EQ(t->as<int32_t>()[i], 0);
  auto empty = Tensor::create(DType::F32, {0, 7});
  ASSERT_TRUE(empty.ok());
  EXPECT_EQ(empty->byteSize(), 0u);
  EXPECT_FALSE(empty->empty());  // storage exists, holds no elements
}

TEST(TensorCreate, RejectsNegativeDims) {
  auto t = Tensor::create(DType::F32, {2, -1});
  EXPECT_EQ(t.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(t.status().message().find("f32[2,-1] has a negative dimension"), std::string::npos)
      << t.status().message();
}

TEST(TensorCreate, RejectsInt64Overflow) {
  // 2^32 * 2^32 elements overflows int64; 2^62 f32 elements overflow the bytes.
  auto elements = Tensor::create(DType::U8, {int64_t(1) << 32, int64_t(1) << 32});
  EXPECT_EQ(elements.status().code(), StatusCode::kOutOfRange);
  EXPECT_NE(elements.status().message().find("more elements than fit in int64"),
            std::string::npos);
  auto bytes = Tensor::create(DType::F32, {int64_t(1) << 62});
  EXPECT_EQ(bytes.status().code(), StatusCode::kOutOfRange);
  EXPECT_NE(bytes.status().message().find("more bytes than fit in int64"), std::string::npos);
  EXPECT_EQ(Tensor::checkedByteSize(DType::I64, {3, 4}).value(), 96);
}

// Runs in a death-test child: creates f32[1,2^40] (4 TiB) under a 1 GiB
// address-space limit and exits 0 when create() reported it as a Status.
[[noreturn]] void createUnderOneGiB() {
  test::capAddressSpaceUnlessAsan(uint64_t(1) << 30);
  auto t = Tensor::create(DType::F32, {1, int64_t(1) << 40});
  bool good = t.status().code() == StatusCode::kUnavailable &&
              t.status().message().find("4398046511104 bytes") != std::string::npos;
  std::exit(good ? 0 : 1);
}

// 4 TiB cannot be allocated under a 1 GiB address-space limit: create()
// reports it with the byte count where the constructor would abort.
TEST(TensorCreateDeathTest, AllocationFailureIsAStatus) {
  EXPECT_EXIT(createUnderOneGiB(), ::testing::ExitedWithCode(0), "");
}

}  // namespace
}  // namespace dlc
