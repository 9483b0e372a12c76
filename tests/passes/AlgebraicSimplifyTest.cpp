// AlgebraicSimplify: origins move to the replacement; what is not an
// identity (broadcast widening, non-splat constants) is left alone.
#include <gtest/gtest.h>

#include "PassTestUtil.h"
#include "passes/AlgebraicSimplify.h"

namespace dlc::passes::testing {
namespace {

using ir::OpKind;

TEST(AlgebraicSimplify, IdentityInheritsOrigins) {
  ir::Graph g;
  ir::Node* x = g.addInput("x", f32({2, 3}));
  ir::Node* r = add(g, OpKind::Relu, "r", {x});
  ir::Node* one = g.addConstant("one", makeTensor({1}, {1}));
  ir::Node* m = add(g, OpKind::Mul, "m", {one, r});
  ir::Node* c = add(g, OpKind::Cast, "c", {m}, attrs({{"to", std::string("f32")}}));
  g.setOutputs({add(g, OpKind::Exp, "out", {c})});
  auto changed = AlgebraicSimplify().run(g);
  ASSERT_TRUE(changed.ok()) << changed.status().toString();
  EXPECT_TRUE(*changed);
  EXPECT_EQ(g.find("out")->inputs[0], r);
  EXPECT_EQ(r->origins, (std::vector<std::string>{"r", "m", "c"}));
}

TEST(AlgebraicSimplify, IdentityOnAnInputGoesToFoldedOrigins) {
  ir::Graph g;
  ir::Node* x = g.addInput("x", f32({2}));
  ir::Node* zero = g.addConstant("zero", makeTensor({2}, {0, 0}));
  ir::Node* s = add(g, OpKind::Sub, "s", {x, zero});
  g.setOutputs({add(g, OpKind::Exp, "out", {s})});
  auto changed = AlgebraicSimplify().run(g);
  ASSERT_TRUE(changed.ok());
  EXPECT_TRUE(*changed);
  EXPECT_EQ(g.find("out")->inputs[0], x);
  EXPECT_EQ(g.foldedOrigins, (std::vector<std::string>{"s"}));
}

TEST(AlgebraicSimplify, KeepsWideningAndNonSplatOperations) {
  ir::Graph g;
  ir::Node* x = g.addInput("x", f32({3}));
  ir::Node* ones = g.addConstant("ones", makeTensor({2, 3}, {1, 1, 1, 1, 1, 1}));
  ir::Node* mixed = g.addConstant("mixed", makeTensor({3}, {1, 1, 2}));
  ir::Node* w = add(g, OpKind::Mul, "w", {x, ones});   // [3] -> [2,3]: widening
  ir::Node* m = add(g, OpKind::Mul, "m", {x, mixed});  // not a splat
  ir::Node* zero = g.addConstant("zero", makeTensor({1}, {0}));
  ir::Node* z = add(g, OpKind::Sub, "z", {zero, x});   // 0 - x is not x
  g.setOutputs({add(g, OpKind::Add, "o", {w, m}), add(g, OpKind::Exp, "p", {z})});
  auto changed = AlgebraicSimplify().run(g);
  ASSERT_TRUE(changed.ok());
  EXPECT_FALSE(*changed);
}

TEST(AlgebraicSimplify, GraphOutputIsNotReplacedByAnInput) {
  ir::Graph g;
  ir::Node* x = g.addInput("x", f32({2}));
  ir::Node* r = add(g, OpKind::Reshape, "r", {x}, attrs({{"shape", std::vector<int64_t>{2}}}));
  g.setOutputs({r});
  auto changed = AlgebraicSimplify().run(g);
  ASSERT_TRUE(changed.ok());
  EXPECT_FALSE(*changed);
  EXPECT_EQ(g.outputs()[0], r);
}

}  // namespace
}  // namespace dlc::passes::testing
