// StreamPrefetchPass (compiler/backends/cpu/StreamPrefetch.h) as kernels get
// it, through optimizeModule's O3 pipeline, on out[i] = x[i]·x[i] + y[i]
// loops: a marked function
// gets exactly one read prefetch per input stream and one write prefetch for
// the output stream per cache line of each vector iteration, still
// vectorized; an unmarked one, a loop with a small constant trip count and
// the scalar remainder loop get none.
#include <string>

#include <gtest/gtest.h>
#include <llvm/IR/IRBuilder.h>
#include <llvm/IR/Instructions.h>
#include <llvm/IR/IntrinsicInst.h>
#include <llvm/IR/LLVMContext.h>
#include <llvm/IR/Module.h>
#include <llvm/IR/Verifier.h>
#include <llvm/Support/raw_ostream.h>

#include "compiler/backends/cpu/ModuleCompiler.h"
#include "compiler/backends/cpu/StreamPrefetch.h"

namespace dlc::cpu {
namespace {

// void name(const float* x, const float* y, float* out, i64 n) with n = `trips`
// when trips > 0 (a constant trip count), else the argument.
void emitLoop(llvm::Module& m, const llvm::TargetMachine& tm, const char* name, bool marked,
              int64_t trips) {
  llvm::LLVMContext& c = m.getContext();
  llvm::Type* ptr = llvm::PointerType::get(c, 0);
  llvm::Type* i64 = llvm::Type::getInt64Ty(c);
  llvm::Type* f32 = llvm::Type::getFloatTy(c);
  auto* fn = llvm::Function::Create(
      llvm::FunctionType::get(llvm::Type::getVoidTy(c), {ptr, ptr, ptr, i64}, false),
      llvm::GlobalValue::ExternalLinkage, name, m);
  fn->addFnAttr("target-cpu", tm.getTargetCPU());
  fn->addFnAttr("target-features", tm.getTargetFeatureString());
  fn->addFnAttr(llvm::Attribute::NoUnwind);
  if (marked) fn->addFnAttr(kStreamPrefetchAttr);
  for (unsigned i = 0; i < 3; ++i) fn->addParamAttr(i, llvm::Attribute::NoAlias);
  llvm::Value* n = fn->getArg(3);
  if (trips > 0) n = llvm::ConstantInt::get(i64, uint64_t(trips));
  auto* entry = llvm::BasicBlock::Create(c, "entry", fn);
  auto* loop = llvm::BasicBlock::Create(c, "loop", fn);
  auto* done = llvm::BasicBlock::Create(c, "done", fn);
  llvm::IRBuilder<> b(entry);
  b.CreateCondBr(b.CreateICmpSGT(n, b.getInt64(0)), loop, done);
  b.SetInsertPoint(loop);
  llvm::PHINode* i = b.CreatePHI(i64, 2);
  i->addIncoming(b.getInt64(0), entry);
  llvm::Value* x = b.CreateLoad(f32, b.CreateInBoundsGEP(f32, fn->getArg(0), i));
  llvm::Value* y = b.CreateLoad(f32, b.CreateInBoundsGEP(f32, fn->getArg(1), i));
  b.CreateStore(b.CreateFAdd(b.CreateFMul(x, x), y), b.CreateInBoundsGEP(f32, fn->getArg(2), i));
  llvm::Value* next = b.CreateAdd(i, b.getInt64(1));
  i->addIncoming(next, loop);
  b.CreateCondBr(b.CreateICmpSLT(next, n), loop, done);
  b.SetInsertPoint(done);
  b.CreateRetVoid();
}

struct Counts {
  int reads = 0, writes = 0, vectorLoads = 0, vectorStores = 0;
  int64_t readDistance = -1;
};

Counts count(const llvm::Function& f) {
  Counts c;
  for (const llvm::BasicBlock& block : f)
    for (const llvm::Instruction& inst : block) {
      if (auto* call = llvm::dyn_cast<llvm::IntrinsicInst>(&inst);
          call && call->getIntrinsicID() == llvm::Intrinsic::prefetch) {
        bool write = llvm::cast<llvm::ConstantInt>(call->getArgOperand(1))->isOne();
        (write ? c.writes : c.reads) += 1;
        if (auto* gep = llvm::dyn_cast<llvm::GetElementPtrInst>(call->getArgOperand(0));
            gep && !write && c.readDistance < 0)
          if (auto* off = llvm::dyn_cast<llvm::ConstantInt>(gep->getOperand(1)))
            c.readDistance = off->getSExtValue();
      }
      if (auto* load = llvm::dyn_cast<llvm::LoadInst>(&inst); load && load->getType()->isVectorTy())
        ++c.vectorLoads;
      if (auto* store = llvm::dyn_cast<llvm::StoreInst>(&inst);
          store && store->getValueOperand()->getType()->isVectorTy())
        ++c.vectorStores;
    }
  return c;
}

TEST(StreamPrefetch, MarkedStreamingLoopsGetOnePrefetchPerStreamLine) {
  auto tm = createTargetMachine("", 3);
  ASSERT_TRUE(tm.ok()) << tm.status().message();
  llvm::LLVMContext context;
  llvm::Module module("stream_prefetch_test", context);
  module.setTargetTriple((*tm)->getTargetTriple().str());
  module.setDataLayout((*tm)->createDataLayout());
  emitLoop(module, **tm, "marked", /*marked=*/true, /*trips=*/0);
  emitLoop(module, **tm, "unmarked", /*marked=*/false, /*trips=*/0);
  emitLoop(module, **tm, "short", /*marked=*/true, /*trips=*/4);
  ASSERT_FALSE(llvm::verifyModule(module, &llvm::errs()));

  optimizeModule(module, **tm, /*optLevel=*/3);  // the pipeline kernels get
  ASSERT_FALSE(llvm::verifyModule(module, &llvm::errs()));

  Counts marked = count(*module.getFunction("marked"));
  ASSERT_GT(marked.vectorLoads, 0) << "the loop was not vectorized";
  // The vector loop advances each stream by VF·IC floats; whatever the
  // vectorizer chose, every stream gets ceil(step / 64) prefetches, the
  // same count for the two inputs and the output.
  EXPECT_GT(marked.reads, 0);
  EXPECT_EQ(marked.reads % 2, 0);
  EXPECT_EQ(marked.writes * 2, marked.reads);
  EXPECT_EQ(marked.readDistance, kStreamPrefetchBytes);

  Counts unmarked = count(*module.getFunction("unmarked"));
  EXPECT_GT(unmarked.vectorLoads, 0);
  EXPECT_EQ(unmarked.reads + unmarked.writes, 0);

  Counts shortLoop = count(*module.getFunction("short"));
  EXPECT_EQ(shortLoop.reads + shortLoop.writes, 0);
}

}  // namespace
}  // namespace dlc::cpu
