// The arithmetic of every elementwise op on already-loaded operand values.
//
// Operands and results are in compute types (EmitContext::computeType):
// floats as f32 (f16/bf16 results rounded to their dtype), integers in their
// width, bool as i1; scalars or equal-width vectors. Semantics follow
// docs/ops.md and the reference interpreter: maximum/minimum/relu propagate
// NaN (llvm.maximum/minimum, select on an unordered compare), integer div
// truncates toward zero (a zero divisor gives 0 instead of trapping; the
// reference rejects it), float -> integer casts saturate with NaN -> 0.
// Indexing and broadcasting are ElementEmitter's job, not this file's.
#pragma once

#include <llvm/ADT/ArrayRef.h>
#include <llvm/IR/Value.h>

#include "compiler/backends/cpu/EmitContext.h"
#include "ir/Graph.h"
#include "support/Status.h"

namespace dlc::cpu {

// Whether `node` (an elementwise op) has a lowering for its dtypes.
Status checkElementwise(const ir::Node& node);

// Emits `node`'s op on `operands` (one per input, in order).
llvm::Value* emitElementwiseOp(EmitContext& ctx, const ir::Node& node,
                               llvm::ArrayRef<llvm::Value*> operands);

}  // namespace dlc::cpu
