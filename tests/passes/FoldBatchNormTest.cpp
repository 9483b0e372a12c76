// FoldBatchNorm and LowerBatchNorm: the rewritten graph computes the same
// values as the original on the reference interpreter (max abs diff < 1e-4),
// and the preconditions that stop folding.
#include <gtest/gtest.h>

#include <cmath>

#include "PassTestUtil.h"
#include "compiler/reference/Interpreter.h"
#include "ir/Verifier.h"
#include "passes/DCE.h"
#include "passes/FoldBatchNorm.h"
#include "passes/LowerBatchNorm.h"

namespace dlc::passes::testing {
namespace {

using ir::OpKind;

double maxAbsDiff(const Tensor& a, const Tensor& b) {
  EXPECT_EQ(a.dims(), b.dims());
  double worst = 0;
  for (int64_t i = 0; i < a.numElements(); ++i)
    worst = std::max(worst, std::abs(a.getAsDouble(i) - b.getAsDouble(i)));
  return worst;
}

// batch_norm params for `c` channels; var is kept positive.
std::vector<ir::Node*> bnParams(ir::Graph& g, int64_t c, uint32_t seed) {
  return {g.addConstant("scale", randomTensor({c}, seed, 0.5, 2.0)),
          g.addConstant("bias", randomTensor({c}, seed + 1)),
          g.addConstant("mean", randomTensor({c}, seed + 2)),
          g.addConstant("var", randomTensor({c}, seed + 3, 0.1, 3.0))};
}

ir::Node* batchNorm(ir::Graph& g, ir::Node* x, const std::vector<ir::Node*>& p) {
  return add(g, OpKind::BatchNorm, "bn", {x, p[0], p[1], p[2], p[3]},
             attrs({{"epsilon", 1e-3}}));
}

// Runs `pass` (then DCE) on a copy and compares both graphs on `inputs`.
double rewriteAndCompare(const ir::Graph& original, Pass& pass, const std::vector<Tensor>& inputs,
                         bool expectChange, std::unique_ptr<ir::Graph>* rewrittenOut = nullptr) {
  auto rewritten = original.clone();
  auto changed = pass.run(*rewritten);
  EXPECT_TRUE(changed.ok()) << changed.status().toString();
  EXPECT_EQ(changed.ok() && *changed, expectChange);
  EXPECT_TRUE(DCE().run(*rewritten).ok());
  Status valid = ir::verify(*rewritten);
  EXPECT_TRUE(valid.ok()) << valid.toString();
  auto before = ref::evaluate(original, inputs);
  auto after = ref::evaluate(*rewritten, inputs);
  EXPECT_TRUE(before.ok()) << before.status().toString();
  EXPECT_TRUE(after.ok()) << after.status().toString();
  if (!before.ok() || !after.ok()) return INFINITY;
  double diff = maxAbsDiff((*before)[0], (*after)[0]);
  if (rewrittenOut) *rewrittenOut = std::move(rewritten);
  return diff;
}

int count(const ir::Graph& g, OpKind op) {
  int n = 0;
  for (const auto& node : g.nodes()) n += node->op == op;
  return n;
}

TEST(FoldBatchNorm, ConvWithAndWithoutBiasMatchesReference) {
  for (bool withBias : {true, false}) {
    ir::Graph g;
    ir::Node* x = g.addInput("x", f32({ir::kBatch, 3, 6, 6}));
    ir::Node* w = g.addConstant("w", randomTensor({4, 3, 3, 3}, 1));
    std::vector<ir::Node*> operands{x, w};
    if (withBias) operands.push_back(g.addConstant("b", randomTensor({4}, 2)));
    ir::Node* conv = add(g, OpKind::Conv2D, "conv", operands,
                         attrs({{"pads", std::vector<int64_t>{1, 1, 1, 1}}}));
    ir::Node* bn = batchNorm(g, conv, bnParams(g, 4, 3));
    g.setOutputs({add(g, OpKind::Relu, "relu", {bn})});

    FoldBatchNorm pass;
    std::unique_ptr<ir::Graph> folded;
    double diff = rewriteAndCompare(g, pass, {randomTensor({2, 3, 6, 6}, 9)},
                                    /*expectChange=*/true, &folded);
    EXPECT_LT(diff, 1e-4) << "withBias=" << withBias;
    ASSERT_TRUE(folded);
    EXPECT_EQ(count(*folded, OpKind::BatchNorm), 0);
    ir::Node* newConv = folded->find("conv");
    ASSERT_NE(newConv, nullptr);
    EXPECT_EQ(newConv->inputs.size(), 3u);
    EXPECT_EQ(newConv->origins, (std::vector<std::string>{"conv", "bn"}));
    EXPECT_EQ(folded->find("relu")->inputs[0], newConv);
  }
}

// dlc-fuzz seed 1033392: conv -> bn1 -> {broadcast_to, bn2}. Folding bn1
// makes the conv compute bn1 and gives it bn1's two users; bn2 must then not
// fold into the conv too (it did, with the users computed before the first
// fold, and broadcast_to read bn2's values).
TEST(FoldBatchNorm, SecondBatchNormDoesNotFoldIntoASharedProducer) {
  ir::Graph g;
  ir::Node* x = g.addInput("x", f32({1, 4, 4, 2}));
  ir::Node* w = g.addConstant("w", randomTensor({8, 4, 3, 2}, 21));
  ir::Node* conv = add(g, OpKind::Conv2D, "conv", {x, w, g.addConstant("b", randomTensor({8}, 22))},
                       attrs({{"pads", std::vector<int64_t>{1, 0, 1, 1}}}));
  ir::Node* bn1 = batchNorm(g, conv, bnParams(g, 8, 23));
  ir::Node* bn2 = add(g, OpKind::BatchNorm, "bn2",
                      {bn1, g.addConstant("scale2", randomTensor({8}, 30, 0.5, 2.0)),
                       g.addConstant("bias2", randomTensor({8}, 31)),
                       g.addConstant("mean2", randomTensor({8}, 32)),
                       g.addConstant("var2", randomTensor({8}, 33, 0.1, 3.0))});
  ir::Node* wide = add(g, OpKind::BroadcastTo, "wide", {bn1},
                       attrs({{"shape", std::vector<int64_t>{2, 1, 8, 4, 2}}}));
  g.setOutputs({bn2, wide});

  auto folded = g.clone();
  FoldBatchNorm pass;
  auto changed = pass.run(*folded);
  ASSERT_TRUE(changed.ok()) << changed.status().toString();
  EXPECT_TRUE(*changed);
  ASSERT_TRUE(DCE().run(*folded).ok());
  ASSERT_TRUE(ir::verify(*folded).ok());
  EXPECT_EQ(count(*folded, OpKind::BatchNorm), 1);  // bn1 folded, bn2 kept
  std::vector<Tensor> inputs{randomTensor({1, 4, 4, 2}, 24)};
  auto before = ref::evaluate(g, inputs);
  auto after = ref::evaluate(*folded, inputs);
  ASSERT_TRUE(before.ok() && after.ok());
  ASSERT_EQ(before->size(), 2u);
  ASSERT_EQ(after->size(), 2u);
  EXPECT_LT(maxAbsDiff((*before)[0], (*after)[0]), 1e-4);
  EXPECT_LT(maxAbsDiff((*before)[1], (*after)[1]), 1e-4);
}

TEST(FoldBatchNorm, GroupedConvMatchesReference) {
  ir::Graph g;
  ir::Node* x = g.addInput("x", f32({1, 4, 5, 5}));
  ir::Node* w = g.addConstant("w", randomTensor({6, 2, 3, 3}, 4));
  ir::Node* conv = add(g, OpKind::Conv2D, "conv", {x, w},
                       attrs({{"groups", int64_t(2)}, {"strides", std::vector<int64_t>{2, 2}}}));
  g.setOutputs({batchNorm(g, conv, bnParams(g, 6, 5))});
  FoldBatchNorm pass;
  EXPECT_LT(rewriteAndCompare(g, pass, {randomTensor({1, 4, 5, 5}, 6)}, /*expectChange=*/true),
            1e-4);
}

TEST(FoldBatchNorm, DenseRank2MatchesReference) {
  ir::Graph g;
  ir::Node* x = g.addInput("x", f32({ir::kBatch, 5}));
  ir::Node* w = g.addConstant("w", randomTensor({5, 3}, 7));
  ir::Node* b = g.addConstant("b", randomTensor({3}, 8));
  ir::Node* dense = add(g, OpKind::Dense, "dense", {x, w, b});
  g.setOutputs({batchNorm(g, dense, bnParams(g, 3, 10))});
  FoldBatchNorm pass;
  std::unique_ptr<ir::Graph> folded;
  EXPECT_LT(rewriteAndCompare(g, pass, {randomTensor({4, 5}, 11)}, /*expectChange=*/true, &folded),
            1e-4);
  ASSERT_TRUE(folded);
  EXPECT_EQ(folded->outputs()[0]->name, "dense");
}

TEST(FoldBatchNorm, LeavesUnfoldableCases) {
  // Dense with a rank-3 output: batch_norm's channel axis 1 is not dense's
  // feature axis.
  {
    ir::Graph g;
    ir::Node* x = g.addInput("x", f32({2, 4, 3}));
    ir::Node* w = g.addConstant("w", randomTensor({3, 5}, 1));
    ir::Node* dense = add(g, OpKind::Dense, "dense", {x, w});
    g.setOutputs({batchNorm(g, dense, bnParams(g, 4, 2))});
    auto changed = FoldBatchNorm().run(g);
    ASSERT_TRUE(changed.ok());
    EXPECT_FALSE(*changed);
  }
  // A conv with a second user.
  {
    ir::Graph g;
    ir::Node* x = g.addInput("x", f32({1, 2, 4, 4}));
    ir::Node* w = g.addConstant("w", randomTensor({2, 2, 1, 1}, 1));
    ir::Node* conv = add(g, OpKind::Conv2D, "conv", {x, w});
    ir::Node* bn = batchNorm(g, conv, bnParams(g, 2, 2));
    g.setOutputs({add(g, OpKind::Add, "sum", {bn, conv})});
    auto changed = FoldBatchNorm().run(g);
    ASSERT_TRUE(changed.ok());
    EXPECT_FALSE(*changed);
  }
  // Weights that are not constant.
  {
    ir::Graph g;
    ir::Node* x = g.addInput("x", f32({1, 2, 4, 4}));
    ir::Node* w = g.addInput("w", f32({2, 2, 1, 1}));
    ir::Node* conv = add(g, OpKind::Conv2D, "conv", {x, w});
    g.setOutputs({batchNorm(g, conv, bnParams(g, 2, 2))});
    auto changed = FoldBatchNorm().run(g);
    ASSERT_TRUE(changed.ok());
    EXPECT_FALSE(*changed);
  }
}

TEST(LowerBatchNorm, StandaloneBatchNormBecomesMulAdd) {
  for (std::vector<int64_t> dims : {std::vector<int64_t>{ir::kBatch, 3, 4, 5},
                                    std::vector<int64_t>{ir::kBatch, 3}}) {
    ir::Graph g;
    ir::Node* x = g.addInput("x", f32(dims));
    ir::Node* r = add(g, OpKind::Relu, "r", {x});
    g.setOutputs({batchNorm(g, r, bnParams(g, 3, 20))});
    dims[0] = 2;
    LowerBatchNorm pass;
    std::unique_ptr<ir::Graph> lowered;
    EXPECT_LT(rewriteAndCompare(g, pass, {randomTensor(dims, 21)}, /*expectChange=*/true, &lowered),
              1e-4);
    ASSERT_TRUE(lowered);
    EXPECT_EQ(count(*lowered, OpKind::BatchNorm), 0);
    EXPECT_EQ(count(*lowered, OpKind::Mul), 1);
    EXPECT_EQ(count(*lowered, OpKind::Add), 1);
    const ir::Node* out = lowered->outputs()[0];
    EXPECT_EQ(out->op, OpKind::Add);
    EXPECT_EQ(out->origins, (std::vector<std::string>{"bn"}));
    std::vector<int64_t> paramDims(dims.size() - 1, 1);
    paramDims[0] = 3;
    EXPECT_EQ(out->inputs[1]->value.dims(), paramDims);
  }
}

}  // namespace
}  // namespace dlc::passes::testing
