// The per-kind CUDA kernel renderers the driver (CudaBackend.cpp) dispatches
// to. Each writes the body of one kernel into ctx.out (the driver wrote the
// signature and the buffer locals, see RenderContext.h) and sets
// ctx.launch. Contraction kernels live in ContractionRenderer.cpp.
#pragma once

#include "compiler/backends/cuda/ElementRenderer.h"
#include "compiler/backends/cuda/RenderContext.h"
#include "support/Status.h"

namespace dlc::cuda {

Status renderLoopKernel(RenderContext& ctx, ElementRenderer& er);
Status renderReductionKernel(RenderContext& ctx, ElementRenderer& er);
Status renderRowKernel(RenderContext& ctx, ElementRenderer& er);
Status renderPoolKernel(RenderContext& ctx, ElementRenderer& er);
Status renderContractionKernel(RenderContext& ctx, ElementRenderer& er);

// Writes the kernel's outputs that are computable without its root (producer
// outputs of reduction/row/pool/contraction kernels) with a grid-stride loop
// over each one's elements. Called by the renderers of those kinds.
void renderOutputLoops(RenderContext& ctx, ElementRenderer& er,
                       const std::vector<const ir::Node*>& outputs);

}  // namespace dlc::cuda
