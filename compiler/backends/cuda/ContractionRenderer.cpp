// Contraction kernels (matmul / dense / conv2d roots) on CUDA: checks the
// root and its epilogue, describes the root as a batch of GEMMs
// (GemmProblem.h), picks the engine (SIMT f32 or tensor cores, GemmRenderer.h)
// and renders the tiled kernel with the fused epilogue on every finished
// tile. The counterpart of the CPU backend's ContractionEmitter.cpp.
//
// Producer outputs (members the root reads that are also kernel outputs)
// are written first by grid-stride loops (renderOutputLoops); the GEMM reads
// its operands from memory only, as on the CPU.
#include "compiler/backends/cuda/Epilogue.h"
#include "compiler/backends/cuda/GemmProblem.h"
#include "compiler/backends/cuda/GemmRenderer.h"
#include "compiler/backends/cuda/KernelRenderers.h"

namespace dlc::cuda {

Status renderContractionKernel(RenderContext& ctx, ElementRenderer& er) {
  const ir::Node* rootPtr = ctx.kernel.root;
  if (!rootPtr || !ir::isContraction(rootPtr->op))
    return internalError("kernel ", ctx.kernel.id, ": a contraction kernel needs a matmul, ",
                         "dense or conv2d root");
  const ir::Node& root = *rootPtr;
  if (root.inputs.size() < 2)
    return internalError(root.describe(), ": contraction with fewer than 2 operands");
  for (const ir::Node* in : root.inputs)
    if (!ir::isFloat(in->type.dtype))
      return unsupported(root.describe(), ": ", ir::opName(root.op), " on ",
                         ir::dtypeName(in->type.dtype),
                         " operands (CUDA contractions take f32, f16 or bf16)");
  if (!ir::isFloat(root.type.dtype))
    return unsupported(root.describe(), ": ", ir::opName(root.op), " producing ",
                       ir::dtypeName(root.type.dtype));
  DLC_RETURN_IF_ERROR(checkEpilogue(ctx.kernel, root));

  RenderContext* c = &ctx;
  ElementRenderer* e = &er;
  gemm::EpilogueFn epilogue = [c, e, rootPtr](const std::string& acc,
                                              const std::vector<std::string>& index) {
    renderEpilogue(*c, *e, *rootPtr, acc, index);
  };
  StatusOr<gemm::GemmProblem> problem = [&]() -> StatusOr<gemm::GemmProblem> {
    switch (root.op) {
      case ir::OpKind::MatMul: return gemm::matMulProblem(ctx, root, epilogue);
      case ir::OpKind::Dense: return gemm::denseProblem(ctx, root, epilogue);
      default: return gemm::conv2dProblem(ctx, root, epilogue);
    }
  }();
  if (!problem.ok()) return problem.status();
  const gemm::GemmEngine engine = gemm::chooseEngine(*problem, ctx.options);

  std::vector<const ir::Node*> producers = producerOutputs(ctx.kernel, root);
  if (!producers.empty()) renderOutputLoops(ctx, er, producers);
  gemm::renderGemm(ctx, *problem, engine);
  ctx.launch = gemm::gemmLaunch(*problem, engine);
  return Status::OK();
}

}  // namespace dlc::cuda
