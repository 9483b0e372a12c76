// ConstantFold: folded values, chains, foldedOrigins, and what it leaves
// alone (batch-dependent, too large, graph outputs, input-dependent).
#include <gtest/gtest.h>

#include "PassTestUtil.h"
#include "passes/ConstantFold.h"
#include "passes/DCE.h"

namespace dlc::passes::testing {
namespace {

using ir::OpKind;

std::vector<double> values(const Tensor& t) {
  std::vector<double> v;
  for (int64_t i = 0; i < t.numElements(); ++i) v.push_back(t.getAsDouble(i));
  return v;
}

TEST(ConstantFold, FoldsAChainInOneRun) {
  ir::Graph g;
  ir::Node* x = g.addInput("x", f32({3}));
  ir::Node* a = g.addConstant("a", makeTensor({3}, {1, 2, 3}));
  ir::Node* b = g.addConstant("b", makeTensor({3}, {10, 20, 30}));
  ir::Node* sum = add(g, OpKind::Add, "sum", {a, b});
  ir::Node* prod = add(g, OpKind::Mul, "prod", {sum, a});
  ir::Node* neg = add(g, OpKind::Neg, "neg", {prod});
  g.setOutputs({add(g, OpKind::Add, "out", {x, neg})});

  ConstantFold fold;
  auto changed = fold.run(g);
  ASSERT_TRUE(changed.ok()) << changed.status().toString();
  EXPECT_TRUE(*changed);
  EXPECT_EQ(sum->op, OpKind::Constant);
  EXPECT_EQ(values(sum->value), (std::vector<double>{11, 22, 33}));
  EXPECT_EQ(prod->op, OpKind::Constant);
  EXPECT_EQ(values(prod->value), (std::vector<double>{11, 44, 99}));
  ASSERT_EQ(neg->op, OpKind::Constant);
  EXPECT_EQ(values(neg->value), (std::vector<double>{-11, -44, -99}));
  EXPECT_TRUE(neg->inputs.empty());
  EXPECT_TRUE(neg->origins.empty());
  EXPECT_EQ(g.find("out")->inputs[1], neg);
  EXPECT_EQ(g.foldedOrigins, (std::vector<std::string>{"sum", "prod", "neg"}));

  // Folding again finds nothing; DCE then drops a, b, sum, prod.
  auto again = fold.run(g);
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(*again);
  DCE dce;
  ASSERT_TRUE(dce.run(g).ok());
  EXPECT_EQ(g.nodes().size(), 3u);  // x, neg, out
}

TEST(ConstantFold, FoldsShapeOpsAndReductions) {
  ir::Graph g;
  ir::Node* x = g.addInput("x", f32({3, 2}));
  ir::Node* c = g.addConstant("c", makeTensor({2, 3}, {1, 2, 3, 4, 5, 6}));
  ir::Node* t = add(g, OpKind::Transpose, "t", {c});
  ir::Node* r = add(g, OpKind::ReduceSum, "r", {c}, attrs({{"axes", std::vector<int64_t>{1}}}));
  ir::Node* rr = add(g, OpKind::Reshape, "rr", {r}, attrs({{"shape", std::vector<int64_t>{1, 2}}}));
  ir::Node* y = add(g, OpKind::Add, "y", {x, t});
  g.setOutputs({add(g, OpKind::Mul, "out", {y, rr})});
  auto changed = ConstantFold().run(g);
  ASSERT_TRUE(changed.ok()) << changed.status().toString();
  EXPECT_TRUE(*changed);
  ASSERT_EQ(t->op, OpKind::Constant);
  EXPECT_EQ(t->value.dims(), (std::vector<int64_t>{3, 2}));
  EXPECT_EQ(values(t->value), (std::vector<double>{1, 4, 2, 5, 3, 6}));
  ASSERT_EQ(rr->op, OpKind::Constant);
  EXPECT_EQ(values(rr->value), (std::vector<double>{6, 15}));
  EXPECT_EQ(rr->type.str(), "f32[1,2]");
}

TEST(ConstantFold, LeavesBatchDependentLargeAndOutputNodes) {
  ir::Graph g;
  ir::Node* one = g.addConstant("one", makeTensor({1}, {1}));
  // broadcast_to [N,4]: its extent is only known at run time.
  ir::Node* batched = add(g, OpKind::BroadcastTo, "batched", {one},
                          attrs({{"shape", std::vector<int64_t>{ir::kBatch, 4}}}));
  // 1025*1024 elements: more than kMaxFoldedElements.
  ir::Node* big = add(g, OpKind::BroadcastTo, "big", {one},
                      attrs({{"shape", std::vector<int64_t>{1025, 1024}}}));
  ir::Node* bigSum = add(g, OpKind::ReduceSum, "big_sum", {big});
  ir::Node* small = add(g, OpKind::Neg, "small", {one});  // a graph output
  g.setOutputs({batched, bigSum, small});
  auto changed = ConstantFold().run(g);
  ASSERT_TRUE(changed.ok()) << changed.status().toString();
  EXPECT_FALSE(*changed);
  EXPECT_EQ(batched->op, OpKind::BroadcastTo);
  EXPECT_EQ(big->op, OpKind::BroadcastTo);
  EXPECT_EQ(bigSum->op, OpKind::ReduceSum);
  EXPECT_EQ(small->op, OpKind::Neg);
  EXPECT_TRUE(g.foldedOrigins.empty());
}

TEST(ConstantFold, KeepsDtypeAndDevice) {
  ir::Graph g;
  ir::Node* x = g.addInput("x", ir::TensorType{ir::DType::I32, ir::Shape({2})});
  ir::Node* c = g.addConstant("c", makeTensor({2}, {7, -7}, ir::DType::I32));
  ir::Node* d = g.addConstant("d", makeTensor({2}, {2, 2}, ir::DType::I32));
  ir::Node* q = add(g, OpKind::Div, "q", {c, d});
  q->device = "/device:CPU:1";
  g.setOutputs({add(g, OpKind::Add, "out", {x, q})});
  auto changed = ConstantFold().run(g);
  ASSERT_TRUE(changed.ok()) << changed.status().toString();
  ASSERT_EQ(q->op, OpKind::Constant);
  EXPECT_EQ(q->value.dtype(), ir::DType::I32);
  EXPECT_EQ(values(q->value), (std::vector<double>{3, -3}));  // truncates toward zero
  EXPECT_EQ(q->device, "/device:CPU:1");
}

TEST(ConstantFold, IntegerDivisionByZeroFoldsToZero) {
  // docs/ops.md: x / 0 = 0 for integers, so folding agrees with the CPU
  // kernels instead of failing the build.
  ir::Graph g;
  ir::Node* x = g.addInput("x", ir::TensorType{ir::DType::I32, ir::Shape({2})});
  ir::Node* c = g.addConstant("c", makeTensor({2}, {7, -7}, ir::DType::I32));
  ir::Node* z = g.addConstant("z", makeTensor({2}, {0, 0}, ir::DType::I32));
  ir::Node* q = add(g, OpKind::Div, "q", {c, z});
  g.setOutputs({add(g, OpKind::Add, "out", {x, q})});
  auto changed = ConstantFold().run(g);
  ASSERT_TRUE(changed.ok()) << changed.status().toString();
  ASSERT_EQ(q->op, OpKind::Constant);
  EXPECT_EQ(values(q->value), (std::vector<double>{0, 0}));
  EXPECT_EQ(g.foldedOrigins, (std::vector<std::string>{"q"}));
}

}  // namespace
}  // namespace dlc::passes::testing
