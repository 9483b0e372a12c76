// Reduction kernels: reduce_sum/mean/max/min over any axes, with
// input-fused producers and an elementwise epilogue.
//
// The extent is the number of kept elements (the outputs); each step
// reduces one output over the reduced axes in a loop nest whose innermost
// loop runs over the last reduced axis (contiguous when that is the input's
// last dim), so the loop vectorizer turns it into a vector reduction (the
// accumulation carries `reassoc`). Floats accumulate in f32, integers in
// i64 (wrapping on store, mean truncates toward zero) like the reference.
// An empty reduced extent gives 0 for sum/mean and -inf/+inf (integer
// lowest/highest) for max/min. max/min propagate NaN.
#include <algorithm>
#include <limits>

#include "compiler/backends/cpu/ElementEmitter.h"
#include "compiler/backends/cpu/Epilogue.h"
#include "compiler/backends/cpu/KernelEmitters.h"

namespace dlc::cpu {
namespace {

using ir::DType;
using ir::OpKind;

std::vector<int> reducedAxes(const ir::Node& root, int rank) {
  std::vector<int64_t> axes = root.attrs.getInts("axes", {});
  std::vector<int> out;
  if (axes.empty()) {
    for (int i = 0; i < rank; ++i) out.push_back(i);
    return out;
  }
  for (int64_t a : axes) out.push_back(int(a < 0 ? a + rank : a));
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

}  // namespace

Status emitReductionKernel(EmitContext& ctx) {
  const ir::Kernel& kernel = ctx.kernel;
  const ir::Node* root = kernel.root;
  if (!root || !ir::isReduction(root->op))
    return internalError("reduction kernel ", kernel.id, " without a reduce root");
  DLC_RETURN_IF_ERROR(checkEpilogue(kernel, *root));
  const ir::Node* x = root->inputs[0];
  DType dtype = x->type.dtype;
  if (dtype == DType::Bool)
    return unsupported(root->describe(), ": ", ir::opName(root->op), " on bool");
  bool isF = ir::isFloat(dtype);
  bool isU = dtype == DType::U8;
  const std::vector<int64_t>& inDims = x->type.shape.dims();
  int rank = int(inDims.size());
  std::vector<int> axes = reducedAxes(*root, rank);
  for (int a : axes)
    if (a < 0 || a >= rank) return invalidArgument(root->describe(), ": axis out of range");
  bool keepdims = root->attrs.getInt("keepdims", 0) != 0;
  std::vector<int> kept;
  for (int i = 0; i < rank; ++i)
    if (!std::binary_search(axes.begin(), axes.end(), i)) kept.push_back(i);
  std::vector<int64_t> keptDims;
  for (int k : kept) keptDims.push_back(inDims[size_t(k)]);
  std::vector<int64_t> redDims;
  for (int a : axes) redDims.push_back(inDims[size_t(a)]);

  llvm::IRBuilderBase& b = ctx.builder;
  ctx.defineExtent([&] { return ctx.product(keptDims, 0, keptDims.size()); });
  ElementEmitter em(ctx);
  llvm::Type* accType = isF ? ctx.f32() : ctx.i64();
  llvm::Value* acc = ctx.stackBuffer(accType, 1, "acc");
  OpKind op = root->op;

  emitFor(b, ctx.begin, ctx.end, ctx.constI64(1), "out", [&](llvm::Value* step) {
    // Kept indices from the output step.
    std::vector<llvm::Value*> inIndex(size_t(rank), nullptr);
    llvm::Value* rest = step;
    for (size_t i = kept.size(); i-- > 0;) {
      int64_t d = keptDims[i];
      if (d == 1) {
        inIndex[size_t(kept[i])] = ctx.constI64(0);
      } else if (i == 0) {
        inIndex[size_t(kept[i])] = rest;
      } else {
        inIndex[size_t(kept[i])] = b.CreateURem(rest, ctx.dim(d));
        rest = b.CreateUDiv(rest, ctx.dim(d));
      }
    }
    llvm::Value* init;
    if (op == OpKind::ReduceSum || op == OpKind::ReduceMean)
      init = llvm::Constant::getNullValue(accType);
    else if (isF)
      init = llvm::ConstantFP::getInfinity(accType, /*Negative=*/op == OpKind::ReduceMax);
    else
      init = ctx.constI64(op == OpKind::ReduceMin ? ir::integerHighest(dtype)
                                                     : ir::integerLowest(dtype));
    b.CreateStore(init, acc);
    // Loop nest over the reduced axes, innermost = last reduced axis.
    std::function<void(size_t)> nest = [&](size_t level) {
      if (level == axes.size()) {
        em.forget();
        llvm::Value* v = em.emit(x, inIndex);
        if (!isF) v = isU ? b.CreateZExt(v, accType) : b.CreateSExt(v, accType);
        llvm::Value* a = b.CreateLoad(accType, acc);
        llvm::Value* r;
        if (isF) {
          llvm::FastMathFlags fmf;
          fmf.setAllowContract();
          fmf.setAllowReassoc();
          llvm::IRBuilderBase::FastMathFlagGuard guard(b);
          b.setFastMathFlags(fmf);
          if (op == OpKind::ReduceSum || op == OpKind::ReduceMean) r = b.CreateFAdd(a, v);
          else if (op == OpKind::ReduceMax) r = b.CreateBinaryIntrinsic(llvm::Intrinsic::maximum, a, v);
          else r = b.CreateBinaryIntrinsic(llvm::Intrinsic::minimum, a, v);
        } else {
          if (op == OpKind::ReduceSum || op == OpKind::ReduceMean) r = b.CreateAdd(a, v);
          else if (op == OpKind::ReduceMax) r = b.CreateBinaryIntrinsic(llvm::Intrinsic::smax, a, v);
          else r = b.CreateBinaryIntrinsic(llvm::Intrinsic::smin, a, v);
        }
        b.CreateStore(r, acc);
        return;
      }
      int axis = axes[level];
      emitFor(b, ctx.constI64(0), ctx.dim(inDims[size_t(axis)]), ctx.constI64(1), "r",
              [&](llvm::Value* iv) {
                inIndex[size_t(axis)] = iv;
                nest(level + 1);
              }, {.vectorize = level + 1 == axes.size()});
    };
    nest(0);
    llvm::Value* result = b.CreateLoad(accType, acc);
    if (op == OpKind::ReduceMean) {
      llvm::Value* count = ctx.product(redDims, 0, redDims.size());
      llvm::Value* isEmpty = b.CreateICmpEQ(count, ctx.constI64(0));
      if (isF) {
        result = b.CreateSelect(isEmpty, llvm::ConstantFP::get(accType, 0.0),
                                b.CreateFDiv(result, b.CreateSIToFP(count, accType)));
      } else {
        llvm::Value* safe = b.CreateSelect(isEmpty, ctx.constI64(1), count);
        result = b.CreateSelect(isEmpty, ctx.constI64(0), b.CreateSDiv(result, safe));
      }
    }
    if (!isF) result = b.CreateTrunc(result, ctx.computeType(dtype));
    // Output index in the root's shape.
    std::vector<llvm::Value*> outIndex;
    for (int i = 0; i < rank; ++i) {
      bool reduced = std::binary_search(axes.begin(), axes.end(), i);
      if (!reduced) outIndex.push_back(inIndex[size_t(i)]);
      else if (keepdims) outIndex.push_back(ctx.constI64(0));
    }
    storeOutputs(ctx, em, *root, result, outIndex);
  });
  return Status::OK();
}

}  // namespace dlc::cpu
