// Contraction kernels (matmul / dense / conv2d roots) on the CPU.
//
// The interface between the kernel driver and the GEMM code generator
// (ContractionEmitter.cpp + gemm/). The driver builds the EmitContext (kernel
// function, args, typed buffers) and an EpilogueFn (Epilogue.cpp) that
// computes the kernel's fused elementwise chain on contraction results and
// stores every kernel output. The contraction emitter chooses the tiling,
// defines the extent (ctx.defineExtent; e.g. M-blocks of all batch dims) so
// that disjoint chunks [ctx.begin, ctx.end) write disjoint output tiles, and
// calls the epilogue once per computed group of `width` lanes instead of
// storing anything itself.
#pragma once

#include <functional>

#include <llvm/ADT/ArrayRef.h>
#include <llvm/IR/IRBuilder.h>

#include "compiler/backends/cpu/EmitContext.h"
#include "ir/Graph.h"
#include "support/Status.h"

namespace dlc::cpu {

// acc: a <width x float> (a plain float when width == 1) holding the
// contraction's values at output multi-index `outIndex` (one i64 per output
// dim of the root; the first lane) and the next width-1 elements along the
// LAST output dimension (lanes never cross the last dim). The callback
// computes the fused epilogue on those lanes and stores every kernel output.
using EpilogueFn = std::function<void(llvm::IRBuilderBase& b, llvm::Value* acc,
                                      llvm::ArrayRef<llvm::Value*> outIndex,
                                      unsigned width)>;

// Emits the body of a contraction kernel rooted at `root` (matmul, dense or
// conv2d, exactly as docs/ops.md defines them) and defines its extent.
// Operands are read through ctx.bufferOf(root.inputs[i]) / ctx.loadElement.
// Unsupported dtypes or attributes give an `unsupported` Status naming the node.
Status emitContraction(EmitContext& ctx, const ir::Node& root, const EpilogueFn& epilogue);

}  // namespace dlc::cpu
