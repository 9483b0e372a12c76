// DCE: removes nodes that no graph output depends on.
//
// Graph inputs are always kept (they are the model's signature, used or
// not). It does not simplify anything that is live: a node whose result is
// unused only because a rewrite bypassed it is exactly what it removes.
#pragma once

#include "passes/Pass.h"

namespace dlc::passes {

class DCE : public Pass {
 public:
  std::string_view name() const override { return "dce"; }
  StatusOr<bool> run(ir::Graph& graph) override;
};

}  // namespace dlc::passes
