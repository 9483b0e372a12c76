// EmitContext helpers: typed element access, stack buffers, the extent
// function and a counted loop. See EmitContext.h.
#include "compiler/backends/cpu/EmitContext.h"

#include <llvm/IR/Constants.h>
#include <llvm/IR/Metadata.h>

namespace dlc::cpu {
namespace {

llvm::Type* withWidth(llvm::Type* t, unsigned width) {
  return width == 1 ? t : llvm::FixedVectorType::get(t, width);
}
llvm::Constant* splatInt(llvm::Type* t, uint64_t v) { return llvm::ConstantInt::get(t, v); }

// IEEE half (as i16 bits) -> float, branch-free so loops vectorize.
llvm::Value* halfToFloat(llvm::IRBuilderBase& b, llvm::Value* h, unsigned width) {
  llvm::Type* i32 = withWidth(b.getInt32Ty(), width);
  llvm::Type* f32 = withWidth(b.getFloatTy(), width);
  llvm::Value* x = b.CreateZExt(h, i32);
  llvm::Value* sign = b.CreateShl(b.CreateAnd(x, splatInt(i32, 0x8000)), 16);
  llvm::Value* exp = b.CreateAnd(b.CreateLShr(x, 10), splatInt(i32, 0x1f));
  llvm::Value* mant = b.CreateAnd(x, splatInt(i32, 0x3ff));
  llvm::Value* normal = b.CreateOr(b.CreateShl(b.CreateAdd(exp, splatInt(i32, 112)), 23),
                                   b.CreateShl(mant, 13));
  llvm::Value* special = b.CreateOr(splatInt(i32, 0x7f800000), b.CreateShl(mant, 13));
  llvm::Value* sub = b.CreateBitCast(
      b.CreateFMul(b.CreateUIToFP(mant, f32), llvm::ConstantFP::get(f32, 5.9604644775390625e-08)),
      i32);
  llvm::Value* bits = b.CreateSelect(b.CreateICmpEQ(exp, splatInt(i32, 0)), sub,
                                     b.CreateSelect(b.CreateICmpEQ(exp, splatInt(i32, 31)),
                                                    special, normal));
  return b.CreateBitCast(b.CreateOr(bits, sign), f32);
}

// float -> IEEE half bits, round to nearest even (F. Giesen's rtne method).
llvm::Value* floatToHalf(llvm::IRBuilderBase& b, llvm::Value* f, unsigned width) {
  llvm::Type* i32 = withWidth(b.getInt32Ty(), width);
  llvm::Type* f32 = withWidth(b.getFloatTy(), width);
  llvm::Value* u0 = b.CreateBitCast(f, i32);
  llvm::Value* sign = b.CreateAnd(u0, splatInt(i32, 0x80000000u));
  llvm::Value* u = b.CreateXor(u0, sign);
  const uint32_t denormMagic = ((127 - 15) + (23 - 10) + 1) << 23;
  llvm::Value* big = b.CreateSelect(b.CreateICmpUGT(u, splatInt(i32, 255u << 23)),
                                    splatInt(i32, 0x7e00), splatInt(i32, 0x7c00));
  llvm::Value* den = b.CreateSub(
      b.CreateBitCast(b.CreateFAdd(b.CreateBitCast(u, f32),
                                   b.CreateBitCast(splatInt(i32, denormMagic), f32)),
                      i32),
      splatInt(i32, denormMagic));
  llvm::Value* odd = b.CreateAnd(b.CreateLShr(u, 13), splatInt(i32, 1));
  llvm::Value* norm = b.CreateLShr(
      b.CreateAdd(b.CreateAdd(u, splatInt(i32, uint32_t((15 - 127) << 23) + 0xfff)), odd), 13);
  llvm::Value* o = b.CreateSelect(b.CreateICmpUGE(u, splatInt(i32, (127u + 16) << 23)), big,
                                  b.CreateSelect(b.CreateICmpULT(u, splatInt(i32, 113u << 23)),
                                                 den, norm));
  o = b.CreateOr(o, b.CreateLShr(sign, 16));
  return b.CreateTrunc(o, withWidth(b.getInt16Ty(), width));
}

llvm::Value* bf16ToFloat(llvm::IRBuilderBase& b, llvm::Value* h, unsigned width) {
  llvm::Type* i32 = withWidth(b.getInt32Ty(), width);
  return b.CreateBitCast(b.CreateShl(b.CreateZExt(h, i32), 16),
                         withWidth(b.getFloatTy(), width));
}

llvm::Value* floatToBf16(llvm::IRBuilderBase& b, llvm::Value* f, unsigned width) {
  llvm::Type* i32 = withWidth(b.getInt32Ty(), width);
  llvm::Value* u = b.CreateBitCast(f, i32);
  llvm::Value* lsb = b.CreateAnd(b.CreateLShr(u, 16), splatInt(i32, 1));
  llvm::Value* rounded =
      b.CreateLShr(b.CreateAdd(b.CreateAdd(u, splatInt(i32, 0x7fff)), lsb), 16);
  llvm::Value* nan = b.CreateOr(b.CreateLShr(u, 16), splatInt(i32, 0x40));
  llvm::Value* isNan = b.CreateFCmpUNO(f, f);
  return b.CreateTrunc(b.CreateSelect(isNan, nan, rounded), withWidth(b.getInt16Ty(), width));
}

}  // namespace

llvm::Value* EmitContext::product(const std::vector<int64_t>& dims, size_t from, size_t to) {
  int64_t fixed = 1;
  bool hasBatch = false;
  for (size_t i = from; i < to; ++i) {
    if (dims[i] == ir::kBatch)
      hasBatch = true;
    else
      fixed *= dims[i];
  }
  if (!hasBatch) return constI64(fixed);
  return fixed == 1 ? batch : builder.CreateMul(batch, constI64(fixed));
}

llvm::Value* EmitContext::bufferOf(const ir::Node* node) const {
  if (auto it = outputs.find(node); it != outputs.end()) return it->second;
  if (auto it = params.find(node); it != params.end()) return it->second;
  return nullptr;
}

llvm::Type* EmitContext::storageType(ir::DType dtype) const {
  switch (dtype) {
    case ir::DType::F32: return llvm::Type::getFloatTy(llvm);
    case ir::DType::F16:
    case ir::DType::BF16: return llvm::Type::getInt16Ty(llvm);
    case ir::DType::U8:
    case ir::DType::Bool: return llvm::Type::getInt8Ty(llvm);
    case ir::DType::I32: return llvm::Type::getInt32Ty(llvm);
    case ir::DType::I64: return llvm::Type::getInt64Ty(llvm);
  }
  return nullptr;
}

llvm::Type* EmitContext::computeType(ir::DType dtype) const {
  switch (dtype) {
    case ir::DType::F32:
    case ir::DType::F16:
    case ir::DType::BF16: return llvm::Type::getFloatTy(llvm);
    case ir::DType::Bool: return llvm::Type::getInt1Ty(llvm);
    default: return storageType(dtype);
  }
}

namespace {

// Converts a loaded value (scalar or vector) of storage type to the compute type.
llvm::Value* toComputeType(llvm::IRBuilderBase& b, ir::DType dtype, llvm::Value* raw,
                             unsigned width) {
  switch (dtype) {
    case ir::DType::F16: return halfToFloat(b, raw, width);
    case ir::DType::BF16: return bf16ToFloat(b, raw, width);
    case ir::DType::Bool:
      return b.CreateICmpNE(raw, llvm::Constant::getNullValue(raw->getType()));
    default: return raw;
  }
}

unsigned lanesOf(llvm::Value* mask) {
  return unsigned(llvm::cast<llvm::FixedVectorType>(mask->getType())->getNumElements());
}

}  // namespace

llvm::Value* EmitContext::loadElement(ir::DType dtype, llvm::Value* base, llvm::Value* offset,
                                      unsigned width) {
  llvm::Type* st = storageType(dtype);
  llvm::Value* ptr = builder.CreateInBoundsGEP(st, base, offset);
  llvm::Type* vt = withWidth(st, width);
  llvm::Value* raw = builder.CreateAlignedLoad(vt, ptr, llvm::Align(st->getPrimitiveSizeInBits() / 8));
  return toComputeType(builder, dtype, raw, width);
}

llvm::Value* EmitContext::maskedLoadElements(ir::DType dtype, llvm::Value* base,
                                             llvm::Value* offset, llvm::Value* mask) {
  const unsigned width = lanesOf(mask);
  llvm::Type* st = storageType(dtype);
  llvm::Type* vt = withWidth(st, width);
  // Not inbounds: the first lanes may be masked off because they lie before
  // the buffer.
  llvm::Value* ptr = builder.CreateGEP(st, base, offset);
  llvm::Value* raw = builder.CreateMaskedLoad(vt, ptr, llvm::Align(st->getPrimitiveSizeInBits() / 8),
                                              mask, llvm::Constant::getNullValue(vt));
  return toComputeType(builder, dtype, raw, width);
}

llvm::Value* EmitContext::gatherElements(ir::DType dtype, llvm::Value* base, llvm::Value* offsets,
                                         llvm::Value* mask) {
  const unsigned width = lanesOf(mask);
  llvm::Type* st = storageType(dtype);
  llvm::Type* vt = withWidth(st, width);
  llvm::Value* ptrs = builder.CreateGEP(st, base, offsets);
  llvm::Value* raw = builder.CreateMaskedGather(
      vt, ptrs, llvm::Align(st->getPrimitiveSizeInBits() / 8), mask,
      llvm::Constant::getNullValue(vt));
  return toComputeType(builder, dtype, raw, width);
}

void EmitContext::storeElement(ir::DType dtype, llvm::Value* base, llvm::Value* offset,
                               llvm::Value* value, unsigned width) {
  llvm::Type* st = storageType(dtype);
  llvm::Value* ptr = builder.CreateInBoundsGEP(st, base, offset);
  llvm::Value* raw = value;
  switch (dtype) {
    case ir::DType::F16: raw = floatToHalf(builder, value, width); break;
    case ir::DType::BF16: raw = floatToBf16(builder, value, width); break;
    case ir::DType::Bool: raw = builder.CreateZExt(value, withWidth(st, width)); break;
    default: break;
  }
  builder.CreateAlignedStore(raw, ptr, llvm::Align(st->getPrimitiveSizeInBits() / 8));
}

llvm::Value* EmitContext::roundTo(ir::DType dtype, llvm::Value* value) {
  unsigned width = 1;
  if (auto* vt = llvm::dyn_cast<llvm::FixedVectorType>(value->getType()))
    width = vt->getNumElements();
  if (dtype == ir::DType::F16)
    return halfToFloat(builder, floatToHalf(builder, value, width), width);
  if (dtype == ir::DType::BF16)
    return bf16ToFloat(builder, floatToBf16(builder, value, width), width);
  return value;
}

llvm::Value* EmitContext::stackBuffer(llvm::Type* type, int64_t count, const llvm::Twine& name) {
  llvm::IRBuilderBase::InsertPointGuard guard(builder);
  llvm::BasicBlock& entry = function->getEntryBlock();
  builder.SetInsertPoint(&entry, entry.getFirstInsertionPt());
  llvm::AllocaInst* a = builder.CreateAlloca(type, constI64(count), name);
  a->setAlignment(llvm::Align(64));
  const int64_t bytes = int64_t(module.getDataLayout().getTypeAllocSize(type)) * count;
  stackBytes += (bytes + 63) / 64 * 64;
  return a;
}

void EmitContext::defineExtent(const std::function<llvm::Value*()>& compute) {
  llvm::IRBuilderBase::InsertPointGuard guard(builder);
  llvm::Value* savedBatch = batch;
  builder.SetInsertPoint(llvm::BasicBlock::Create(llvm, "entry", extentFunction));
  batch = extentFunction->getArg(0);
  llvm::Value* extent = compute();
  builder.CreateRet(extent);
  batch = savedBatch;
}

void emitFor(llvm::IRBuilderBase& b, llvm::Value* lo, llvm::Value* hi, llvm::Value* step,
             const llvm::Twine& name, const std::function<void(llvm::Value* iv)>& body,
             LoopHints hints) {
  llvm::Function* fn = b.GetInsertBlock()->getParent();
  llvm::LLVMContext& c = b.getContext();
  llvm::BasicBlock* pre = b.GetInsertBlock();
  llvm::BasicBlock* header = llvm::BasicBlock::Create(c, name + ".head", fn);
  llvm::BasicBlock* bodyBB = llvm::BasicBlock::Create(c, name + ".body", fn);
  llvm::BasicBlock* exit = llvm::BasicBlock::Create(c, name + ".exit", fn);
  b.CreateBr(header);
  b.SetInsertPoint(header);
  llvm::PHINode* iv = b.CreatePHI(lo->getType(), 2, name);
  iv->addIncoming(lo, pre);
  b.CreateCondBr(b.CreateICmpSLT(iv, hi), bodyBB, exit);
  b.SetInsertPoint(bodyBB);
  body(iv);
  llvm::Value* next = b.CreateAdd(iv, step, name + ".next", /*HasNUW=*/false, /*HasNSW=*/true);
  llvm::BranchInst* latch = b.CreateBr(header);
  iv->addIncoming(next, b.GetInsertBlock());
  llvm::SmallVector<llvm::Metadata*, 4> ops = {nullptr};
  auto hint = [&](const char* key, llvm::Constant* value) {
    llvm::SmallVector<llvm::Metadata*, 2> kv = {llvm::MDString::get(c, key)};
    if (value) kv.push_back(llvm::ConstantAsMetadata::get(value));
    ops.push_back(llvm::MDNode::get(c, kv));
  };
  if (hints.vectorize) {
    hint("llvm.loop.vectorize.enable", b.getTrue());
    if (hints.interleave > 1) hint("llvm.loop.interleave.count", b.getInt32(hints.interleave));
  }
  if (hints.noUnroll) hint("llvm.loop.unroll.disable", nullptr);
  if (hints.noVectorize) {
    hint("llvm.loop.vectorize.width", b.getInt32(1));
    hint("llvm.loop.interleave.count", b.getInt32(1));
  }
  if (ops.size() > 1) {
    llvm::MDNode* loopId = llvm::MDNode::getDistinct(c, ops);
    loopId->replaceOperandWith(0, loopId);
    latch->setMetadata(llvm::LLVMContext::MD_loop, loopId);
  }
  b.SetInsertPoint(exit);
}

Carried emitForCarried(llvm::IRBuilderBase& b, llvm::Value* lo, llvm::Value* hi, Carried init,
                       const llvm::Twine& name,
                       const std::function<Carried(llvm::Value* iv, const Carried& in)>& body) {
  llvm::Function* fn = b.GetInsertBlock()->getParent();
  llvm::LLVMContext& c = b.getContext();
  llvm::BasicBlock* pre = b.GetInsertBlock();
  llvm::BasicBlock* head = llvm::BasicBlock::Create(c, name + ".head", fn);
  llvm::BasicBlock* loop = llvm::BasicBlock::Create(c, name + ".body", fn);
  llvm::BasicBlock* exit = llvm::BasicBlock::Create(c, name + ".exit", fn);
  b.CreateBr(head);
  b.SetInsertPoint(head);
  llvm::PHINode* iv = b.CreatePHI(lo->getType(), 2, name);
  iv->addIncoming(lo, pre);
  Carried phis;
  for (llvm::Value* v : init) {
    llvm::PHINode* phi = b.CreatePHI(v->getType(), 2, name + ".acc");
    phi->addIncoming(v, pre);
    phis.push_back(phi);
  }
  b.CreateCondBr(b.CreateICmpSLT(iv, hi), loop, exit);
  b.SetInsertPoint(loop);
  Carried next = body(iv, phis);
  iv->addIncoming(b.CreateAdd(iv, llvm::ConstantInt::get(iv->getType(), 1), "",
                              /*HasNUW=*/true, /*HasNSW=*/true),
                  b.GetInsertBlock());
  for (size_t t = 0; t < phis.size(); ++t)
    llvm::cast<llvm::PHINode>(phis[t])->addIncoming(next[t], b.GetInsertBlock());
  b.CreateBr(head);
  b.SetInsertPoint(exit);
  return phis;
}

}  // namespace dlc::cpu
