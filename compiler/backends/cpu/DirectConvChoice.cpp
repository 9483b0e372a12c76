// Whether a conv2d runs as a direct convolution, and with which tile. See
// DirectConv.h.
//
// The rule (ConvAlgorithm::kAuto), from bench/gemm_bench's BM_Conv* cases
// (direct against im2col, one thread, AMD Zen 5):
//  - the vectors' lanes at least 3/4 used (positions per row or plane over
//    the lanes they take): 7x7 planes (77 %) still win, 512 channels,
//    11.1 against 13.6 ms;
//  - with AVX-512 (24 accumulators) at any channel count: from 16% faster
//    (128 channels, 28x28) to 3.3x (the CNN's 8 -> 16 channels, 14x14);
//  - with AVX2 (12 accumulators, broadcasts that are separate loads) at
//    most 3 channel blocks per group (36 channels): 32 channels 1.30
//    against 1.37 ms, but 48 channels 3.10 against 2.63;
//  - at most 64 window taps (the taps are unrolled).
#include <algorithm>

#include "compiler/backends/cpu/DirectConv.h"
#include "compiler/backends/cpu/Epilogue.h"
#include "ir/ConvGeometry.h"

namespace dlc::cpu {

std::string DirectConvTile::describe() const {
  return strCat(ocBlock, " output channels x ", nv, nv == 1 ? " vector" : " vectors", " of ", vl,
                plane ? " pixels along the output plane" : " pixels along output rows");
}

StatusOr<DirectConvTile> chooseDirectConv(const ir::Kernel& kernel, const ir::Node& root,
                                          unsigned vectorBits, ConvAlgorithm algorithm) {
  if (root.op != ir::OpKind::Conv2D)
    return internalError(root.describe(), ": chooseDirectConv called on a non-conv");
  if (algorithm == ConvAlgorithm::kIm2col)
    return failedPrecondition("--conv-algorithm im2col");
  DLC_ASSIGN_OR_RETURN(const ir::ConvGeometry g, ir::convGeometry(root));
  if (g.strideW != 1)
    return failedPrecondition("stride ", g.strideW,
                              " along the width: a vector of outputs would read strided inputs");
  // Lane coordinates are i32 vectors.
  const int64_t reach = std::max(g.oh * g.strideH + g.kh * g.dilH + g.padTop,
                                 g.ow + g.kw * g.dilW + g.padLeft) + std::max(g.h, g.w);
  if (reach >= (int64_t(1) << 15) || g.h * g.w >= (int64_t(1) << 30) ||
      g.oh * g.ow >= (int64_t(1) << 30))
    return failedPrecondition("planes too large for 32-bit lane coordinates");
  if (g.kh * g.kw > 64)
    return failedPrecondition(g.kh, "x", g.kw, " window: more than 64 taps to unroll");

  DirectConvTile t;
  t.vl = std::min(16u, std::max(4u, vectorBits / 32));
  // Accumulators: 24 of 32 zmm registers with AVX-512, 12 of 16 otherwise.
  const int64_t registers = vectorBits >= 512 ? 24 : 12;
  // Flattened plane when rows are contiguous in the input (stride 1, as
  // wide as the input) and the epilogue can take vectors across rows;
  // only worth it when rows do not fill whole vectors.
  t.plane = g.strideH * g.w == g.ow && g.ow % int64_t(t.vl) != 0 &&
            epilogueLinearInTrailingDims(kernel, root, 2);
  const int64_t positions = t.plane ? g.oh * g.ow : g.ow;
  const int64_t vectors = (positions + t.vl - 1) / t.vl;
  const int64_t blocks = (g.groupOut + registers - 1) / registers;
  t.ocBlock = (g.groupOut + blocks - 1) / blocks;
  // Vectors per tile: as many as the registers hold (at most 4: more
  // accumulators hide the FMA latency) while the tile's tap masks stay few
  // (taps x vectors <= 12: with 3 vectors of a 3x3 window, the 27 masks and
  // hoisted loads spilled, and the CNN's first conv took 0.114 ms instead
  // of 0.063), unless the last tile of a plane or row would then compute
  // more than 1/8 of its vectors for nothing.
  const int64_t taps = g.kh * g.kw;
  const int64_t maxNv = std::clamp<int64_t>(
      std::min({registers / t.ocBlock, vectors, int64_t(12) / taps}), 1, 4);
  t.nv = 1;
  for (int64_t nv = maxNv; nv > 1; --nv) {
    if (((vectors + nv - 1) / nv * nv - vectors) * 8 <= vectors) {
      t.nv = unsigned(nv);
      break;
    }
  }
  if (algorithm == ConvAlgorithm::kDirect) return t;

  if (vectorBits < 512 && blocks > 3)
    return failedPrecondition(g.groupOut, " output channels per group in ", blocks,
                              " blocks of ", t.ocBlock, ": without AVX-512 the GEMM is faster");
  if (positions * 4 < vectors * int64_t(t.vl) * 3)
    return failedPrecondition(positions, t.plane ? " pixels per plane" : " pixels per row",
                              " fill less than 3/4 of ", vectors * t.vl, " lanes");
  return t;
}

}  // namespace dlc::cpu
