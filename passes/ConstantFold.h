// ConstantFold: a computation whose operands are all constants becomes a
// constant, evaluated by the reference interpreter (dlc::ref::evaluateNode),
// so folding means exactly what docs/ops.md says the op means.
//
// The node is turned into a constant in place (same name, position, device
// and users), nodes are visited in topological order so whole constant
// chains fold in one run, and the origins of every folded node are appended
// to graph.foldedOrigins. The operands it no longer reads are left for DCE.
//
// It deliberately does not fold:
//  - nodes whose type holds the batch symbol N (their extent is only known
//    at run time, so they are never constant);
//  - results of more than kMaxFoldedElements (1M) elements: a broadcast_to or
//    pad of a small constant would otherwise be stored expanded in the
//    artifact and held in compiler memory, while computing it at run time
//    costs almost nothing;
//  - graph outputs: every output stays the result of a kernel, so the
//    runtime never has to special-case an output that is baked-in data.
#pragma once

#include <cstdint>

#include "passes/Pass.h"

namespace dlc::passes {

constexpr int64_t kMaxFoldedElements = int64_t(1) << 20;

class ConstantFold : public Pass {
 public:
  std::string_view name() const override { return "constant-fold"; }
  StatusOr<bool> run(ir::Graph& graph) override;
};

}  // namespace dlc::passes
