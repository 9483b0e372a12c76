// CSE: origins of merged nodes, commutative matching, constant bytes,
// devices, and reruns converging.
#include <gtest/gtest.h>

#include "PassTestUtil.h"
#include "passes/CSE.h"

namespace dlc::passes::testing {
namespace {

using ir::OpKind;

TEST(CSE, MergesCommutedOperandsAndKeepsOrigins) {
  ir::Graph g;
  ir::Node* x = g.addInput("x", f32({4}));
  ir::Node* y = g.addInput("y", f32({4}));
  ir::Node* a = add(g, OpKind::Mul, "a", {x, y});
  ir::Node* b = add(g, OpKind::Mul, "b", {y, x});   // commutative: same as a
  ir::Node* s1 = add(g, OpKind::Sub, "s1", {x, y});
  ir::Node* s2 = add(g, OpKind::Sub, "s2", {y, x});  // not commutative
  ir::Node* u = add(g, OpKind::Add, "u", {a, s1});
  ir::Node* v = add(g, OpKind::Add, "v", {b, s2});
  g.setOutputs({u, v});
  CSE cse;
  auto changed = cse.run(g);
  ASSERT_TRUE(changed.ok());
  EXPECT_TRUE(*changed);
  EXPECT_EQ(v->inputs[0], a);
  EXPECT_EQ(v->inputs[1], s2);
  EXPECT_EQ(a->origins, (std::vector<std::string>{"a", "b"}));
  // A second run sees only the (now dead) copy and reports no change.
  auto again = cse.run(g);
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(*again);
}

TEST(CSE, ConstantsMergeOnEqualBytesAndDevice) {
  ir::Graph g;
  ir::Node* x = g.addInput("x", f32({2}));
  ir::Node* c1 = g.addConstant("c1", makeTensor({2}, {1.5, 2}));
  ir::Node* c2 = g.addConstant("c2", makeTensor({2}, {1.5, 2}));
  ir::Node* c3 = g.addConstant("c3", makeTensor({2}, {1.5, 3}));
  ir::Node* c4 = g.addConstant("c4", makeTensor({2}, {1.5, 2}));
  c4->device = "/device:GPU:0";
  ir::Node* o1 = add(g, OpKind::Add, "o1", {x, c1});
  ir::Node* o2 = add(g, OpKind::Add, "o2", {x, c2});  // merges with o1 once c2 is c1
  ir::Node* o3 = add(g, OpKind::Add, "o3", {x, c3});
  ir::Node* o4 = add(g, OpKind::Add, "o4", {x, c4});
  ir::Node* s = add(g, OpKind::Add, "s", {o1, o2});
  ir::Node* t = add(g, OpKind::Add, "t", {o3, o4});
  g.setOutputs({add(g, OpKind::Add, "out", {s, t})});
  auto changed = CSE().run(g);
  ASSERT_TRUE(changed.ok());
  EXPECT_TRUE(*changed);
  EXPECT_EQ(o2->inputs[1], c1);  // c2 merged into c1 (redirected before o2 was keyed)
  EXPECT_EQ(s->inputs[0], o1);
  EXPECT_EQ(s->inputs[1], o1);
  EXPECT_EQ(o1->origins, (std::vector<std::string>{"o1", "o2"}));
  EXPECT_EQ(o3->inputs[1], c3);  // different bytes
  EXPECT_EQ(o4->inputs[1], c4);  // different device
  EXPECT_EQ(t->inputs[0], o3);
  EXPECT_EQ(t->inputs[1], o4);
}

TEST(CSE, AttributesMustMatch) {
  ir::Graph g;
  ir::Node* x = g.addInput("x", f32({2, 3}));
  ir::Node* r1 = add(g, OpKind::ReduceSum, "r1", {x}, attrs({{"axes", std::vector<int64_t>{1}}}));
  ir::Node* r2 = add(g, OpKind::ReduceSum, "r2", {x}, attrs({{"axes", std::vector<int64_t>{1}}}));
  ir::Node* r3 = add(g, OpKind::ReduceMax, "r3", {x}, attrs({{"axes", std::vector<int64_t>{1}}}));
  ir::Node* l1 = add(g, OpKind::LeakyRelu, "l1", {x}, attrs({{"alpha", 0.1}}));
  ir::Node* l2 = add(g, OpKind::LeakyRelu, "l2", {x}, attrs({{"alpha", 0.2}}));
  g.setOutputs({add(g, OpKind::Add, "s", {r1, r2}), add(g, OpKind::Add, "t", {r1, r3}),
                add(g, OpKind::Add, "u", {l1, l2})});
  auto changed = CSE().run(g);
  ASSERT_TRUE(changed.ok());
  EXPECT_TRUE(*changed);
  EXPECT_EQ(g.find("s")->inputs[1], r1);
  EXPECT_EQ(g.find("t")->inputs[1], r3);
  EXPECT_EQ(g.find("u")->inputs[1], l2);
}

TEST(CSE, TwoGraphOutputsKeepTheirOwnNodes) {
  ir::Graph g;
  ir::Node* x = g.addInput("x", f32({2}));
  ir::Node* a = add(g, OpKind::Relu, "a", {x});
  ir::Node* b = add(g, OpKind::Relu, "b", {x});
  g.setOutputs({a, b});
  auto changed = CSE().run(g);
  ASSERT_TRUE(changed.ok());
  EXPECT_FALSE(*changed);
  EXPECT_EQ(g.outputs()[1], b);
}

}  // namespace
}  // namespace dlc::passes::testing
