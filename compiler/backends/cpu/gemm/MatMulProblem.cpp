// matmul and dense as GemmProblems. See Problems.h.
#include "compiler/backends/cpu/gemm/Problems.h"

#include <memory>

#include "compiler/backends/cpu/ElementEmitter.h"

namespace dlc::cpu::gemm {

std::vector<llvm::Value*> unflatten(EmitContext& ctx, llvm::Value* flat,
                                    const std::vector<int64_t>& dims, size_t from, size_t to) {
  std::vector<llvm::Value*> index(to - from);
  llvm::IRBuilderBase& b = ctx.builder;
  for (size_t d = to; d > from; --d) {
    int64_t extent = dims[d - 1];
    if (d - 1 == from) {
      index[d - 1 - from] = flat;
    } else if (extent == 1) {
      index[d - 1 - from] = ctx.constI64(0);
    } else {
      llvm::Value* e = ctx.dim(extent);
      index[d - 1 - from] = b.CreateURem(flat, e);
      flat = b.CreateUDiv(flat, e);
    }
  }
  return index;
}

llvm::Value* columnMask(EmitContext& ctx, llvm::Value* j, unsigned width, int64_t cols) {
  llvm::IRBuilderBase& b = ctx.builder;
  std::vector<llvm::Constant*> lanes;
  for (unsigned l = 0; l < width; ++l)
    lanes.push_back(llvm::ConstantInt::get(ctx.i64(), uint64_t(l)));
  llvm::Value* col = b.CreateAdd(b.CreateVectorSplat(width, j), llvm::ConstantVector::get(lanes));
  return b.CreateICmpSLT(col, b.CreateVectorSplat(width, ctx.constI64(cols)));
}

StatusOr<llvm::Value*> operandBuffer(EmitContext& ctx, const ir::Node& root, size_t index) {
  llvm::Value* base = ctx.bufferOf(root.inputs[index]);
  if (!base)
    return unsupported(root.describe(), ": operand ", index, " (",
                       root.inputs[index]->name, ") is not in memory; the CPU backend reads ",
                       "contraction operands from buffers only");
  return base;
}

namespace {

// Element offset of a's batch part for the output batch index `outBatch`
// (right-aligned broadcast: size-1 operand dims read index 0).
llvm::Value* batchOffset(EmitContext& ctx, const std::vector<int64_t>& dims,
                         const std::vector<llvm::Value*>& outBatch) {
  llvm::IRBuilderBase& b = ctx.builder;
  size_t rank = dims.size(), batchRank = rank - 2;
  llvm::Value* off = ctx.constI64(0);
  for (size_t d = 0; d < batchRank; ++d) {
    if (dims[d] == 1) continue;
    llvm::Value* idx = outBatch[outBatch.size() - batchRank + d];
    off = b.CreateAdd(off, b.CreateMul(idx, ctx.product(dims, d + 1, rank)));
  }
  return off;
}

}  // namespace

StatusOr<GemmProblem> matMulProblem(EmitContext& ctx, const ir::Node& root,
                                    const EpilogueFn& epilogue) {
  const std::vector<int64_t>& ad = root.inputs[0]->type.shape.dims();
  const std::vector<int64_t>& bd = root.inputs[1]->type.shape.dims();
  const std::vector<int64_t>& od = root.type.shape.dims();
  if (ad.size() < 2 || bd.size() < 2 || od.size() < 2)
    return unsupported(root.describe(), ": matmul needs operands of rank >= 2");
  const bool ta = root.attrs.getInt("transpose_a", 0) != 0;
  const bool tb = root.attrs.getInt("transpose_b", 0) != 0;
  const size_t ra = ad.size(), rb = bd.size(), ro = od.size();
  const int64_t k = ad[ra - (ta ? 2 : 1)];
  const int64_t cols = od[ro - 1];
  if (k == ir::kBatch || cols == ir::kBatch || bd[rb - 1] == ir::kBatch ||
      bd[rb - 2] == ir::kBatch)
    return unsupported(root.describe(),
                       ": the batch symbol N may not be a contraction or column extent");
  DLC_ASSIGN_OR_RETURN(llvm::Value* aBase, operandBuffer(ctx, root, 0));
  DLC_ASSIGN_OR_RETURN(llvm::Value* bBase, operandBuffer(ctx, root, 1));
  const ir::DType aType = root.inputs[0]->type.dtype, bType = root.inputs[1]->type.dtype;
  // Element strides of logical rows/columns (after the transposes).
  const int64_t aLast = ad[ra - 1];
  const int64_t bLast = bd[rb - 1];
  const int64_t aRow = ta ? 1 : aLast, aCol = ta ? aLast : 1;
  const int64_t bRow = tb ? 1 : bLast, bCol = tb ? bLast : 1;
  EmitContext* c = &ctx;
  const EpilogueFn* epi = &epilogue;

  GemmProblem p;
  p.k = k;
  p.cols = cols;
  p.batchCount = [c, od, ro] { return c->product(od, 0, ro - 2); };
  p.rows = [c, od, ro] { return c->dim(od[ro - 2]); };
  auto outBatch = [c, od, ro](llvm::Value* bi) { return unflatten(*c, bi, od, 0, ro - 2); };
  auto aOffset = [c, ad, outBatch](llvm::Value* bi) { return batchOffset(*c, ad, outBatch(bi)); };
  auto bOffset = [c, bd, outBatch](llvm::Value* bi) { return batchOffset(*c, bd, outBatch(bi)); };
  p.loadA = [c, aBase, aType, aOffset, aRow, aCol](llvm::Value* bi, llvm::Value* i,
                                                    llvm::Value* kk) {
    llvm::IRBuilderBase& b = c->builder;
    llvm::Value* off = b.CreateAdd(aOffset(bi), b.CreateAdd(b.CreateMul(i, c->constI64(aRow)),
                                                            b.CreateMul(kk, c->constI64(aCol))));
    return c->loadElement(aType, aBase, off);
  };
  if (aCol == 1) {
    p.loadAVec = [c, aBase, aType, aOffset, aRow](llvm::Value* bi, llvm::Value* i,
                                                   llvm::Value* kk, unsigned width) {
      llvm::IRBuilderBase& b = c->builder;
      llvm::Value* off =
          b.CreateAdd(aOffset(bi), b.CreateAdd(b.CreateMul(i, c->constI64(aRow)), kk));
      return c->loadElement(aType, aBase, off, width);
    };
  }
  p.loadB = [c, bBase, bType, bOffset, bRow, bCol](llvm::Value* bi, llvm::Value* kk,
                                                    llvm::Value* j, unsigned width) {
    llvm::IRBuilderBase& b = c->builder;
    llvm::Value* rowOff = b.CreateAdd(bOffset(bi), b.CreateMul(kk, c->constI64(bRow)));
    if (width == 1 || bCol == 1)
      return c->loadElement(bType, bBase, b.CreateAdd(rowOff, b.CreateMul(j, c->constI64(bCol))),
                            width);
    llvm::Value* vec = llvm::Constant::getNullValue(llvm::FixedVectorType::get(c->f32(), width));
    for (unsigned l = 0; l < width; ++l) {
      llvm::Value* col = b.CreateAdd(j, c->constI64(l));
      llvm::Value* x =
          c->loadElement(bType, bBase, b.CreateAdd(rowOff, b.CreateMul(col, c->constI64(bCol))));
      vec = b.CreateInsertElement(vec, x, l);
    }
    return vec;
  };
  if (bRow == 1 && bCol != 1)
    p.loadBAlongK = [c, bBase, bType, bOffset, bCol](llvm::Value* bi, llvm::Value* kk,
                                                     llvm::Value* j, unsigned width) {
      llvm::IRBuilderBase& b = c->builder;
      llvm::Value* off = b.CreateAdd(bOffset(bi), b.CreateAdd(b.CreateMul(j, c->constI64(bCol)), kk));
      return c->loadElement(bType, bBase, off, width);
    };
  p.loadBEdge = [c, bBase, bType, bOffset, bRow, bCol, cols](llvm::Value* bi, llvm::Value* kk,
                                                             llvm::Value* j, unsigned width) {
    llvm::IRBuilderBase& b = c->builder;
    llvm::Value* mask = columnMask(*c, j, width, cols);
    llvm::Value* rowOff = b.CreateAdd(bOffset(bi), b.CreateMul(kk, c->constI64(bRow)));
    llvm::Value* first = b.CreateAdd(rowOff, b.CreateMul(j, c->constI64(bCol)));
    if (bCol == 1) return c->maskedLoadElements(bType, bBase, first, mask);
    std::vector<llvm::Constant*> steps;
    for (unsigned l = 0; l < width; ++l)
      steps.push_back(llvm::ConstantInt::get(c->i64(), uint64_t(int64_t(l) * bCol)));
    llvm::Value* offsets =
        b.CreateAdd(b.CreateVectorSplat(width, first), llvm::ConstantVector::get(steps));
    return c->gatherElements(bType, bBase, offsets, mask);
  };
  if (aCol == 1 && aType == ir::DType::F32) {
    p.directA = [c, aBase, aOffset](llvm::Value* bi) {
      return c->builder.CreateInBoundsGEP(c->f32(), aBase, aOffset(bi));
    };
    p.directAStride = aRow;
  }
  if (!tb && bType == ir::DType::F32) {
    p.directB = [c, bBase, bOffset](llvm::Value* bi) {
      return c->builder.CreateInBoundsGEP(c->f32(), bBase, bOffset(bi));
    };
    p.directBStride = bRow;
  }
  p.output = [c, epi, outBatch](llvm::Value* bi, llvm::Value* i, llvm::Value* j,
                                llvm::Value* acc, unsigned width) {
    std::vector<llvm::Value*> index = outBatch(bi);
    index.push_back(i);
    index.push_back(j);
    (*epi)(c->builder, acc, index, width);
  };
  return p;
}

StatusOr<GemmProblem> denseProblem(EmitContext& ctx, const ir::Node& root,
                                   const EpilogueFn& epilogue) {
  const std::vector<int64_t>& xd = root.inputs[0]->type.shape.dims();
  const std::vector<int64_t>& wd = root.inputs[1]->type.shape.dims();
  const std::vector<int64_t>& od = root.type.shape.dims();
  if (xd.empty() || wd.size() != 2 || xd.back() != wd[0] || od.back() != wd[1])
    return unsupported(root.describe(), ": dense expects x[..., in] and w[in, out]");
  if (wd[0] == ir::kBatch || wd[1] == ir::kBatch)
    return unsupported(root.describe(), ": the batch symbol N may not be a dense extent");
  // x is read from its buffer, or, when the fusion policy fused its
  // producers (cheap elementwise ops, reshape, flatten) into this kernel,
  // computed from them element by element while A is packed.
  const ir::Node* x = root.inputs[0];
  std::shared_ptr<ElementEmitter> xEmitter;
  llvm::Value* xBase = nullptr;
  if (x->kernel == ctx.kernel.id && !ir::isSource(x->op)) {
    xEmitter = std::make_shared<ElementEmitter>(ctx);
  } else {
    DLC_ASSIGN_OR_RETURN(xBase, operandBuffer(ctx, root, 0));
  }
  DLC_ASSIGN_OR_RETURN(llvm::Value* wBase, operandBuffer(ctx, root, 1));
  llvm::Value* biasBase = nullptr;
  if (root.inputs.size() > 2) {
    DLC_ASSIGN_OR_RETURN(biasBase, operandBuffer(ctx, root, 2));
  }
  const ir::DType xType = root.inputs[0]->type.dtype, wType = root.inputs[1]->type.dtype;
  const ir::DType biasType = biasBase ? root.inputs[2]->type.dtype : xType;
  const int64_t in = wd[0], out = wd[1];
  const size_t ro = od.size();
  EmitContext* c = &ctx;
  const EpilogueFn* epi = &epilogue;

  GemmProblem p;
  p.k = in;
  p.cols = out;
  p.batchCount = [c] { return c->constI64(1); };
  p.rows = [c, od, ro] { return c->product(od, 0, ro - 1); };
  p.loadAVec = [c, x, xEmitter, xBase, xType, in, xd](llvm::Value*, llvm::Value* i,
                                                       llvm::Value* kk, unsigned width) {
    llvm::IRBuilderBase& b = c->builder;
    if (!xEmitter)
      return c->loadElement(xType, xBase, b.CreateAdd(b.CreateMul(i, c->constI64(in)), kk),
                            width);
    // Values of one call do not dominate the next (each is in a loop body).
    xEmitter->forget();
    std::vector<llvm::Value*> index = unflatten(*c, i, xd, 0, xd.size() - 1);
    index.push_back(kk);
    return xEmitter->emit(x, index, width);
  };
  p.loadA = [loadAVec = p.loadAVec](llvm::Value* bi, llvm::Value* i, llvm::Value* kk) {
    return loadAVec(bi, i, kk, 1);
  };
  p.loadB = [c, wBase, wType, out](llvm::Value*, llvm::Value* kk, llvm::Value* j,
                                   unsigned width) {
    llvm::IRBuilderBase& b = c->builder;
    return c->loadElement(wType, wBase, b.CreateAdd(b.CreateMul(kk, c->constI64(out)), j), width);
  };
  p.loadBEdge = [c, wBase, wType, out](llvm::Value*, llvm::Value* kk, llvm::Value* j,
                                       unsigned width) {
    llvm::IRBuilderBase& b = c->builder;
    return c->maskedLoadElements(wType, wBase, b.CreateAdd(b.CreateMul(kk, c->constI64(out)), j),
                                 columnMask(*c, j, width, out));
  };
  if (xBase && xType == ir::DType::F32) {
    p.directA = [xBase](llvm::Value*) { return xBase; };
    p.directAStride = in;
  }
  if (ctx.prepackedWeights && ctx.prepackedWeights->count(root.inputs[1])) {
    p.prepackedB = [wBase](llvm::Value*) { return wBase; };
  } else if (wType == ir::DType::F32) {
    p.directB = [wBase](llvm::Value*) { return wBase; };
    p.directBStride = out;
  }
  p.output = [c, epi, od, ro, biasBase, biasType](llvm::Value*, llvm::Value* i, llvm::Value* j,
                                                   llvm::Value* acc, unsigned width) {
    if (biasBase) acc = c->builder.CreateFAdd(acc, c->loadElement(biasType, biasBase, j, width));
    std::vector<llvm::Value*> index = unflatten(*c, i, od, 0, ro - 1);
    index.push_back(j);
    (*epi)(c->builder, acc, index, width);
  };
  return p;
}

}  // namespace dlc::cpu::gemm
