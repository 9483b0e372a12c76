// Pool kernels (NCHW): max_pool2d, avg_pool2d and global_avg_pool with
// input-fused producers and an elementwise epilogue.
//
// The extent is N·C·OH (one output row per step; global_avg_pool: N·C).
// Window positions outside the input are clamped and masked with selects, so
// the window loops are branch-free: padding never wins a max, and avg counts
// only in-bounds elements unless count_include_pad. max propagates NaN.
//
// Plane path: when the pooled input is read from memory (no fused producer)
// and the epilogue is linear in the output plane (Epilogue.h), the extent is
// N·C and each step computes its plane VL outputs at a time along the
// flattened (oh, ow) positions, so short rows still fill whole vectors:
// every window tap is one masked gather (the mask drops the padding), and
// the outputs go to the epilogue as vectors. The last positions of a plane
// that fill no vector go through the scalar code.
#include <algorithm>

#include "compiler/backends/cpu/ElementEmitter.h"
#include "compiler/backends/cpu/Epilogue.h"
#include "compiler/backends/cpu/KernelEmitters.h"

namespace dlc::cpu {

Status emitPoolKernel(EmitContext& ctx) {
  const ir::Kernel& kernel = ctx.kernel;
  const ir::Node* root = kernel.root;
  if (!root || !ir::isPool(root->op)) return internalError("pool kernel without a pool root");
  DLC_RETURN_IF_ERROR(checkEpilogue(kernel, *root));
  const ir::Node* x = root->inputs[0];
  if (!ir::isFloat(x->type.dtype) || x->type.shape.rank() != 4)
    return unsupported(root->describe(), ": pooling needs a 4-D NCHW float input");
  const std::vector<int64_t>& in = x->type.shape.dims();
  const std::vector<int64_t>& out = root->type.shape.dims();
  llvm::IRBuilderBase& b = ctx.builder;
  llvm::Type* f32 = ctx.f32();
  auto c = [&](double v) { return llvm::ConstantFP::get(f32, v); };
  ElementEmitter em(ctx);
  llvm::Value* acc = ctx.stackBuffer(f32, 1, "acc");
  llvm::Value* cnt = ctx.stackBuffer(ctx.i64(), 1, "count");
  llvm::FastMathFlags reassoc;
  reassoc.setAllowContract();
  reassoc.setAllowReassoc();

  if (root->op == ir::OpKind::GlobalAvgPool) {
    ctx.defineExtent([&] { return ctx.product(in, 0, 2); });
    emitFor(b, ctx.begin, ctx.end, ctx.constI64(1), "plane", [&](llvm::Value* p) {
      llvm::Value* n = b.CreateUDiv(p, ctx.dim(in[1]));
      llvm::Value* ch = b.CreateURem(p, ctx.dim(in[1]));
      b.CreateStore(c(0.0), acc);
      emitFor(b, ctx.constI64(0), ctx.dim(in[2]), ctx.constI64(1), "h", [&](llvm::Value* h) {
        emitFor(b, ctx.constI64(0), ctx.dim(in[3]), ctx.constI64(1), "w", [&](llvm::Value* w) {
          em.forget();
          llvm::Value* v = em.emit(x, {n, ch, h, w});
          llvm::IRBuilderBase::FastMathFlagGuard guard(b);
          b.setFastMathFlags(reassoc);
          b.CreateStore(b.CreateFAdd(b.CreateLoad(f32, acc), v), acc);
        }, {.vectorize = true});
      });
      int64_t area = in[2] * in[3];
      llvm::Value* r = area == 0 ? c(0.0) : b.CreateFDiv(b.CreateLoad(f32, acc), c(double(area)));
      storeOutputs(ctx, em, *root, r, {n, ch, ctx.constI64(0), ctx.constI64(0)});
    });
    return Status::OK();
  }

  std::vector<int64_t> k = root->attrs.getInts("kernel", {});
  if (k.size() != 2) return invalidArgument(root->describe(), ": 'kernel' must be [kh, kw]");
  std::vector<int64_t> s = root->attrs.getInts("strides", k);
  std::vector<int64_t> pads = root->attrs.getInts("pads", {0, 0, 0, 0});
  if (s.size() != 2 || pads.size() != 4)
    return invalidArgument(root->describe(), ": 'strides' needs 2 and 'pads' 4 entries");
  bool isMax = root->op == ir::OpKind::MaxPool2D;
  bool includePad = root->attrs.getInt("count_include_pad", 0) != 0;

  // One output element at (n, ch, oh, ow), window by window.
  auto emitElement = [&](llvm::Value* n, llvm::Value* ch, llvm::Value* oh, llvm::Value* ow) {
    b.CreateStore(llvm::ConstantFP::getInfinity(f32, /*Negative=*/true), acc);
    if (!isMax) b.CreateStore(c(0.0), acc);
    b.CreateStore(ctx.constI64(0), cnt);
    for (int64_t i = 0; i < k[0]; ++i) {
      for (int64_t j = 0; j < k[1]; ++j) {
        em.forget();
        llvm::Value* ih = b.CreateAdd(b.CreateMul(oh, ctx.constI64(s[0])), ctx.constI64(i - pads[0]));
        llvm::Value* iw = b.CreateAdd(b.CreateMul(ow, ctx.constI64(s[1])), ctx.constI64(j - pads[1]));
        llvm::Value* valid = b.CreateAnd(
            b.CreateAnd(b.CreateICmpSGE(ih, ctx.constI64(0)), b.CreateICmpSLT(ih, ctx.dim(in[2]))),
            b.CreateAnd(b.CreateICmpSGE(iw, ctx.constI64(0)), b.CreateICmpSLT(iw, ctx.dim(in[3]))));
        auto clamp = [&](llvm::Value* v, int64_t hi) {
          v = b.CreateBinaryIntrinsic(llvm::Intrinsic::smax, v, ctx.constI64(0));
          return b.CreateBinaryIntrinsic(llvm::Intrinsic::smin, v, ctx.constI64(std::max<int64_t>(hi - 1, 0)));
        };
        llvm::Value* v = em.emit(x, {n, ch, clamp(ih, in[2]), clamp(iw, in[3])});
        llvm::Value* a = b.CreateLoad(f32, acc);
        llvm::Value* r = isMax ? b.CreateBinaryIntrinsic(llvm::Intrinsic::maximum, a, v)
                               : b.CreateFAdd(a, v);
        b.CreateStore(b.CreateSelect(valid, r, a), acc);
        llvm::Value* count = b.CreateLoad(ctx.i64(), cnt);
        b.CreateStore(b.CreateAdd(count, b.CreateZExt(valid, ctx.i64())), cnt);
      }
    }
    llvm::Value* r = b.CreateLoad(f32, acc);
    if (!isMax) {
      llvm::Value* count = includePad ? ctx.constI64(k[0] * k[1]) : b.CreateLoad(ctx.i64(), cnt);
      llvm::Value* zero = b.CreateICmpEQ(count, ctx.constI64(0));
      r = b.CreateSelect(zero, c(0.0), b.CreateFDiv(r, b.CreateSIToFP(count, f32)));
    }
    storeOutputs(ctx, em, *root, r, {n, ch, oh, ow});
  };

  const unsigned vl = std::min(16u, ctx.vectorBits / 32);
  const int64_t planeOut = out[2] * out[3];
  const bool readsMemory = x->kernel != kernel.id && ctx.bufferOf(x) != nullptr;
  const bool planePath = readsMemory && vl > 1 && planeOut >= int64_t(vl) &&
                         in[2] * in[3] < (int64_t(1) << 30) && planeOut < (int64_t(1) << 30) &&
                         in[2] < (int64_t(1) << 15) && in[3] < (int64_t(1) << 15) &&
                         epilogueLinearInTrailingDims(kernel, *root, 2);
  if (!planePath) {
    ctx.defineExtent([&] { return ctx.product(out, 0, 3); });
    emitFor(b, ctx.begin, ctx.end, ctx.constI64(1), "orow", [&](llvm::Value* step) {
      llvm::Value* oh = b.CreateURem(step, ctx.dim(out[2]));
      llvm::Value* p = b.CreateUDiv(step, ctx.dim(out[2]));
      llvm::Value* ch = b.CreateURem(p, ctx.dim(out[1]));
      llvm::Value* n = b.CreateUDiv(p, ctx.dim(out[1]));
      emitFor(b, ctx.constI64(0), ctx.dim(out[3]), ctx.constI64(1), "ow",
              [&](llvm::Value* ow) { emitElement(n, ch, oh, ow); }, {.vectorize = true});
    });
    return Status::OK();
  }

  llvm::IntegerType* i32 = b.getInt32Ty();
  auto ci = [&](int64_t v) { return llvm::ConstantInt::get(i32, uint64_t(v), true); };
  auto splat = [&](llvm::Value* v) { return b.CreateVectorSplat(vl, v); };
  std::vector<llvm::Constant*> laneIds;
  for (unsigned l = 0; l < vl; ++l) laneIds.push_back(ci(l));
  llvm::Value* xBase = ctx.bufferOf(x);
  llvm::Type* xStorage = ctx.storageType(x->type.dtype);
  llvm::FixedVectorType* vf = llvm::FixedVectorType::get(f32, vl);
  const int64_t fullVectors = planeOut / int64_t(vl);
  ctx.defineExtent([&] { return ctx.product(out, 0, 2); });
  emitFor(b, ctx.begin, ctx.end, ctx.constI64(1), "plane", [&](llvm::Value* p) {
    llvm::Value* ch = b.CreateURem(p, ctx.dim(out[1]));
    llvm::Value* n = b.CreateUDiv(p, ctx.dim(out[1]));
    llvm::Value* planePtr =
        b.CreateInBoundsGEP(xStorage, xBase, b.CreateMul(p, ctx.constI64(in[2] * in[3])));
    emitFor(b, ctx.constI64(0), ctx.constI64(fullVectors), ctx.constI64(1), "ovec",
            [&](llvm::Value* v) {
      llvm::Value* f0 = b.CreateMul(v, ctx.constI64(vl));
      llvm::Value* f = b.CreateAdd(splat(b.CreateTrunc(f0, i32)), llvm::ConstantVector::get(laneIds));
      llvm::Value* oh = b.CreateUDiv(f, splat(ci(out[3])));
      llvm::Value* ow = b.CreateSub(f, b.CreateMul(oh, splat(ci(out[3]))));
      llvm::Value* ih0 = b.CreateSub(b.CreateMul(oh, splat(ci(s[0]))), splat(ci(pads[0])));
      llvm::Value* iw0 = b.CreateSub(b.CreateMul(ow, splat(ci(s[1]))), splat(ci(pads[1])));
      llvm::Value* acc = isMax ? llvm::ConstantFP::getInfinity(vf, /*Negative=*/true)
                               : llvm::Constant::getNullValue(vf);
      llvm::Value* count = llvm::Constant::getNullValue(llvm::FixedVectorType::get(i32, vl));
      for (int64_t i = 0; i < k[0]; ++i) {
        for (int64_t j = 0; j < k[1]; ++j) {
          llvm::Value* ih = b.CreateAdd(ih0, splat(ci(i)));
          llvm::Value* iw = b.CreateAdd(iw0, splat(ci(j)));
          // Unsigned compares: negative coordinates (the padding) fail too.
          llvm::Value* valid = b.CreateAnd(b.CreateICmpULT(ih, splat(ci(in[2]))),
                                           b.CreateICmpULT(iw, splat(ci(in[3]))));
          llvm::Value* offsets = b.CreateAdd(b.CreateMul(ih, splat(ci(in[3]))), iw);
          llvm::Value* val = ctx.gatherElements(x->type.dtype, planePtr, offsets, valid);
          llvm::Value* r = isMax ? b.CreateBinaryIntrinsic(llvm::Intrinsic::maximum, acc, val)
                                 : b.CreateFAdd(acc, val);
          acc = b.CreateSelect(valid, r, acc);
          count = b.CreateAdd(count, b.CreateZExt(valid, count->getType()));
        }
      }
      llvm::Value* r = acc;
      if (!isMax) {
        llvm::Value* divisor = includePad ? splat(ci(k[0] * k[1])) : count;
        llvm::Value* none = b.CreateICmpEQ(divisor, splat(ci(0)));
        r = b.CreateSelect(none, llvm::Constant::getNullValue(vf),
                           b.CreateFDiv(acc, b.CreateSIToFP(divisor, vf)));
      }
      storeOutputs(ctx, em, *root, r, {n, ch, ctx.constI64(0), f0}, vl);
    });
    emitFor(b, ctx.constI64(fullVectors * int64_t(vl)), ctx.constI64(planeOut), ctx.constI64(1),
            "otail", [&](llvm::Value* f) {
      emitElement(n, ch, b.CreateUDiv(f, ctx.constI64(out[3])),
                  b.CreateURem(f, ctx.constI64(out[3])));
    });
  });
  return Status::OK();
}

}  // namespace dlc::cpu
