// The per-kind kernel emitters the driver (CpuBackend.cpp) dispatches to.
// Each emits the body of ctx.function and defines the extent; see
// EmitContext.h for the contract. Contraction kernels go through
// ContractionEmitter.h with an epilogue from Epilogue.h.
#pragma once

#include "compiler/backends/cpu/EmitContext.h"
#include "support/Status.h"

namespace dlc::cpu {

Status emitLoopKernel(EmitContext& ctx);
Status emitReductionKernel(EmitContext& ctx);
Status emitRowKernel(EmitContext& ctx);
Status emitPoolKernel(EmitContext& ctx);

// Stores `outputs` (members computable without the kernel's root) in loop
// nests over their own shapes, each taking the proportional share
// scaleStep() gives the chunk [ctx.begin, ctx.end) of the kernel's extent
// (read by calling the extent function). Used for producer outputs of
// reduction/row/pool/contraction kernels.
void emitOutputNests(EmitContext& ctx, const std::vector<const ir::Node*>& outputs);

// Steps of [0, total) handed to a chunk [begin, end) of an extent `extent`
// that is not the kernel's own step count: [begin·total/extent,
// end·total/extent). Used by multi-nest kernels so every nest is split
// disjointly by the same chunks.
llvm::Value* scaleStep(EmitContext& ctx, llvm::Value* step, llvm::Value* total, llvm::Value* extent);

}  // namespace dlc::cpu
