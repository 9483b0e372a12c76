// Shape inference of gather: ONNX Gather shapes (data.shape[:axis] +
// indices.shape + data.shape[axis+1:]), the batch symbol N in data or in the
// indices, negative axes, scalar indices, and the errors: a non-integer
// indices dtype, gathering along N, an empty axis, and a constant index out
// of range (named with the node).
#include "IrTestUtil.h"

namespace dlc::ir {
namespace {

using namespace testing;

TensorType i64(Shape s) { return {DType::I64, std::move(s)}; }

TEST(Gather, ShapesFollowOnnx) {
  OpBuilder b;
  // An embedding lookup: token ids [N,T] rows of a table [V,D] -> [N,T,D].
  EXPECT_EQ(*b.infer(OpKind::Gather, {f32({100, 16}), i64({N, 7})}), f32({N, 7, 16}));
  EXPECT_EQ(*b.infer(OpKind::Gather, {f32({5, 4, 3}), i32({2})}, attrs({{"axis", int64_t(1)}})),
            f32({5, 2, 3}));
  EXPECT_EQ(*b.infer(OpKind::Gather, {f32({5, 4, 3}), i32({2, 2})}, attrs({{"axis", int64_t(-1)}})),
            f32({5, 4, 2, 2}));
  // Scalar indices drop the axis.
  EXPECT_EQ(*b.infer(OpKind::Gather, {f32({5, 4, 3}), i64({})}, attrs({{"axis", int64_t(1)}})),
            f32({5, 3}));
  // N in data, away from the gathered axis.
  EXPECT_EQ(*b.infer(OpKind::Gather, {f32({N, 10, 8}), i64({3})}, attrs({{"axis", int64_t(1)}})),
            f32({N, 3, 8}));
  // Any data dtype.
  EXPECT_EQ(*b.infer(OpKind::Gather, {boolT({4, 2}), i32({3})}), boolT({3, 2}));
  EXPECT_EQ(*b.infer(OpKind::Gather, {i64({4}), i32({2, 3})}), i64({2, 3}));
  // Empty indices from an empty axis are fine.
  EXPECT_EQ(*b.infer(OpKind::Gather, {f32({0, 3}), i32({0})}), f32({0, 3}));
}

TEST(Gather, Errors) {
  OpBuilder b;
  expectError(b.infer(OpKind::Gather, {f32({4, 3}), f32({2})}),
              {"gather expects indices of dtype i32 or i64, got f32[2]"});
  expectError(b.infer(OpKind::Gather, {f32({N, 3}), i32({2})}),
              {"gather cannot gather along the batch axis N", "data f32[N,3]"});
  expectError(b.infer(OpKind::Gather, {f32({4, 3}), i32({2})}, attrs({{"axis", int64_t(2)}})),
              {"gather attribute 'axis' = 2 is out of range for rank 2", "data f32[4,3]"});
  expectError(b.infer(OpKind::Gather, {f32({}), i32({2})}), {"out of range for rank 0"});
  expectError(b.infer(OpKind::Gather, {f32({0, 3}), i32({N})}),
              {"gather cannot gather from the empty axis 0"});
  expectError(b.infer(OpKind::Gather, {f32({4})}), {"gather expects 2 operands, got 1"});
}

// A constant index out of range is a compile-time error naming the node and
// the constant; in-range negatives are fine.
TEST(Gather, ConstantIndicesAreRangeChecked) {
  auto build = [](std::vector<int64_t> values) {
    auto g = std::make_unique<Graph>();
    g->sourceFile = "model.json";
    Node* x = g->addInput("table", f32({5, 2}));
    Tensor t(DType::I64, {int64_t(values.size())});
    for (size_t i = 0; i < values.size(); ++i) t.as<int64_t>()[i] = values[i];
    Node* idx = g->addConstant("ids", t);
    Node* n = g->addNode(OpKind::Gather, "lookup", {x, idx});
    n->location = "nodes[3]";
    g->setOutputs({n});
    return g;
  };
  auto ok = build({0, 4, -1, -5});
  ASSERT_TRUE(inferTypes(*ok).ok());
  EXPECT_EQ(ok->find("lookup")->type, f32({4, 2}));
  for (int64_t bad : {5, -6}) {
    auto g = build({1, bad});
    Status st = inferTypes(*g);
    expectError(st, {"model.json", "lookup", strCat("gather index ", bad),
                     "element 1 of the constant indices \"ids\"",
                     "out of range for axis 0 of data f32[5,2]", "valid indices are -5 to 4"});
  }
  // i32 constants too.
  auto g = std::make_unique<Graph>();
  Node* x = g->addInput("x", f32({3, 4}));
  Tensor t(DType::I32, {2, 1});
  t.as<int32_t>()[0] = 3;
  t.as<int32_t>()[1] = 4;
  Node* n = g->addNode(OpKind::Gather, "g", {x, g->addConstant("c", t)}, attrs({{"axis", int64_t(1)}}));
  g->setOutputs({n});
  expectError(inferTypes(*g), {"gather index 4 (element 1", "valid indices are -4 to 3"});
}

}  // namespace
}  // namespace dlc::ir
