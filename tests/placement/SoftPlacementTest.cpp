// The soft placement pass: GPU nodes without a GPU kernel move to the CPU
// with a reason; strict placement makes that an error naming the node.
#include <gtest/gtest.h>

#include <filesystem>

#include "compiler/Compiler.h"
#include "passes/SoftPlacement.h"
#include "tests/placement/PlacementTestUtil.h"

namespace dlc::test {
namespace {

std::unique_ptr<ir::Graph> gpuGraph(const std::string& tag) {
  std::string path = writePlacementModel(tag, {});
  auto graph = loadModelFile(path);
  EXPECT_TRUE(graph.ok()) << graph.status().message();
  std::filesystem::remove(path);
  if (!graph.ok()) return nullptr;
  for (const auto& n : (*graph)->nodes()) n->device = "/device:GPU:0";
  (*graph)->find("m")->device = "/device:CPU:0";
  return std::move(*graph);
}

TEST(SoftPlacement, CpuOnlyOpsMoveToTheCpuWithAReason) {
  auto graph = gpuGraph("soft_cpu_only");
  ASSERT_TRUE(graph);
  passes::SoftPlacementOptions options;
  options.cpuOnlyOps = {"tanh", "mul"};
  passes::SoftPlacement pass(options);
  auto changed = pass.run(*graph);
  ASSERT_TRUE(changed.ok()) << changed.status().message();
  EXPECT_TRUE(*changed);
  // s and g are muls on the GPU; m is a mul already on the CPU.
  ASSERT_EQ(pass.fallbacks().size(), 3u);
  std::vector<std::string> moved;
  for (const auto& f : pass.fallbacks()) {
    moved.push_back(f.node);
    EXPECT_EQ(f.from, "/device:GPU:0");
    EXPECT_EQ(f.to, "/device:CPU:0");
    EXPECT_NE(f.reason.find("--cpu-only-ops"), std::string::npos) << f.reason;
  }
  EXPECT_EQ(moved, (std::vector<std::string>{"a", "s", "g"}));
  EXPECT_EQ(graph->find("a")->device, "/device:CPU:0");
  EXPECT_EQ(graph->find("h")->device, "/device:GPU:0");
  EXPECT_EQ(graph->find("y")->device, "/device:GPU:0");
  EXPECT_EQ(graph->find("x")->device, "/device:GPU:0");  // sources never move
  EXPECT_EQ(pass.fallbacks()[0].origins, (std::vector<std::string>{"a"}));
  EXPECT_EQ(passes::fallbackLogLine(pass.fallbacks()[0]),
            "soft placement: node a (tanh) -> /device:CPU:0: " + pass.fallbacks()[0].reason);
  // Run again: nothing left to move.
  auto again = pass.run(*graph);
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(*again);
  EXPECT_TRUE(pass.fallbacks().empty());
}

TEST(SoftPlacement, TheBackendsSupportCheckGivesTheReason) {
  auto graph = gpuGraph("soft_support");
  ASSERT_TRUE(graph);
  passes::SoftPlacementOptions options;
  options.gpuSupport = [](const ir::Node& n) {
    if (n.op == ir::OpKind::Dense) return unsupported("dense \"", n.name, "\": no tensor cores today");
    return Status::OK();
  };
  passes::SoftPlacement pass(options);
  ASSERT_TRUE(pass.run(*graph).ok());
  ASSERT_EQ(pass.fallbacks().size(), 1u);
  EXPECT_EQ(pass.fallbacks()[0].node, "h");
  EXPECT_EQ(pass.fallbacks()[0].reason, "dense \"h\": no tensor cores today");
  EXPECT_EQ(graph->find("h")->device, "/device:CPU:0");
}

TEST(SoftPlacement, StrictPlacementIsAnErrorNamingTheNode) {
  auto graph = gpuGraph("soft_strict");
  ASSERT_TRUE(graph);
  graph->sourceFile = "model.json";
  passes::SoftPlacementOptions options;
  options.cpuOnlyOps = {"tanh"};
  options.strict = true;
  passes::SoftPlacement pass(options);
  auto changed = pass.run(*graph);
  ASSERT_FALSE(changed.ok());
  std::string m = changed.status().message();
  EXPECT_NE(m.find("model.json: "), std::string::npos) << m;
  EXPECT_NE(m.find("\"a\""), std::string::npos) << m;
  EXPECT_NE(m.find("no kernel for tanh on /device:GPU:0"), std::string::npos) << m;
  EXPECT_NE(m.find("strict placement"), std::string::npos) << m;
  EXPECT_EQ(graph->find("a")->device, "/device:GPU:0");
}

TEST(SoftPlacement, NodesOffTheGpuAreNotAsked) {
  auto graph = gpuGraph("soft_cpu_nodes");
  ASSERT_TRUE(graph);
  for (const auto& n : graph->nodes()) n->device = "/device:CPU:1";
  passes::SoftPlacementOptions options;
  options.gpuSupport = [](const ir::Node&) { return unsupported("never"); };
  passes::SoftPlacement pass(options);
  auto changed = pass.run(*graph);
  ASSERT_TRUE(changed.ok());
  EXPECT_FALSE(*changed);
  EXPECT_TRUE(passes::isGpuDevice("/device:GPU:12"));
  EXPECT_FALSE(passes::isGpuDevice("/device:CPU:0"));
}

}  // namespace
}  // namespace dlc::test
