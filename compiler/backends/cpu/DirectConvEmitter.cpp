// The direct convolution's loop nest. See DirectConv.h.
//
// Per extent step, one tile of m <= ocBlock channels x nv vectors:
//   for each vector u: lane positions, their (oh, ow), the input offset of
//     lane 0 (lanes are consecutive inputs: rows are contiguous in the
//     plane case, DirectConvChoice.cpp) and the lanes inside the output;
//   for c in the group's input channels (a loop carrying the accumulators):
//     for each tap (kh, kw) (unrolled): nv masked loads of the input plane
//     of c, m broadcast weights, m x nv FMAs;
//   the tile goes to a stack buffer, and one rolled loop adds the bias and
//   hands each vector to the epilogue (lane by lane where a vector runs past
//   the row or plane), so the epilogue is emitted once per tile shape.
#include <llvm/IR/Intrinsics.h>

#include "compiler/backends/cpu/DirectConv.h"
#include "compiler/backends/cpu/gemm/Problems.h"
#include "ir/ConvGeometry.h"

namespace dlc::cpu {

Status emitDirectConv(EmitContext& ctx, const ir::Node& root, const EpilogueFn& epilogue,
                      const DirectConvTile& t) {
  DLC_ASSIGN_OR_RETURN(const ir::ConvGeometry g, ir::convGeometry(root));
  DLC_ASSIGN_OR_RETURN(llvm::Value* xBase, gemm::operandBuffer(ctx, root, 0));
  DLC_ASSIGN_OR_RETURN(llvm::Value* wBase, gemm::operandBuffer(ctx, root, 1));
  llvm::Value* biasBase = nullptr;
  if (root.inputs.size() > 2) {
    DLC_ASSIGN_OR_RETURN(biasBase, gemm::operandBuffer(ctx, root, 2));
  }
  const ir::DType xType = root.inputs[0]->type.dtype, wType = root.inputs[1]->type.dtype;
  const ir::DType biasType = biasBase ? root.inputs[2]->type.dtype : xType;
  llvm::IRBuilderBase& b = ctx.builder;
  llvm::Type* f32 = ctx.f32();
  llvm::IntegerType* i32 = b.getInt32Ty();
  const unsigned vl = t.vl, nv = t.nv;
  llvm::FixedVectorType* vt = llvm::FixedVectorType::get(f32, vl);
  auto c64 = [&](int64_t v) { return ctx.constI64(v); };
  auto ci = [&](int64_t v) { return llvm::ConstantInt::get(i32, uint64_t(v), true); };
  auto splat = [&](llvm::Value* v) { return b.CreateVectorSplat(vl, v); };

  const int64_t positions = t.plane ? g.oh * g.ow : g.ow;
  const int64_t vectors = (positions + vl - 1) / vl;
  const int64_t tiles = (vectors + nv - 1) / nv;
  const int64_t rows = t.plane ? 1 : g.oh;
  const int64_t blocks = (g.groupOut + t.ocBlock - 1) / t.ocBlock;
  const int64_t lastBlock = g.groupOut - (blocks - 1) * t.ocBlock;
  const int64_t taps = g.kh * g.kw;
  ctx.defineExtent([&] {
    return b.CreateMul(ctx.dim(g.images), c64(g.groups * blocks * rows * tiles));
  });
  llvm::Value* tileBuffer = ctx.stackBuffer(f32, t.ocBlock * nv * vl, "conv.tile");
  std::vector<llvm::Constant*> laneIds;
  for (unsigned l = 0; l < vl; ++l) laneIds.push_back(ci(l));
  llvm::Value* lanes = llvm::ConstantVector::get(laneIds);

  emitFor(b, ctx.begin, ctx.end, c64(1), "tile", [&](llvm::Value* step) {
    llvm::Value* tile = b.CreateURem(step, c64(tiles));
    llvm::Value* rest = b.CreateUDiv(step, c64(tiles));
    llvm::Value* oh = b.CreateURem(rest, c64(rows));
    rest = b.CreateUDiv(rest, c64(rows));
    llvm::Value* block = b.CreateURem(rest, c64(blocks));
    rest = b.CreateUDiv(rest, c64(blocks));
    llvm::Value* group = b.CreateURem(rest, c64(g.groups));
    llvm::Value* n = b.CreateUDiv(rest, c64(g.groups));
    llvm::Value* oc0 =
        b.CreateAdd(b.CreateMul(group, c64(g.groupOut)), b.CreateMul(block, c64(t.ocBlock)));
    llvm::Value* p0 = b.CreateMul(tile, c64(int64_t(nv) * vl));

    // Per vector: lane coordinates, lanes inside the output, lane 0's input offset.
    std::vector<llvm::Value*> ih0(nv), iw0(nv), inside(nv), base(nv);
    for (unsigned u = 0; u < nv; ++u) {
      llvm::Value* first = b.CreateAdd(p0, c64(int64_t(u) * vl));
      llvm::Value* pos = b.CreateAdd(splat(b.CreateTrunc(first, i32)), lanes);
      inside[u] = b.CreateICmpSLT(pos, splat(ci(positions)));
      llvm::Value *ohv, *owv;
      if (t.plane) {
        ohv = b.CreateUDiv(pos, splat(ci(g.ow)));
        owv = b.CreateSub(pos, b.CreateMul(ohv, splat(ci(g.ow))));
        // Rows are contiguous: lane l reads input pixel first + l + shift.
        base[u] = b.CreateSub(first, c64(g.padTop * g.w + g.padLeft));
      } else {
        ohv = splat(b.CreateTrunc(oh, i32));
        owv = pos;
        base[u] = b.CreateAdd(
            b.CreateMul(b.CreateSub(b.CreateMul(oh, c64(g.strideH)), c64(g.padTop)), c64(g.w)),
            b.CreateSub(first, c64(g.padLeft)));
      }
      ih0[u] = b.CreateSub(b.CreateMul(ohv, splat(ci(g.strideH))), splat(ci(g.padTop)));
      iw0[u] = b.CreateSub(owv, splat(ci(g.padLeft)));
    }
    // The input planes of the group, and the weights of the block's channels.
    llvm::Value* xPlanes = b.CreateMul(
        b.CreateAdd(b.CreateMul(n, c64(g.channels)), b.CreateMul(group, c64(g.groupIn))),
        c64(g.h * g.w));
    llvm::Value* wFirst = b.CreateMul(oc0, c64(g.groupIn * taps));

    auto emitTile = [&](int64_t m) {
      Carried init(size_t(m) * nv, llvm::Constant::getNullValue(vt));
      Carried acc = emitForCarried(
          b, c64(0), c64(g.groupIn), init, "conv.c", [&](llvm::Value* c, const Carried& in) {
            Carried out = in;
            llvm::Value* plane = b.CreateInBoundsGEP(
                ctx.storageType(xType), xBase, b.CreateAdd(xPlanes, b.CreateMul(c, c64(g.h * g.w))));
            llvm::Value* wc = b.CreateAdd(wFirst, b.CreateMul(c, c64(taps)));
            for (int64_t kh = 0; kh < g.kh; ++kh) {
              for (int64_t kw = 0; kw < g.kw; ++kw) {
                std::vector<llvm::Value*> xv(nv);
                for (unsigned u = 0; u < nv; ++u) {
                  // Unsigned compares: negative coordinates (the padding) fail too.
                  llvm::Value* mask = b.CreateAnd(
                      inside[u],
                      b.CreateAnd(b.CreateICmpULT(b.CreateAdd(ih0[u], splat(ci(kh * g.dilH))),
                                                  splat(ci(g.h))),
                                  b.CreateICmpULT(b.CreateAdd(iw0[u], splat(ci(kw * g.dilW))),
                                                  splat(ci(g.w)))));
                  llvm::Value* off = b.CreateAdd(base[u], c64(kh * g.dilH * g.w + kw * g.dilW));
                  xv[u] = ctx.maskedLoadElements(xType, plane, off, mask);
                }
                for (int64_t o = 0; o < m; ++o) {
                  llvm::Value* w = ctx.loadElement(
                      wType, wBase, b.CreateAdd(wc, c64(o * g.groupIn * taps + kh * g.kw + kw)));
                  llvm::Value* ws = splat(w);
                  // fmuladd: one FMA where the target has FMA (see MicroKernel.cpp).
                  for (unsigned u = 0; u < nv; ++u)
                    out[size_t(o) * nv + u] = b.CreateIntrinsic(
                        llvm::Intrinsic::fmuladd, {vt}, {ws, xv[u], out[size_t(o) * nv + u]});
                }
              }
            }
            return out;
          });
      for (size_t i = 0; i < acc.size(); ++i)
        b.CreateAlignedStore(acc[i], b.CreateConstInBoundsGEP1_64(f32, tileBuffer, i * vl),
                             llvm::Align(4 * vl));
      emitFor(b, c64(0), c64(m * nv), c64(1), "conv.out", [&](llvm::Value* idx) {
        llvm::Value* oc = b.CreateAdd(oc0, b.CreateUDiv(idx, c64(nv)));
        llvm::Value* p = b.CreateAdd(p0, b.CreateMul(b.CreateURem(idx, c64(nv)), c64(vl)));
        llvm::Value* vec = b.CreateAlignedLoad(
            vt, b.CreateInBoundsGEP(f32, tileBuffer, b.CreateMul(idx, c64(vl))),
            llvm::Align(4 * vl));
        if (biasBase) vec = b.CreateFAdd(vec, splat(ctx.loadElement(biasType, biasBase, oc)));
        auto at = [&](llvm::Value* pos) -> std::vector<llvm::Value*> {
          if (!t.plane) return {n, oc, oh, pos};
          return {n, oc, b.CreateUDiv(pos, c64(g.ow)), b.CreateURem(pos, c64(g.ow))};
        };
        auto lanesFrom = [&] {
          llvm::Value* count = b.CreateSub(c64(positions), p);
          emitFor(b, c64(0), b.CreateSelect(b.CreateICmpSLT(count, c64(vl)), count, c64(vl)),
                  c64(1), "conv.lane", [&](llvm::Value* l) {
                    epilogue(b, b.CreateExtractElement(vec, l), at(b.CreateAdd(p, l)), 1);
                  });
        };
        if (positions < int64_t(vl)) {
          // No whole vector fits: lanes only (a vector epilogue over a last
          // dim of 1 would not even be valid, see ConvProblem.cpp).
          lanesFrom();
          return;
        }
        llvm::Function* fn = b.GetInsertBlock()->getParent();
        llvm::BasicBlock* vecBB = llvm::BasicBlock::Create(ctx.llvm, "conv.vec", fn);
        llvm::BasicBlock* laneBB = llvm::BasicBlock::Create(ctx.llvm, "conv.lanes", fn);
        llvm::BasicBlock* doneBB = llvm::BasicBlock::Create(ctx.llvm, "conv.done", fn);
        b.CreateCondBr(b.CreateICmpSLE(b.CreateAdd(p, c64(vl)), c64(positions)), vecBB, laneBB);
        b.SetInsertPoint(vecBB);
        if (t.plane)
          epilogue(b, vec, {n, oc, c64(0), p}, vl);
        else
          epilogue(b, vec, {n, oc, oh, p}, vl);
        b.CreateBr(doneBB);
        b.SetInsertPoint(laneBB);
        lanesFrom();
        b.CreateBr(doneBB);
        b.SetInsertPoint(doneBB);
      }, {.noUnroll = true});
    };

    if (lastBlock == t.ocBlock) {
      emitTile(t.ocBlock);
      return;
    }
    llvm::Function* fn = b.GetInsertBlock()->getParent();
    llvm::BasicBlock* fullBB = llvm::BasicBlock::Create(ctx.llvm, "conv.block", fn);
    llvm::BasicBlock* lastBB = llvm::BasicBlock::Create(ctx.llvm, "conv.lastblock", fn);
    llvm::BasicBlock* joinBB = llvm::BasicBlock::Create(ctx.llvm, "conv.blockdone", fn);
    b.CreateCondBr(b.CreateICmpEQ(block, c64(blocks - 1)), lastBB, fullBB);
    b.SetInsertPoint(fullBB);
    emitTile(t.ocBlock);
    b.CreateBr(joinBB);
    b.SetInsertPoint(lastBB);
    emitTile(lastBlock);
    b.CreateBr(joinBB);
    b.SetInsertPoint(joinBB);
  });
  return Status::OK();
}

}  // namespace dlc::cpu
