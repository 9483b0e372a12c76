// Dense weights stored pre-packed: the B panels of the CPU GEMM, laid out at
// build time instead of packed from [K, cols] at every run.
//
// A dense layer's w is a constant, yet the GEMM (GemmEmitter.h) packed it
// into NR-column panels in every run, which cost a fifth of a 128 x 3072 x
// 768 dense (gemm_bench with packing left out). oneDNN and OpenVINO reorder
// constant weights once when they compile a model the same way. The packed
// tensor has the same element count as w (cols is a multiple of NR), so
// only the manifest's bytes change: for each K block of KC rows (the last
// one may be shorter, kcb rows) its cols / NR panels one after the other,
// each kcb x NR floats row-major. Panel p of the block at k0 starts at
// element k0 * cols + p * kcb * NR.
//
// Only f32 constants that nothing but the w operand of dense roots of CPU
// kernels reads are packed; the graph keeps the original values (the
// reference interpreter and the CUDA backend read those).
#pragma once

#include <cstdint>
#include <unordered_map>

#include "ir/Graph.h"
#include "ir/Kernel.h"
#include "support/Tensor.h"

namespace dlc::cpu::gemm {

struct PanelLayout {
  int64_t kc = 0;  // rows of a full K block
  int64_t nr = 0;  // columns of a panel
};

// The constants of `graph` that the CPU kernels of `plan` read pre-packed,
// with their layout, for a target whose widest vectors have `vectorBits`.
std::unordered_map<const ir::Node*, PanelLayout> choosePrepackedWeights(
    const ir::Graph& graph, const ir::KernelPlan& plan, unsigned vectorBits);

// w [K, cols] (f32, cols a multiple of layout.nr) in the panel layout.
Tensor packWeights(const Tensor& w, const PanelLayout& layout);

}  // namespace dlc::cpu::gemm
