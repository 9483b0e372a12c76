// Contraction kernels: checks the root's dtypes, describes it as a batch of
// GEMMs (gemm/Problems.h) and emits the blocked, vectorised loop nest
// (gemm/GemmEmitter.h); or, for convs the rule in DirectConv.h picks, emits
// a direct convolution. See ContractionEmitter.h for the contract.
#include "compiler/backends/cpu/ContractionEmitter.h"

#include "compiler/backends/cpu/DirectConv.h"

#include "compiler/backends/cpu/gemm/GemmEmitter.h"
#include "compiler/backends/cpu/gemm/Problems.h"

namespace dlc::cpu {

Status emitContraction(EmitContext& ctx, const ir::Node& root, const EpilogueFn& epilogue) {
  if (!ir::isContraction(root.op))
    return internalError(root.describe(), ": emitContraction called on a non-contraction");
  if (root.inputs.size() < 2)
    return internalError(root.describe(), ": contraction with fewer than 2 operands");
  for (const ir::Node* in : root.inputs)
    if (!ir::isFloat(in->type.dtype))
      return unsupported(root.describe(), ": ", ir::opName(root.op), " on ",
                         ir::dtypeName(in->type.dtype),
                         " operands (CPU contractions take f32, f16 or bf16)");
  if (root.op == ir::OpKind::Conv2D) {
    StatusOr<DirectConvTile> direct =
        chooseDirectConv(ctx.kernel, root, ctx.vectorBits, ctx.convAlgorithm);
    if (direct.ok()) {
      ctx.notes.push_back(strCat("direct conv, ", direct->describe()));
      return emitDirectConv(ctx, root, epilogue, *direct);
    }
    if (direct.status().code() != StatusCode::kFailedPrecondition) return direct.status();
    ctx.notes.push_back(strCat("im2col GEMM (", direct.status().message(), ")"));
  }
  const int64_t cols = root.type.shape.rank() > 0 ? root.type.shape.dims().back() : 1;
  // A batched matmul is at least this many GEMMs (its static batch dims).
  int64_t minGemms = 1;
  if (root.op == ir::OpKind::MatMul)
    for (size_t d = 0; d + 2 < root.type.shape.dims().size(); ++d)
      if (int64_t e = root.type.shape.dims()[d]; e != ir::kBatch) minGemms *= e;
  gemm::GemmConfig config = gemm::chooseGemmConfig(
      root.op == ir::OpKind::Conv2D ? cols * root.type.shape.dim(2) : cols, ctx.vectorBits,
      minGemms);
  StatusOr<gemm::GemmProblem> problem = [&]() -> StatusOr<gemm::GemmProblem> {
    switch (root.op) {
      case ir::OpKind::MatMul: return gemm::matMulProblem(ctx, root, epilogue);
      case ir::OpKind::Dense: return gemm::denseProblem(ctx, root, epilogue);
      default: return gemm::conv2dProblem(ctx, root, epilogue, config);
    }
  }();
  if (!problem.ok()) return problem.status();
  gemm::emitGemm(ctx, *problem, config);
  return Status();
}

}  // namespace dlc::cpu
