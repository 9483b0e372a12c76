// conv2d as an implicit GEMM per (image, group). See Problems.h.
//
// Column j of the GEMM is output pixel (oh, ow) = (j / OW, j % OW); row i is
// output channel g * O/groups + i; k = (c, kh, kw) over the group's input
// channels and the window. B(k, j) is the input pixel under tap (kh, kw) of
// output pixel j, zero in the padding. A vector of VL columns is loaded with
// one vector load when it stays in one output row, the stride is 1 and the
// whole span is inside the input; otherwise it is gathered lane by lane.
// Outputs go to the epilogue as vectors only when they stay in one output
// row (lanes never cross the last dim), otherwise lane by lane.
#include "compiler/backends/cpu/gemm/Problems.h"

namespace dlc::cpu::gemm {
namespace {

struct ConvShape {
  int64_t channels, h, w;             // input (per image)
  int64_t outChannels, oh, ow;        // output
  int64_t groups, groupIn, groupOut;  // channels per group
  int64_t kh, kw;
  int64_t strideH, strideW, padTop, padLeft, dilH, dilW;
};

llvm::Value* inRange(llvm::IRBuilderBase& b, llvm::Value* v, llvm::Value* lo, llvm::Value* hi) {
  return b.CreateAnd(b.CreateICmpSGE(v, lo), b.CreateICmpSLT(v, hi));
}

}  // namespace

StatusOr<GemmProblem> conv2dProblem(EmitContext& ctx, const ir::Node& root,
                                    const EpilogueFn& epilogue, const GemmConfig& config) {
  const std::vector<int64_t>& xd = root.inputs[0]->type.shape.dims();
  const std::vector<int64_t>& wd = root.inputs[1]->type.shape.dims();
  const std::vector<int64_t>& od = root.type.shape.dims();
  if (xd.size() != 4 || wd.size() != 4 || od.size() != 4)
    return unsupported(root.describe(), ": conv2d needs 4-D input, weight and result");
  for (int d = 1; d < 4; ++d)
    if (xd[size_t(d)] == ir::kBatch || wd[size_t(d)] == ir::kBatch || wd[0] == ir::kBatch)
      return unsupported(root.describe(), ": conv2d takes the batch symbol N only as dim 0");
  std::vector<int64_t> strides = root.attrs.getInts("strides", {1, 1});
  std::vector<int64_t> pads = root.attrs.getInts("pads", {0, 0, 0, 0});
  std::vector<int64_t> dilations = root.attrs.getInts("dilations", {1, 1});
  const int64_t groups = root.attrs.getInt("groups", 1);
  if (strides.size() != 2 || pads.size() != 4 || dilations.size() != 2 || groups < 1 ||
      xd[1] % groups != 0 || wd[0] % groups != 0 || wd[1] != xd[1] / groups)
    return unsupported(root.describe(), ": conv2d attributes do not fit its operands");
  ConvShape s{xd[1],    xd[2],     xd[3],   wd[0],       od[2],   od[3],
              groups,   wd[1],     wd[0] / groups,       wd[2],   wd[3],
              strides[0], strides[1], pads[0], pads[1], dilations[0], dilations[1]};
  DLC_ASSIGN_OR_RETURN(llvm::Value* xBase, operandBuffer(ctx, root, 0));
  DLC_ASSIGN_OR_RETURN(llvm::Value* wBase, operandBuffer(ctx, root, 1));
  llvm::Value* biasBase = nullptr;
  if (root.inputs.size() > 2) {
    DLC_ASSIGN_OR_RETURN(biasBase, operandBuffer(ctx, root, 2));
  }
  const ir::DType xType = root.inputs[0]->type.dtype, wType = root.inputs[1]->type.dtype;
  const ir::DType biasType = biasBase ? root.inputs[2]->type.dtype : xType;
  const int64_t k = s.groupIn * s.kh * s.kw;
  const unsigned vl = config.vl;
  EmitContext* c = &ctx;
  const EpilogueFn* epi = &epilogue;
  const int64_t imageDim = xd[0];

  GemmProblem p;
  p.k = k;
  p.cols = s.oh * s.ow;
  p.batchCount = [c, imageDim, s] {
    return c->builder.CreateMul(c->dim(imageDim), c->constI64(s.groups));
  };
  p.rows = [c, s] { return c->constI64(s.groupOut); };
  p.loadA = [c, wBase, wType, s, k](llvm::Value* bi, llvm::Value* i, llvm::Value* kk) {
    llvm::IRBuilderBase& b = c->builder;
    llvm::Value* g = b.CreateURem(bi, c->constI64(s.groups));
    llvm::Value* oc = b.CreateAdd(b.CreateMul(g, c->constI64(s.groupOut)), i);
    return c->loadElement(wType, wBase, b.CreateAdd(b.CreateMul(oc, c->constI64(k)), kk));
  };
  p.loadB = [c, xBase, xType, s, vl](llvm::Value* bi, llvm::Value* kk, llvm::Value* j,
                                     unsigned width) -> llvm::Value* {
    llvm::IRBuilderBase& b = c->builder;
    llvm::Value* n = b.CreateUDiv(bi, c->constI64(s.groups));
    llvm::Value* g = b.CreateURem(bi, c->constI64(s.groups));
    llvm::Value* window = c->constI64(s.kh * s.kw);
    llvm::Value* ch = b.CreateAdd(b.CreateMul(g, c->constI64(s.groupIn)), b.CreateUDiv(kk, window));
    llvm::Value* tap = b.CreateURem(kk, window);
    llvm::Value* tapY = b.CreateMul(b.CreateUDiv(tap, c->constI64(s.kw)), c->constI64(s.dilH));
    llvm::Value* tapX = b.CreateMul(b.CreateURem(tap, c->constI64(s.kw)), c->constI64(s.dilW));
    // Plane of (n, ch) and the input coordinates of output pixel `col`.
    llvm::Value* plane = b.CreateMul(b.CreateAdd(b.CreateMul(n, c->constI64(s.channels)), ch),
                                     c->constI64(s.h * s.w));
    auto coords = [&](llvm::Value* col) {
      llvm::Value* y = b.CreateUDiv(col, c->constI64(s.ow));
      llvm::Value* x = b.CreateURem(col, c->constI64(s.ow));
      llvm::Value* iy = b.CreateAdd(b.CreateSub(b.CreateMul(y, c->constI64(s.strideH)),
                                                c->constI64(s.padTop)), tapY);
      llvm::Value* ix = b.CreateAdd(b.CreateSub(b.CreateMul(x, c->constI64(s.strideW)),
                                                c->constI64(s.padLeft)), tapX);
      return std::make_tuple(x, iy, ix);
    };
    auto gather = [&](llvm::Value* col) {
      auto [x, iy, ix] = coords(col);
      (void)x;
      llvm::Value* valid = b.CreateAnd(inRange(b, iy, c->constI64(0), c->constI64(s.h)),
                                       inRange(b, ix, c->constI64(0), c->constI64(s.w)));
      llvm::Value* off = b.CreateAdd(plane, b.CreateAdd(b.CreateMul(iy, c->constI64(s.w)), ix));
      off = b.CreateSelect(valid, off, plane);
      return b.CreateSelect(valid, c->loadElement(xType, xBase, off), c->constF32(0));
    };
    if (width == 1) return gather(j);
    auto gatherAll = [&] {
      llvm::Value* vec =
          llvm::Constant::getNullValue(llvm::FixedVectorType::get(c->f32(), width));
      for (unsigned l = 0; l < width; ++l)
        vec = b.CreateInsertElement(vec, gather(b.CreateAdd(j, c->constI64(l))), l);
      return vec;
    };
    if (s.strideW != 1 || s.ow < int64_t(width)) return gatherAll();
    // Fast path: one output row, fully inside the input row.
    auto [x, iy, ix] = coords(j);
    llvm::Value* fast = b.CreateAnd(
        b.CreateICmpSLE(b.CreateAdd(x, c->constI64(width)), c->constI64(s.ow)),
        b.CreateAnd(inRange(b, iy, c->constI64(0), c->constI64(s.h)),
                    b.CreateAnd(b.CreateICmpSGE(ix, c->constI64(0)),
                                b.CreateICmpSLE(b.CreateAdd(ix, c->constI64(width)),
                                                c->constI64(s.w)))));
    llvm::Function* fn = b.GetInsertBlock()->getParent();
    llvm::BasicBlock* fastBB = llvm::BasicBlock::Create(c->llvm, "im2col.row", fn);
    llvm::BasicBlock* slowBB = llvm::BasicBlock::Create(c->llvm, "im2col.gather", fn);
    llvm::BasicBlock* joinBB = llvm::BasicBlock::Create(c->llvm, "im2col.join", fn);
    b.CreateCondBr(fast, fastBB, slowBB);
    b.SetInsertPoint(fastBB);
    llvm::Value* off = b.CreateAdd(plane, b.CreateAdd(b.CreateMul(iy, c->constI64(s.w)), ix));
    llvm::Value* fastVec = c->loadElement(xType, xBase, off, width);
    llvm::BasicBlock* fastEnd = b.GetInsertBlock();
    b.CreateBr(joinBB);
    b.SetInsertPoint(slowBB);
    llvm::Value* slowVec = gatherAll();
    llvm::BasicBlock* slowEnd = b.GetInsertBlock();
    b.CreateBr(joinBB);
    b.SetInsertPoint(joinBB);
    llvm::PHINode* phi = b.CreatePHI(fastVec->getType(), 2);
    phi->addIncoming(fastVec, fastEnd);
    phi->addIncoming(slowVec, slowEnd);
    return phi;
  };
  p.output = [c, epi, s, biasBase, biasType](llvm::Value* bi, llvm::Value* i, llvm::Value* j,
                                             llvm::Value* acc, unsigned width) {
    llvm::IRBuilderBase& b = c->builder;
    llvm::Value* n = b.CreateUDiv(bi, c->constI64(s.groups));
    llvm::Value* g = b.CreateURem(bi, c->constI64(s.groups));
    llvm::Value* oc = b.CreateAdd(b.CreateMul(g, c->constI64(s.groupOut)), i);
    if (biasBase) {
      llvm::Value* bias = c->loadElement(biasType, biasBase, oc);
      acc = b.CreateFAdd(acc, width == 1 ? bias : b.CreateVectorSplat(width, bias));
    }
    auto emitAt = [&](llvm::Value* col, llvm::Value* value, unsigned w) {
      llvm::Value* y = b.CreateUDiv(col, c->constI64(s.ow));
      llvm::Value* x = b.CreateURem(col, c->constI64(s.ow));
      (*epi)(b, value, {n, oc, y, x}, w);
    };
    if (width == 1 || s.ow % int64_t(width) == 0) {
      emitAt(j, acc, width);
      return;
    }
    if (s.ow < int64_t(width)) {
      // No vector fits in an output row: single lanes only (with ow == 1, a
      // vector epilogue is not even valid IR: dlc-fuzz seeds 101327, 102443).
      emitFor(b, c->constI64(0), c->constI64(width), c->constI64(1), "conv.lane",
              [&](llvm::Value* l) {
                emitAt(b.CreateAdd(j, l), b.CreateExtractElement(acc, l), 1);
              });
      return;
    }
    // The vector may cross an output row: split it into lanes then.
    llvm::Function* fn = b.GetInsertBlock()->getParent();
    llvm::BasicBlock* vecBB = llvm::BasicBlock::Create(c->llvm, "conv.out.row", fn);
    llvm::BasicBlock* laneBB = llvm::BasicBlock::Create(c->llvm, "conv.out.lanes", fn);
    llvm::BasicBlock* doneBB = llvm::BasicBlock::Create(c->llvm, "conv.out.done", fn);
    llvm::Value* x = b.CreateURem(j, c->constI64(s.ow));
    b.CreateCondBr(b.CreateICmpSLE(b.CreateAdd(x, c->constI64(width)), c->constI64(s.ow)), vecBB,
                   laneBB);
    b.SetInsertPoint(vecBB);
    emitAt(j, acc, width);
    b.CreateBr(doneBB);
    b.SetInsertPoint(laneBB);
    emitFor(b, c->constI64(0), c->constI64(width), c->constI64(1), "conv.lane",
            [&](llvm::Value* l) {
              emitAt(b.CreateAdd(j, l), b.CreateExtractElement(acc, l), 1);
            });
    b.CreateBr(doneBB);
    b.SetInsertPoint(doneBB);
  };
  return p;
}

}  // namespace dlc::cpu::gemm
