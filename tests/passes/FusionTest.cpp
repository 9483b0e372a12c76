// Fusion pass tests: kernel counts and membership for each fusion rule, the
// refusal reasons, and the structural guarantees (no cycles, one iteration
// space per Loop kernel).
#include <gtest/gtest.h>

#include "compiler/reference/Interpreter.h"
#include "ir/Kernel.h"
#include "passes/FusionGroups.h"
#include "tests/passes/FusionTestUtil.h"

namespace dlc::passes::testing {
namespace {

using ir::OpKind;

constexpr int64_t N = ir::kBatch;

// x -> neg -> abs -> relu -> add(x) -> mul(2) -> sub(x) -> maximum(x) -> sqrt
void buildChainOfEight(ir::Graph& g) {
  ir::Node* x = g.addInput("x", f32({N, 64}));
  ir::Node* two = g.addConstant("two", scalar(2.0));
  ir::Node* v = add(g, OpKind::Neg, "e1", {x});
  v = add(g, OpKind::Abs, "e2", {v});
  v = add(g, OpKind::Relu, "e3", {v});
  v = add(g, OpKind::Add, "e4", {v, x});
  v = add(g, OpKind::Mul, "e5", {v, two});
  v = add(g, OpKind::Sub, "e6", {v, x});
  v = add(g, OpKind::Maximum, "e7", {v, x});
  v = add(g, OpKind::Sqrt, "e8", {v});
  g.setOutputs({v});
}

TEST(FusionTest, ChainOfEightElementwiseOpsIsOneLoopKernel) {
  ir::Graph g;
  buildChainOfEight(g);
  Fused f = fuse(g);
  ASSERT_EQ(f.plan.kernels.size(), 1u);
  const ir::Kernel& k = f.plan.kernels[0];
  EXPECT_EQ(k.kind, ir::KernelKind::Loop);
  EXPECT_EQ(k.nodes.size(), 8u);
  EXPECT_EQ(k.params.size(), 2u);  // x and the constant
  ASSERT_EQ(k.outputs.size(), 1u);
  EXPECT_EQ(k.outputs[0]->name, "e8");
  EXPECT_TRUE(f.refusals.empty());
}

TEST(FusionTest, UnfusedModeGivesOneKernelPerNode) {
  ir::Graph g;
  buildChainOfEight(g);
  Fused f = fuse(g, /*enabled=*/false);
  EXPECT_EQ(f.plan.kernels.size(), 8u);
  for (const ir::Kernel& k : f.plan.kernels) EXPECT_EQ(k.nodes.size(), 1u);
}

TEST(FusionTest, DecomposedSoftmaxTakesThreeKernels) {
  ir::Graph g;
  ir::Node* x = g.addInput("x", f32({N, 10}));
  auto row = attrs({{"axes", std::vector<int64_t>{1}}, {"keepdims", int64_t(1)}});
  ir::Node* m = add(g, OpKind::ReduceMax, "m", {x}, row);
  ir::Node* s = add(g, OpKind::Sub, "s", {x, m});
  ir::Node* e = add(g, OpKind::Exp, "e", {s});
  ir::Node* z = add(g, OpKind::ReduceSum, "z", {e}, row);
  ir::Node* y = add(g, OpKind::Div, "y", {e, z});
  g.setOutputs({y});
  Fused f = fuse(g);
  EXPECT_LE(f.plan.kernels.size(), 3u);
  EXPECT_EQ(membersWith(g, f.plan, "m"), (std::set<std::string>{"m"}));
  // reduce_sum(exp(sub(x, m))) is one kernel reading x and m.
  EXPECT_EQ(membersWith(g, f.plan, "z"), (std::set<std::string>{"s", "e", "z"}));
  const ir::Kernel* k = kernelById(f.plan, kernelOf(g, "z"));
  ASSERT_NE(k, nullptr);
  EXPECT_EQ(k->kind, ir::KernelKind::Reduction);
  EXPECT_EQ(k->params, (std::vector<ir::Node*>{x, m}));
  // exp is materialized (an extra output), not recomputed by the divide.
  EXPECT_EQ(countOps(g, OpKind::Exp), 1);
  EXPECT_NE(refusalFor(f, "e", "y").find("expensive"), std::string::npos) << f.refusals.size();
}

TEST(FusionTest, SoftmaxWithCheapProducerAndEpilogueIsOneRowKernel) {
  ir::Graph g;
  ir::Node* x = g.addInput("x", f32({N, 10}));
  ir::Node* b = g.addConstant("b", randomTensor({10}, 1));
  ir::Node* a = add(g, OpKind::Add, "a", {x, b});
  ir::Node* s = add(g, OpKind::Softmax, "s", {a});
  ir::Node* y = add(g, OpKind::Mul, "y", {s, g.addConstant("k", scalar(3.0))});
  g.setOutputs({y});
  Fused f = fuse(g);
  ASSERT_EQ(f.plan.kernels.size(), 1u);
  EXPECT_EQ(f.plan.kernels[0].kind, ir::KernelKind::Row);
  EXPECT_EQ(f.plan.kernels[0].root, s);
}

TEST(FusionTest, SoftmaxKeepsAnExpensiveProducerOutside) {
  ir::Graph g;
  ir::Node* x = g.addInput("x", f32({N, 10}));
  ir::Node* e = add(g, OpKind::Exp, "e", {x});
  ir::Node* s = add(g, OpKind::LogSoftmax, "s", {e});
  g.setOutputs({s});
  Fused f = fuse(g);
  EXPECT_EQ(f.plan.kernels.size(), 2u);
  EXPECT_NE(refusalFor(f, "e", "s").find("not a cheap elementwise op"), std::string::npos);
}

TEST(FusionTest, LayerNormIsOneKernelWithItsNeighbours) {
  ir::Graph g;
  ir::Node* x = g.addInput("x", f32({N, 16}));
  ir::Node* gamma = g.addConstant("gamma", randomTensor({16}, 2));
  ir::Node* beta = g.addConstant("beta", randomTensor({16}, 3));
  ir::Node* r = add(g, OpKind::Add, "r", {x, x});
  ir::Node* ln = add(g, OpKind::LayerNorm, "ln", {r, gamma, beta});
  ir::Node* y = add(g, OpKind::Relu, "y", {ln});
  g.setOutputs({y});
  Fused f = fuse(g);
  ASSERT_EQ(f.plan.kernels.size(), 1u);
  EXPECT_EQ(f.plan.kernels[0].kind, ir::KernelKind::Row);
}

TEST(FusionTest, DenseAddReluIsOneContractionKernel) {
  ir::Graph g;
  ir::Node* x = g.addInput("x", f32({N, 32}));
  ir::Node* w = g.addConstant("w", randomTensor({32, 16}, 4));
  ir::Node* b = g.addConstant("b", randomTensor({16}, 5));
  ir::Node* d = add(g, OpKind::Dense, "d", {x, w});
  ir::Node* a = add(g, OpKind::Add, "a", {d, b});
  ir::Node* r = add(g, OpKind::Relu, "r", {a});
  g.setOutputs({r});
  Fused f = fuse(g);
  ASSERT_EQ(f.plan.kernels.size(), 1u);
  const ir::Kernel& k = f.plan.kernels[0];
  EXPECT_EQ(k.kind, ir::KernelKind::Contraction);
  EXPECT_EQ(k.root, d);
  EXPECT_EQ(k.label(), "dense+add+relu");
  EXPECT_EQ(k.outputs, (std::vector<ir::Node*>{r}));
}

TEST(FusionTest, ExpensiveProducersAreNotFusedIntoADense) {
  ir::Graph g;
  ir::Node* x = g.addInput("x", f32({N, 32}));
  ir::Node* w = g.addConstant("w", randomTensor({32, 16}, 6));
  ir::Node* t = add(g, OpKind::Tanh, "t", {x});
  ir::Node* d = add(g, OpKind::Dense, "d", {t, w});
  // A residual add whose other operand depends on the contraction's input.
  ir::Node* r = add(g, OpKind::Relu, "r", {d});
  ir::Node* s = add(g, OpKind::Mul, "s", {r, g.addConstant("half", scalar(0.5))});
  g.setOutputs({s});
  Fused f = fuse(g);
  EXPECT_EQ(f.plan.kernels.size(), 2u);
  EXPECT_EQ(membersWith(g, f.plan, "d"), (std::set<std::string>{"d", "r", "s"}));
  EXPECT_NE(refusalFor(f, "t", "d").find("tanh is not a cheap elementwise op"), std::string::npos)
      << refusalFor(f, "t", "d");
}

// Cheap elementwise ops and flatten in front of a dense's x are computed
// while x is packed; the weights and a matmul's operands come from memory.
TEST(FusionTest, CheapProducersFuseIntoADensesXOnly) {
  ir::Graph g;
  ir::Node* x = g.addInput("x", f32({N, 4, 8}));
  ir::Node* wIn = g.addInput("w_in", f32({32, 16}));
  ir::Node* a = add(g, OpKind::Mul, "a", {x, g.addConstant("two", scalar(2.0))});
  ir::Node* r = add(g, OpKind::Relu, "r", {a});
  ir::Node* flat = add(g, OpKind::Flatten, "flat", {r});
  ir::Node* w = add(g, OpKind::Neg, "w", {wIn});
  ir::Node* d = add(g, OpKind::Dense, "d", {flat, w});
  ir::Node* m = add(g, OpKind::Abs, "m", {d});
  ir::Node* mm = add(g, OpKind::MatMul, "mm", {m, g.addConstant("v", randomTensor({16, 4}, 3))});
  g.setOutputs({mm});
  Fused f = fuse(g);
  EXPECT_EQ(membersWith(g, f.plan, "d"), (std::set<std::string>{"a", "r", "flat", "d", "m"}));
  EXPECT_NE(refusalFor(f, "w", "d").find("reads its weights and bias from memory"),
            std::string::npos)
      << refusalFor(f, "w", "d");
  EXPECT_EQ(f.plan.kernels.size(), 3u);
}

TEST(FusionTest, ReductionTakesProducersAndAnEpilogue) {
  ir::Graph g;
  ir::Node* x = g.addInput("x", f32({N, 8, 8}));
  ir::Node* sq = add(g, OpKind::Mul, "sq", {x, x});
  ir::Node* t = add(g, OpKind::Transpose, "t", {sq}, attrs({{"perm", std::vector<int64_t>{0, 2, 1}}}));
  ir::Node* sum = add(g, OpKind::ReduceSum, "sum", {t}, attrs({{"axes", std::vector<int64_t>{1, 2}}}));
  ir::Node* mean = add(g, OpKind::Div, "mean", {sum, g.addConstant("n", scalar(64.0))});
  ir::Node* rms = add(g, OpKind::Sqrt, "rms", {mean});
  g.setOutputs({rms});
  Fused f = fuse(g);
  ASSERT_EQ(f.plan.kernels.size(), 1u);
  EXPECT_EQ(f.plan.kernels[0].kind, ir::KernelKind::Reduction);
  EXPECT_EQ(f.plan.kernels[0].root, sum);
  EXPECT_EQ(f.plan.kernels[0].outputs, (std::vector<ir::Node*>{rms}));
}

TEST(FusionTest, PoolTakesElementwiseProducersAndEpilogue) {
  ir::Graph g;
  ir::Node* x = g.addInput("x", f32({N, 4, 8, 8}));
  ir::Node* r = add(g, OpKind::Relu, "r", {x});
  ir::Node* p = add(g, OpKind::MaxPool2D, "p", {r}, attrs({{"kernel", std::vector<int64_t>{2, 2}}}));
  ir::Node* y = add(g, OpKind::Neg, "y", {p});
  g.setOutputs({y});
  Fused f = fuse(g);
  ASSERT_EQ(f.plan.kernels.size(), 1u);
  EXPECT_EQ(f.plan.kernels[0].kind, ir::KernelKind::Pool);
}

TEST(FusionTest, ExpensiveProducerWithTwoConsumerKernelsIsNotDuplicated) {
  ir::Graph g;
  ir::Node* x = g.addInput("x", f32({N, 16}));
  ir::Node* e = add(g, OpKind::Exp, "e", {x});
  ir::Node* s = add(g, OpKind::ReduceSum, "s", {e});
  ir::Node* m = add(g, OpKind::ReduceMax, "m", {e});
  g.setOutputs({s, m});
  Fused f = fuse(g);
  EXPECT_EQ(countOps(g, OpKind::Exp), 1);
  EXPECT_EQ(f.plan.kernels.size(), 2u);
  // It stays materialized as an extra output of the first consumer kernel.
  EXPECT_EQ(kernelOf(g, "e"), kernelOf(g, "s"));
  std::string line = refusalFor(f, "e", "m");
  EXPECT_NE(line.find("exp is expensive: not duplicated"), std::string::npos) << line;
}

TEST(FusionTest, CheapProducerWithTwoConsumerKernelsIsDuplicated) {
  ir::Graph g;
  ir::Node* x = g.addInput("x", f32({N, 16}));
  ir::Node* y = g.addInput("y", f32({N, 16}));
  ir::Node* a = add(g, OpKind::Add, "a", {x, y});
  ir::Node* s = add(g, OpKind::ReduceSum, "s", {a});
  ir::Node* m = add(g, OpKind::ReduceMax, "m", {a});
  g.setOutputs({s, m});
  Fused f = fuse(g);
  ASSERT_EQ(f.plan.kernels.size(), 2u);
  EXPECT_EQ(countOps(g, OpKind::Add), 2);
  for (const ir::Kernel& k : f.plan.kernels) {
    ASSERT_EQ(k.nodes.size(), 2u);
    EXPECT_EQ(k.nodes[0]->op, OpKind::Add);
    EXPECT_EQ(k.nodes[0]->origins, std::vector<std::string>{"a"});  // clones keep origins
    EXPECT_EQ(k.params, (std::vector<ir::Node*>{x, y}));
  }
  EXPECT_TRUE(f.refusals.empty());
}

TEST(FusionTest, DeviceBoundarySplitsKernels) {
  ir::Graph g;
  ir::Node* x = g.addInput("x", f32({N, 16}));
  ir::Node* a = add(g, OpKind::Neg, "a", {x});
  ir::Node* b = add(g, OpKind::Relu, "b", {a});
  ir::Node* c = add(g, OpKind::Abs, "c", {b});
  ir::Node* d = add(g, OpKind::Sqrt, "d", {c});
  for (ir::Node* n : {x, a, b}) n->device = "/device:CPU:0";
  for (ir::Node* n : {c, d}) n->device = "/device:CPU:1";
  g.setOutputs({d});
  Fused f = fuse(g);
  ASSERT_EQ(f.plan.kernels.size(), 2u);
  EXPECT_EQ(kernelOf(g, "a"), kernelOf(g, "b"));
  EXPECT_EQ(kernelOf(g, "c"), kernelOf(g, "d"));
  EXPECT_EQ(refusalFor(f, "b", "c"),
            "no fuse: b -> c: device boundary: \"/device:CPU:0\" vs \"/device:CPU:1\"");
}

TEST(FusionTest, OperandLimitSplitsKernels) {
  ir::Graph g;
  ir::Node* acc = g.addInput("x0", f32({N, 4}));
  for (int i = 1; i <= 20; ++i)
    acc = add(g, OpKind::Add, strCat("a", i),
              {acc, g.addInput(strCat("x", i), f32({N, 4}))});
  g.setOutputs({acc});
  Fused f = fuse(g);
  ASSERT_EQ(f.plan.kernels.size(), 2u);
  for (const ir::Kernel& k : f.plan.kernels) EXPECT_LE(k.params.size(), 16u);
  ASSERT_EQ(f.refusals.size(), 1u);
  EXPECT_NE(f.refusals[0].find("the limit is 16"), std::string::npos) << f.refusals[0];
}

TEST(FusionTest, SiblingLoopKernelsReadingOneLargeValueMerge) {
  ir::Graph g;
  ir::Node* x = g.addInput("x", f32({N, 64}));
  ir::Node* a = add(g, OpKind::Exp, "a", {x});
  ir::Node* b = add(g, OpKind::Neg, "b", {x});
  g.setOutputs({a, b});
  Fused f = fuse(g);
  ASSERT_EQ(f.plan.kernels.size(), 1u);
  EXPECT_EQ(f.plan.kernels[0].outputs.size(), 2u);
  EXPECT_EQ(f.plan.kernels[0].params, (std::vector<ir::Node*>{x}));
}

TEST(FusionTest, SiblingsWithDifferentIterationSpacesStayApart) {
  ir::Graph g;
  ir::Node* x = g.addInput("x", f32({N, 64}));
  ir::Node* a = add(g, OpKind::Exp, "a", {x});
  ir::Node* b = add(g, OpKind::Slice, "b", {x},
                    attrs({{"starts", std::vector<int64_t>{0}}, {"ends", std::vector<int64_t>{8}},
                           {"axes", std::vector<int64_t>{1}}}));
  g.setOutputs({a, b});
  Fused f = fuse(g);
  EXPECT_EQ(f.plan.kernels.size(), 2u);
}

TEST(FusionTest, SmallSharedValueDoesNotMergeSiblings) {
  ir::Graph g;
  ir::Node* x = g.addInput("x", f32({4, 4}));
  g.setOutputs({add(g, OpKind::Exp, "a", {x}), add(g, OpKind::Neg, "b", {x})});
  Fused f = fuse(g);
  EXPECT_EQ(f.plan.kernels.size(), 2u);
}

// x -> e = exp(x) -> r = reduce_sum(e) -> y = div(e, r): putting e into y's
// kernel would make the kernels of y and r read each other.
TEST(FusionTest, DiamondNeverCreatesACycle) {
  ir::Graph g;
  ir::Node* x = g.addInput("x", f32({N, 8}));
  ir::Node* e = add(g, OpKind::Exp, "e", {x});
  ir::Node* r = add(g, OpKind::ReduceSum, "r", {e},
                    attrs({{"axes", std::vector<int64_t>{1}}, {"keepdims", int64_t(1)}}));
  ir::Node* y = add(g, OpKind::Div, "y", {e, r});
  g.setOutputs({y});
  Fused f = fuse(g);  // buildKernelPlan rejects cyclic kernels
  EXPECT_EQ(f.plan.kernels.size(), 2u);
  EXPECT_EQ(kernelOf(g, "e"), kernelOf(g, "r"));
  EXPECT_NE(kernelOf(g, "y"), kernelOf(g, "r"));
}

TEST(FusionTest, MergeCycleCheckSeesPathsThroughOtherKernels) {
  ir::Graph g;
  ir::Node* x = g.addInput("x", f32({8}));
  ir::Node* a = add(g, OpKind::Neg, "a", {x});
  ir::Node* b = add(g, OpKind::ReduceSum, "b", {a});
  ir::Node* c = add(g, OpKind::Add, "c", {a, b});
  g.setOutputs({c});
  FusionGroups groups(g);
  EXPECT_TRUE(groups.mergeCreatesCycle(groups.groupOf(a), groups.groupOf(c)));
  EXPECT_FALSE(groups.mergeCreatesCycle(groups.groupOf(a), groups.groupOf(b)));
  EXPECT_FALSE(groups.mergeCreatesCycle(groups.groupOf(b), groups.groupOf(c)));
  EXPECT_TRUE(groups.dependent(groups.groupOf(a), groups.groupOf(c)));
}

TEST(FusionTest, LoopKernelOutputsShareOneIterationSpace) {
  ir::Graph g;
  ir::Node* x = g.addInput("x", f32({N, 8}));
  ir::Node* a = add(g, OpKind::Relu, "a", {x});
  ir::Node* s = add(g, OpKind::Slice, "s", {a},
                    attrs({{"starts", std::vector<int64_t>{0}}, {"ends", std::vector<int64_t>{4}},
                           {"axes", std::vector<int64_t>{1}}}));
  ir::Node* t = add(g, OpKind::Neg, "t", {s});
  g.setOutputs({t, a});  // a is an output too, with twice t's elements
  Fused f = fuse(g);
  for (const ir::Kernel& k : f.plan.kernels)
    for (const ir::Node* out : k.outputs)
      EXPECT_EQ(out->type.shape.staticElements(), k.outputs[0]->type.shape.staticElements());
  EXPECT_NE(refusalFor(f, "a", "s").find("elements"), std::string::npos);
}

// cast, mul, flatten, dense, relu, dense, softmax (examples/fashion_mnist_mlp).
TEST(FusionTest, FashionMnistMlp) {
  ir::Graph g;
  ir::Node* image = g.addInput("image", {ir::DType::U8, ir::Shape({N, 28, 28})});
  ir::Node* x = add(g, OpKind::Cast, "x", {image}, attrs({{"to", std::string("f32")}}));
  ir::Node* scaled = add(g, OpKind::Mul, "scaled", {x, g.addConstant("inv255", scalar(1 / 255.0))});
  ir::Node* flat = add(g, OpKind::Flatten, "flat", {scaled});
  ir::Node* h = add(g, OpKind::Dense, "h",
                    {flat, g.addConstant("w1", randomTensor({784, 128}, 7)),
                     g.addConstant("b1", randomTensor({128}, 8))});
  ir::Node* hr = add(g, OpKind::Relu, "hr", {h});
  ir::Node* logits = add(g, OpKind::Dense, "logits",
                         {hr, g.addConstant("w2", randomTensor({128, 10}, 9)),
                          g.addConstant("b2", randomTensor({10}, 10))});
  ir::Node* probs = add(g, OpKind::Softmax, "probs", {logits});
  g.setOutputs({probs});
  Fused f = fuse(g);
  // A kernel has one root: the input scaling is computed while the first
  // dense packs its x, the second dense reads the first one's output, and
  // the softmax is a row kernel.
  ASSERT_EQ(f.plan.kernels.size(), 3u);
  EXPECT_EQ(membersWith(g, f.plan, "h"),
            (std::set<std::string>{"x", "scaled", "flat", "h", "hr"}));
  EXPECT_EQ(membersWith(g, f.plan, "logits"), (std::set<std::string>{"logits"}));
  EXPECT_EQ(membersWith(g, f.plan, "probs"), (std::set<std::string>{"probs"}));
  EXPECT_EQ(f.refusals.size(), 2u);
}

TEST(FusionTest, EveryEdgeBetweenKernelsHasAReason) {
  ir::Graph g;
  ir::Node* x = g.addInput("x", f32({N, 10}));
  auto row = attrs({{"axes", std::vector<int64_t>{1}}, {"keepdims", int64_t(1)}});
  ir::Node* m = add(g, OpKind::ReduceMax, "m", {x}, row);
  ir::Node* s = add(g, OpKind::Sub, "s", {x, m});
  ir::Node* e = add(g, OpKind::Exp, "e", {s});
  ir::Node* z = add(g, OpKind::ReduceSum, "z", {e}, row);
  g.setOutputs({add(g, OpKind::Div, "y", {e, z})});
  Fused f = fuse(g);
  int crossing = 0;
  for (const auto& n : g.nodes())
    for (const ir::Node* in : n->inputs)
      crossing += !ir::isSource(in->op) && in->kernel != n->kernel;
  EXPECT_EQ(int(f.refusals.size()), crossing);
}

// Fusion only annotates and clones: the fused graph computes the same values.
TEST(FusionTest, FusedGraphComputesTheSameValues) {
  auto build = [](ir::Graph& g) {
    ir::Node* x = g.addInput("x", f32({N, 12}));
    ir::Node* y = g.addInput("y", f32({N, 12}));
    ir::Node* a = add(g, OpKind::Add, "a", {x, y});  // cheap, two reduction readers
    ir::Node* e = add(g, OpKind::Exp, "e", {a});
    ir::Node* s = add(g, OpKind::ReduceSum, "s", {a});
    ir::Node* m = add(g, OpKind::ReduceMax, "m", {a});
    ir::Node* sm = add(g, OpKind::Softmax, "sm", {add(g, OpKind::Mul, "t", {e, y})});
    ir::Node* d = add(g, OpKind::Dense, "d", {sm, g.addConstant("w", randomTensor({12, 5}, 11))});
    g.setOutputs({s, m, add(g, OpKind::Tanh, "out", {d})});
  };
  ir::Graph plain, fused;
  build(plain);
  build(fused);
  Fused f = fuse(fused);
  EXPECT_EQ(countOps(fused, OpKind::Add), 3);  // a is cloned into 3 kernels
  std::vector<Tensor> inputs = {randomTensor({3, 12}, 12), randomTensor({3, 12}, 13)};
  auto want = ref::evaluate(plain, inputs);
  auto got = ref::evaluate(fused, inputs);
  ASSERT_TRUE(want.ok()) << want.status().toString();
  ASSERT_TRUE(got.ok()) << got.status().toString();
  ASSERT_EQ(want->size(), got->size());
  for (size_t i = 0; i < want->size(); ++i) {
    ASSERT_EQ((*want)[i].numElements(), (*got)[i].numElements());
    for (int64_t j = 0; j < (*want)[i].numElements(); ++j)
      EXPECT_EQ((*want)[i].getAsDouble(j), (*got)[i].getAsDouble(j)) << "output " << i;
  }
}

}  // namespace
}  // namespace dlc::passes::testing
