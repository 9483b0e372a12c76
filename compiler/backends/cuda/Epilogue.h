// The fused elementwise epilogue of a CUDA kernel with a root (contraction,
// reduction, row or pool), and its stores through layout remaps: the text
// counterpart of the CPU backend's Epilogue.h and RemapStore.h, with the
// same rules.
//
// checkEpilogue: every member depending on the root is an elementwise op of
// the root's exact shape (the root's value is needed exactly at the index
// being stored), or a layout remap (reshape, flatten, transpose) ending the
// chain, read only by further remaps. Kernel outputs are such members, the
// root, or producer outputs (members the root reads, written by
// renderOutputLoops).
//
// renderEpilogue renders, at one output index of the root, every epilogue
// output with the root's value supplied through ElementRenderer::provide,
// and stores it; an output at the end of a remap chain gets the value of the
// chain's start stored at the remapped position (reshape and flatten keep
// the row-major linear index, transpose permutes the multi-index), so a
// reshape/transpose after a matmul costs no memory pass. It writes no loops
// and no bounds checks: the caller renders it inside its output bounds.
#pragma once

#include <string>
#include <vector>

#include "compiler/backends/cuda/ElementRenderer.h"
#include "compiler/backends/cuda/RenderContext.h"
#include "ir/Kernel.h"
#include "support/Status.h"

namespace dlc::cuda {

Status checkEpilogue(const ir::Kernel& kernel, const ir::Node& root);

// Outputs of `kernel` that do not depend on `root` (input-side producers).
std::vector<const ir::Node*> producerOutputs(const ir::Kernel& kernel, const ir::Node& root);

// `value`: the root's value (float compute type) at `index` (one C
// expression per dim of the root). It is rounded to the root's dtype first,
// as the reference does.
void renderEpilogue(RenderContext& ctx, ElementRenderer& er, const ir::Node& root,
                    const std::string& value, const std::vector<std::string>& index);

}  // namespace dlc::cuda
