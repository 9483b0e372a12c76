// MaterializeOutputs: every graph output becomes the result of a kernel.
//
// An artifact returns the values its kernels write. A model whose output is
// a graph input (ONNX Identity, a Dropout at inference), a constant (an
// output the importer or ConstantFold computed ahead of time is never folded,
// but an import can produce one), or the same value listed twice would have
// an output no kernel writes. This pass gives each such output its own copy:
// a `reshape` to the value's own shape, which the backends lower as a plain
// copy loop. It runs once, after simplification (which would remove the
// copy as an identity) and before fusion.
//
// It deliberately does nothing to outputs that are already computed and
// listed once, and adds nothing else to the graph.
#pragma once

#include "passes/Pass.h"

namespace dlc::passes {

class MaterializeOutputs : public Pass {
 public:
  std::string_view name() const override { return "materialize-outputs"; }
  StatusOr<bool> run(ir::Graph& graph) override;
};

}  // namespace dlc::passes
