// Per-kernel emission state shared by every CPU kernel emitter.
//
// The driver (CpuBackend.cpp) creates, for kernel k, the function
//   void dlc_k<k>(void* const* args, int64_t batch, int64_t begin, int64_t end)
// and its companion `int64_t dlc_k<k>_extent(int64_t batch)`, loads every
// param/output base pointer in the entry block, and hands an EmitContext to
// the emitter of the kernel's kind. The emitter:
//   - emits the body with `builder` (positioned in the body; it leaves the
//     builder at the end of an unterminated block; the driver adds `ret`),
//   - defines the extent once with defineExtent(), choosing an iteration
//     space whose chunks [begin, end) write disjoint parts of the outputs.
// It does not own the LLVM module or optimise anything (ModuleCompiler.cpp).
#pragma once

#include <cstdint>
#include <functional>
#include <unordered_map>

#include <llvm/IR/IRBuilder.h>
#include <llvm/IR/LLVMContext.h>
#include <llvm/IR/Module.h>

#include "compiler/backends/cpu/ConvAlgorithm.h"
#include "ir/Graph.h"
#include "ir/Kernel.h"
#include "support/Tensor.h"

namespace dlc::cpu {

struct EmitContext {
  llvm::LLVMContext& llvm;
  llvm::Module& module;
  llvm::IRBuilder<>& builder;
  const ir::Graph& graph;
  const ir::Kernel& kernel;

  llvm::Function* function = nullptr;        // the kernel body
  llvm::Function* extentFunction = nullptr;  // S_extent
  llvm::Value* args = nullptr;   // void* const*
  llvm::Value* batch = nullptr;  // i64
  llvm::Value* begin = nullptr;  // i64, first extent step of this chunk
  llvm::Value* end = nullptr;    // i64, one past the last step
  // The widest vector register of the target CPU (128 SSE, 256 AVX, 512
  // AVX-512F): the GEMM sizes its register tile by it.
  unsigned vectorBits = 256;
  // Constants stored in the GEMM's pre-packed panel layout, with their
  // packed values (gemm/PrepackedWeights.h, CompiledCode::packedConstants);
  // null: none.
  const std::unordered_map<const ir::Node*, Tensor>* prepackedWeights = nullptr;
  // How conv2d roots are computed (CpuCompileOptions::conv).
  ConvAlgorithm convAlgorithm = ConvAlgorithm::kAuto;
  // What the emitter chose and why ("direct conv, 16 output channels x ..."),
  // reported per kernel (CompiledCode::kernelNotes, dlc build --verbose).
  std::vector<std::string> notes;

  // Base pointers (opaque `ptr`) of every param and output buffer, loaded
  // from `args` in the entry block. A node that is both is found in outputs.
  std::unordered_map<const ir::Node*, llvm::Value*> params;
  std::unordered_map<const ir::Node*, llvm::Value*> outputs;

  llvm::Type* i1() const { return llvm::Type::getInt1Ty(llvm); }
  llvm::Type* i64() const { return llvm::Type::getInt64Ty(llvm); }
  llvm::Type* f32() const { return llvm::Type::getFloatTy(llvm); }
  llvm::Value* constI64(int64_t v) const {
    return llvm::ConstantInt::get(llvm::Type::getInt64Ty(llvm), uint64_t(v), /*IsSigned=*/true);
  }
  llvm::Value* constF32(double v) const { return llvm::ConstantFP::get(f32(), v); }

  // A static extent as an i64 constant, or the batch value for ir::kBatch.
  llvm::Value* dim(int64_t d) const { return d == ir::kBatch ? batch : constI64(d); }
  // Product of dims[from, to) as an i64 value.
  llvm::Value* product(const std::vector<int64_t>& dims, size_t from, size_t to);

