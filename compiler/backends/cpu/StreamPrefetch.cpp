// Stream prefetching after loop vectorization. See StreamPrefetch.h.
#include "compiler/backends/cpu/StreamPrefetch.h"

#include <set>
#include <utility>
#include <vector>

#include <llvm/Analysis/LoopInfo.h>
#include <llvm/Analysis/ScalarEvolution.h>
#include <llvm/Analysis/ScalarEvolutionExpressions.h>
#include <llvm/IR/IRBuilder.h>
#include <llvm/IR/Instructions.h>
#include <llvm/IR/Intrinsics.h>
#include <llvm/IR/Module.h>

namespace dlc::cpu {
namespace {

constexpr int64_t kLineBytes = 64;
// Steps beyond this (an unrolled loop touching many lines per iteration)
// would need too many prefetches per iteration; such loops are left alone.
constexpr int64_t kMaxStepBytes = 8 * kLineBytes;
constexpr unsigned kMinTripCount = 8;

struct Stream {
  llvm::Instruction* anchor;  // the first access of the stream in the loop
  llvm::Value* pointer;       // its address
  int64_t stepBytes;          // bytes the stream advances per iteration
  bool write;
};

// The unit-stride vector streams of `loop`: one per (pointer base,
// direction), anchored at its first access in program order.
std::vector<Stream> findStreams(llvm::Loop& loop, llvm::ScalarEvolution& se,
                                const llvm::DataLayout& dl) {
  std::vector<Stream> streams;
  std::set<std::pair<const llvm::SCEV*, bool>> seen;
  for (llvm::BasicBlock* block : loop.blocks()) {
    for (llvm::Instruction& inst : *block) {
      llvm::Value* pointer = nullptr;
      llvm::Type* type = nullptr;
      bool write = false;
      if (auto* load = llvm::dyn_cast<llvm::LoadInst>(&inst)) {
        if (load->isVolatile()) continue;
        pointer = load->getPointerOperand();
        type = load->getType();
      } else if (auto* store = llvm::dyn_cast<llvm::StoreInst>(&inst)) {
        if (store->isVolatile()) continue;
        pointer = store->getPointerOperand();
        type = store->getValueOperand()->getType();
        write = true;
      } else {
        continue;
      }
      if (!type->isVectorTy()) continue;
      auto* rec = llvm::dyn_cast<llvm::SCEVAddRecExpr>(se.getSCEV(pointer));
      if (!rec || rec->getLoop() != &loop || !rec->isAffine()) continue;
      auto* step = llvm::dyn_cast<llvm::SCEVConstant>(rec->getStepRecurrence(se));
      if (!step) continue;
      int64_t stepBytes = step->getAPInt().getSExtValue();
      int64_t size = int64_t(dl.getTypeStoreSize(type).getFixedValue());
      // Unit stride: each iteration moves by whole accesses (the vectorizer
      // interleaves by 1, 2 or 4), so the lines it touches are contiguous.
      if (stepBytes < size || stepBytes % size != 0 || stepBytes > kMaxStepBytes) continue;
      if (!seen.insert({se.getPointerBase(rec), write}).second) continue;
      streams.push_back({&inst, pointer, stepBytes, write});
    }
  }
  return streams;
}

void insertPrefetches(const Stream& s) {
  llvm::IRBuilder<> b(s.anchor);
  llvm::Type* i8 = b.getInt8Ty();
  // One prefetch per line the stream advances by (at least one).
  int64_t lines = (s.stepBytes + kLineBytes - 1) / kLineBytes;
  for (int64_t l = 0; l < lines; ++l) {
    // Not inbounds: the address may lie past the end of the buffer, which a
    // prefetch tolerates.
    llvm::Value* ahead = b.CreateGEP(i8, s.pointer, b.getInt64(kStreamPrefetchBytes + l * kLineBytes),
                                     "prefetch.addr");
    b.CreateIntrinsic(llvm::Intrinsic::prefetch, {ahead->getType()},
                      {ahead, b.getInt32(s.write ? 1 : 0), /*locality=*/b.getInt32(3),
                       /*data cache=*/b.getInt32(1)});
  }
}

}  // namespace

llvm::PreservedAnalyses StreamPrefetchPass::run(llvm::Function& f,
                                                llvm::FunctionAnalysisManager& fam) {
  if (f.isDeclaration() || !f.hasFnAttribute(kStreamPrefetchAttr))
    return llvm::PreservedAnalyses::all();
  llvm::LoopInfo& loops = fam.getResult<llvm::LoopAnalysis>(f);
  llvm::ScalarEvolution& se = fam.getResult<llvm::ScalarEvolutionAnalysis>(f);
  const llvm::DataLayout& dl = f.getParent()->getDataLayout();
  std::vector<Stream> all;
  for (llvm::Loop* loop : loops.getLoopsInPreorder()) {
    if (!loop->isInnermost()) continue;
    unsigned trips = se.getSmallConstantTripCount(loop);
    if (trips != 0 && trips < kMinTripCount) continue;
    std::vector<Stream> streams = findStreams(*loop, se, dl);
    all.insert(all.end(), streams.begin(), streams.end());
  }
  if (all.empty()) return llvm::PreservedAnalyses::all();
  for (const Stream& s : all) insertPrefetches(s);
  llvm::PreservedAnalyses kept;
  kept.preserveSet<llvm::CFGAnalyses>();
  return kept;
}

}  // namespace dlc::cpu
