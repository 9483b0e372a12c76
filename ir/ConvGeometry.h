// The shape and attributes of a conv2d node (docs/ops.md: NCHW input, OIHW
// weights, pads [top, left, bottom, right]), read and checked once for the
// backends' conv code generators (CPU: the implicit GEMM and the direct
// convolution; CUDA: the implicit GEMM).
#pragma once

#include <cstdint>

#include "ir/Graph.h"
#include "support/Status.h"

namespace dlc::ir {

struct ConvGeometry {
  int64_t images;                     // input dim 0 (may be kBatch)
  int64_t channels, h, w;             // input (per image)
  int64_t outChannels, oh, ow;        // output
  int64_t groups, groupIn, groupOut;  // channels per group
  int64_t kh, kw;
  int64_t strideH, strideW, padTop, padLeft, dilH, dilW;
};

// `unsupported` naming the node unless input, weight and result are 4-D, the
// batch symbol appears only as dim 0, and the attributes fit the operands.
StatusOr<ConvGeometry> convGeometry(const Node& root);

}  // namespace dlc::ir
