// Helpers shared by the fusion and buffer-assignment tests: run fusion with
// the CPU policy and ask which kernel holds which node.
#pragma once

#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

#include "compiler/backends/cpu/CpuFusionPolicy.h"
#include "ir/Graph.h"
#include "ir/Kernel.h"
#include "ir/Verifier.h"
#include "passes/Fusion.h"
#include "tests/passes/PassTestUtil.h"

namespace dlc::passes::testing {

struct Fused {
  ir::KernelPlan plan;
  std::vector<std::string> refusals;
};

// Runs the fusion pass (CPU policy) and checks the result verifies.
inline Fused fuse(ir::Graph& g, bool enabled = true) {
  cpu::CpuFusionPolicy policy;
  FusionPass pass(policy, FusionOptions{enabled});
  auto changed = pass.run(g);
  EXPECT_TRUE(changed.ok()) << changed.status().toString();
  Status v = ir::verify(g);
  EXPECT_TRUE(v.ok()) << v.toString();
  return {pass.plan(), pass.refusals()};
}

inline int kernelOf(const ir::Graph& g, const std::string& name) {
  const ir::Node* n = g.find(name);
  EXPECT_NE(n, nullptr) << name;
  return n ? n->kernel : -2;
}

inline const ir::Kernel* kernelById(const ir::KernelPlan& plan, int id) {
  for (const ir::Kernel& k : plan.kernels)
    if (k.id == id) return &k;
  return nullptr;
}

// Names of the nodes of the kernel holding `name`.
inline std::set<std::string> membersWith(const ir::Graph& g, const ir::KernelPlan& plan,
                                         const std::string& name) {
  std::set<std::string> out;
  if (const ir::Kernel* k = kernelById(plan, kernelOf(g, name)))
    for (const ir::Node* n : k->nodes) out.insert(n->name);
  return out;
}

inline int countOps(const ir::Graph& g, ir::OpKind op) {
  int count = 0;
  for (const auto& n : g.nodes()) count += n->op == op;
  return count;
}

// The refusal line for producer -> consumer, or "" when there is none.
inline std::string refusalFor(const Fused& f, const std::string& producer,
                              const std::string& consumer) {
  std::string prefix = "no fuse: " + producer + " -> " + consumer + ": ";
  for (const std::string& line : f.refusals)
    if (line.rfind(prefix, 0) == 0) return line;
  return "";
}

inline Tensor scalar(double v) { return makeTensor({}, {v}); }

}  // namespace dlc::passes::testing
