// LowerBatchNorm: a batch_norm with constant params that FoldBatchNorm could
// not absorb becomes plain elementwise arithmetic,
//
//   y = x * m + t,   m = scale / sqrt(var + eps),  t = bias - mean * m,
//
// with m and t stored as [C,1,...,1] constants (rank of x minus one), so
// they broadcast over channel axis 1 and fusion sees an ordinary mul + add.
// Both new nodes carry the batch_norm's origins and device.
//
// It runs after the fold-batch-norm fixed point in the default pipeline, so
// a batch norm that can be folded into its conv/dense never gets here. It
// deliberately leaves batch norms with non-constant params, non-float
// dtypes, or a batch channel axis as they are (backends run them as is).
#pragma once

#include "passes/Pass.h"

namespace dlc::passes {

class LowerBatchNorm : public Pass {
 public:
  std::string_view name() const override { return "lower-batch-norm"; }
  StatusOr<bool> run(ir::Graph& graph) override;
};

}  // namespace dlc::passes
