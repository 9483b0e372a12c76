// The blocked, vectorised GEMM loop nest behind every CPU contraction kernel.
//
// For one GemmProblem it defines the kernel's extent as
//   batchCount x ceil(rows / MC) x ceil(cols / NC)
// steps (each step writes a disjoint MC x NC block of C, so chunks may run
// on different threads) and emits, per step:
//   for each KC block of K:
//     pack B (KC x NC, NR-column panels, zero-padded past `cols`)
//     for each row tile (MR rows, then 4, then 1, so rows are never padded):
//       pack A (KC x mr); for each NR panel: register micro-kernel
//       (mr x NV vector accumulators updated with llvm.fma), then either
//       keep the partial sums in a stack scratch block (more K blocks come)
//       or hand each register row-segment to GemmProblem::output.
// Blocks of fewer than MR rows read a plain row-major B in place instead of
// packing it (the GEMV-like batch-1 dense case). It does not know what the
// operands are (GemmProblem does) and stores nothing to the outputs itself.
#pragma once

#include "compiler/backends/cpu/EmitContext.h"
#include "compiler/backends/cpu/gemm/GemmConfig.h"
#include "compiler/backends/cpu/gemm/GemmProblem.h"

namespace dlc::cpu::gemm {

void emitGemm(EmitContext& ctx, const GemmProblem& problem, const GemmConfig& config);

}  // namespace dlc::cpu::gemm
