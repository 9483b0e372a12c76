// Pool kernels (NCHW): max_pool2d, avg_pool2d and global_avg_pool with
// input-fused producers and an elementwise epilogue.
//
// The extent is N·C·OH (one output row per step; global_avg_pool: N·C).
// Window positions outside the input are clamped and masked with selects, so
// the window loops are branch-free: padding never wins a max, and avg counts
// only in-bounds elements unless count_include_pad. max propagates NaN.
//
// Row path: when the pooled input is read from memory (no fused producer),
// the extent is N·C and each step pools its plane VL outputs of a row at a
// time: per window row, the input columns those outputs read are a few
// masked vector loads (the mask drops the padding and the plane's edge),
// and every window column is one constant shuffle of them (lanes l·stride +
// j), so no gathers. The results go to a stack copy of the plane, and the
// epilogue runs over it in vectors along the flattened plane when it is
// linear there (Epilogue.h), else along rows; elements no vector covers go
// one by one.
#include <algorithm>

#include "compiler/backends/cpu/ElementEmitter.h"
#include "compiler/backends/cpu/Epilogue.h"
#include "compiler/backends/cpu/KernelEmitters.h"

namespace dlc::cpu {

namespace {
// The most stack the row path's copy of one output plane may take.
constexpr int64_t kScratchPlaneBytes = 128 * 1024;
}  // namespace

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
  // The input columns one row of vl outputs reads, in vectors.
  const int64_t loads = ((int64_t(vl) - 1) * s[1] + k[1] + vl - 1) / vl;
  const bool rowPath = readsMemory && vl > 1 && loads <= 4 &&
                       (planeOut + vl) * 4 <= kScratchPlaneBytes && in[2] < (int64_t(1) << 15) &&
                       in[3] < (int64_t(1) << 15) && out[3] < (int64_t(1) << 15);
  if (!rowPath) {
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
  auto c64 = [&](int64_t v) { return ctx.constI64(v); };
  auto splat = [&](llvm::Value* v) { return b.CreateVectorSplat(vl, v); };
  std::vector<llvm::Constant*> laneIds;
  for (unsigned l = 0; l < vl; ++l) laneIds.push_back(ci(l));
  llvm::Value* lanes = llvm::ConstantVector::get(laneIds);
  llvm::Value* xBase = ctx.bufferOf(x);
  llvm::Type* xStorage = ctx.storageType(x->type.dtype);
  llvm::FixedVectorType* vf = llvm::FixedVectorType::get(f32, vl);
  llvm::FixedVectorType* vi = llvm::FixedVectorType::get(i32, vl);
  const int64_t rowVectors = (out[3] + vl - 1) / vl;
  // The plane's results, row after row (row oh at oh * OW; a row's last
  // vector spills past it into the next row, which overwrites it).
  llvm::Value* scratch = ctx.stackBuffer(f32, planeOut + vl, "pool.plane");
  // `loads` vectors side by side, as one wide vector the taps select from.
  auto concat = [&](std::vector<llvm::Value*> parts) {
    size_t count = 1;
    while (count < parts.size()) count *= 2;
    parts.resize(count, llvm::Constant::getNullValue(vf));
    while (parts.size() > 1) {
      std::vector<llvm::Value*> next;
      for (size_t i = 0; i < parts.size(); i += 2) {
        unsigned w = llvm::cast<llvm::FixedVectorType>(parts[i]->getType())->getNumElements();
        std::vector<int> mask(2 * w);
        for (unsigned l = 0; l < 2 * w; ++l) mask[l] = int(l);
        next.push_back(b.CreateShuffleVector(parts[i], parts[i + 1], mask));
      }
      parts = std::move(next);
    }
    return parts[0];
  };
  ctx.defineExtent([&] { return ctx.product(out, 0, 2); });
  emitFor(b, ctx.begin, ctx.end, c64(1), "plane", [&](llvm::Value* p) {
    llvm::Value* ch = b.CreateURem(p, ctx.dim(out[1]));
    llvm::Value* n = b.CreateUDiv(p, ctx.dim(out[1]));
    llvm::Value* planePtr = b.CreateInBoundsGEP(xStorage, xBase, b.CreateMul(p, c64(in[2] * in[3])));
    emitFor(b, c64(0), c64(out[2]), c64(1), "oh", [&](llvm::Value* oh) {
      emitFor(b, c64(0), c64(rowVectors), c64(1), "ovec", [&](llvm::Value* v) {
        llvm::Value* ow0 = b.CreateMul(v, c64(vl));
        // Lane l, tap j reads input column iw0 + l * stride + j.
        llvm::Value* iw0 = b.CreateSub(b.CreateMul(ow0, c64(s[1])), c64(pads[1]));
        llvm::Value* iw0v = splat(b.CreateTrunc(iw0, i32));
        llvm::Value* acc = isMax ? llvm::ConstantFP::getInfinity(vf, /*Negative=*/true)
                                 : llvm::Constant::getNullValue(vf);
        llvm::Value* count = llvm::Constant::getNullValue(vi);
        for (int64_t i = 0; i < k[0]; ++i) {
          llvm::Value* ih = b.CreateAdd(b.CreateMul(oh, c64(s[0])), c64(i - pads[0]));
          llvm::Value* rowOk = splat(b.CreateICmpULT(ih, c64(in[2])));
          llvm::Value* rowStart = b.CreateAdd(b.CreateMul(ih, c64(in[3])), iw0);
          std::vector<llvm::Value*> parts;
          for (int64_t q = 0; q < loads; ++q) {
            llvm::Value* cols = b.CreateAdd(iw0v, b.CreateAdd(lanes, splat(ci(q * vl))));
            llvm::Value* mask = b.CreateAnd(rowOk, b.CreateICmpULT(cols, splat(ci(in[3]))));
            parts.push_back(ctx.maskedLoadElements(x->type.dtype, planePtr,
                                                   b.CreateAdd(rowStart, c64(q * vl)), mask));
          }
          llvm::Value* wide = concat(parts);
          for (int64_t j = 0; j < k[1]; ++j) {
            std::vector<int> pick(vl);
            std::vector<llvm::Constant*> offsets(vl);
            for (unsigned l = 0; l < vl; ++l) {
              pick[l] = int(l * s[1] + j);
              offsets[l] = ci(int64_t(l) * s[1] + j);
            }
            llvm::Value* val = b.CreateShuffleVector(wide, pick);
            // Unsigned compares: negative columns (the padding) fail too.
            llvm::Value* valid = b.CreateAnd(
                rowOk, b.CreateICmpULT(b.CreateAdd(iw0v, llvm::ConstantVector::get(offsets)),
                                       splat(ci(in[3]))));
            llvm::Value* r = isMax ? b.CreateBinaryIntrinsic(llvm::Intrinsic::maximum, acc, val)
                                   : b.CreateFAdd(acc, val);
            acc = b.CreateSelect(valid, r, acc);
            count = b.CreateAdd(count, b.CreateZExt(valid, vi));
          }
        }
        llvm::Value* r = acc;
        if (!isMax) {
          llvm::Value* divisor = includePad ? splat(ci(k[0] * k[1])) : count;
          llvm::Value* none = b.CreateICmpEQ(divisor, splat(ci(0)));
          r = b.CreateSelect(none, llvm::Constant::getNullValue(vf),
                             b.CreateFDiv(acc, b.CreateSIToFP(divisor, vf)));
        }
        llvm::Value* at = b.CreateAdd(b.CreateMul(oh, c64(out[3])), ow0);
        b.CreateAlignedStore(r, b.CreateInBoundsGEP(f32, scratch, at), llvm::Align(4));
      });
    });
    // The epilogue: vectors along the plane (or along rows when it is not
    // linear in the plane), single elements where no vector fits.
    auto scalarAt = [&](llvm::Value* f) {
      llvm::Value* r = b.CreateAlignedLoad(f32, b.CreateInBoundsGEP(f32, scratch, f), llvm::Align(4));
      storeOutputs(ctx, em, *root, r,
                   {n, ch, b.CreateUDiv(f, c64(out[3])), b.CreateURem(f, c64(out[3]))});
    };
    auto vectorAt = [&](llvm::Value* f) {
      return b.CreateAlignedLoad(vf, b.CreateInBoundsGEP(f32, scratch, f), llvm::Align(4));
    };
    if (epilogueLinearInTrailingDims(kernel, *root, 2)) {
      const int64_t full = planeOut / vl;
      if (full > 0)
        emitFor(b, c64(0), c64(full), c64(1), "evec", [&](llvm::Value* v) {
          llvm::Value* f = b.CreateMul(v, c64(vl));
          storeOutputs(ctx, em, *root, vectorAt(f), {n, ch, c64(0), f}, vl);
        });
      emitFor(b, c64(full * vl), c64(planeOut), c64(1), "etail", scalarAt);
      return;
    }
    const int64_t full = out[3] / vl;
    emitFor(b, c64(0), c64(out[2]), c64(1), "erow", [&](llvm::Value* oh) {
      llvm::Value* rowAt = b.CreateMul(oh, c64(out[3]));
      // No vector code where no vector fits: with a last dim of 1 a vector
      // epilogue is not even valid IR (dlc-fuzz seed 58).
      if (full > 0)
        emitFor(b, c64(0), c64(full), c64(1), "evec", [&](llvm::Value* v) {
          llvm::Value* ow = b.CreateMul(v, c64(vl));
          storeOutputs(ctx, em, *root, vectorAt(b.CreateAdd(rowAt, ow)), {n, ch, oh, ow}, vl);
        });
      emitFor(b, c64(full * vl), c64(out[3]), c64(1), "etail", [&](llvm::Value* ow) {
        scalarAt(b.CreateAdd(rowAt, ow));
      });
    });
  });
  return Status::OK();
}

}  // namespace dlc::cpu
