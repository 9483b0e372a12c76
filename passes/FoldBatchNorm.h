// FoldBatchNorm: folds an inference batch_norm into the conv2d or dense that
// produces its input, by rewriting that producer's weights and bias:
//
//   s  = scale / sqrt(var + eps)          (per output channel)
//   w' = w * s                            (conv2d: OIHW, channel = dim 0;
//                                          dense: [in,out], channel = dim 1)
//   b' = (b - mean) * s + bias            (b = 0 when there is none)
//
// Preconditions, all checked: the batch_norm's params and the producer's
// weight (and bias, if any) are constants of a float dtype; the producer has
// no other user and is not a graph output; for dense, the output is rank 2,
// so batch_norm's channel axis 1 is dense's last (output-feature) axis. The
// producer keeps its name, inherits the batch_norm's origins and gains a bias
// operand if it had none; the new weight/bias constants are placed right
// before it. The old constants and the batch_norm are left for DCE.
//
// It deliberately does not fold into anything else (matmul, a producer with
// several users, non-constant params) and does not lower the batch norms it
// cannot fold: LowerBatchNorm turns those into mul + add.
#pragma once

#include <optional>
#include <vector>

#include "passes/Pass.h"

namespace dlc::passes {

// A batch_norm with constant params as y = x * multiplier[c] + offset[c].
struct BatchNormAffine {
  std::vector<double> multiplier;  // scale / sqrt(var + eps)
  std::vector<double> offset;      // bias - mean * multiplier
};

// The affine form of `bn` when its scale/bias/mean/var are 1-D constants of
// equal length; nullopt otherwise.
std::optional<BatchNormAffine> constantBatchNormAffine(const ir::Node& bn);

class FoldBatchNorm : public Pass {
 public:
  std::string_view name() const override { return "fold-batch-norm"; }
  StatusOr<bool> run(ir::Graph& graph) override;
};

}  // namespace dlc::passes
