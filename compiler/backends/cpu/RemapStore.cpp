// Stores through reshape / flatten / transpose chains. See RemapStore.h.
#include "compiler/backends/cpu/RemapStore.h"

#include <numeric>

#include "passes/FusionPolicy.h"

namespace dlc::cpu {

namespace {

// Output axis i of a transpose reads input axis perm[i] (default: reversed).
std::vector<int64_t> transposePerm(const ir::Node& node) {
  std::vector<int64_t> perm = node.attrs.getInts("perm", {});
  if (perm.empty())
    for (size_t i = size_t(node.type.shape.rank()); i-- > 0;) perm.push_back(int64_t(i));
  for (int64_t& p : perm)
    if (p < 0) p += node.type.shape.rank();
  return perm;
}

// The output element offset of the source element at `index`.
llvm::Value* remappedOffset(ElementEmitter& em, const RemapChain& chain,
                            std::vector<llvm::Value*> index) {
  std::vector<int64_t> dims = chain.source->type.shape.dims();
  llvm::Value* linear = nullptr;  // set while the multi-index is not needed
  for (const ir::Node* r : chain.remaps) {
    if (r->op == ir::OpKind::Transpose) {
      if (linear) index = em.delinearize(linear, dims);
      linear = nullptr;
      std::vector<int64_t> perm = transposePerm(*r);
      std::vector<llvm::Value*> permuted(perm.size());
      for (size_t i = 0; i < perm.size(); ++i) permuted[i] = index[size_t(perm[i])];
      index = std::move(permuted);
    } else if (!linear) {
      linear = em.linearize(index, dims);  // reshape / flatten keep the linear index
    }
    dims = r->type.shape.dims();
  }
  return linear ? linear : em.linearize(index, dims);
}

}  // namespace

RemapChain remapChainOf(const ir::Node& output) {
  RemapChain chain;
  const ir::Node* n = &output;
  while (passes::isLayoutRemap(n->op)) {
    chain.remaps.insert(chain.remaps.begin(), n);
    n = n->inputs[0];
  }
  chain.source = n;
  const std::vector<int64_t>& sourceDims = n->type.shape.dims();
  int64_t run = sourceDims.empty() || sourceDims.back() == ir::kBatch ? 1 : sourceDims.back();
  std::vector<int64_t> dims = sourceDims;
  for (const ir::Node* r : chain.remaps) {
    if (r->op == ir::OpKind::Transpose) {
      // Aligned blocks of the trailing axes the transpose keeps in place
      // stay consecutive; the run shrinks to a common divisor.
      std::vector<int64_t> perm = transposePerm(*r);
      int64_t kept = 1;
      for (size_t i = perm.size(); i-- > 0;) {
        if (perm[i] != int64_t(i) || dims[i] == ir::kBatch) break;
        kept *= dims[i];
      }
      run = std::gcd(run, kept);
    }
    dims = r->type.shape.dims();
  }
  chain.contiguousRun = std::max<int64_t>(run, 1);
  return chain;
}

void storeThroughRemaps(EmitContext& ctx, ElementEmitter& em, const RemapChain& chain,
                        llvm::Value* value, llvm::ArrayRef<llvm::Value*> index, unsigned width) {
  const ir::Node* out = chain.remaps.back();
  llvm::Value* base = ctx.outputs.at(out);
  std::vector<llvm::Value*> first(index.begin(), index.end());
  auto storeVector = [&] {
    ctx.storeElement(out->type.dtype, base, remappedOffset(em, chain, first), value, width);
  };
  if (width == 1 || first.empty()) {
    storeVector();
    return;
  }
  llvm::IRBuilderBase& b = ctx.builder;
  auto storeLanes = [&] {
    for (unsigned l = 0; l < width; ++l) {
      std::vector<llvm::Value*> lane = first;
      lane.back() = b.CreateNSWAdd(first.back(), ctx.constI64(int64_t(l)));
      ctx.storeElement(out->type.dtype, base, remappedOffset(em, chain, lane),
                       b.CreateExtractElement(value, uint64_t(l)));
    }
  };
  const int64_t run = chain.contiguousRun;
  const int64_t last = chain.source->type.shape.dims().back();
  if (run == last) {  // lanes never cross the last dim: always consecutive
    storeVector();
    return;
  }
  if (int64_t(width) > run) {
    storeLanes();
    return;
  }
  // Consecutive iff the lanes stay inside one aligned run.
  llvm::Function* fn = b.GetInsertBlock()->getParent();
  llvm::BasicBlock* vecBB = llvm::BasicBlock::Create(ctx.llvm, "remap.vec", fn);
  llvm::BasicBlock* laneBB = llvm::BasicBlock::Create(ctx.llvm, "remap.lanes", fn);
  llvm::BasicBlock* doneBB = llvm::BasicBlock::Create(ctx.llvm, "remap.done", fn);
  llvm::Value* pos = b.CreateURem(first.back(), ctx.constI64(run));
  llvm::Value* end = b.CreateNUWAdd(pos, ctx.constI64(int64_t(width)));
  b.CreateCondBr(b.CreateICmpULE(end, ctx.constI64(run)), vecBB, laneBB);
  b.SetInsertPoint(vecBB);
  storeVector();
  b.CreateBr(doneBB);
  b.SetInsertPoint(laneBB);
  storeLanes();
  b.CreateBr(doneBB);
  b.SetInsertPoint(doneBB);
}

}  // namespace dlc::cpu
