// The register-tiled micro-kernel: an mr x NR tile of C held in mr x NV
// vector accumulators. Per k it loads NV vectors of the B panel, broadcasts
// mr packed A values and issues mr x NV llvm.fma calls. After the K block
// the tile goes to the stack scratch block (more K blocks follow) or the
// tile buffer; after the last K block a rolled loop hands it, vector by
// vector, to GemmProblem::output (bias + fused epilogue + store); lanes past
// the last column are handed over one at a time.
#include <llvm/IR/Intrinsics.h>

#include "compiler/backends/cpu/gemm/GemmStep.h"

namespace dlc::cpu::gemm {
namespace {

using Tile = Carried;  // index r * nv + v

// Address of scratch element (block row, block column).
llvm::Value* scratchPtr(GemmStep& s, llvm::Value* row, llvm::Value* col) {
  llvm::IRBuilderBase& b = s.b();
  llvm::Value* off = b.CreateAdd(b.CreateMul(row, s.c64(s.config.nc)), col);
  return b.CreateInBoundsGEP(s.ctx.f32(), s.scratch, off);
}

// Hands one accumulator vector at global (i, j) to the output callback.
void emitOutputVector(GemmStep& s, llvm::Value* i, llvm::Value* j, llvm::Value* acc) {
  llvm::IRBuilderBase& b = s.b();
  const int64_t cols = s.problem.cols;
  const unsigned vl = s.config.vl;
  llvm::Function* fn = b.GetInsertBlock()->getParent();
  if (cols < int64_t(vl)) {
    // No vector fits in a row: only single lanes ever run, and a vector
    // epilogue is not even valid to emit (with one column, the root's
    // extent-1 lane axis reads as a broadcast operand: dlc-fuzz seed 166).
    emitFor(b, s.c64(0), b.CreateSub(s.c64(cols), j), s.c64(1), "out.lane", [&](llvm::Value* l) {
      s.problem.output(s.bi, i, b.CreateAdd(j, l), b.CreateExtractElement(acc, l), 1);
    });
    return;
  }
  if (cols % int64_t(s.config.nr()) == 0) {
    s.problem.output(s.bi, i, j, acc, vl);
    return;
  }
  llvm::BasicBlock* vecBB = llvm::BasicBlock::Create(s.ctx.llvm, "out.vec", fn);
  llvm::BasicBlock* doneBB = llvm::BasicBlock::Create(s.ctx.llvm, "out.done", fn);
  if (cols % int64_t(vl) == 0) {
    b.CreateCondBr(b.CreateICmpSLT(j, s.c64(cols)), vecBB, doneBB);
  } else {
    llvm::BasicBlock* edgeBB = llvm::BasicBlock::Create(s.ctx.llvm, "out.edge", fn);
    b.CreateCondBr(b.CreateICmpSLE(b.CreateAdd(j, s.c64(vl)), s.c64(cols)), vecBB, edgeBB);
    b.SetInsertPoint(edgeBB);
    emitFor(b, s.c64(0), b.CreateSub(s.c64(cols), j), s.c64(1), "out.lane",
            [&](llvm::Value* l) {
              s.problem.output(s.bi, i, b.CreateAdd(j, l), b.CreateExtractElement(acc, l), 1);
            });
    b.CreateBr(doneBB);
  }
  b.SetInsertPoint(vecBB);
  s.problem.output(s.bi, i, j, acc, vl);
  b.CreateBr(doneBB);
  b.SetInsertPoint(doneBB);
}

}  // namespace

void emitMicroKernel(GemmStep& s, unsigned mr, llvm::Value* r0, llvm::Value* jp,
                     llvm::Value* call) {
  llvm::IRBuilderBase& b = s.b();
  const GemmConfig& c = s.config;
  llvm::Function* fn = b.GetInsertBlock()->getParent();
  llvm::Type* f32 = s.ctx.f32();
  llvm::FixedVectorType* vt = s.vecTy();
  const unsigned nv = c.nv, vl = c.vl;

  // The B panel: packed (row stride NR) or, for direct steps, B in place.
  llvm::Value* bPtr = b.CreateInBoundsGEP(f32, s.packedB, b.CreateMul(jp, s.c64(c.kc * c.nr())));
  llvm::Value* bStride = s.c64(c.nr());
  llvm::Align bAlign(4 * vl);
  if (s.prepackedB) {
    // Panel j0 / NR + jp of the K block at k0 (PrepackedWeights.h); every
    // offset is a multiple of NR floats and the constants are 64-byte
    // aligned.
    llvm::Value* panel = b.CreateAdd(b.CreateUDiv(s.j0, s.c64(c.nr())), jp);
    llvm::Value* off = b.CreateAdd(b.CreateMul(s.k0, s.c64(s.problem.cols)),
                                   b.CreateMul(b.CreateMul(panel, s.kc), s.c64(c.nr())));
    bPtr = b.CreateInBoundsGEP(f32, s.prepackedB, off);
  } else if (s.direct) {
    llvm::Value* useDirect = b.CreateAnd(s.direct, s.panelFull(jp));
    llvm::Value* col = b.CreateAdd(s.j0, b.CreateMul(jp, s.c64(c.nr())));
    llvm::Value* off =
        b.CreateAdd(b.CreateMul(s.k0, s.c64(s.problem.directBStride)), col);
    llvm::Value* inPlace = b.CreateInBoundsGEP(f32, s.problem.directB(s.bi), off);
    bPtr = b.CreateSelect(useDirect, inPlace, bPtr);
    bStride = b.CreateSelect(useDirect, s.c64(s.problem.directBStride), bStride);
    bAlign = llvm::Align(4);
  }

  // Initial accumulators: zero, or the scratch partial sums after block 0.
  llvm::Value* colInBlock = b.CreateMul(jp, s.c64(c.nr()));
  Tile init;
  llvm::Value* zero = llvm::Constant::getNullValue(vt);
  for (unsigned r = 0; r < mr; ++r) {
    for (unsigned v = 0; v < nv; ++v) {
      if (!s.scratch) {
        init.push_back(zero);
        continue;
      }
      llvm::Value* p = scratchPtr(s, b.CreateAdd(r0, s.c64(r)),
                                  b.CreateAdd(colInBlock, s.c64(v * vl)));
      llvm::Value* partial = b.CreateAlignedLoad(vt, p, llvm::Align(4 * vl));
      init.push_back(b.CreateSelect(b.CreateICmpEQ(s.kb, s.c64(0)), zero, partial));
    }
  }

  // The next pre-packed B block goes to L2 while this one is computed, one
  // line per iteration, so that its first tile does not wait on memory:
  // call c prefetches lines c * kc + kk. Calls past the block's lines
  // prefetch the first row of their own panel, an L1 hit, every iteration.
  // The choice is made before the loop, so the loop stays one loop with
  // one prefetch and one pointer step per iteration.
  llvm::Value* pfBase = nullptr;
  llvm::Value* pfStep = nullptr;
  if (call && s.nextB) {
    llvm::Value* firstLine = b.CreateMul(call, s.kc);
    llvm::Value* inBlock = b.CreateICmpULT(firstLine, s.nextBLines);
    pfBase = b.CreateSelect(inBlock,
                            b.CreateGEP(f32, s.nextB, b.CreateMul(firstLine, s.c64(16)), "pf.next"),
                            bPtr);
    pfStep = b.CreateSelect(inBlock, s.c64(16), s.c64(0));
  }

  // A: the packed panel (row r at r * KC), or A in place.
  llvm::Value* aBase = s.packedA;
  int64_t aStride = s.config.kc;
  if (s.problem.directA) {
    llvm::Value* row = b.CreateAdd(s.i0, r0);
    aBase = b.CreateInBoundsGEP(
        f32, s.problem.directA(s.bi),
        b.CreateAdd(b.CreateMul(row, s.c64(s.problem.directAStride)), s.k0));
    aStride = s.problem.directAStride;
  }

  Tile acc = emitForCarried(b, s.c64(0), s.kc, init, "mk", [&](llvm::Value* kk, const Tile& in) {
    Tile out(in.size());
    if (pfBase) {
      llvm::Value* at = b.CreateGEP(f32, pfBase, b.CreateMul(kk, pfStep), "pf.addr");
      b.CreateIntrinsic(llvm::Intrinsic::prefetch, {at->getType()},
                        {at, b.getInt32(0), /*locality: L2=*/b.getInt32(2),
                         /*data cache=*/b.getInt32(1)});
    }
    std::vector<llvm::Value*> bv(nv);
    llvm::Value* rowPtr = b.CreateInBoundsGEP(f32, bPtr, b.CreateMul(kk, bStride));
    for (unsigned v = 0; v < nv; ++v)
      bv[v] = b.CreateAlignedLoad(vt, b.CreateConstInBoundsGEP1_64(f32, rowPtr, v * vl), bAlign);
    llvm::Value* aCol = b.CreateInBoundsGEP(f32, aBase, kk);
    for (unsigned r = 0; r < mr; ++r) {
      llvm::Value* a = b.CreateAlignedLoad(
          f32, b.CreateConstInBoundsGEP1_64(f32, aCol, r * aStride), llvm::Align(4));
      llvm::Value* splat = b.CreateVectorSplat(vl, a);
      // fmuladd, not fma: one FMA instruction where the target has FMA,
      // mul + add where it has not (fma would become a libm call there).
      for (unsigned v = 0; v < nv; ++v)
        out[r * nv + v] = b.CreateIntrinsic(llvm::Intrinsic::fmuladd, {vt},
                                            {splat, bv[v], in[r * nv + v]});
    }
    return out;
  });

  // The outputs: the tile goes to memory (the scratch block, or the small
  // tile buffer when K is one block) and one rolled loop hands its vectors
  // to the epilogue. One copy of the epilogue per tile height instead of
  // mr x NV copies keeps the kernel's IR small (LLVM's time grows with it:
  // loop strength reduction on the loops around an unrolled epilogue was
  // half the code generation time of a dense + gelu kernel). The round trip
  // through L1 costs 2 x mr x NV accesses per tile, against kc x mr x NV FMAs.
  llvm::Value* tileBase;
  int64_t tileStride;
  if (s.scratch) {
    tileBase = scratchPtr(s, r0, colInBlock);
    tileStride = c.nc;
  } else {
    tileBase = s.tile;
    tileStride = c.nr();
  }
  for (unsigned r = 0; r < mr; ++r)
    for (unsigned v = 0; v < nv; ++v)
      b.CreateAlignedStore(acc[r * nv + v],
                           b.CreateConstInBoundsGEP1_64(f32, tileBase, r * tileStride + v * vl),
                           llvm::Align(4 * vl));
  auto emitOutputs = [&] {
    llvm::Value* jPanel = b.CreateAdd(s.j0, colInBlock);
    llvm::Value* rowBase = b.CreateAdd(s.i0, r0);
    emitFor(b, s.c64(0), s.c64(int64_t(mr) * nv), s.c64(1), "out.vec",
            [&](llvm::Value* t) {
              llvm::Value* r = b.CreateUDiv(t, s.c64(nv));
              llvm::Value* v = b.CreateURem(t, s.c64(nv));
              llvm::Value* off = b.CreateAdd(b.CreateMul(r, s.c64(tileStride)),
                                             b.CreateMul(v, s.c64(vl)));
              llvm::Value* vec = b.CreateAlignedLoad(
                  vt, b.CreateInBoundsGEP(f32, tileBase, off), llvm::Align(4 * vl));
              emitOutputVector(s, b.CreateAdd(rowBase, r),
                               b.CreateAdd(jPanel, b.CreateMul(v, s.c64(vl))), vec);
            },
            {.noUnroll = true});
  };
  if (!s.scratch) {
    emitOutputs();
    return;
  }
  llvm::BasicBlock* lastBB = llvm::BasicBlock::Create(s.ctx.llvm, "mk.last", fn);
  llvm::BasicBlock* doneBB = llvm::BasicBlock::Create(s.ctx.llvm, "mk.done", fn);
  b.CreateCondBr(b.CreateICmpEQ(s.kb, s.c64(s.kBlocks - 1)), lastBB, doneBB);
  b.SetInsertPoint(lastBB);
  emitOutputs();
  b.CreateBr(doneBB);
  b.SetInsertPoint(doneBB);
}

}  // namespace dlc::cpu::gemm
