// Fusion of layout remaps (reshape, flatten, transpose) into the epilogue of
// a root kernel: kernel counts and membership, the "a remap ends the
// epilogue" rule, and the refusals for the remaps that never join.
#include <gtest/gtest.h>

#include "ir/Kernel.h"
#include "tests/passes/FusionTestUtil.h"

namespace dlc::passes::testing {
namespace {

using ir::OpKind;

constexpr int64_t N = ir::kBatch;

// x[N,16,32] -> dense(w[32,64]) + b -> reshape [0,16,4,16] -> transpose
// [0,2,1,3]: the attention head split.
struct HeadSplit {
  ir::Node* d;
  ir::Node* a;
  ir::Node* r;
  ir::Node* t;
};

HeadSplit buildHeadSplit(ir::Graph& g) {
  ir::Node* x = g.addInput("x", f32({N, 16, 32}));
  ir::Node* w = g.addConstant("w", randomTensor({32, 64}, 11));
  ir::Node* b = g.addConstant("b", randomTensor({64}, 12));
  HeadSplit h;
  h.d = add(g, OpKind::Dense, "d", {x, w});
  h.a = add(g, OpKind::Add, "a", {h.d, b});
  h.r = add(g, OpKind::Reshape, "r", {h.a},
            attrs({{"shape", std::vector<int64_t>{0, 16, 4, 16}}}));
  h.t = add(g, OpKind::Transpose, "t", {h.r},
            attrs({{"perm", std::vector<int64_t>{0, 2, 1, 3}}}));
  return h;
}

TEST(FusionRemapTest, DenseReshapeTransposeIsOneContractionKernel) {
  ir::Graph g;
  HeadSplit h = buildHeadSplit(g);
  g.setOutputs({h.t});
  Fused f = fuse(g);
  ASSERT_EQ(f.plan.kernels.size(), 1u);
  const ir::Kernel& k = f.plan.kernels[0];
  EXPECT_EQ(k.kind, ir::KernelKind::Contraction);
  EXPECT_EQ(k.root, h.d);
  EXPECT_EQ(k.label(), "dense+add+reshape+transpose");
  EXPECT_EQ(k.outputs, (std::vector<ir::Node*>{h.t}));
  EXPECT_TRUE(f.refusals.empty()) << f.refusals.front();
}

TEST(FusionRemapTest, UnfusedHeadSplitTakesFourKernels) {
  ir::Graph g;
  HeadSplit h = buildHeadSplit(g);
  g.setOutputs({h.t});
  EXPECT_EQ(fuse(g, /*enabled=*/false).plan.kernels.size(), 4u);
}

TEST(FusionRemapTest, TransposedContextMergeIsOneKernel) {
  // matmul [N,4,16,16] -> transpose [0,2,1,3] -> reshape [0,16,64] -> dense.
  ir::Graph g;
  ir::Node* a = g.addInput("a", f32({N, 4, 16, 16}));
  ir::Node* b = g.addInput("b", f32({N, 4, 16, 16}));
  ir::Node* m = add(g, OpKind::MatMul, "m", {a, b});
  ir::Node* t = add(g, OpKind::Transpose, "t", {m},
                    attrs({{"perm", std::vector<int64_t>{0, 2, 1, 3}}}));
  ir::Node* r = add(g, OpKind::Reshape, "r", {t},
                    attrs({{"shape", std::vector<int64_t>{0, 16, 64}}}));
  ir::Node* d = add(g, OpKind::Dense, "d", {r, g.addConstant("w", randomTensor({64, 8}, 13))});
  g.setOutputs({d});
  Fused f = fuse(g);
  ASSERT_EQ(f.plan.kernels.size(), 2u);
  EXPECT_EQ(membersWith(g, f.plan, "m"), (std::set<std::string>{"m", "t", "r"}));
  EXPECT_EQ(kernelById(f.plan, kernelOf(g, "m"))->outputs, (std::vector<ir::Node*>{r}));
  EXPECT_NE(refusalFor(f, "r", "d").find("already fused as the epilogue of m"), std::string::npos)
      << refusalFor(f, "r", "d");
}

TEST(FusionRemapTest, PoolFlattenIsOnePoolKernel) {
  ir::Graph g;
  ir::Node* x = g.addInput("x", f32({N, 8, 6, 6}));
  ir::Node* p = add(g, OpKind::MaxPool2D, "p", {x},
                    attrs({{"kernel", std::vector<int64_t>{2, 2}}}));
  ir::Node* fl = add(g, OpKind::Flatten, "f", {p});
  ir::Node* d = add(g, OpKind::Dense, "d", {fl, g.addConstant("w", randomTensor({72, 10}, 14))});
  g.setOutputs({d});
  Fused unfused = fuse(*g.clone(), /*enabled=*/false);
  EXPECT_EQ(unfused.plan.kernels.size(), 3u);
  Fused f = fuse(g);
  ASSERT_EQ(f.plan.kernels.size(), 2u);
  const ir::Kernel* k = kernelById(f.plan, kernelOf(g, "p"));
  ASSERT_NE(k, nullptr);
  EXPECT_EQ(k->kind, ir::KernelKind::Pool);
  EXPECT_EQ(k->label(), "max_pool2d+flatten");
  EXPECT_EQ(k->outputs, (std::vector<ir::Node*>{fl}));
}

TEST(FusionRemapTest, ConvReluFlattenIsOneKernel) {
  ir::Graph g;
  ir::Node* x = g.addInput("x", f32({N, 3, 8, 8}));
  ir::Node* c = add(g, OpKind::Conv2D, "c", {x, g.addConstant("w", randomTensor({4, 3, 3, 3}, 15))});
  ir::Node* r = add(g, OpKind::Relu, "r", {c});
  ir::Node* fl = add(g, OpKind::Flatten, "f", {r});
  g.setOutputs({fl});
  Fused f = fuse(g);
  ASSERT_EQ(f.plan.kernels.size(), 1u);
  EXPECT_EQ(f.plan.kernels[0].label(), "conv2d+relu+flatten");
}

TEST(FusionRemapTest, ReductionAndRowEpiloguesTakeRemaps) {
  ir::Graph g;
  ir::Node* x = g.addInput("x", f32({N, 6, 8}));
  ir::Node* s = add(g, OpKind::ReduceSum, "s", {x}, attrs({{"axes", std::vector<int64_t>{1}}}));
  ir::Node* st = add(g, OpKind::Transpose, "st", {s});  // [8,N]
  ir::Node* sm = add(g, OpKind::Softmax, "sm", {x});
  ir::Node* smr = add(g, OpKind::Reshape, "smr", {sm},
                      attrs({{"shape", std::vector<int64_t>{0, 48}}}));
  g.setOutputs({st, smr});
  Fused f = fuse(g);
  ASSERT_EQ(f.plan.kernels.size(), 2u);
  EXPECT_EQ(membersWith(g, f.plan, "s"), (std::set<std::string>{"s", "st"}));
  EXPECT_EQ(membersWith(g, f.plan, "sm"), (std::set<std::string>{"sm", "smr"}));
}

TEST(FusionRemapTest, ARemapEndsTheEpilogue) {
  // relu(transpose(d)) would need d's value at the transposed index.
  ir::Graph g;
  ir::Node* x = g.addInput("x", f32({N, 16}));
  ir::Node* d = add(g, OpKind::Dense, "d", {x, g.addConstant("w", randomTensor({16, 16}, 16))});
  ir::Node* r = add(g, OpKind::Reshape, "r", {d}, attrs({{"shape", std::vector<int64_t>{0, 4, 4}}}));
  ir::Node* t = add(g, OpKind::Transpose, "t", {r}, attrs({{"perm", std::vector<int64_t>{0, 2, 1}}}));
  ir::Node* e = add(g, OpKind::Relu, "e", {t});
  g.setOutputs({e});
  Fused f = fuse(g);
  ASSERT_EQ(f.plan.kernels.size(), 2u);
  EXPECT_EQ(membersWith(g, f.plan, "d"), (std::set<std::string>{"d", "r", "t"}));
  EXPECT_EQ(membersWith(g, f.plan, "e"), (std::set<std::string>{"e"}));
  // The epilogue step refused e ("a remap ends the epilogue"); producer
  // fusion then explains why t does not move into e's kernel.
  std::string why = refusalFor(f, "t", "e");
  EXPECT_NE(why.find("already fused as the epilogue of d"), std::string::npos) << why;
}

TEST(FusionRemapTest, ElementwiseMemberNeverReadsARemapOfTheRoot) {
  // add(relu(d), transpose(d)) on a square d: the transpose joins the
  // epilogue first, so the add (which would need d at two indices) stays out.
  ir::Graph g;
  ir::Node* x = g.addInput("x", f32({16, 16}));
  ir::Node* d = add(g, OpKind::MatMul, "d", {x, x});
  ir::Node* t = add(g, OpKind::Transpose, "t", {d});
  ir::Node* e = add(g, OpKind::Relu, "e", {d});
  ir::Node* s = add(g, OpKind::Add, "s", {e, t});
  g.setOutputs({s});
  Fused f = fuse(g);
  EXPECT_NE(kernelOf(g, "s"), kernelOf(g, "d"));
  EXPECT_EQ(membersWith(g, f.plan, "d"), (std::set<std::string>{"d", "t", "e"}));
  EXPECT_NE(refusalFor(f, "t", "s"), "");
}

TEST(FusionRemapTest, NoMemberReadsARemapInsideTheKernel) {
  // s = add(e, transpose(e2)), e and e2 both epilogue members of d: s would
  // read d's value at two indices, so it stays out of d's kernel.
  ir::Graph g;
  ir::Node* x = g.addInput("x", f32({16, 16}));
  ir::Node* d = add(g, OpKind::MatMul, "d", {x, x});
  ir::Node* e = add(g, OpKind::Relu, "e", {d});
  ir::Node* e2 = add(g, OpKind::Neg, "e2", {d});
  ir::Node* t = add(g, OpKind::Transpose, "t", {e2});
  ir::Node* s = add(g, OpKind::Add, "s", {e, t});
  g.setOutputs({s});
  Fused f = fuse(g);
  EXPECT_NE(kernelOf(g, "t"), kernelOf(g, "s"));
  EXPECT_TRUE(kernelOf(g, "t") != kernelOf(g, "d") || kernelOf(g, "s") != kernelOf(g, "d"));
  // Every member reading the root's kernel values reads them at the root's index.
  const ir::Kernel* k = kernelById(f.plan, kernelOf(g, "d"));
  ASSERT_NE(k, nullptr);
  for (const ir::Node* n : k->nodes) {
    if (isLayoutRemap(n->op)) continue;
    for (const ir::Node* in : n->inputs)
      EXPECT_FALSE(in->kernel == k->id && isLayoutRemap(in->op)) << n->name;
  }
}

TEST(FusionRemapTest, SlicePadConcatBroadcastNeverJoinAnEpilogue) {
  ir::Graph g;
  ir::Node* x = g.addInput("x", f32({N, 16}));
  ir::Node* d = add(g, OpKind::Dense, "d", {x, g.addConstant("w", randomTensor({16, 8}, 17))});
  ir::Node* sl = add(g, OpKind::Slice, "sl", {d},
                     attrs({{"starts", std::vector<int64_t>{0}}, {"ends", std::vector<int64_t>{4}},
                            {"axes", std::vector<int64_t>{1}}}));
  ir::Node* pd = add(g, OpKind::Pad, "pd", {d}, attrs({{"pads", std::vector<int64_t>{0, 1, 0, 1}}}));
  ir::Node* cc = add(g, OpKind::Concat, "cc", {d, d}, attrs({{"axis", int64_t(1)}}));
  g.setOutputs({sl, pd, cc});
  Fused f = fuse(g);
  EXPECT_EQ(f.plan.kernels.size(), 4u);
  EXPECT_EQ(membersWith(g, f.plan, "d"), (std::set<std::string>{"d"}));
  for (const char* user : {"sl", "pd", "cc"}) {
    EXPECT_EQ(membersWith(g, f.plan, user), (std::set<std::string>{user}));
    EXPECT_NE(refusalFor(f, "d", user).find("roots its own kernel"), std::string::npos) << user;
  }
}

TEST(FusionRemapTest, PolicyNamesTheRemapsThatDropAddOrRepeatElements) {
  ir::Graph g;
  ir::Node* x = g.addInput("x", f32({4, 16}));
  ir::Node* d = add(g, OpKind::Dense, "d", {x, g.addConstant("w", randomTensor({16, 8}, 18))});
  ir::Node* sl = add(g, OpKind::Slice, "sl", {d},
                     attrs({{"starts", std::vector<int64_t>{0}}, {"ends", std::vector<int64_t>{4}},
                            {"axes", std::vector<int64_t>{1}}}));
  ir::Node* bc = add(g, OpKind::BroadcastTo, "bc", {d},
                     attrs({{"shape", std::vector<int64_t>{2, 4, 8}}}));
  ir::Node* r = add(g, OpKind::Reshape, "r", {d}, attrs({{"shape", std::vector<int64_t>{32}}}));
  cpu::CpuFusionPolicy policy;
  FusionState state;
  state.kind = ir::KernelKind::Contraction;
  state.root = d;
  state.epilogue = true;
  FusionDecision s = policy.shouldFuseProducer(*d, *sl, state);
  EXPECT_FALSE(s.fuse);
  EXPECT_NE(s.reason.find("slice drops elements"), std::string::npos) << s.reason;
  FusionDecision b = policy.shouldFuseProducer(*d, *bc, state);
  EXPECT_FALSE(b.fuse);
  EXPECT_NE(b.reason.find("broadcast_to repeats elements"), std::string::npos) << b.reason;
  EXPECT_TRUE(policy.shouldFuseProducer(*d, *r, state).fuse);
  EXPECT_TRUE(isLayoutRemap(OpKind::Flatten));
  EXPECT_FALSE(isLayoutRemap(OpKind::Pad));
  EXPECT_FALSE(isLayoutRemap(OpKind::Concat));
}

}  // namespace
}  // namespace dlc::passes::testing
