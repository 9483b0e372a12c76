// Stores an epilogue value through a chain of layout remaps.
//
// An epilogue (Epilogue.h) computes its values at the root's output index r.
// A kernel output reached from such a value through reshape / flatten /
// transpose (passes::isLayoutRemap) is written straight to its remapped
// position f(r) instead of being materialised and copied by another kernel:
// reshape and flatten keep the row-major linear index (a plain linear-offset
// store), transpose permutes the multi-index. `width` lanes (consecutive
// along the root's last dim) go out as one vector store when they stay
// consecutive in the output, otherwise as one scalar store per lane; where
// that depends on the lanes' start (a reshape that splits the last dim
// followed by a transpose that keeps the new last dim), a branch picks the
// path at run time.
//
// It computes no values (the caller passes the value at r), emits no loops,
// and handles only the layout remaps: slice, pad, concat and broadcast_to
// never end an epilogue.
#pragma once

#include <vector>

#include <llvm/ADT/ArrayRef.h>
#include <llvm/IR/Value.h>

#include "compiler/backends/cpu/EmitContext.h"
#include "ir/Graph.h"

namespace dlc::cpu {

struct RemapChain {
  // The value the chain starts from, computed at the root's index (the root
  // or an elementwise epilogue member).
  const ir::Node* source = nullptr;
  // The remaps in application order; back() is the stored output.
  std::vector<const ir::Node*> remaps;
  // Lanes along the source's last dim stay consecutive in the output within
  // every aligned run of this many elements of that dim (a divisor of it; 1
  // when the last dim moves or is not static).
  int64_t contiguousRun = 1;
};

// The chain ending at `output` (a layout remap): operands are followed back
// while they are layout remaps.
RemapChain remapChainOf(const ir::Node& output);

// Stores `value` (compute type; a `width`-lane vector when width > 1), the
// chain's source at `index` (of the source's shape) and the next width-1
// elements along its last dim, into the output buffer of chain.remaps.back().
void storeThroughRemaps(EmitContext& ctx, const RemapChain& chain, llvm::Value* value,
                        llvm::ArrayRef<llvm::Value*> index, unsigned width);

}  // namespace dlc::cpu
