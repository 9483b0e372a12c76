// ir::Graph bookkeeping shared by the passes and the interpreter: liveness
// (liveNodes / removeDeadNodes) and folded origins.
#include "IrTestUtil.h"

namespace dlc::ir {
namespace {

using namespace testing;

TEST(Graph, LiveNodesAreTheOutputsConesPlusEveryInput) {
  Graph g;
  Node* x = g.addInput("x", f32({N, 3}));
  Node* unused = g.addInput("unused", f32({3}));
  Node* a = g.addNode(OpKind::Exp, "a", {x});
  Node* dead = g.addNode(OpKind::Neg, "dead", {a});
  Node* deader = g.addNode(OpKind::Relu, "deader", {dead});
  Node* b = g.addNode(OpKind::Add, "b", {a, a});
  g.setOutputs({b});
  std::unordered_set<const Node*> live = g.liveNodes();
  EXPECT_EQ(live, (std::unordered_set<const Node*>{x, unused, a, b}));
  EXPECT_FALSE(live.count(dead));
  EXPECT_FALSE(live.count(deader));

  EXPECT_EQ(g.removeDeadNodes(), 2);
  EXPECT_EQ(g.nodes().size(), 4u);
  EXPECT_EQ(g.find("dead"), nullptr);
  EXPECT_EQ(g.find("unused"), unused);
  EXPECT_EQ(g.removeDeadNodes(), 0);
}

TEST(Graph, AddFoldedOriginKeepsFirstOccurrenceOrder) {
  Graph g;
  g.addFoldedOrigin("b");
  g.addFoldedOrigin("a");
  g.addFoldedOrigin("b");
  EXPECT_EQ(g.foldedOrigins, (std::vector<std::string>{"b", "a"}));
  std::unique_ptr<Graph> copy = g.clone();
  EXPECT_EQ(copy->foldedOrigins, g.foldedOrigins);
}

}  // namespace
}  // namespace dlc::ir
