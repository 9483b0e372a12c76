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

// Index arithmetic on scalars, or on `width`-lane vectors (one lane per
// element stored) when width > 1.
class IndexMath {
 public:
  IndexMath(EmitContext& ctx, unsigned width) : ctx_(ctx), width_(width) {}

  llvm::Value* lanes(llvm::Value* scalar) {
    return width_ > 1 ? ctx_.builder.CreateVectorSplat(width_, scalar) : scalar;
  }
  llvm::Value* dim(int64_t d) { return lanes(ctx_.dim(d)); }

  // Row-major linear index of `index` in `dims`, and back.
  llvm::Value* linearize(const std::vector<llvm::Value*>& index, const std::vector<int64_t>& dims) {
    llvm::IRBuilderBase& b = ctx_.builder;
    llvm::Value* lin = lanes(ctx_.constI64(0));
    for (size_t i = 0; i < dims.size(); ++i)
      lin = b.CreateNSWAdd(b.CreateNSWMul(lin, dim(dims[i])), index[i]);
    return lin;
  }
  std::vector<llvm::Value*> delinearize(llvm::Value* linear, const std::vector<int64_t>& dims) {
    llvm::IRBuilderBase& b = ctx_.builder;
    std::vector<llvm::Value*> index(dims.size());
    for (size_t i = dims.size(); i-- > 0;) {
      if (dims[i] == 1) {
        index[i] = lanes(ctx_.constI64(0));
      } else if (i == 0) {
        index[i] = linear;
      } else {
        index[i] = b.CreateURem(linear, dim(dims[i]));
        linear = b.CreateUDiv(linear, dim(dims[i]));
      }
    }
    return index;
  }

  // The output element offset of the chain's source element at `index`.
  llvm::Value* remappedOffset(const RemapChain& chain, std::vector<llvm::Value*> index) {
    std::vector<int64_t> dims = chain.source->type.shape.dims();
    llvm::Value* linear = nullptr;  // set while the multi-index is not needed
    for (const ir::Node* r : chain.remaps) {
      if (r->op == ir::OpKind::Transpose) {
        if (linear) index = delinearize(linear, dims);
        linear = nullptr;
        std::vector<int64_t> perm = transposePerm(*r);
        std::vector<llvm::Value*> permuted(perm.size());
        for (size_t i = 0; i < perm.size(); ++i) permuted[i] = index[size_t(perm[i])];
        index = std::move(permuted);
      } else if (!linear) {
        linear = linearize(index, dims);  // reshape / flatten keep the linear index
      }
      dims = r->type.shape.dims();
    }
    return linear ? linear : linearize(index, dims);
  }

 private:
  EmitContext& ctx_;
  unsigned width_;
};

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

void storeThroughRemaps(EmitContext& ctx, const RemapChain& chain, llvm::Value* value,
                        llvm::ArrayRef<llvm::Value*> index, unsigned width) {
  const ir::Node* out = chain.remaps.back();
  llvm::Value* base = ctx.outputs.at(out);
  std::vector<llvm::Value*> first(index.begin(), index.end());
  auto storeVector = [&] {
    llvm::Value* offset = IndexMath(ctx, 1).remappedOffset(chain, first);
    ctx.storeElement(out->type.dtype, base, offset, value, width);
  };
  if (width == 1 || first.empty()) {
    storeVector();
    return;
  }
  llvm::IRBuilderBase& b = ctx.builder;
  auto storeLanes = [&] {
    // All lane offsets at once as a vector, then one scalar store per lane.
    IndexMath math(ctx, width);
    std::vector<llvm::Value*> lanes;
    for (llvm::Value* i : first) lanes.push_back(math.lanes(i));
    std::vector<llvm::Constant*> steps;
    for (unsigned l = 0; l < width; ++l)
      steps.push_back(llvm::ConstantInt::get(ctx.i64(), l));
    lanes.back() = b.CreateNSWAdd(lanes.back(), llvm::ConstantVector::get(steps));
    llvm::Value* offsets = math.remappedOffset(chain, lanes);
    for (unsigned l = 0; l < width; ++l)
      ctx.storeElement(out->type.dtype, base, b.CreateExtractElement(offsets, uint64_t(l)),
                       b.CreateExtractElement(value, uint64_t(l)));
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
