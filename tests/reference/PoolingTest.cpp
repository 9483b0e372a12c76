// Reference pooling: max_pool2d (padding never wins), avg_pool2d with and
// without count_include_pad, default strides, and global_avg_pool.
#include "tests/reference/RefTest.h"

namespace dlc::ref::test {
namespace {

using ir::OpKind;
using Ints = std::vector<int64_t>;
using Doubles = std::vector<double>;

TEST(ReferencePooling, MaxPoolDefaultStridesAreTheKernel) {
  Tensor out = run(OpKind::MaxPool2D, {iota({1, 1, 4, 4})}, attrs({{"kernel", Ints{2, 2}}}));
  EXPECT_EQ(out.dims(), (Ints{1, 1, 2, 2}));
  EXPECT_EQ(values(out), (Doubles{5, 7, 13, 15}));
}

TEST(ReferencePooling, MaxPoolPaddingNeverWins) {
  Tensor x = f32({1, 1, 3, 3}, {-1, -2, -3, -4, -5, -6, -7, -8, -9});
  Tensor out = run(OpKind::MaxPool2D, {x},
                   attrs({{"kernel", Ints{2, 2}}, {"strides", Ints{1, 1}},
                          {"pads", Ints{1, 1, 0, 0}}}));
  EXPECT_EQ(out.dims(), (Ints{1, 1, 3, 3}));
  EXPECT_EQ(values(out), (Doubles{-1, -1, -2, -1, -1, -2, -4, -4, -5}));
}

TEST(ReferencePooling, AvgPoolCountIncludePad) {
  Tensor x = f32({1, 1, 3, 3}, {1, 2, 3, 4, 5, 6, 7, 8, 9});
  ir::Attributes a = attrs({{"kernel", Ints{2, 2}}, {"strides", Ints{1, 1}},
                            {"pads", Ints{1, 1, 0, 0}}});
  EXPECT_EQ(values(run(OpKind::AvgPool2D, {x}, a)),
            (Doubles{1, 1.5, 2.5, 2.5, 3, 4, 5.5, 6, 7}));
  a.set("count_include_pad", int64_t(1));
  EXPECT_EQ(values(run(OpKind::AvgPool2D, {x}, a)),
            (Doubles{0.25, 0.75, 1.25, 1.25, 3, 4, 2.75, 6, 7}));
}

TEST(ReferencePooling, AvgPoolNoPadding) {
  Tensor out = run(OpKind::AvgPool2D, {iota({1, 1, 4, 4})}, attrs({{"kernel", Ints{2, 2}}}));
  EXPECT_EQ(values(out), (Doubles{2.5, 4.5, 10.5, 12.5}));
}

TEST(ReferencePooling, GlobalAvgPool) {
  Tensor out = run(OpKind::GlobalAvgPool, {iota({1, 2, 2, 2})});
  EXPECT_EQ(out.dims(), (Ints{1, 2, 1, 1}));
  EXPECT_EQ(values(out), (Doubles{1.5, 5.5}));
}

}  // namespace
}  // namespace dlc::ref::test
