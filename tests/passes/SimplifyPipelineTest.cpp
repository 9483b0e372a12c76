// The default simplification pipeline end to end: a small CNN-like graph
// with a foldable conv+batch_norm, a standalone batch_norm, duplicated
// branches and no-op arithmetic computes the same values before and after
// (reference interpreter, max abs diff < 1e-4), and comes out smaller.
#include <gtest/gtest.h>

#include <cmath>

#include "GoldenFile.h"
#include "PassTestUtil.h"
#include "compiler/reference/Interpreter.h"
#include "passes/PassManager.h"

namespace dlc::passes::testing {
namespace {

using ir::OpKind;

std::vector<ir::Node*> bnParams(ir::Graph& g, int64_t c, uint32_t seed) {
  return {g.addConstant("scale", randomTensor({c}, seed, 0.5, 2.0)),
          g.addConstant("bias", randomTensor({c}, seed + 1)),
          g.addConstant("mean", randomTensor({c}, seed + 2)),
          g.addConstant("var", randomTensor({c}, seed + 3, 0.1, 3.0))};
}

TEST(SimplifyPipeline, PreservesValuesAndShrinksTheGraph) {
  ir::Graph g;
  ir::Node* x = g.addInput("x", f32({ir::kBatch, 2, 5, 5}));
  ir::Node* w = g.addConstant("w", randomTensor({3, 2, 3, 3}, 1));
  ir::Node* conv = add(g, OpKind::Conv2D, "conv", {x, w});
  auto p1 = bnParams(g, 3, 10);
  ir::Node* bn1 = add(g, OpKind::BatchNorm, "bn1", {conv, p1[0], p1[1], p1[2], p1[3]});
  ir::Node* relu1 = add(g, OpKind::Relu, "relu1", {bn1});
  ir::Node* relu2 = add(g, OpKind::Relu, "relu2", {bn1});  // duplicate of relu1
  ir::Node* one = g.addConstant("one", makeTensor({1}, {1}));
  ir::Node* scaled = add(g, OpKind::Mul, "scaled", {relu2, one});
  ir::Node* sum = add(g, OpKind::Add, "sum", {relu1, scaled});
  auto p2 = bnParams(g, 3, 20);
  ir::Node* bn2 = add(g, OpKind::BatchNorm, "bn2", {sum, p2[0], p2[1], p2[2], p2[3]});
  // A constant subexpression: (two + two) folds to one constant.
  ir::Node* two = g.addConstant("two", makeTensor({1}, {2}));
  ir::Node* four = add(g, OpKind::Add, "four", {two, two});
  g.setOutputs({add(g, OpKind::Mul, "out", {bn2, four})});
  auto original = g.clone();

  Pipeline pipeline = buildSimplifyPipeline();
  PassManagerOptions opts;
  opts.verifyEach = true;
  auto timings = runPipeline(pipeline, g, opts);
  ASSERT_TRUE(timings.ok()) << timings.status().toString();

  std::vector<OpKind> ops;
  for (const auto& n : g.nodes())
    if (!ir::isSource(n->op)) ops.push_back(n->op);
  EXPECT_EQ(ops, (std::vector<OpKind>{OpKind::Conv2D, OpKind::Relu, OpKind::Add, OpKind::Mul,
                                      OpKind::Add, OpKind::Mul}));
  EXPECT_EQ(g.foldedOrigins, (std::vector<std::string>{"four"}));
  EXPECT_EQ(g.find("conv")->origins, (std::vector<std::string>{"conv", "bn1"}));
  EXPECT_EQ(g.find("relu1")->origins, (std::vector<std::string>{"relu1", "relu2", "scaled"}));
  for (const auto& n : g.nodes()) EXPECT_EQ(n->device, "/device:CPU:0") << n->name;

  Tensor input = randomTensor({2, 2, 5, 5}, 99);
  auto before = ref::evaluate(*original, {input});
  auto after = ref::evaluate(g, {input});
  ASSERT_TRUE(before.ok()) << before.status().toString();
  ASSERT_TRUE(after.ok()) << after.status().toString();
  ASSERT_EQ((*before)[0].dims(), (*after)[0].dims());
  double worst = 0;
  for (int64_t i = 0; i < (*before)[0].numElements(); ++i)
    worst = std::max(worst, std::abs((*before)[0].getAsDouble(i) - (*after)[0].getAsDouble(i)));
  EXPECT_LT(worst, 1e-4);
}

TEST(GoldenFile, SplitsRunInputAndExpectation) {
  auto c = parseGoldenFile("// RUN: cse, dce\n// a comment\ngraph @g() {\n}\n// EXPECT:\n  x  \n",
                           "t.ir");
  ASSERT_TRUE(c.ok()) << c.status().toString();
  EXPECT_EQ(c->passList, "cse, dce");
  EXPECT_EQ(c->input, "graph @g() {\n}\n");
  EXPECT_EQ(normalizedLines(c->expected), (std::vector<std::string>{"x"}));
  auto noRun = parseGoldenFile("graph @g() {}\n// EXPECT:\n", "t.ir");
  ASSERT_FALSE(noRun.ok());
  EXPECT_NE(noRun.status().message().find("t.ir"), std::string::npos);
  EXPECT_FALSE(parseGoldenFile("// RUN: dce\ngraph @g() {}\n", "t.ir").ok());
}

}  // namespace
}  // namespace dlc::passes::testing
