// FusionPass: groups the graph's nodes into kernels (XLA-style fusion).
//
// A generic grouping algorithm asks a backend FusionPolicy about every step:
//   1. Epilogue fusion: each reduction / row / contraction / pool op absorbs
//      the chain of consumers in its output shape that the policy accepts
//      (dense+add+relu, reduce_sum+div, softmax+mul).
//   2. Producer fusion, consumers first (reverse topological order): a node
//      joins the kernel of its consumers (Loop fusion of elementwise ops and
//      index remaps; input fusion into reductions, rows and pools). A cheap
//      producer read by several kernels is cloned into each; an expensive
//      one (or a root) is never duplicated: it stays materialized, at most
//      as an extra output of one consumer kernel.
//   3. Multi-output fusion: sibling kernels reading one large value merge
//      (passes/MultiOutputFusion.h).
// Structural rules hold whatever the policy says: a kernel has at most one
// root; epilogue members read only the root, other epilogue members and
// values from outside the kernel; every output written in the producer-side
// index space has the same element count (a Loop kernel's iteration space,
// the root's input otherwise); kernels never depend on each other in a
// cycle.
//
// Epilogue members are computed at the root's output index, so they have
// the root's shape, with one exception: layout remaps (isLayoutRemap:
// reshape, flatten, transpose) whose operand is the root or an epilogue
// member. The backend stores the value it computed at root index r at the
// remapped output position f(r) (a bijection), so a dense followed by
// reshape + transpose writes the transposed layout directly. The rule is
// the simple one: a remap ENDS the epilogue. Inside the kernel a remapped
// value is read only by further remaps (a chain); it is never an operand of
// an elementwise member, which would need the root's value at another
// index. The end of a chain is a kernel output.
//
// After run() every non-source node has Node::kernel set, plan() holds the
// kernels in execution order (ir::buildKernelPlan) and refusals() one line
// per edge left between kernels: "no fuse: <producer> -> <consumer>: <why>".
// With options.enabled = false every non-source node is its own kernel.
//
// It deliberately does not reorder, simplify or remove computations; the
// only graph edit is cloning cheap producers (clones keep the origins).
#pragma once

#include <string>
#include <vector>

#include "ir/Kernel.h"
#include "passes/FusionPolicy.h"
#include "passes/Pass.h"

namespace dlc::passes {

struct FusionOptions {
  bool enabled = true;  // false: unfused mode, one kernel per non-source node
};

class FusionPass : public Pass {
 public:
  explicit FusionPass(const FusionPolicy& policy, FusionOptions options = {})
      : policy_(policy), options_(options) {}

  std::string_view name() const override { return "fusion"; }
  StatusOr<bool> run(ir::Graph& graph) override;

  // The kernels of the last run, in execution order.
  const ir::KernelPlan& plan() const { return plan_; }
  // "no fuse: <producer> -> <consumer>: <reason>" lines of the last run.
  const std::vector<std::string>& refusals() const { return plan_.refusals; }

 private:
  const FusionPolicy& policy_;
  FusionOptions options_;
  ir::KernelPlan plan_;
};

}  // namespace dlc::passes
