// Reference gather against hand-computed values: axis 0 and 1, negative
// axis, negative indices, scalar indices, i32 and i64 indices, non-float
// data, runtime indices out of range (clamped), and an embedding lookup
// whose indices hold the batch symbol N.
#include "tests/reference/RefTest.h"

namespace dlc::ref::test {
namespace {

using ir::DType;
using ir::OpKind;
using Ints = std::vector<int64_t>;
using Doubles = std::vector<double>;

Tensor ids(DType dtype, Ints dims, Doubles v) { return tensor(dtype, std::move(dims), std::move(v)); }

TEST(ReferenceGather, AxisZeroPicksRows) {
  // data [[0,1],[2,3],[4,5]]
  Tensor out = run(OpKind::Gather, {iota({3, 2}), ids(DType::I64, {2, 2}, {0, 2, 1, 0})});
  EXPECT_EQ(out.dims(), (Ints{2, 2, 2}));
  EXPECT_EQ(values(out), (Doubles{0, 1, 4, 5, 2, 3, 0, 1}));
}

TEST(ReferenceGather, AxisOneAndNegativeAxis) {
  // data [2,3,2] = 0..11; gather axis 1 with [2,0].
  Tensor out = run(OpKind::Gather, {iota({2, 3, 2}), ids(DType::I32, {2}, {2, 0})},
                   attrs({{"axis", int64_t(1)}}));
  EXPECT_EQ(out.dims(), (Ints{2, 2, 2}));
  EXPECT_EQ(values(out), (Doubles{4, 5, 0, 1, 10, 11, 6, 7}));
  Tensor last = run(OpKind::Gather, {iota({2, 3}), ids(DType::I32, {1, 2}, {1, 1})},
                    attrs({{"axis", int64_t(-1)}}));
  EXPECT_EQ(last.dims(), (Ints{2, 1, 2}));
  EXPECT_EQ(values(last), (Doubles{1, 1, 4, 4}));
}

TEST(ReferenceGather, NegativeIndicesCountFromTheEnd) {
  Tensor out = run(OpKind::Gather, {iota({4}), ids(DType::I64, {3}, {-1, -4, -2})});
  EXPECT_EQ(values(out), (Doubles{3, 0, 2}));
}

TEST(ReferenceGather, ScalarIndexDropsTheAxis) {
  Tensor out = run(OpKind::Gather, {iota({2, 3}), ids(DType::I64, {}, {-2})},
                   attrs({{"axis", int64_t(1)}}));
  EXPECT_EQ(out.dims(), (Ints{2}));
  EXPECT_EQ(values(out), (Doubles{1, 4}));
}

TEST(ReferenceGather, AnyDataDType) {
  Tensor data = tensor(DType::I64, {3}, {10, -20, 30});
  Tensor out = run(OpKind::Gather, {data, ids(DType::I32, {2}, {2, 1})});
  EXPECT_EQ(out.dtype(), DType::I64);
  EXPECT_EQ(values(out), (Doubles{30, -20}));
  Tensor flags = tensor(DType::Bool, {2}, {0, 1});
  EXPECT_EQ(values(run(OpKind::Gather, {flags, ids(DType::I32, {3}, {1, 0, 1})})),
            (Doubles{1, 0, 1}));
  Tensor halves = tensor(DType::F16, {2}, {0.5, -1.25});
  EXPECT_EQ(values(run(OpKind::Gather, {halves, ids(DType::I64, {1}, {1})})), (Doubles{-1.25}));
}

// Runtime indices are not checked at compile time: out-of-range values
// clamp into the axis (docs/ops.md), as XLA's gather does.
TEST(ReferenceGather, RuntimeIndicesOutOfRangeClamp) {
  Tensor out = run(OpKind::Gather, {iota({4}), ids(DType::I64, {4}, {7, -9, 4, -5})});
  EXPECT_EQ(values(out), (Doubles{3, 0, 3, 0}));
}

TEST(ReferenceGather, EmbeddingLookupWithBatch) {
  ir::Graph g;
  ir::Node* table = g.addInput("table", {DType::F32, ir::Shape({5, 3})});
  ir::Node* tokens = g.addInput("tokens", {DType::I64, ir::Shape({ir::kBatch, 2})});
  g.setOutputs({g.addNode(OpKind::Gather, "embed", {table, tokens})});
  ASSERT_TRUE(ir::inferTypes(g).ok());
  EXPECT_EQ(g.outputs()[0]->type.str(), "f32[N,2,3]");
  auto out = evaluate(g, {iota({5, 3}), ids(DType::I64, {3, 2}, {4, 0, -1, 2, 1, 1})});
  ASSERT_TRUE(out.ok()) << out.status().toString();
  EXPECT_EQ((*out)[0].dims(), (Ints{3, 2, 3}));
  EXPECT_EQ(values((*out)[0]),
            (Doubles{12, 13, 14, 0, 1, 2, 12, 13, 14, 6, 7, 8, 3, 4, 5, 3, 4, 5}));
}

TEST(ReferenceGather, WrongIndicesDTypeIsAnError) {
  StatusOr<Tensor> r = runOp(OpKind::Gather, {iota({3}), iota({2})});
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("indices of dtype i32 or i64"), std::string::npos)
      << r.status().message();
}

}  // namespace
}  // namespace dlc::ref::test
