// Direct convolution on the CPU: conv2d computed from the input in place,
// with no im2col matrix packed (the implicit GEMM, gemm/ConvProblem.cpp,
// packs one while it runs).
//
// A register tile is `ocBlock` output channels x `nv` vectors of VL output
// positions: VL consecutive pixels of one output row, or with `plane` VL
// consecutive pixels of the flattened (oh, ow) output plane, so that short
// rows (14 or 28 pixels) still fill the lanes. Per input channel and
// window tap, each vector of the tile is one masked load of VL consecutive
// input pixels (the mask drops the padding, which reads nothing) and each
// output channel one broadcast weight and nv FMAs. The tap masks and
// offsets depend only on the tile, so they stay out of the channel loop.
//
// Where it pays (DirectConvChoice.cpp has the figures): with AVX-512 at every
// channel count measured (8 to 512), most where few output channels leave
// the GEMM's im2col packing as costly as its FMAs (the CNN's 8 and 16
// channels: 3.3x) and for depthwise convs (the GEMM has one row); with AVX2
// up to 36 channels per group. It needs stride 1 along the width (vectors
// of outputs then read consecutive inputs).
#pragma once

#include <cstdint>
#include <string>

#include "compiler/backends/cpu/ContractionEmitter.h"
#include "compiler/backends/cpu/ConvAlgorithm.h"
#include "ir/Kernel.h"

namespace dlc::cpu {

struct DirectConvTile {
  bool plane = false;   // vectors along the flattened output plane
  unsigned vl = 8;      // float lanes per vector
  unsigned nv = 1;      // vectors per tile
  int64_t ocBlock = 1;  // output channels per tile (a group's last block may hold fewer)

  std::string describe() const;
};

// The direct convolution's tile for conv2d `root` of `kernel` on a target
// whose widest vectors have `vectorBits` bits, or why the implicit GEMM
// computes it instead (a FailedPrecondition whose message names the
// reason). kAuto takes convs the rule above favours, kDirect every conv the
// direct emitter can compute, kIm2col none.
StatusOr<DirectConvTile> chooseDirectConv(const ir::Kernel& kernel, const ir::Node& root,
                                          unsigned vectorBits, ConvAlgorithm algorithm);

// Emits the kernel body and defines its extent: steps are tiles, ordered
// (image, group, channel block, output row, tile), so chunks write disjoint
// outputs.
Status emitDirectConv(EmitContext& ctx, const ir::Node& root, const EpilogueFn& epilogue,
                      const DirectConvTile& tile);

}  // namespace dlc::cpu
