// Internal to gemm/: the values one extent step of the GEMM loop nest works
// with, and the three pieces emitted inside it (B packing, A packing, the
// register micro-kernel). GemmEmitter.cpp builds the loops around them.
#pragma once

#include <cstdint>

#include <llvm/IR/IRBuilder.h>

#include "compiler/backends/cpu/EmitContext.h"
#include "compiler/backends/cpu/gemm/GemmConfig.h"
#include "compiler/backends/cpu/gemm/GemmProblem.h"

namespace dlc::cpu::gemm {

struct GemmStep {
  EmitContext& ctx;
  const GemmProblem& problem;
  const GemmConfig& config;
  int64_t kBlocks = 1;           // static number of KC blocks
  llvm::Value* packedB = nullptr;   // KC x NC floats, panel-major
  llvm::Value* packedA = nullptr;   // MR x KC floats, row r at r * KC
  llvm::Value* scratch = nullptr;   // MC x NC partial sums (kBlocks > 1 only)
  llvm::Value* tile = nullptr;      // MR x NR: one finished tile (kBlocks == 1 only)
  // Per step.
  llvm::Value* bi = nullptr;     // GEMM index in the batch
  llvm::Value* i0 = nullptr;     // first row of the block
  llvm::Value* j0 = nullptr;     // first column of the block
  llvm::Value* nCols = nullptr;  // columns in the block (<= NC)
  llvm::Value* direct = nullptr; // i1: full panels read B in place
  llvm::Value* prepackedB = nullptr;  // B in the pre-packed panel layout, or null
  // With prepackedB, per K block: the next B block this step's thread reads
  // (this column block's panels of the next K block, or after the last K
  // block the next column block's first), contiguous in the layout, and its
  // length in 64-byte lines. Full-height tiles prefetch it (emitMicroKernel).
  llvm::Value* nextB = nullptr;
  llvm::Value* nextBLines = nullptr;
  // Per K block.
  llvm::Value* kb = nullptr;  // block index
  llvm::Value* k0 = nullptr;  // first k
  llvm::Value* kc = nullptr;  // k extent of the block (<= KC)

  llvm::IRBuilderBase& b() const { return ctx.builder; }
  llvm::Value* c64(int64_t v) const { return ctx.constI64(v); }
  llvm::FixedVectorType* vecTy() const {
    return llvm::FixedVectorType::get(ctx.f32(), config.vl);
  }
  // True (i1) when panel `jp` of the block has all NR columns.
  llvm::Value* panelFull(llvm::Value* jp) const;
};

// Packs every NR-column panel of the current K block of B (panels a direct
// step reads in place are skipped).
void packB(GemmStep& s, llvm::Value* panels);
// Packs rows [r0, r0 + mr) (relative to i0) of the current K block of A as
// kc groups of mr consecutive floats.
void packA(GemmStep& s, unsigned mr, llvm::Value* r0);
// The mr x NR register tile at block row r0 and panel jp: accumulates the
// current K block, then spills to scratch or emits the outputs.
// `call` (the tile's index among the K block's full-height tiles x panels
// + jp, or null) numbers the k loop's iterations across the K block: with
// GemmStep::nextB, iteration kk of call c prefetches line c * kc + kk of it.
void emitMicroKernel(GemmStep& s, unsigned mr, llvm::Value* r0, llvm::Value* jp,
                     llvm::Value* call = nullptr);

}  // namespace dlc::cpu::gemm
