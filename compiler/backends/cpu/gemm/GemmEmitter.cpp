// The GEMM loop nest: extent steps, K blocks and row tiles. See GemmEmitter.h.
#include "compiler/backends/cpu/gemm/GemmEmitter.h"

#include "compiler/backends/cpu/gemm/GemmStep.h"

namespace dlc::cpu::gemm {
namespace {

llvm::Value* ceilDiv(llvm::IRBuilderBase& b, llvm::Value* x, llvm::Value* d) {
  return b.CreateUDiv(b.CreateAdd(x, b.CreateSub(d, llvm::ConstantInt::get(d->getType(), 1))), d);
}

llvm::Value* ceilDiv(llvm::IRBuilderBase& b, llvm::Value* x, int64_t d) {
  return ceilDiv(b, x, llvm::ConstantInt::get(x->getType(), d));
}

llvm::Value* minI64(llvm::IRBuilderBase& b, llvm::Value* x, llvm::Value* y) {
  return b.CreateSelect(b.CreateICmpSLT(x, y), x, y);
}

llvm::Value* maxI64(llvm::IRBuilderBase& b, llvm::Value* x, llvm::Value* y) {
  return b.CreateSelect(b.CreateICmpSLT(x, y), y, x);
}

// How the rows of one GEMM split into row blocks (computed at run time: rows
// and the GEMM count may depend on the batch). As few blocks as hold at most
// MC rows each, but enough for config.minSteps steps in all (GEMMs x row
// blocks x column blocks) while blocks keep MR rows, so that a narrow GEMM
// still has work for every thread; then the rows spread evenly over the
// blocks, each a multiple of MR rows except the last.
struct RowBlocking {
  llvm::Value* count;  // row blocks per GEMM
  llvm::Value* rows;   // rows per block (<= config.mc)
};

RowBlocking rowBlocking(llvm::IRBuilderBase& b, llvm::Value* gemms, llvm::Value* rows,
                        int64_t colBlocks, const GemmConfig& c) {
  auto c64 = [&](int64_t v) { return llvm::ConstantInt::get(rows->getType(), v); };
  llvm::Value* perRowBlock = maxI64(b, b.CreateMul(gemms, c64(colBlocks)), c64(1));
  llvm::Value* wanted = ceilDiv(b, c64(c.minSteps), perRowBlock);
  llvm::Value* blocks =
      maxI64(b, ceilDiv(b, rows, c.mc), minI64(b, wanted, ceilDiv(b, rows, c.mr)));
  blocks = maxI64(b, blocks, c64(1));
  llvm::Value* mc = maxI64(b, b.CreateMul(ceilDiv(b, ceilDiv(b, rows, blocks), c.mr), c64(c.mr)),
                           c64(c.mr));
  return {ceilDiv(b, rows, mc), mc};
}

// `count` tiles of `mr` rows starting at block row `first`: pack A, then
// run the micro-kernel over every panel.
void emitRowTiles(GemmStep& s, unsigned mr, llvm::Value* first, llvm::Value* count,
                  llvm::Value* panels) {
  llvm::IRBuilderBase& b = s.b();
  const bool prefetch = s.nextB && mr == s.config.mr;
  emitFor(b, s.c64(0), count, s.c64(1), "tile" + llvm::Twine(mr), [&](llvm::Value* t) {
    llvm::Value* r0 = b.CreateAdd(first, b.CreateMul(t, s.c64(mr)));
    if (!s.problem.directA) packA(s, mr, r0);
    emitFor(b, s.c64(0), panels, s.c64(1), "panel", [&](llvm::Value* jp) {
      emitMicroKernel(s, mr, r0, jp, prefetch ? b.CreateAdd(b.CreateMul(t, panels), jp) : nullptr);
    });
  });
}

}  // namespace

void emitGemm(EmitContext& ctx, const GemmProblem& p, const GemmConfig& c) {
  llvm::IRBuilderBase& b = ctx.builder;
  const int64_t colBlocks = (p.cols + c.nc - 1) / c.nc;
  auto stepCount = [&] {
    llvm::Value* gemms = p.batchCount();
    llvm::Value* rowBlocks = rowBlocking(b, gemms, p.rows(), colBlocks, c).count;
    return b.CreateMul(b.CreateMul(gemms, rowBlocks), ctx.constI64(colBlocks));
  };
  ctx.defineExtent(stepCount);
  if (c.wideVectors) ctx.function->addFnAttr("min-legal-vector-width", "512");
  // The packing copies stay loops: LLVM would turn a row of A (kc floats)
  // into a call to the C library's memcpy, whose dispatch and generic
  // copy cost more than kc / VL inline vector moves.
  ctx.function->addFnAttr("no-builtins");

  GemmStep s{ctx, p, c};
  s.kBlocks = (p.k + c.kc - 1) / c.kc;
  s.packedB = ctx.stackBuffer(ctx.f32(), c.kc * c.nc, "packed.b");
  if (!p.directA) s.packedA = ctx.stackBuffer(ctx.f32(), c.kc * c.mr, "packed.a");
  if (s.kBlocks > 1)
    s.scratch = ctx.stackBuffer(ctx.f32(), c.mc * c.nc, "acc.scratch");
  else
    s.tile = ctx.stackBuffer(ctx.f32(), int64_t(c.mr) * c.nr(), "acc.tile");

  llvm::Value* rows = p.rows();
  const RowBlocking blocking = rowBlocking(b, p.batchCount(), rows, colBlocks, c);
  llvm::Value* rowBlocks = blocking.count;
  emitFor(b, ctx.begin, ctx.end, ctx.constI64(1), "step", [&](llvm::Value* step) {
    llvm::Value* nb = b.CreateURem(step, ctx.constI64(colBlocks));
    llvm::Value* rest = b.CreateUDiv(step, ctx.constI64(colBlocks));
    llvm::Value* mb = b.CreateURem(rest, rowBlocks);
    s.bi = b.CreateUDiv(rest, rowBlocks);
    s.i0 = b.CreateMul(mb, blocking.rows);
    s.j0 = b.CreateMul(nb, ctx.constI64(c.nc));
    llvm::Value* blockRows = minI64(b, blocking.rows, b.CreateSub(rows, s.i0));
    s.nCols = minI64(b, ctx.constI64(c.nc), b.CreateSub(ctx.constI64(p.cols), s.j0));
    llvm::Value* panels = ceilDiv(b, s.nCols, c.nr());
    s.direct = p.directB ? b.CreateICmpSLT(blockRows, ctx.constI64(c.mr)) : nullptr;
    s.prepackedB = p.prepackedB ? p.prepackedB(s.bi) : nullptr;

    // Row tiling: full MR tiles, then 4-row tiles, then single rows.
    llvm::Value* fullTiles = b.CreateUDiv(blockRows, ctx.constI64(c.mr));
    llvm::Value* afterFull = b.CreateMul(fullTiles, ctx.constI64(c.mr));
    llvm::Value* rem = b.CreateSub(blockRows, afterFull);
    llvm::Value* quads = b.CreateUDiv(rem, ctx.constI64(4));
    llvm::Value* afterQuads = b.CreateAdd(afterFull, b.CreateMul(quads, ctx.constI64(4)));
    llvm::Value* singles = b.CreateSub(blockRows, afterQuads);

    emitFor(b, ctx.constI64(0), ctx.constI64(s.kBlocks), ctx.constI64(1), "kblock",
            [&](llvm::Value* kb) {
              s.kb = kb;
              s.k0 = b.CreateMul(kb, ctx.constI64(c.kc));
              s.kc = minI64(b, ctx.constI64(c.kc), b.CreateSub(ctx.constI64(p.k), s.k0));
              if (s.prepackedB) {
                // The next B block (see GemmStep::nextB): K block kb + 1 of
                // this column block, or K block 0 of the next one.
                llvm::Value* last = b.CreateICmpEQ(kb, ctx.constI64(s.kBlocks - 1));
                llvm::Value* nextK0 = b.CreateSelect(last, ctx.constI64(0),
                                                     b.CreateAdd(s.k0, ctx.constI64(c.kc)));
                llvm::Value* nextKc =
                    minI64(b, ctx.constI64(c.kc), b.CreateSub(ctx.constI64(p.k), nextK0));
                llvm::Value* nextJ0 =
                    b.CreateSelect(last, b.CreateAdd(s.j0, ctx.constI64(c.nc)), s.j0);
                llvm::Value* off = b.CreateAdd(
                    b.CreateMul(nextK0, ctx.constI64(p.cols)),
                    b.CreateMul(b.CreateUDiv(nextJ0, ctx.constI64(c.nr())),
                                b.CreateMul(nextKc, ctx.constI64(c.nr()))));
                // Not inbounds: past the last column block it lies past B,
                // which a prefetch tolerates.
                s.nextB = b.CreateGEP(ctx.f32(), s.prepackedB, off, "next.b");
                s.nextBLines = b.CreateUDiv(b.CreateMul(nextKc, ctx.constI64(c.nc)),
                                            ctx.constI64(16));
              } else {
                packB(s, panels);
              }
              emitRowTiles(s, c.mr, ctx.constI64(0), fullTiles, panels);
              if (c.mr > 4) emitRowTiles(s, 4, afterFull, quads, panels);
              emitRowTiles(s, 1, afterQuads, singles, panels);
            });
  });
}

}  // namespace dlc::cpu::gemm
