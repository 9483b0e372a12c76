// conv2d as an implicit GEMM per (image, group). See Problems.h.
//
// Column j of the GEMM is output pixel (oh, ow) = (j / OW, j % OW); row i is
// output channel g * O/groups + i; k = (c, kh, kw) over the group's input
// channels and the window. B(k, j) is the input pixel under tap (kh, kw) of
// output pixel j, zero in the padding. A vector of VL columns of B is one
// masked load when it stays in one output row and the stride is 1 (the mask
// zeroes the padding), otherwise one masked gather; the lane coordinates and
// offsets depend only on the columns, so LLVM hoists them out of the k loop
// of the packing and each k costs a few vector adds, two compares and the
// load (single columns are read one by one).
// Outputs go to the epilogue as vectors along the flattened (oh, ow) plane
// when the epilogue is linear in it (epilogueLinearInTrailingDims), else
// as vectors only inside one output row and lane by lane across rows.
#include "compiler/backends/cpu/gemm/Problems.h"

#include "compiler/backends/cpu/Epilogue.h"
#include "ir/ConvGeometry.h"

namespace dlc::cpu::gemm {
namespace {

llvm::Value* inRange(llvm::IRBuilderBase& b, llvm::Value* v, llvm::Value* lo, llvm::Value* hi) {
  return b.CreateAnd(b.CreateICmpSGE(v, lo), b.CreateICmpSLT(v, hi));
}

}  // namespace

StatusOr<GemmProblem> conv2dProblem(EmitContext& ctx, const ir::Node& root,
                                    const EpilogueFn& epilogue, const GemmConfig& config) {
  DLC_ASSIGN_OR_RETURN(const ir::ConvGeometry s, ir::convGeometry(root));
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
  const int64_t imageDim = s.images;

  GemmProblem p;
  p.k = k;
  p.cols = s.oh * s.ow;
  p.batchCount = [c, imageDim, s] {
    return c->builder.CreateMul(c->dim(imageDim), c->constI64(s.groups));
  };
  p.rows = [c, s] { return c->constI64(s.groupOut); };
  p.loadAVec = [c, wBase, wType, s, k](llvm::Value* bi, llvm::Value* i, llvm::Value* kk,
                                       unsigned width) {
    llvm::IRBuilderBase& b = c->builder;
    llvm::Value* g = b.CreateURem(bi, c->constI64(s.groups));
    llvm::Value* oc = b.CreateAdd(b.CreateMul(g, c->constI64(s.groupOut)), i);
    return c->loadElement(wType, wBase, b.CreateAdd(b.CreateMul(oc, c->constI64(k)), kk), width);
  };
  p.loadA = [loadAVec = p.loadAVec](llvm::Value* bi, llvm::Value* i, llvm::Value* kk) {
    return loadAVec(bi, i, kk, 1);
  };
  // Vector path (see the file comment): index arithmetic in i32 when every
  // offset relative to an input plane fits.
  const int64_t reachH = s.oh * s.strideH + s.kh * s.dilH + s.padTop + s.h + 2;
  const int64_t reachW = s.ow * s.strideW + s.kw * s.dilW + s.padLeft + s.w + 2;
  const bool narrow = reachH < (int64_t(1) << 15) && reachW < (int64_t(1) << 15) &&
                      reachH * reachW < (int64_t(1) << 30) && p.cols + vl < (int64_t(1) << 30);
  const int64_t cols = p.cols;
  // `edge`: lanes at columns >= cols read nothing (the edge panel).
  auto vectorLoad = [c, xBase, xType, s, narrow, cols](llvm::Value* j, llvm::Value* kk,
                                                        llvm::Value* plane, unsigned width,
                                                        bool edge) {
    llvm::IRBuilderBase& b = c->builder;
    llvm::IntegerType* it = narrow ? b.getInt32Ty() : b.getInt64Ty();
    auto cI = [&](int64_t v) { return llvm::ConstantInt::get(it, uint64_t(v), true); };
    auto splat = [&](llvm::Value* v) { return b.CreateVectorSplat(width, v); };
    auto toIt = [&](llvm::Value* v) { return narrow ? b.CreateTrunc(v, it) : v; };
    std::vector<llvm::Constant*> laneIds;
    for (unsigned l = 0; l < width; ++l) laneIds.push_back(cI(l));
    // Per column (loop-invariant in k): output row/column, their input origins.
    llvm::Value* col = b.CreateAdd(splat(toIt(j)), llvm::ConstantVector::get(laneIds));
    llvm::Value* y = b.CreateUDiv(col, splat(cI(s.ow)));
    llvm::Value* x = b.CreateSub(col, b.CreateMul(y, splat(cI(s.ow))));
    llvm::Value* y0 = b.CreateSub(b.CreateMul(y, splat(cI(s.strideH))), splat(cI(s.padTop)));
    llvm::Value* x0 = b.CreateSub(b.CreateMul(x, splat(cI(s.strideW))), splat(cI(s.padLeft)));
    llvm::Value* origin = b.CreateAdd(b.CreateMul(y0, splat(cI(s.w))), x0);
    // Per k: the tap's shift.
    llvm::Value* window = c->constI64(s.kh * s.kw);
    llvm::Value* tap = b.CreateURem(kk, window);
    llvm::Value* tapY = toIt(b.CreateMul(b.CreateUDiv(tap, c->constI64(s.kw)), c->constI64(s.dilH)));
    llvm::Value* tapX = toIt(b.CreateMul(b.CreateURem(tap, c->constI64(s.kw)), c->constI64(s.dilW)));
    llvm::Value* iy = b.CreateAdd(y0, splat(tapY));
    llvm::Value* ix = b.CreateAdd(x0, splat(tapX));
    // Unsigned compares: negative coordinates (the padding) fail too.
    llvm::Value* mask = b.CreateAnd(b.CreateICmpULT(iy, splat(cI(s.h))),
                                    b.CreateICmpULT(ix, splat(cI(s.w))));
    if (edge) mask = b.CreateAnd(mask, b.CreateICmpSLT(col, splat(cI(cols))));
    llvm::Value* shift = b.CreateAdd(b.CreateMul(tapY, cI(s.w)), tapX);
    llvm::Value* planePtr = b.CreateInBoundsGEP(c->storageType(xType), xBase, plane);
    llvm::Value* offsets = b.CreateAdd(origin, splat(shift));
    if (s.strideW != 1 || s.ow < int64_t(width))
      return c->gatherElements(xType, planePtr, offsets, mask);
    // One output row: consecutive input elements from lane 0's offset.
    llvm::Value* xj = b.CreateURem(j, c->constI64(s.ow));
    llvm::Value* oneRow = b.CreateICmpSLE(b.CreateAdd(xj, c->constI64(width)), c->constI64(s.ow));
    llvm::Function* fn = b.GetInsertBlock()->getParent();
    llvm::BasicBlock* rowBB = llvm::BasicBlock::Create(c->llvm, "im2col.row", fn);
    llvm::BasicBlock* gatherBB = llvm::BasicBlock::Create(c->llvm, "im2col.gather", fn);
    llvm::BasicBlock* joinBB = llvm::BasicBlock::Create(c->llvm, "im2col.join", fn);
    b.CreateCondBr(oneRow, rowBB, gatherBB);
    b.SetInsertPoint(rowBB);
    llvm::Value* first = b.CreateAdd(b.CreateExtractElement(origin, uint64_t(0)), shift);
    if (narrow) first = b.CreateSExt(first, c->i64());
    llvm::Value* rowVec = c->maskedLoadElements(xType, planePtr, first, mask);
    llvm::BasicBlock* rowEnd = b.GetInsertBlock();
    b.CreateBr(joinBB);
    b.SetInsertPoint(gatherBB);
    llvm::Value* gathered = c->gatherElements(xType, planePtr, offsets, mask);
    llvm::BasicBlock* gatherEnd = b.GetInsertBlock();
    b.CreateBr(joinBB);
    b.SetInsertPoint(joinBB);
    llvm::PHINode* phi = b.CreatePHI(rowVec->getType(), 2);
    phi->addIncoming(rowVec, rowEnd);
    phi->addIncoming(gathered, gatherEnd);
    return static_cast<llvm::Value*>(phi);
  };
  // Element offset of the input plane (image, channel) that row kk of GEMM bi reads.
  auto planeOf = [c, s](llvm::Value* bi, llvm::Value* kk) {
    llvm::IRBuilderBase& b = c->builder;
    llvm::Value* n = b.CreateUDiv(bi, c->constI64(s.groups));
    llvm::Value* g = b.CreateURem(bi, c->constI64(s.groups));
    llvm::Value* ch = b.CreateAdd(b.CreateMul(g, c->constI64(s.groupIn)),
                                  b.CreateUDiv(kk, c->constI64(s.kh * s.kw)));
    return b.CreateMul(b.CreateAdd(b.CreateMul(n, c->constI64(s.channels)), ch),
                       c->constI64(s.h * s.w));
  };
  p.loadBEdge = [vectorLoad, planeOf](llvm::Value* bi, llvm::Value* kk, llvm::Value* j,
                                      unsigned width) {
    return vectorLoad(j, kk, planeOf(bi, kk), width, /*edge=*/true);
  };
  p.loadB = [c, xBase, xType, s, vectorLoad, planeOf](
                llvm::Value* bi, llvm::Value* kk, llvm::Value* j, unsigned width) -> llvm::Value* {
    llvm::IRBuilderBase& b = c->builder;
    llvm::Value* plane = planeOf(bi, kk);
    if (width > 1) return vectorLoad(j, kk, plane, width, /*edge=*/false);
    llvm::Value* tap = b.CreateURem(kk, c->constI64(s.kh * s.kw));
    llvm::Value* tapY = b.CreateMul(b.CreateUDiv(tap, c->constI64(s.kw)), c->constI64(s.dilH));
    llvm::Value* tapX = b.CreateMul(b.CreateURem(tap, c->constI64(s.kw)), c->constI64(s.dilW));
    // One column: the input pixel under the tap, zero in the padding.
    llvm::Value* y = b.CreateUDiv(j, c->constI64(s.ow));
    llvm::Value* x = b.CreateURem(j, c->constI64(s.ow));
    llvm::Value* iy = b.CreateAdd(
        b.CreateSub(b.CreateMul(y, c->constI64(s.strideH)), c->constI64(s.padTop)), tapY);
    llvm::Value* ix = b.CreateAdd(
        b.CreateSub(b.CreateMul(x, c->constI64(s.strideW)), c->constI64(s.padLeft)), tapX);
    llvm::Value* valid = b.CreateAnd(inRange(b, iy, c->constI64(0), c->constI64(s.h)),
                                     inRange(b, ix, c->constI64(0), c->constI64(s.w)));
    llvm::Value* off = b.CreateAdd(plane, b.CreateAdd(b.CreateMul(iy, c->constI64(s.w)), ix));
    off = b.CreateSelect(valid, off, plane);
    return b.CreateSelect(valid, c->loadElement(xType, xBase, off), c->constF32(0));
  };
  const bool flatOut = epilogueLinearInTrailingDims(ctx.kernel, root, 2);
  p.output = [c, epi, s, biasBase, biasType, flatOut](llvm::Value* bi, llvm::Value* i,
                                                      llvm::Value* j, llvm::Value* acc,
                                                      unsigned width) {
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
    if (flatOut && width > 1) {
      (*epi)(b, acc, {n, oc, c->constI64(0), j}, width);
      return;
    }
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
