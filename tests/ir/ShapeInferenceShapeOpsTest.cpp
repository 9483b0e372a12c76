// Shape inference of reshape, flatten, transpose, broadcast_to, concat,
// slice and pad, including the batch symbol N and attribute errors.
#include "IrTestUtil.h"

namespace dlc::ir {
namespace {

using namespace testing;
using Ints = std::vector<int64_t>;

TEST(ShapeOps, ReshapeStatic) {
  OpBuilder b;
  EXPECT_EQ(*b.infer(OpKind::Reshape, {f32({2, 3, 4})}, attrs({{"shape", Ints{6, 4}}})),
            f32({6, 4}));
  EXPECT_EQ(*b.infer(OpKind::Reshape, {f32({2, 3, 4})}, attrs({{"shape", Ints{-1, 12}}})),
            f32({2, 12}));
  EXPECT_EQ(*b.infer(OpKind::Reshape, {f32({2, 3, 4})}, attrs({{"shape", Ints{0, -1}}})),
            f32({2, 12}));
  EXPECT_EQ(*b.infer(OpKind::Reshape, {f32({3, 2, 2})}, attrs({{"shape", Ints{2, 0, 3}}})),
            f32({2, 2, 3}));  // 0 copies the input extent 2 at index 1
  EXPECT_EQ(*b.infer(OpKind::Reshape, {f32({0, 3})}, attrs({{"shape", Ints{0, 5}}})),
            f32({0, 5}));
  EXPECT_FALSE(b.infer(OpKind::Reshape, {f32({4})}, attrs({{"shape", Ints{}}})).ok());
  EXPECT_EQ(*b.infer(OpKind::Reshape, {f32({1})}, attrs({{"shape", Ints{}}})), f32({}));
  expectError(b.infer(OpKind::Reshape, {f32({2, 3})}, attrs({{"shape", Ints{4, 2}}})),
              {"reshape cannot reshape x [2,3] to shape [4,2]", "element counts differ (6 vs 8)"});
  expectError(b.infer(OpKind::Reshape, {f32({2, 3})}, attrs({{"shape", Ints{-1, -1}}})),
              {"more than one -1"});
  expectError(b.infer(OpKind::Reshape, {f32({2, 3})}, attrs({{"shape", Ints{4, -1}}})),
              {"cannot infer the -1 entry"});
  expectError(b.infer(OpKind::Reshape, {f32({2, 3})}, attrs({{"shape", Ints{1, 2, 0}}})),
              {"entry 2 is 0 (copy) but x has rank 2"});
  expectError(b.infer(OpKind::Reshape, {f32({6})}, attrs({{"shape", Ints{-2, 3}}})),
              {"entry -2 is negative"});
  expectError(b.infer(OpKind::Reshape, {f32({6})}), {"reshape requires attribute 'shape'"});
  expectError(b.infer(OpKind::Reshape, {f32({6})}, attrs({{"shape", 2.5}})),
              {"reshape attribute 'shape' must be a list of integers, got 2.5"});
}

TEST(ShapeOps, ReshapeWithBatch) {
  OpBuilder b;
  EXPECT_EQ(*b.infer(OpKind::Reshape, {f32({N, 28, 28})}, attrs({{"shape", Ints{-1, 784}}})),
            f32({N, 784}));
  EXPECT_EQ(*b.infer(OpKind::Reshape, {f32({N, 784})}, attrs({{"shape", Ints{-1, 1, 28, 28}}})),
            f32({N, 1, 28, 28}));
  // 0 copies N; then -1 infers a static extent.
  EXPECT_EQ(*b.infer(OpKind::Reshape, {f32({N, 4, 6})}, attrs({{"shape", Ints{0, -1, 3}}})),
            f32({N, 8, 3}));
  // N moves position.
  EXPECT_EQ(*b.infer(OpKind::Reshape, {f32({N, 6})}, attrs({{"shape", Ints{2, -1, 3}}})),
            f32({2, N, 3}));
  expectError(b.infer(OpKind::Reshape, {f32({N, 6})}, attrs({{"shape", Ints{-1, 4}}})),
              {"element counts differ (6 vs 4)"});
  expectError(b.infer(OpKind::Reshape, {f32({N, 6})}, attrs({{"shape", Ints{6}}})),
              {"x has the batch dimension N; write -1 (N) to keep it"});
  expectError(b.infer(OpKind::Reshape, {f32({N, 6})}, attrs({{"shape", Ints{-1, 3}}})),
              {"element counts differ (6 vs 3)"});
}

TEST(ShapeOps, Flatten) {
  OpBuilder b;
  EXPECT_EQ(*b.infer(OpKind::Flatten, {f32({N, 28, 28})}), f32({N, 784}));
  EXPECT_EQ(*b.infer(OpKind::Flatten, {f32({2, 3, 4})}, attrs({{"axis", int64_t(0)}})),
            f32({1, 24}));
  EXPECT_EQ(*b.infer(OpKind::Flatten, {f32({2, 3, 4})}, attrs({{"axis", int64_t(3)}})),
            f32({24, 1}));
  EXPECT_EQ(*b.infer(OpKind::Flatten, {f32({2, 3, 4})}, attrs({{"axis", int64_t(-1)}})),
            f32({6, 4}));
  EXPECT_EQ(*b.infer(OpKind::Flatten, {f32({N, 1, 5})}, attrs({{"axis", int64_t(2)}})),
            f32({N, 5}));
  EXPECT_EQ(*b.infer(OpKind::Flatten, {f32({N, 0, 5})}, attrs({{"axis", int64_t(2)}})),
            f32({0, 5}));
  expectError(b.infer(OpKind::Flatten, {f32({N, 2, 5})}, attrs({{"axis", int64_t(2)}})),
              {"flatten with axis 2 would multiply N into a static extent: x [N,2,5]"});
  expectError(b.infer(OpKind::Flatten, {f32({2, 3})}, attrs({{"axis", int64_t(3)}})),
              {"flatten attribute 'axis' = 3 is out of range"});
}

TEST(ShapeOps, Transpose) {
  OpBuilder b;
  EXPECT_EQ(*b.infer(OpKind::Transpose, {f32({2, 3, 4})}), f32({4, 3, 2}));
  EXPECT_EQ(*b.infer(OpKind::Transpose, {f32({N, 3, 4})}, attrs({{"perm", Ints{0, 2, 1}}})),
            f32({N, 4, 3}));
  EXPECT_EQ(*b.infer(OpKind::Transpose, {f32({N, 3})}, attrs({{"perm", Ints{1, 0}}})),
            f32({3, N}));
  expectError(b.infer(OpKind::Transpose, {f32({2, 3})}, attrs({{"perm", Ints{0, 0}}})),
              {"transpose attribute 'perm' = [0,0] is not a permutation", "[2,3]"});
  expectError(b.infer(OpKind::Transpose, {f32({2, 3})}, attrs({{"perm", Ints{0, 1, 2}}})),
              {"'perm' = [0,1,2]"});
}

TEST(ShapeOps, BroadcastTo) {
  OpBuilder b;
  EXPECT_EQ(*b.infer(OpKind::BroadcastTo, {f32({3})}, attrs({{"shape", Ints{2, 3}}})),
            f32({2, 3}));
  EXPECT_EQ(*b.infer(OpKind::BroadcastTo, {f32({1, 3})}, attrs({{"shape", Ints{-1, 3}}})),
            f32({N, 3}));
  EXPECT_EQ(*b.infer(OpKind::BroadcastTo, {f32({1})}, attrs({{"shape", Ints{0}}})), f32({0}));
  expectError(b.infer(OpKind::BroadcastTo, {f32({2})}, attrs({{"shape", Ints{3}}})),
              {"broadcast_to cannot broadcast x [2] to shape [3]"});
  expectError(b.infer(OpKind::BroadcastTo, {f32({2, 3})}, attrs({{"shape", Ints{3}}})),
              {"cannot broadcast x [2,3] to shape [3]"});
  expectError(b.infer(OpKind::BroadcastTo, {f32({N, 3})}, attrs({{"shape", Ints{4, 3}}})),
              {"cannot broadcast x [N,3] to shape [4,3]"});
}

TEST(ShapeOps, Concat) {
  OpBuilder b;
  EXPECT_EQ(*b.infer(OpKind::Concat, {f32({N, 2}), f32({N, 3}), f32({N, 0})},
                     attrs({{"axis", int64_t(1)}})),
            f32({N, 5}));
  EXPECT_EQ(*b.infer(OpKind::Concat, {f32({2, 2})}, attrs({{"axis", int64_t(-2)}})),
            f32({2, 2}));
  expectError(b.infer(OpKind::Concat, {f32({N, 2}), f32({N, 2})}, attrs({{"axis", int64_t(0)}})),
              {"concat cannot join along the batch axis N"});
  expectError(b.infer(OpKind::Concat, {f32({2, 2}), f32({3, 3})}, attrs({{"axis", int64_t(1)}})),
              {"concat operand 1 [3,3] does not match operand 0 [2,2] outside axis 1"});
  expectError(b.infer(OpKind::Concat, {f32({2}), i32({2})}, attrs({{"axis", int64_t(0)}})),
              {"same dtype"});
  expectError(b.infer(OpKind::Concat, {f32({2}), f32({2})}), {"concat requires attribute 'axis'"});
  expectError(b.infer(OpKind::Concat, {f32({2})}, attrs({{"axis", int64_t(1)}})),
              {"concat attribute 'axis' = 1 is out of range for rank 1"});
}

TEST(ShapeOps, SliceOnnxSemantics) {
  OpBuilder b;
  auto slice = [&](Shape s, Ints starts, Ints ends, Ints axes, Ints steps) {
    Attributes a = attrs({{"starts", starts}, {"ends", ends}});
    if (!axes.empty()) a.set("axes", axes);
    if (!steps.empty()) a.set("steps", steps);
    return b.infer(OpKind::Slice, {f32(std::move(s))}, a);
  };
  EXPECT_EQ(*slice({10, 8}, {2}, {5}, {}, {}), f32({3, 8}));
  EXPECT_EQ(*slice({10, 8}, {1}, {-1}, {1}, {}), f32({10, 6}));
  EXPECT_EQ(*slice({10}, {-3}, {INT64_MAX}, {}, {}), f32({3}));
  EXPECT_EQ(*slice({10}, {0}, {100}, {}, {2}), f32({5}));   // clamp, step 2
  EXPECT_EQ(*slice({10}, {1}, {10}, {}, {3}), f32({3}));    // 1,4,7
  EXPECT_EQ(*slice({10}, {-1}, {INT64_MIN}, {}, {-1}), f32({10}));  // reverse
  EXPECT_EQ(*slice({10}, {8}, {2}, {}, {-2}), f32({3}));    // 8,6,4
  EXPECT_EQ(*slice({10}, {5}, {2}, {}, {}), f32({0}));      // empty
  EXPECT_EQ(*slice({10}, {20}, {30}, {}, {}), f32({0}));
  EXPECT_EQ(*slice({N, 10}, {0, 2}, {INT64_MAX, 4}, {}, {}), f32({N, 2}));
  EXPECT_EQ(*slice({N, 10}, {2}, {4}, {-1}, {}), f32({N, 2}));
  expectError(slice({N, 10}, {1}, {4}, {0}, {}), {"slice can only keep the batch axis 0", "[N,10]"});
  expectError(slice({10}, {0}, {4}, {}, {0}), {"slice attribute 'steps'"});
  expectError(slice({10, 3}, {0, 0}, {4, 1}, {1, -1}, {}), {"'axes' = [1,-1] repeats axis 1"});
  expectError(slice({10}, {0}, {4, 5}, {}, {}), {"slice attribute 'ends' must have 1 entries"});
  expectError(slice({10}, {0}, {4}, {0}, {1, 1}), {"slice attribute 'steps' must have 1 entries"});
  expectError(slice({10}, {0}, {4}, {1}, {}), {"'axes' = 1 is out of range for rank 1"});
}

TEST(ShapeOps, Pad) {
  OpBuilder b;
  EXPECT_EQ(*b.infer(OpKind::Pad, {f32({2, 3})}, attrs({{"pads", Ints{1, 0, 2, 4}}})),
            f32({5, 7}));
  EXPECT_EQ(*b.infer(OpKind::Pad, {f32({N, 3})},
                     attrs({{"pads", Ints{0, 1, 0, 1}}, {"value", -1.5}})),
            f32({N, 5}));
  expectError(b.infer(OpKind::Pad, {f32({N, 3})}, attrs({{"pads", Ints{1, 0, 0, 0}}})),
              {"pad cannot pad the batch axis 0 of x [N,3]"});
  expectError(b.infer(OpKind::Pad, {f32({2, 3})}, attrs({{"pads", Ints{1, 0}}})),
              {"pad attribute 'pads' must have 4 entries for x [2,3], got [1,0]"});
  expectError(b.infer(OpKind::Pad, {f32({2})}, attrs({{"pads", Ints{-1, 0}}})),
              {"negative"});
  expectError(b.infer(OpKind::Pad, {f32({2})}, attrs({{"pads", Ints{0, 0}}, {"value", std::string("z")}})),
              {"pad attribute 'value' must be a number"});
}

}  // namespace
}  // namespace dlc::ir
