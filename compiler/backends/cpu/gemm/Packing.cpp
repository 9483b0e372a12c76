// Packing of A panels and B blocks into the stack buffers the micro-kernel
// streams. B panels are NR floats wide: full panels are read with vector
// loads of B (or gathers when GemmProblem::loadB is strided, as for
// im2col; a B stored along k, as a matmul's transpose_b, goes VL x VL
// blocks at a time: VL vector loads along k and a transpose in registers),
// the edge panel with masked loads (GemmProblem::loadBEdge) or else lane by
// lane, with columns past `cols` zeroed. A panels are exactly mr rows (the
// row tiling never pads rows), stored row by row (row r at r * KC).
#include "compiler/backends/cpu/gemm/GemmStep.h"

namespace dlc::cpu::gemm {

llvm::Value* GemmStep::panelFull(llvm::Value* jp) const {
  llvm::Value* endCol = ctx.builder.CreateMul(ctx.builder.CreateAdd(jp, c64(1)),
                                              c64(config.nr()));
  return ctx.builder.CreateICmpSLE(endCol, nCols);
}

namespace {

// One vector of B at k, columns j .. j+VL-1, zero past `cols`, lane by lane.
llvm::Value* loadEdgeVector(GemmStep& s, llvm::Value* k, llvm::Value* j) {
  if (s.problem.loadBEdge) return s.problem.loadBEdge(s.bi, k, j, s.config.vl);
  llvm::IRBuilderBase& b = s.b();
  llvm::Value* lastCol = s.c64(s.problem.cols - 1);
  llvm::Value* vec = llvm::Constant::getNullValue(s.vecTy());
  for (unsigned l = 0; l < s.config.vl; ++l) {
    llvm::Value* jl = b.CreateAdd(j, s.c64(l));
    llvm::Value* valid = b.CreateICmpSLE(jl, lastCol);
    llvm::Value* x = s.problem.loadB(s.bi, k, b.CreateSelect(valid, jl, lastCol), 1);
    vec = b.CreateInsertElement(vec, b.CreateSelect(valid, x, s.ctx.constF32(0)), l);
  }
  return vec;
}

// The transpose of the VL x VL block whose rows are `rows`: log2(VL)
// rounds of interleaving row i with row i + VL/2 (low halves into row 2i,
// high halves into row 2i + 1).
std::vector<llvm::Value*> transposeBlock(llvm::IRBuilderBase& b, std::vector<llvm::Value*> rows) {
  const unsigned n = unsigned(rows.size());
  std::vector<int> lo(n), hi(n);
  for (unsigned l = 0; l < n / 2; ++l) {
    lo[2 * l] = int(l);
    lo[2 * l + 1] = int(n + l);
    hi[2 * l] = int(n / 2 + l);
    hi[2 * l + 1] = int(n + n / 2 + l);
  }
  for (unsigned round = 1; round < n; round *= 2) {
    std::vector<llvm::Value*> next(n);
    for (unsigned i = 0; i < n / 2; ++i) {
      next[2 * i] = b.CreateShuffleVector(rows[i], rows[i + n / 2], lo);
      next[2 * i + 1] = b.CreateShuffleVector(rows[i], rows[i + n / 2], hi);
    }
    rows = std::move(next);
  }
  return rows;
}

// Packs rows [0, kc rounded down to VL) of the full panel at panelBase
// (columns jPanel ..) from a B stored along k: per VL x VL block, VL vector
// loads along k (one per column), a transpose in registers, and VL vector
// stores of packed rows. Returns the first row left to pack.
llvm::Value* packTransposedRows(GemmStep& s, llvm::Value* panelBase, llvm::Value* jPanel) {
  llvm::IRBuilderBase& b = s.b();
  const GemmConfig& c = s.config;
  const unsigned vl = c.vl;
  llvm::Value* kVec = b.CreateAnd(s.kc, s.c64(~int64_t(vl - 1)));
  emitFor(
      b, s.c64(0), kVec, s.c64(vl), "pb.kt",
      [&](llvm::Value* kk) {
        llvm::Value* k = b.CreateAdd(s.k0, kk);
        for (unsigned v = 0; v < c.nv; ++v) {
          std::vector<llvm::Value*> cols(vl);
          for (unsigned l = 0; l < vl; ++l)
            cols[l] = s.problem.loadBAlongK(
                s.bi, k, b.CreateAdd(jPanel, s.c64(int64_t(v * vl + l))), vl);
          std::vector<llvm::Value*> rows = transposeBlock(b, std::move(cols));
          for (unsigned l = 0; l < vl; ++l) {
            llvm::Value* at = b.CreateAdd(
                panelBase, b.CreateAdd(b.CreateMul(b.CreateAdd(kk, s.c64(l)), s.c64(c.nr())),
                                       s.c64(int64_t(v * vl))));
            b.CreateAlignedStore(rows[l], b.CreateInBoundsGEP(s.ctx.f32(), s.packedB, at),
                                 llvm::Align(4 * vl));
          }
        }
      },
      {.noUnroll = true, .noVectorize = true});
  return kVec;
}

}  // namespace

void packB(GemmStep& s, llvm::Value* panels) {
  llvm::IRBuilderBase& b = s.b();
  const GemmConfig& c = s.config;
  llvm::Function* fn = b.GetInsertBlock()->getParent();
  emitFor(b, s.c64(0), panels, s.c64(1), "pb.panel", [&](llvm::Value* jp) {
    llvm::Value* full = s.panelFull(jp);
    llvm::Value* skip = s.direct ? b.CreateAnd(full, s.direct) : b.getFalse();
    llvm::BasicBlock* packBB = llvm::BasicBlock::Create(s.ctx.llvm, "pb.pack", fn);
    llvm::BasicBlock* doneBB = llvm::BasicBlock::Create(s.ctx.llvm, "pb.done", fn);
    b.CreateCondBr(skip, doneBB, packBB);
    b.SetInsertPoint(packBB);
    llvm::Value* panelBase = b.CreateMul(jp, s.c64(c.kc * c.nr()));
    llvm::Value* jPanel = b.CreateAdd(s.j0, b.CreateMul(jp, s.c64(c.nr())));
    auto emitRows = [&](bool vectorLoads) {
      llvm::Value* first = s.c64(0);
      if (vectorLoads && s.problem.loadBAlongK) first = packTransposedRows(s, panelBase, jPanel);
      emitFor(b, first, s.kc, s.c64(1), "pb.k", [&](llvm::Value* kk) {
        llvm::Value* k = b.CreateAdd(s.k0, kk);
        llvm::Value* rowBase = b.CreateAdd(panelBase, b.CreateMul(kk, s.c64(c.nr())));
        for (unsigned v = 0; v < c.nv; ++v) {
          llvm::Value* j = b.CreateAdd(jPanel, s.c64(v * c.vl));
          llvm::Value* vec = vectorLoads ? s.problem.loadB(s.bi, k, j, c.vl)
                                         : loadEdgeVector(s, k, j);
          llvm::Value* dst = b.CreateInBoundsGEP(s.ctx.f32(), s.packedB,
                                                 b.CreateAdd(rowBase, s.c64(v * c.vl)));
          b.CreateAlignedStore(vec, dst, llvm::Align(4 * c.vl));
        }
      });
    };
    if (s.problem.cols % c.nr() == 0) {
      emitRows(/*vectorLoads=*/true);
    } else {
      llvm::BasicBlock* fullBB = llvm::BasicBlock::Create(s.ctx.llvm, "pb.full", fn);
      llvm::BasicBlock* edgeBB = llvm::BasicBlock::Create(s.ctx.llvm, "pb.edge", fn);
      b.CreateCondBr(full, fullBB, edgeBB);
      b.SetInsertPoint(fullBB);
      emitRows(/*vectorLoads=*/true);
      b.CreateBr(doneBB);
      b.SetInsertPoint(edgeBB);
      emitRows(/*vectorLoads=*/false);
    }
    b.CreateBr(doneBB);
    b.SetInsertPoint(doneBB);
  }, {.noUnroll = true});
}

void packA(GemmStep& s, unsigned mr, llvm::Value* r0) {
  // Row by row (packed row r at r * KC): for a row-major A each row is a
  // contiguous copy that vectorises to plain vector loads and stores. (The
  // k-major layout, r + kk * mr, made LLVM vectorise the copy into scatters,
  // a sixth of a 1024^3 matmul's time.)
  //
  // With GemmProblem::loadAVec the copy is vectorised here: VL lanes per
  // iteration, then a scalar loop for the last kc % VL. Both stay rolled and
  // the vectorizer leaves them alone: LLVM's own vectorisation of the scalar
  // copy added runtime alias checks and fully unrolled remainders, the
  // larger part of the MLP's first kernel (a cast and scale fused into A).
  llvm::IRBuilderBase& b = s.b();
  llvm::Value* row0 = b.CreateAdd(s.i0, r0);
  const unsigned vl = s.config.vl;
  auto scalarCopy = [&](llvm::Value* row, llvm::Value* base, llvm::Value* from, LoopHints hints) {
    emitFor(
        b, from, s.kc, s.c64(1), "pa.k",
        [&](llvm::Value* kk) {
          llvm::Value* x = s.problem.loadA(s.bi, row, b.CreateAdd(s.k0, kk));
          b.CreateAlignedStore(
              x, b.CreateInBoundsGEP(s.ctx.f32(), s.packedA, b.CreateAdd(base, kk)),
              llvm::Align(4));
        },
        hints);
  };
  if (!s.problem.loadAVec) {
    emitFor(b, s.c64(0), s.c64(mr), s.c64(1), "pa.row", [&](llvm::Value* r) {
      scalarCopy(b.CreateAdd(row0, r), b.CreateMul(r, s.c64(s.config.kc)), s.c64(0), {});
    });
    return;
  }
  // kc rounded down to a multiple of VL.
  llvm::Value* kVec = b.CreateAnd(s.kc, s.c64(~int64_t(vl - 1)));
  emitFor(
      b, s.c64(0), s.c64(mr), s.c64(1), "pa.row",
      [&](llvm::Value* r) {
        llvm::Value* row = b.CreateAdd(row0, r);
        llvm::Value* base = b.CreateMul(r, s.c64(s.config.kc));
        emitFor(
            b, s.c64(0), kVec, s.c64(vl), "pa.kv",
            [&](llvm::Value* kk) {
              // packed.a is 64-byte aligned and KC a multiple of VL.
              llvm::Value* x = s.problem.loadAVec(s.bi, row, b.CreateAdd(s.k0, kk), vl);
              b.CreateAlignedStore(
                  x, b.CreateInBoundsGEP(s.ctx.f32(), s.packedA, b.CreateAdd(base, kk)),
                  llvm::Align(4 * vl));
            },
            {.noUnroll = true, .noVectorize = true});
        if (s.problem.k % vl != 0)
          scalarCopy(row, base, kVec, {.noUnroll = true, .noVectorize = true});
      },
      {.noUnroll = true});
}

}  // namespace dlc::cpu::gemm
