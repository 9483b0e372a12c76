// Reference reductions: several axes with and without keepdims, all axes,
// negative axes, empty extents and integer sums/means.
#include <limits>

#include "tests/reference/RefTest.h"

namespace dlc::ref::test {
namespace {

using ir::DType;
using ir::OpKind;
using Ints = std::vector<int64_t>;
using Doubles = std::vector<double>;

const double kInf = std::numeric_limits<double>::infinity();

// x[i,j,k] = 12i + 4j + k.
TEST(ReferenceReductions, SumOverTwoAxesKeepDims) {
  Tensor out = run(OpKind::ReduceSum, {iota({2, 3, 4})},
                   attrs({{"axes", Ints{0, 2}}, {"keepdims", int64_t(1)}}));
  EXPECT_EQ(out.dims(), (Ints{1, 3, 1}));
  EXPECT_EQ(values(out), (Doubles{60, 92, 124}));
}

TEST(ReferenceReductions, SumOverTwoAxesDropsDims) {
  Tensor out = run(OpKind::ReduceSum, {iota({2, 3, 4})}, attrs({{"axes", Ints{2, 0}}}));
  EXPECT_EQ(out.dims(), (Ints{3}));
  EXPECT_EQ(values(out), (Doubles{60, 92, 124}));
}

TEST(ReferenceReductions, MeanOverAllAxes) {
  Tensor out = run(OpKind::ReduceMean, {iota({2, 3, 4})});
  EXPECT_EQ(out.dims(), (Ints{}));
  EXPECT_EQ(values(out), (Doubles{11.5}));
}

TEST(ReferenceReductions, MaxMinOverNegativeAxis) {
  Tensor mx = run(OpKind::ReduceMax, {iota({2, 3, 4})}, attrs({{"axes", Ints{-1}}}));
  EXPECT_EQ(mx.dims(), (Ints{2, 3}));
  EXPECT_EQ(values(mx), (Doubles{3, 7, 11, 15, 19, 23}));
  Tensor mn = run(OpKind::ReduceMin, {f32({2, 2}, {3, -1, 2, 8})},
                  attrs({{"axes", Ints{0}}, {"keepdims", int64_t(1)}}));
  EXPECT_EQ(mn.dims(), (Ints{1, 2}));
  EXPECT_EQ(values(mn), (Doubles{2, -1}));
}

TEST(ReferenceReductions, EmptyExtent) {
  Tensor x = f32({2, 0}, {});
  ir::Attributes axes = attrs({{"axes", Ints{1}}});
  EXPECT_EQ(values(run(OpKind::ReduceSum, {x}, axes)), (Doubles{0, 0}));
  EXPECT_EQ(values(run(OpKind::ReduceMean, {x}, axes)), (Doubles{0, 0}));
  EXPECT_EQ(values(run(OpKind::ReduceMax, {x}, axes)), (Doubles{-kInf, -kInf}));
  EXPECT_EQ(values(run(OpKind::ReduceMin, {x}, axes)), (Doubles{kInf, kInf}));
}

TEST(ReferenceReductions, IntegerSumMaxMin) {
  Tensor l = tensor(DType::I64, {2, 2}, {1, 2, 3, 4});
  Tensor sum = run(OpKind::ReduceSum, {l}, attrs({{"axes", Ints{1}}}));
  EXPECT_EQ(sum.dtype(), DType::I64);
  EXPECT_EQ(values(sum), (Doubles{3, 7}));
  Tensor i = tensor(DType::I32, {3}, {1, -7, 2});
  EXPECT_EQ(values(run(OpKind::ReduceMax, {i})), (Doubles{2}));
  EXPECT_EQ(values(run(OpKind::ReduceMin, {i})), (Doubles{-7}));
  // The int32 sum wraps like the dtype's own addition.
  Tensor big = tensor(DType::I32, {2}, {2147483647, 1});
  EXPECT_EQ(values(run(OpKind::ReduceSum, {big})), (Doubles{-2147483648.0}));
}

TEST(ReferenceReductions, SumAccumulatesInDouble) {
  // 2^24 + 1 + 1 ... in f32 would stick at 2^24; the double accumulator does not.
  Tensor x = f32({3}, {16777216, 1, 1});
  EXPECT_EQ(values(run(OpKind::ReduceSum, {x})), (Doubles{16777218}));
}

}  // namespace
}  // namespace dlc::ref::test
