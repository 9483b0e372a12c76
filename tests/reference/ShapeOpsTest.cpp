// Reference shape ops: reshape (0 and -1), flatten, transpose, broadcast_to,
// concat, slice (ONNX negative indices, clamping, negative steps) and pad.
#include <limits>

#include "tests/reference/RefTest.h"

namespace dlc::ref::test {
namespace {

using ir::DType;
using ir::OpKind;
using Ints = std::vector<int64_t>;
using Doubles = std::vector<double>;

TEST(ReferenceShapeOps, ReshapeCopiesZeroAndInfersMinusOne) {
  Tensor out = run(OpKind::Reshape, {iota({2, 3, 4})}, attrs({{"shape", Ints{0, -1}}}));
  EXPECT_EQ(out.dims(), (Ints{2, 12}));
  EXPECT_EQ(values(out), values(iota({2, 12})));
  Tensor ints = run(OpKind::Reshape, {iota({6}, DType::I64)}, attrs({{"shape", Ints{3, 2}}}));
  EXPECT_EQ(ints.dtype(), DType::I64);
  EXPECT_EQ(ints.dims(), (Ints{3, 2}));
}

TEST(ReferenceShapeOps, Flatten) {
  Tensor out = run(OpKind::Flatten, {iota({2, 3, 4})}, attrs({{"axis", int64_t(2)}}));
  EXPECT_EQ(out.dims(), (Ints{6, 4}));
  EXPECT_EQ(values(out), values(iota({24})));
  EXPECT_EQ(run(OpKind::Flatten, {iota({2, 3, 4})}).dims(), (Ints{2, 12}));
}

TEST(ReferenceShapeOps, TransposeDefaultReverses) {
  Tensor out = run(OpKind::Transpose, {f32({2, 3}, {1, 2, 3, 4, 5, 6})});
  EXPECT_EQ(out.dims(), (Ints{3, 2}));
  EXPECT_EQ(values(out), (Doubles{1, 4, 2, 5, 3, 6}));
}

TEST(ReferenceShapeOps, TransposeWithPerm) {
  Tensor out = run(OpKind::Transpose, {iota({2, 3, 4})}, attrs({{"perm", Ints{1, 2, 0}}}));
  EXPECT_EQ(out.dims(), (Ints{3, 4, 2}));
  // out[j,k,i] = x[i,j,k] = 12i + 4j + k.
  EXPECT_EQ(values(out)[0], 0);
  EXPECT_EQ(values(out)[1], 12);
  EXPECT_EQ(values(out)[2], 1);
  EXPECT_EQ(values(out)[9], 16);   // j=1, k=0, i=1: 12 + 4
  EXPECT_EQ(values(out)[23], 23);  // j=2, k=3, i=1
}

TEST(ReferenceShapeOps, BroadcastTo) {
  Tensor out = run(OpKind::BroadcastTo, {f32({3}, {1, 2, 3})}, attrs({{"shape", Ints{2, 3}}}));
  EXPECT_EQ(values(out), (Doubles{1, 2, 3, 1, 2, 3}));
  Tensor col = run(OpKind::BroadcastTo, {f32({2, 1}, {1, 2})}, attrs({{"shape", Ints{2, 3}}}));
  EXPECT_EQ(values(col), (Doubles{1, 1, 1, 2, 2, 2}));
}

TEST(ReferenceShapeOps, Concat) {
  Tensor a = f32({2, 1}, {1, 2});
  Tensor b = f32({2, 2}, {3, 4, 5, 6});
  Tensor empty = f32({2, 0}, {});
  Tensor out = run(OpKind::Concat, {a, empty, b}, attrs({{"axis", int64_t(-1)}}));
  EXPECT_EQ(out.dims(), (Ints{2, 3}));
  EXPECT_EQ(values(out), (Doubles{1, 3, 4, 2, 5, 6}));
  Tensor rows = run(OpKind::Concat, {b, b}, attrs({{"axis", int64_t(0)}}));
  EXPECT_EQ(rows.dims(), (Ints{4, 2}));
  EXPECT_EQ(values(rows), (Doubles{3, 4, 5, 6, 3, 4, 5, 6}));
}

TEST(ReferenceShapeOps, SliceNegativeIndicesClamp) {
  Tensor x = iota({10});
  EXPECT_EQ(values(run(OpKind::Slice, {x}, attrs({{"starts", Ints{-3}}, {"ends", Ints{100}}}))),
            (Doubles{7, 8, 9}));
  EXPECT_EQ(values(run(OpKind::Slice, {x}, attrs({{"starts", Ints{-100}}, {"ends", Ints{-8}}}))),
            (Doubles{0, 1}));
  Tensor none = run(OpKind::Slice, {x}, attrs({{"starts", Ints{5}}, {"ends", Ints{2}}}));
  EXPECT_EQ(none.dims(), (Ints{0}));
}

TEST(ReferenceShapeOps, SliceNegativeSteps) {
  Tensor x = iota({10});
  EXPECT_EQ(values(run(OpKind::Slice, {x},
                       attrs({{"starts", Ints{8}}, {"ends", Ints{1}}, {"steps", Ints{-3}}}))),
            (Doubles{8, 5, 2}));
  Tensor reversed =
      run(OpKind::Slice, {x},
          attrs({{"starts", Ints{-1}},
                 {"ends", Ints{std::numeric_limits<int64_t>::min()}},
                 {"steps", Ints{-1}}}));
  EXPECT_EQ(values(reversed), (Doubles{9, 8, 7, 6, 5, 4, 3, 2, 1, 0}));
  EXPECT_EQ(values(run(OpKind::Slice, {x},
                       attrs({{"starts", Ints{0}}, {"ends", Ints{10}}, {"steps", Ints{4}}}))),
            (Doubles{0, 4, 8}));
}

TEST(ReferenceShapeOps, SliceWithAxes) {
  Tensor x = iota({3, 4});
  Tensor cols = run(OpKind::Slice, {x},
                    attrs({{"starts", Ints{1}}, {"ends", Ints{-1}}, {"axes", Ints{1}}}));
  EXPECT_EQ(cols.dims(), (Ints{3, 2}));
  EXPECT_EQ(values(cols), (Doubles{1, 2, 5, 6, 9, 10}));
  Tensor rows = run(OpKind::Slice, {x},
                    attrs({{"starts", Ints{-2}}, {"ends", Ints{3}}, {"axes", Ints{-2}}}));
  EXPECT_EQ(values(rows), (Doubles{4, 5, 6, 7, 8, 9, 10, 11}));
}

TEST(ReferenceShapeOps, PadWithValue) {
  Tensor out = run(OpKind::Pad, {iota({2, 2})},
                   attrs({{"pads", Ints{1, 0, 0, 2}}, {"value", 9.0}}));
  EXPECT_EQ(out.dims(), (Ints{3, 4}));
  EXPECT_EQ(values(out), (Doubles{9, 9, 9, 9, 0, 1, 9, 9, 2, 3, 9, 9}));
  Tensor ints = run(OpKind::Pad, {tensor(DType::I32, {2}, {5, 6})},
                    attrs({{"pads", Ints{1, 1}}}));
  EXPECT_EQ(ints.dtype(), DType::I32);
  EXPECT_EQ(values(ints), (Doubles{0, 5, 6, 0}));
}

}  // namespace
}  // namespace dlc::ref::test
