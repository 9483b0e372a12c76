// Shape inference of reductions, softmax/log_softmax/layer_norm/batch_norm,
// matmul, dense, conv2d and pools, including parameter-shape errors.
#include "IrTestUtil.h"

namespace dlc::ir {
namespace {

using namespace testing;
using Ints = std::vector<int64_t>;

TEST(NNOps, Reductions) {
  for (OpKind k : {OpKind::ReduceSum, OpKind::ReduceMean, OpKind::ReduceMax, OpKind::ReduceMin}) {
    OpBuilder b;
    EXPECT_EQ(*b.infer(k, {f32({2, 3, 4})}), f32({})) << opName(k);
    EXPECT_EQ(*b.infer(k, {f32({2, 3, 4})}, attrs({{"axes", Ints{1}}})), f32({2, 4}));
    EXPECT_EQ(*b.infer(k, {f32({2, 3, 4})}, attrs({{"axes", Ints{-1, 0}}, {"keepdims", int64_t(1)}})),
              f32({1, 3, 1}));
    EXPECT_EQ(*b.infer(k, {f32({N, 10})}, attrs({{"axes", int64_t(1)}})), f32({N}));
    EXPECT_EQ(*b.infer(k, {f32({2, 0})}, attrs({{"axes", Ints{}}, {"keepdims", int64_t(1)}})),
              f32({1, 1}));
  }
  OpBuilder b;
  EXPECT_EQ(*b.infer(OpKind::ReduceSum, {i32({4})}), i32({}));
  expectError(b.infer(OpKind::ReduceMean, {i32({4})}), {"reduce_mean expects x of dtype a float"});
  expectError(b.infer(OpKind::ReduceSum, {f32({2, 3})}, attrs({{"axes", Ints{1, -1}}})),
              {"reduce_sum attribute 'axes' = [1,-1] repeats axis 1"});
  expectError(b.infer(OpKind::ReduceSum, {f32({2, 3})}, attrs({{"axes", Ints{2}}})),
              {"reduce_sum attribute 'axes' = 2 is out of range for rank 2"});
  expectError(b.infer(OpKind::ReduceMax, {f32({2})}, attrs({{"keepdims", int64_t(2)}})),
              {"reduce_max attribute 'keepdims' must be 0 or 1, got 2"});
  expectError(b.infer(OpKind::ReduceMax, {f32({2})}, attrs({{"keepdims", 1.0}})),
              {"reduce_max attribute 'keepdims' must be an integer, got 1.0"});
}

TEST(NNOps, SoftmaxFamily) {
  OpBuilder b;
  EXPECT_EQ(*b.infer(OpKind::Softmax, {f32({N, 10})}), f32({N, 10}));
  EXPECT_EQ(*b.infer(OpKind::LogSoftmax, {f32({N, 3, 10})}, attrs({{"axis", int64_t(1)}})),
            f32({N, 3, 10}));
  expectError(b.infer(OpKind::Softmax, {f32({N, 10})}, attrs({{"axis", int64_t(2)}})),
              {"softmax attribute 'axis' = 2 is out of range for rank 2", "[N,10]"});
  expectError(b.infer(OpKind::Softmax, {f32({})}), {"out of range for rank 0"});
  expectError(b.infer(OpKind::Softmax, {i32({3})}), {"softmax expects x of dtype a float"});
}

TEST(NNOps, LayerNorm) {
  OpBuilder b;
  EXPECT_EQ(*b.infer(OpKind::LayerNorm, {f32({N, 5, 8})}), f32({N, 5, 8}));
  EXPECT_EQ(*b.infer(OpKind::LayerNorm, {f32({N, 5, 8}), f32({8}), f32({8})}), f32({N, 5, 8}));
  EXPECT_EQ(*b.infer(OpKind::LayerNorm, {f32({N, 5, 8}), f32({5, 8})}, attrs({{"axis", int64_t(1)}})),
            f32({N, 5, 8}));
  expectError(b.infer(OpKind::LayerNorm, {f32({N, 5, 8}), f32({5})}),
              {"layer_norm expects gamma of shape x.shape[2:] = [8], got [5]"});
  expectError(b.infer(OpKind::LayerNorm, {f32({N, 8}), f32({8}), f32({7})}),
              {"layer_norm expects beta of shape x.shape[1:] = [8], got [7]"});
  expectError(b.infer(OpKind::LayerNorm, {f32({4}), TensorType{DType::F16, {4}}}),
              {"same dtype"});
  expectError(b.infer(OpKind::LayerNorm, {f32({4})}, attrs({{"epsilon", std::string("a")}})),
              {"layer_norm attribute 'epsilon' must be a number"});
}

TEST(NNOps, BatchNorm) {
  OpBuilder b;
  EXPECT_EQ(*b.infer(OpKind::BatchNorm, {f32({N, 3, 8, 8}), f32({3}), f32({3}), f32({3}), f32({3})}),
            f32({N, 3, 8, 8}));
  expectError(
      b.infer(OpKind::BatchNorm, {f32({N, 3, 8, 8}), f32({3}), f32({3}), f32({4}), f32({3})}),
      {"batch_norm expects mean of shape [C] = [3], got [4]"});
  expectError(b.infer(OpKind::BatchNorm, {f32({3}), f32({3}), f32({3}), f32({3}), f32({3})}),
              {"batch_norm expects x of rank >= 2, got f32[3]"});
  expectError(b.infer(OpKind::BatchNorm, {f32({2, N}), f32({3}), f32({3}), f32({3}), f32({3})}),
              {"batch_norm cannot have the batch symbol N as the channel axis 1"});
}

TEST(NNOps, MatMul) {
  OpBuilder b;
  EXPECT_EQ(*b.infer(OpKind::MatMul, {f32({N, 784}), f32({784, 128})}), f32({N, 128}));
  EXPECT_EQ(*b.infer(OpKind::MatMul, {f32({N, 3, 4}), f32({4, 5})}), f32({N, 3, 5}));
  EXPECT_EQ(*b.infer(OpKind::MatMul, {f32({2, 1, 3, 4}), f32({5, 4, 6})}), f32({2, 5, 3, 6}));
  EXPECT_EQ(*b.infer(OpKind::MatMul, {f32({4, 3}), f32({5, 4})},
                     attrs({{"transpose_a", int64_t(1)}, {"transpose_b", int64_t(1)}})),
            f32({3, 5}));
  expectError(b.infer(OpKind::MatMul, {f32({3, 4}), f32({5, 6})}),
              {"matmul contraction dims differ: a [3,4] has K = [4], b [5,6] has K = [5]"});
  expectError(b.infer(OpKind::MatMul, {f32({2, 3, 4}), f32({3, 4, 5})}),
              {"matmul batch dims of a [2,3,4] and b [3,4,5] do not broadcast"});
  expectError(b.infer(OpKind::MatMul, {f32({4}), f32({4, 5})}),
              {"matmul expects a of rank >= 2, got f32[4]"});
  expectError(b.infer(OpKind::MatMul, {f32({2, 2}), f32({2, 2})}, attrs({{"transpose_b", 2.0}})),
              {"matmul attribute 'transpose_b' must be an integer"});
}

TEST(NNOps, Dense) {
  OpBuilder b;
  EXPECT_EQ(*b.infer(OpKind::Dense, {f32({N, 784}), f32({784, 128})}), f32({N, 128}));
  EXPECT_EQ(*b.infer(OpKind::Dense, {f32({N, 7, 16}), f32({16, 4}), f32({4})}), f32({N, 7, 4}));
  expectError(b.infer(OpKind::Dense, {f32({N, 784}), f32({100, 128})}),
              {"dense expects w of shape [784,out], got [100,128]"});
  expectError(b.infer(OpKind::Dense, {f32({N, 16}), f32({16})}), {"dense expects w of shape [16,out], got [16]"});
  expectError(b.infer(OpKind::Dense, {f32({N, 16}), f32({16, 4}), f32({5})}),
              {"dense expects b of shape [out] = [4], got [5]"});
  expectError(b.infer(OpKind::Dense, {f32({N, 16}), i32({16, 4})}), {"same dtype"});
}

TEST(NNOps, Conv2D) {
  OpBuilder b;
  EXPECT_EQ(*b.infer(OpKind::Conv2D, {f32({N, 3, 32, 32}), f32({16, 3, 3, 3})}),
            f32({N, 16, 30, 30}));
  EXPECT_EQ(*b.infer(OpKind::Conv2D, {f32({N, 3, 32, 32}), f32({16, 3, 3, 3}), f32({16})},
                     attrs({{"pads", Ints{1, 1, 1, 1}}, {"strides", Ints{2, 2}}})),
            f32({N, 16, 16, 16}));
  // Dilation 2 makes a 3x3 kernel span 5; asymmetric pads.
  EXPECT_EQ(*b.infer(OpKind::Conv2D, {f32({1, 4, 10, 9}), f32({8, 4, 3, 3})},
                     attrs({{"dilations", Ints{2, 2}}, {"pads", Ints{0, 1, 0, 0}}})),
            f32({1, 8, 6, 6}));
  // Depthwise: groups = C.
  EXPECT_EQ(*b.infer(OpKind::Conv2D, {f32({N, 8, 5, 5}), f32({8, 1, 3, 3})},
                     attrs({{"groups", int64_t(8)}})),
            f32({N, 8, 3, 3}));
  expectError(b.infer(OpKind::Conv2D, {f32({N, 6, 5, 5}), f32({8, 2, 3, 3})},
                      attrs({{"groups", int64_t(4)}})),
              {"conv2d attribute 'groups' = 4 must be positive and divide the C = 6"});
  expectError(b.infer(OpKind::Conv2D, {f32({N, 3, 5, 5}), f32({8, 4, 3, 3})}),
              {"conv2d expects w of shape [O,C/groups,KH,KW] with C/groups = 3", "got [8,4,3,3]"});
  expectError(b.infer(OpKind::Conv2D, {f32({N, 3, 2, 5}), f32({8, 3, 3, 3})}),
              {"conv2d window 3 is larger than the padded H extent 2"});
  expectError(b.infer(OpKind::Conv2D, {f32({N, 3, 5, 5}), f32({8, 3, 3, 3})},
                      attrs({{"strides", Ints{1}}})),
              {"conv2d attribute 'strides' must have 2 entries, got [1]"});
  expectError(b.infer(OpKind::Conv2D, {f32({N, 3, 5, 5}), f32({8, 3, 3, 3})},
                      attrs({{"dilations", Ints{0, 1}}})),
              {"conv2d attribute 'dilations' = [0,1] must be positive"});
  expectError(b.infer(OpKind::Conv2D, {f32({N, 3, 5, 5}), f32({8, 3, 3, 3}), f32({3})}),
              {"conv2d expects b of shape [O] = [8], got [3]"});
  expectError(b.infer(OpKind::Conv2D, {f32({N, 3, 5}), f32({8, 3, 3, 3})}),
              {"conv2d expects x of rank 4, got f32[N,3,5]"});
  expectError(b.infer(OpKind::Conv2D, {f32({3, N, 5, 5}), f32({8, 3, 3, 3})}),
              {"conv2d cannot have the batch symbol N"});
}

TEST(NNOps, Pools) {
  OpBuilder b;
  EXPECT_EQ(*b.infer(OpKind::MaxPool2D, {f32({N, 8, 28, 28})}, attrs({{"kernel", Ints{2, 2}}})),
            f32({N, 8, 14, 14}));
  EXPECT_EQ(*b.infer(OpKind::AvgPool2D, {f32({N, 8, 28, 28})},
                     attrs({{"kernel", Ints{3, 3}}, {"strides", Ints{1, 1}},
                            {"pads", Ints{1, 1, 1, 1}}, {"count_include_pad", int64_t(1)}})),
            f32({N, 8, 28, 28}));
  EXPECT_EQ(*b.infer(OpKind::MaxPool2D, {f32({1, 1, 7, 7})},
                     attrs({{"kernel", Ints{3, 2}}, {"strides", Ints{2, 2}}})),
            f32({1, 1, 3, 3}));
  EXPECT_EQ(*b.infer(OpKind::GlobalAvgPool, {f32({N, 64, 7, 7})}), f32({N, 64, 1, 1}));
  expectError(b.infer(OpKind::MaxPool2D, {f32({N, 8, 28, 28})}),
              {"max_pool2d requires attribute 'kernel'"});
  expectError(b.infer(OpKind::MaxPool2D, {f32({N, 8, 28, 28})},
                      attrs({{"kernel", Ints{2, 2}}, {"pads", Ints{2, 0, 0, 0}}})),
              {"max_pool2d attribute 'pads' = [2,0,0,0] must be smaller than the kernel [2,2]"});
  expectError(b.infer(OpKind::AvgPool2D, {f32({N, 8, 2, 2})}, attrs({{"kernel", Ints{3, 3}}})),
              {"avg_pool2d window 3 is larger than the padded H extent 2"});
  expectError(b.infer(OpKind::GlobalAvgPool, {f32({N, 64})}),
              {"global_avg_pool expects x of rank 4, got f32[N,64]"});
}

}  // namespace
}  // namespace dlc::ir