  // The base pointer of `node`'s buffer: an output if it is one, else a param.
  // nullptr if the node is neither (a value that lives only in registers).
  llvm::Value* bufferOf(const ir::Node* node) const;
  // Storage type of one element of `dtype` in memory (f16/bf16 as i16, bool
  // as i8) and the type emitters compute with (f16/bf16 -> float, bool -> i1).
  llvm::Type* storageType(ir::DType dtype) const;
  llvm::Type* computeType(ir::DType dtype) const;

  // Loads element `offset` (i64) of a `dtype` buffer converted to its compute
  // type; stores `value` (compute type) there, rounding f16/bf16 on store.
  // With width > 1 these load/store `width` consecutive elements as a vector.
  llvm::Value* loadElement(ir::DType dtype, llvm::Value* base, llvm::Value* offset,
                           unsigned width = 1);
  void storeElement(ir::DType dtype, llvm::Value* base, llvm::Value* offset,
                    llvm::Value* value, unsigned width = 1);
  // Masked vector loads, converted like loadElement; lanes where the <W x i1>
  // `mask` is false read nothing (their addresses may lie outside the
  // buffer) and are zero. maskedLoadElements reads W consecutive elements
  // from `offset` (an i64); gatherElements reads element offsets[l] (a
  // <W x i32> or <W x i64> vector) into lane l.
  llvm::Value* maskedLoadElements(ir::DType dtype, llvm::Value* base, llvm::Value* offset,
                                  llvm::Value* mask);
  llvm::Value* gatherElements(ir::DType dtype, llvm::Value* base, llvm::Value* offsets,
                              llvm::Value* mask);

  // Rounds a float (or float vector) `value` to `dtype` and back (f16/bf16
  // round to nearest even); identity for every other dtype. Values of f16/
  // bf16 nodes are rounded like this after every op, as the reference does.
  llvm::Value* roundTo(ir::DType dtype, llvm::Value* value);

  // A stack buffer of `count` elements of `type` allocated in the entry
  // block, counted in stackBytes (a kernel's buffers may take up to
  // rt::kCpuKernelStackBytes; emitKernel checks).
  llvm::Value* stackBuffer(llvm::Type* type, int64_t count, const llvm::Twine& name = "");
  int64_t stackBytes = 0;

  // Defines S_extent(batch) = compute(): inside `compute`, `batch` and dim()
  // refer to the extent function's argument and the builder inserts there.
  void defineExtent(const std::function<llvm::Value*()>& compute);
};

// Hints emitFor attaches to a loop as llvm.loop metadata.
struct LoopHints {
  // llvm.loop.vectorize.enable: ask the loop vectorizer to try.
  bool vectorize = false;
  // > 1 (with vectorize): run that many vector iterations side by side
  // (llvm.loop.interleave.count), which LLVM never does by itself for a loop
  // body as long as a transcendental's.
  unsigned interleave = 0;
  // llvm.loop.unroll.disable: keep the loop rolled. For loops whose copies
  // would only cost compile time (the GEMM's packing loops: fully unrolled,
  // each copy's inner loop is another loop for strength reduction to solve).
  bool noUnroll = false;
  // llvm.loop.vectorize.width 1: leave the loop scalar (a remainder loop
  // after a loop the emitter vectorised itself).
  bool noVectorize = false;
};

// for (iv = lo; iv < hi; iv += step) body(iv): emits the loop at the
// builder's position and leaves the builder after it.
void emitFor(llvm::IRBuilderBase& b, llvm::Value* lo, llvm::Value* hi, llvm::Value* step,
             const llvm::Twine& name, const std::function<void(llvm::Value* iv)>& body,
             LoopHints hints = {});

// for (iv = lo; iv < hi; ++iv) values = body(iv, values), the values carried
// in PHIs (registers, not memory: a register tile's accumulators); returns
// their values after the loop.
using Carried = std::vector<llvm::Value*>;
Carried emitForCarried(llvm::IRBuilderBase& b, llvm::Value* lo, llvm::Value* hi, Carried init,
                       const llvm::Twine& name,
                       const std::function<Carried(llvm::Value* iv, const Carried& in)>& body);

}  // namespace dlc::cpu
