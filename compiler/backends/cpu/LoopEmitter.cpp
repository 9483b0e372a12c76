// Loop kernels: elementwise ops, broadcasts and index remaps as one loop nest
// per distinct output shape.
//
// Dims that every member and param treats alike (all full or all broadcast)
// are collapsed, so a pure elementwise chain becomes one flat loop that the
// loop vectorizer turns into AVX2/AVX-512 code. The extent counts blocks of
// up to kBlock elements of the innermost dim times the outer dims; a
// multi-output kernel whose outputs differ in shape runs one nest per shape,
// each nest taking its proportional share of every chunk. The batch dim is
// never merged with others (it keeps index math affine in N).
#include <algorithm>
#include <set>

#include "compiler/backends/cpu/ElementEmitter.h"
#include "compiler/backends/cpu/KernelEmitters.h"
#include "ir/LoopCollapse.h"

namespace dlc::cpu {
namespace {

constexpr int64_t kBlock = 4096;

// Collapses the loop (ir/LoopCollapse.h); records each node's collapsed
// dims in `em` and returns the output's.
std::vector<int64_t> collapse(ElementEmitter& em, const std::vector<int64_t>& outDims,
                              const std::vector<const ir::Node*>& nodes) {
  ir::CollapsedDims c = ir::collapseDims(outDims, nodes);
  for (const ir::Node* n : nodes) em.setDims(n, c.nodes.at(n));
  return c.output;
}

struct Nest {
  std::vector<int64_t> dims;
  std::vector<const ir::Node*> outputs;
};

// Number of blocks of the innermost dim.
llvm::Value* blocksOf(EmitContext& ctx, int64_t inner) {
  if (inner != ir::kBatch) return ctx.constI64(inner <= kBlock ? 1 : (inner + kBlock - 1) / kBlock);
  llvm::IRBuilderBase& b = ctx.builder;
  return b.CreateUDiv(b.CreateAdd(ctx.batch, ctx.constI64(kBlock - 1)), ctx.constI64(kBlock));
}

// Step count of a nest: outer dims × blocks of the innermost dim.
llvm::Value* stepsOf(EmitContext& ctx, const std::vector<int64_t>& dims) {
  if (dims.empty()) return ctx.constI64(1);
  llvm::Value* outer = ctx.product(dims, 0, dims.size() - 1);
  return ctx.builder.CreateMul(outer, blocksOf(ctx, dims.back()));
}

// How many vector iterations the innermost loop runs side by side. A
// transcendental (exp, tanh, erf, ...) is a dependency chain of 20 to 30
// vector ops; with one chain per iteration the out-of-order core's
// scheduler fills with waiting ops long before the FMA ports are busy, so
// a kernel with one is interleaved as deeply as the registers allow: 8 with
// AVX-512's 32 vector registers, 4 with 16. elementwise_chain (tanh, exp,
// sigmoid; 16 lanes) in cache, one thread: 1.31 -> 0.76 ns per element.
// Other loops stream memory and keep LLVM's choice.
unsigned interleaveCount(const EmitContext& ctx) {
  bool expensive = std::any_of(ctx.kernel.nodes.begin(), ctx.kernel.nodes.end(),
                               [](const ir::Node* n) { return ir::isExpensive(n->op); });
  if (!expensive) return 0;
  return ctx.vectorBits >= 512 ? 8 : 4;
}

void emitNest(EmitContext& ctx, ElementEmitter& em, const Nest& nest, llvm::Value* lo,
              llvm::Value* hi) {
  llvm::IRBuilderBase& b = ctx.builder;
  const std::vector<int64_t>& dims = nest.dims;
  if (dims.empty()) {
    emitFor(b, lo, hi, ctx.constI64(1), "scalar", [&](llvm::Value*) {
      em.forget();
      for (const ir::Node* out : nest.outputs) em.store(out, {}, em.emit(out, {}));
    });
    return;
  }
  size_t r = dims.size();
  emitFor(b, lo, hi, ctx.constI64(1), "step", [&](llvm::Value* step) {
    llvm::Value* nb = blocksOf(ctx, dims.back());
    llvm::Value* outer = b.CreateUDiv(step, nb);
    llvm::Value* blk = b.CreateURem(step, nb);
    // Delinearise the outer step over dims[0, r-1).
    std::vector<llvm::Value*> index(r);
    for (size_t i = r - 1; i-- > 0;) {
      if (i == 0) {
        index[i] = outer;
        break;
      }
      llvm::Value* d = ctx.dim(dims[i]);
      index[i] = dims[i] == 1 ? ctx.constI64(0) : b.CreateURem(outer, d);
      outer = dims[i] == 1 ? outer : b.CreateUDiv(outer, d);
    }
    llvm::Value* j0 = b.CreateMul(blk, ctx.constI64(kBlock));
    llvm::Value* j1 = b.CreateBinaryIntrinsic(llvm::Intrinsic::smin,
                                              b.CreateAdd(j0, ctx.constI64(kBlock)),
                                              ctx.dim(dims.back()));
    auto body = [&](llvm::Value* j) {
      em.forget();
      index[r - 1] = j;
      for (const ir::Node* out : nest.outputs) em.store(out, index, em.emit(out, index));
    };
    // An interleaved loop covers whole spans of interleave × lanes elements
    // (128 with AVX-512); the rest, up to 127 elements, runs in a second,
    // plainly vectorized loop instead of LLVM's scalar remainder.
    const unsigned interleave = interleaveCount(ctx);
    const int64_t span = int64_t(interleave) * (ctx.vectorBits / 32);
    const int64_t inner = dims.back();
    if (interleave <= 1 || (inner != ir::kBatch && inner < span)) {
      emitFor(b, j0, j1, ctx.constI64(1), "i", body, {.vectorize = true});
      return;
    }
    llvm::Value* whole = b.CreateMul(b.CreateUDiv(b.CreateSub(j1, j0), ctx.constI64(span)),
                                     ctx.constI64(span));
    llvm::Value* jm = b.CreateAdd(j0, whole);
    emitFor(b, j0, jm, ctx.constI64(1), "i", body, {.vectorize = true, .interleave = interleave});
    if (inner == ir::kBatch || inner % span != 0)
      emitFor(b, jm, j1, ctx.constI64(1), "rest", body, {.vectorize = true});
  });
}

}  // namespace

llvm::Value* scaleStep(EmitContext& ctx, llvm::Value* step, llvm::Value* total,
                       llvm::Value* extent) {
  llvm::IRBuilderBase& b = ctx.builder;
  return b.CreateUDiv(b.CreateMul(step, total), extent);
}

void emitOutputNests(EmitContext& ctx, const std::vector<const ir::Node*>& outputs) {
  if (outputs.empty()) return;
  llvm::IRBuilderBase& b = ctx.builder;
  ElementEmitter em(ctx);
  std::vector<Nest> nests;
  for (const ir::Node* out : outputs) {
    const std::vector<int64_t>& d = out->type.shape.dims();
    auto it = std::find_if(nests.begin(), nests.end(), [&](const Nest& n) { return n.dims == d; });
    if (it == nests.end()) nests.push_back({d, {out}});
    else it->outputs.push_back(out);
  }
  llvm::Value* extent = b.CreateBinaryIntrinsic(
      llvm::Intrinsic::smax, b.CreateCall(ctx.extentFunction, {ctx.batch}), ctx.constI64(1));
  for (const Nest& nest : nests) {
    llvm::Value* total = stepsOf(ctx, nest.dims);
    emitNest(ctx, em, nest, scaleStep(ctx, ctx.begin, total, extent),
             scaleStep(ctx, ctx.end, total, extent));
  }
}

Status emitLoopKernel(EmitContext& ctx) {
  const ir::Kernel& kernel = ctx.kernel;
  for (const ir::Node* n : kernel.nodes) DLC_RETURN_IF_ERROR(ElementEmitter::checkSupported(*n));
  ElementEmitter em(ctx);
  std::vector<Nest> nests;
  for (const ir::Node* out : kernel.outputs) {
    const std::vector<int64_t>& d = out->type.shape.dims();
    auto it = std::find_if(nests.begin(), nests.end(), [&](const Nest& n) { return n.dims == d; });
    if (it == nests.end()) nests.push_back({d, {out}});
    else it->outputs.push_back(out);
  }
  if (nests.empty()) return internalError("loop kernel ", kernel.id, " has no outputs");
  if (nests.size() == 1 && ir::isCollapsible(kernel)) {
    std::vector<const ir::Node*> nodes(kernel.nodes.begin(), kernel.nodes.end());
    for (const ir::Node* p : kernel.params) nodes.push_back(p);
    nests[0].dims = collapse(em, nests[0].dims, nodes);
  }
  if (nests.size() == 1) {
    ctx.defineExtent([&] { return stepsOf(ctx, nests[0].dims); });
    emitNest(ctx, em, nests[0], ctx.begin, ctx.end);
    return Status::OK();
  }
  // Several shapes: the extent is the first nest's step count (at least 1);
  // every nest takes its proportional share of a chunk.
  auto extentOf = [&] {
    return ctx.builder.CreateBinaryIntrinsic(llvm::Intrinsic::smax, stepsOf(ctx, nests[0].dims),
                                             ctx.constI64(1));
  };
  ctx.defineExtent(extentOf);
  llvm::Value* extent = extentOf();
  for (const Nest& nest : nests) {
    llvm::Value* total = stepsOf(ctx, nest.dims);
    emitNest(ctx, em, nest, scaleStep(ctx, ctx.begin, total, extent),
             scaleStep(ctx, ctx.end, total, extent));
  }
  return Status::OK();
}

}  // namespace dlc::cpu
