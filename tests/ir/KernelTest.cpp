// buildKernelPlan on hand-annotated graphs: members, params, outputs, root,
// kind, device and topological kernel order, plus the annotation errors.
#include "IrTestUtil.h"
#include "ir/Kernel.h"
#include "ir/Parser.h"

#include <fstream>
#include <sstream>

namespace dlc::ir {
namespace {

using namespace testing;

std::vector<std::string> names(const std::vector<Node*>& nodes) {
  std::vector<std::string> out;
  for (const Node* n : nodes) out.push_back(n->name);
  return out;
}
using Names = std::vector<std::string>;

std::unique_ptr<Graph> parse(const std::string& text) {
  auto g = parseGraph(text, "kernel.ir");
  EXPECT_TRUE(g.ok()) << g.status().message();
  return g.ok() ? std::move(g).value() : std::make_unique<Graph>();
}

TEST(KernelPlan, KindNames) {
  EXPECT_EQ(kernelKindName(KernelKind::Loop), "loop");
  EXPECT_EQ(kernelKindName(KernelKind::Reduction), "reduction");
  EXPECT_EQ(kernelKindName(KernelKind::Row), "row");
  EXPECT_EQ(kernelKindName(KernelKind::Contraction), "contraction");
  EXPECT_EQ(kernelKindName(KernelKind::Pool), "pool");
}

TEST(KernelPlan, MlpGolden) {
  std::ifstream in(std::string(DLC_TEST_DATA_DIR) + "/data/mlp.ir");
  std::stringstream ss;
  ss << in.rdbuf();
  auto g = parse(ss.str());
  auto plan = buildKernelPlan(*g);
  ASSERT_TRUE(plan.ok()) << plan.status().message();
  ASSERT_EQ(plan->kernels.size(), 3u);
  EXPECT_TRUE(plan->refusals.empty());

  const Kernel& k0 = plan->kernels[0];
  EXPECT_EQ(k0.id, 0);
  EXPECT_EQ(k0.kind, KernelKind::Loop);
  EXPECT_EQ(k0.root, nullptr);
  EXPECT_EQ(k0.label(), "cast+mul+reshape+slice");
  EXPECT_EQ(names(k0.params), (Names{"image", "scale"}));
  EXPECT_EQ(names(k0.outputs), (Names{"v"}));
  EXPECT_EQ(k0.device, "/device:CPU:0");

  const Kernel& k1 = plan->kernels[1];
  EXPECT_EQ(k1.kind, KernelKind::Contraction);
  EXPECT_EQ(k1.root->name, "h");
  EXPECT_EQ(k1.label(), "dense+add+relu");
  EXPECT_EQ(names(k1.nodes), (Names{"h", "hb", "r"}));
  EXPECT_EQ(names(k1.params), (Names{"v", "w1", "b"}));
  EXPECT_EQ(names(k1.outputs), (Names{"r"}));

  const Kernel& k2 = plan->kernels[2];
  EXPECT_EQ(k2.kind, KernelKind::Row);
  EXPECT_EQ(names(k2.params), (Names{"r"}));
  EXPECT_EQ(names(k2.outputs), (Names{"probs"}));
}

TEST(KernelPlan, OrdersKernelsByDependencyAndFindsMultiOutputs) {
  // k7 = {a, d}, k3 = {b}: d reads b, so k3 runs first although k7 appears first.
  auto g2 = parse(R"(graph @g(%x: f32[4,8]) {
  %a = exp(%x) : f32[4,8]  #k7
  %b = reduce_sum(%x) {axes = [1], keepdims = 1} : f32[4,1]  #k3
  %d = sub(%a, %b) : f32[4,8]  #k7
  %m = mul(%a, %d) : f32[4,8]  #k9
  return %d, %m
})");
  auto plan = buildKernelPlan(*g2);
  ASSERT_TRUE(plan.ok()) << plan.status().message();
  ASSERT_EQ(plan->kernels.size(), 3u);
  EXPECT_EQ(plan->kernels[0].id, 3);
  EXPECT_EQ(plan->kernels[0].kind, KernelKind::Reduction);
  EXPECT_EQ(names(plan->kernels[0].outputs), (Names{"b"}));
  EXPECT_EQ(plan->kernels[1].id, 7);
  EXPECT_EQ(plan->kernels[1].kind, KernelKind::Loop);
  EXPECT_EQ(names(plan->kernels[1].params), (Names{"x", "b"}));
  // a is read by k9, d is a graph output and read by k9: a multi-output kernel.
  EXPECT_EQ(names(plan->kernels[1].outputs), (Names{"a", "d"}));
  EXPECT_EQ(plan->kernels[2].id, 9);
  EXPECT_EQ(names(plan->kernels[2].params), (Names{"a", "d"}));
  EXPECT_EQ(plan->kernels[2].device, "");
}

TEST(KernelPlan, PoolKernel) {
  auto g = parse(R"(graph @g(%x: f32[1,2,4,4]) {
  %r = relu(%x) : f32[1,2,4,4]  #k0
  %p = max_pool2d(%r) {kernel = [2,2]} : f32[1,2,2,2]  #k0
  return %p
})");
  auto plan = buildKernelPlan(*g);
  ASSERT_TRUE(plan.ok()) << plan.status().message();
  EXPECT_EQ(plan->kernels[0].kind, KernelKind::Pool);
  EXPECT_EQ(plan->kernels[0].root->name, "p");
  EXPECT_EQ(names(plan->kernels[0].params), (Names{"x"}));
}

TEST(KernelPlan, Errors) {
  auto cycle = parse(R"(graph @g(%x: f32[4]) {
  %a = exp(%x) : f32[4]  #k0
  %b = neg(%a) : f32[4]  #k1
  %c = add(%a, %b) : f32[4]  #k0
  return %c
})");
  expectError(buildKernelPlan(*cycle),
              {"kernels depend on each other in a cycle: k0 (exp+add), k1 (neg)"});

  auto twoRoots = parse(R"(graph @g(%x: f32[4,4], %w: f32[4,4]) {
  %a = matmul(%x, %w) : f32[4,4]  #k0
  %b = softmax(%a) : f32[4,4]  #k0
  return %b
})");
  expectError(buildKernelPlan(*twoRoots),
              {"kernel k0 (matmul+softmax) has two roots: \"a\" (matmul) and \"b\" (softmax)"});

  auto devices = parse(R"(graph @g(%x: f32[4]) {
  %a = exp(%x) : f32[4] @"/device:CPU:0"  #k0
  %b = neg(%a) : f32[4] @"/device:CUDA:0"  #k0
  return %b
})");
  expectError(buildKernelPlan(*devices), {"kernel k0 (exp+neg) mixes devices", "\"b\" (neg) on \"/device:CUDA:0\""});

  auto missing = parse(R"(graph @g(%x: f32[4]) {
  %a = exp(%x) : f32[4]  #k0
  %b = neg(%a) : f32[4]
  return %b
})");
  expectError(buildKernelPlan(*missing), {"\"b\" (neg): has no kernel annotation"});
}

}  // namespace
}  // namespace dlc::ir
