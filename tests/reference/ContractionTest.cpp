// Reference contractions: matmul (plain, batched, both transposes, batch
// broadcasting on both sides, K = 0), dense with bias, and conv2d (known
// weights, padding, strides, dilation, asymmetric pads, groups).
#include "tests/reference/RefTest.h"

namespace dlc::ref::test {
namespace {

using ir::OpKind;
using Ints = std::vector<int64_t>;
using Doubles = std::vector<double>;

TEST(ReferenceContraction, MatMulTwoByThree) {
  Tensor a = f32({2, 3}, {1, 2, 3, 4, 5, 6});
  Tensor b = f32({3, 2}, {7, 8, 9, 10, 11, 12});
  EXPECT_EQ(values(run(OpKind::MatMul, {a, b})), (Doubles{58, 64, 139, 154}));
}

TEST(ReferenceContraction, MatMulBatchedWithTransposes) {
  // a[2,2,3] x b[3,2]; expected computed by hand.
  Tensor a = f32({2, 2, 3}, {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12});
  Tensor b = f32({3, 2}, {1, 0, 0, 1, 1, 1});
  Doubles expected = {4, 5, 10, 11, 16, 17, 22, 23};
  Tensor plain = run(OpKind::MatMul, {a, b});
  EXPECT_EQ(plain.dims(), (Ints{2, 2, 2}));
  EXPECT_EQ(values(plain), expected);
  // The same operands stored transposed.
  Tensor aT = f32({2, 3, 2}, {1, 4, 2, 5, 3, 6, 7, 10, 8, 11, 9, 12});
  Tensor bT = f32({2, 3}, {1, 0, 1, 0, 1, 1});
  EXPECT_EQ(values(run(OpKind::MatMul, {aT, b}, attrs({{"transpose_a", int64_t(1)}}))),
            expected);
  EXPECT_EQ(values(run(OpKind::MatMul, {a, bT}, attrs({{"transpose_b", int64_t(1)}}))),
            expected);
  EXPECT_EQ(values(run(OpKind::MatMul, {aT, bT},
                       attrs({{"transpose_a", int64_t(1)}, {"transpose_b", int64_t(1)}}))),
            expected);
}

TEST(ReferenceContraction, MatMulBroadcastsBatchDimsOnBothSides) {
  // a[i] = (i+1)·I, b[j] = [[j, 1], [0, j]]  =>  out[i, j] = (i+1)·b[j].
  Tensor a = f32({2, 1, 2, 2}, {1, 0, 0, 1, 2, 0, 0, 2});
  Tensor b = f32({3, 2, 2}, {0, 1, 0, 0, 1, 1, 0, 1, 2, 1, 0, 2});
  Tensor out = run(OpKind::MatMul, {a, b});
  EXPECT_EQ(out.dims(), (Ints{2, 3, 2, 2}));
  Doubles expected;
  for (int i = 0; i < 2; ++i)
    for (int j = 0; j < 3; ++j)
      for (double v : {double(j), 1.0, 0.0, double(j)}) expected.push_back((i + 1) * v);
  EXPECT_EQ(values(out), expected);
}

TEST(ReferenceContraction, MatMulEmptyContractionIsZero) {
  Tensor out = run(OpKind::MatMul, {f32({2, 0}, {}), f32({0, 3}, {})});
  EXPECT_EQ(out.dims(), (Ints{2, 3}));
  EXPECT_EQ(values(out), (Doubles(6, 0.0)));
}

TEST(ReferenceContraction, DenseWithBias) {
  Tensor x = f32({2, 3}, {1, 2, 3, 4, 5, 6});
  Tensor w = f32({3, 2}, {1, 0, 0, 1, 1, 1});
  EXPECT_EQ(values(run(OpKind::Dense, {x, w})), (Doubles{4, 5, 10, 11}));
  Tensor b = f32({2}, {10, 20});
  EXPECT_EQ(values(run(OpKind::Dense, {x, w, b})), (Doubles{14, 25, 20, 31}));
  Tensor x3 = f32({1, 2, 3}, {1, 2, 3, 4, 5, 6});
  Tensor out = run(OpKind::Dense, {x3, w, b});
  EXPECT_EQ(out.dims(), (Ints{1, 2, 2}));
  EXPECT_EQ(values(out), (Doubles{14, 25, 20, 31}));
}

// x = [[1,2,3],[4,5,6],[7,8,9]] as 1x1x3x3.
Tensor image() { return f32({1, 1, 3, 3}, {1, 2, 3, 4, 5, 6, 7, 8, 9}); }
Tensor ones(Ints dims) {
  Tensor t = iota(dims);
  for (int64_t i = 0; i < t.numElements(); ++i) t.setFromDouble(i, 1);
  return t;
}

TEST(ReferenceContraction, Conv2DKnownWeights) {
  Tensor w = f32({1, 1, 2, 2}, {1, 0, 0, -1});  // x[i][j] - x[i+1][j+1]
  Tensor out = run(OpKind::Conv2D, {image(), w});
  EXPECT_EQ(out.dims(), (Ints{1, 1, 2, 2}));
  EXPECT_EQ(values(out), (Doubles{-4, -4, -4, -4}));
  EXPECT_EQ(values(run(OpKind::Conv2D, {image(), w, f32({1}, {0.5})})),
            (Doubles{-3.5, -3.5, -3.5, -3.5}));
}

TEST(ReferenceContraction, Conv2DPaddingStridesDilation) {
  Tensor w = ones({1, 1, 3, 3});
  Tensor same = run(OpKind::Conv2D, {image(), w}, attrs({{"pads", Ints{1, 1, 1, 1}}}));
  EXPECT_EQ(same.dims(), (Ints{1, 1, 3, 3}));
  EXPECT_EQ(values(same), (Doubles{12, 21, 16, 27, 45, 33, 24, 39, 28}));
  Tensor strided = run(OpKind::Conv2D, {image(), w},
                       attrs({{"pads", Ints{1, 1, 1, 1}}, {"strides", Ints{2, 2}}}));
  EXPECT_EQ(values(strided), (Doubles{12, 16, 24, 28}));
  Tensor dilated = run(OpKind::Conv2D, {image(), ones({1, 1, 2, 2})},
                       attrs({{"dilations", Ints{2, 2}}}));
  EXPECT_EQ(dilated.dims(), (Ints{1, 1, 1, 1}));
  EXPECT_EQ(values(dilated), (Doubles{20}));
}

TEST(ReferenceContraction, Conv2DAsymmetricPads) {
  // pads [top, left, bottom, right] = [1, 0, 0, 0].
  Tensor out = run(OpKind::Conv2D, {image(), ones({1, 1, 2, 2})},
                   attrs({{"pads", Ints{1, 0, 0, 0}}}));
  EXPECT_EQ(out.dims(), (Ints{1, 1, 3, 2}));
  EXPECT_EQ(values(out), (Doubles{3, 5, 12, 16, 24, 28}));
}

TEST(ReferenceContraction, Conv2DGroups) {
  Tensor x = f32({1, 2, 1, 1}, {3, 5});
  Tensor depthwise = run(OpKind::Conv2D, {x, f32({2, 1, 1, 1}, {2, 10})},
                         attrs({{"groups", int64_t(2)}}));
  EXPECT_EQ(values(depthwise), (Doubles{6, 50}));
  Tensor full = run(OpKind::Conv2D, {x, f32({2, 2, 1, 1}, {1, 1, 1, -1})});
  EXPECT_EQ(values(full), (Doubles{8, -2}));
}

}  // namespace
}  // namespace dlc::ref::test
