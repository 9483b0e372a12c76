// The fused elementwise epilogue of a kernel with a root op (contraction,
// reduction, row op, pool).
//
// checkEpilogue verifies that every member depending on the root is either
// an elementwise op of the root's exact shape, so the root's value is needed
// exactly at the output index being stored, never broadcast; or a layout
// remap (reshape, flatten, transpose) ending the chain: a remapped value is
// read only by further remaps, never by an elementwise member. Kernel
// outputs are either such epilogue members (or the root) or producer
// outputs: members the root reads, also needed outside the kernel; the
// driver stores those in separate loop nests (emitOutputNests).
//
// storeOutputs computes every epilogue output at `outIndex` with the root's
// value supplied (ElementEmitter provider) and stores it; an output at the
// end of a remap chain gets the value of the chain's start stored at the
// remapped position (RemapStore.h), so reshape/transpose after a root costs
// no memory pass. makeEpilogue wraps that as the EpilogueFn that
// ContractionEmitter.h expects. No loops are emitted.
#pragma once

#include "compiler/backends/cpu/ContractionEmitter.h"
#include "compiler/backends/cpu/ElementEmitter.h"

namespace dlc::cpu {

Status checkEpilogue(const ir::Kernel& kernel, const ir::Node& root);

// Outputs of `kernel` that do not depend on `root` (input-side producers).
std::vector<const ir::Node*> producerOutputs(const ir::Kernel& kernel, const ir::Node& root);

// `rootValue` is in the root's compute type (a float for float roots),
// scalar or a `width`-lane vector along the last output dim.
void storeOutputs(EmitContext& ctx, ElementEmitter& em, const ir::Node& root,
                  llvm::Value* rootValue, llvm::ArrayRef<llvm::Value*> outIndex,
                  unsigned width = 1);

StatusOr<EpilogueFn> makeEpilogue(EmitContext& ctx, const ir::Node& root);

// True when the epilogue of `root` computes the same values at an index
// whose last `merged` dims are folded into the last one, (.., 0, .., 0, f)
// for f the row-major position within those dims: every value it reads
// from outside the root's chain has either the root's extents or 1 in all
// of those dims (its offset is then linear in f, or constant), kernel
// members on the way there are elementwise, and the results are stored
// directly or through reshape/flatten (which keep linear offsets), never a
// transpose; and the root's last dim is not 1 (vector code reads a last
// dim of 1 as a broadcast). Vectors may then cross rows of the root's output, as a conv's
// output pixels do when the output width is not a multiple of the lanes.
bool epilogueLinearInTrailingDims(const ir::Kernel& kernel, const ir::Node& root, size_t merged);

}  // namespace dlc::cpu
