// A contraction seen as a batch of GEMMs C[bi] = A[bi] (rows x k) * B[bi]
// (k x cols), described by callbacks that emit operand loads and the output.
//
// matmul, dense and conv2d (implicit GEMM: B is the im2col matrix, generated
// element by element while B is packed, never materialised) each build one
// (ContractionEmitter.cpp); the blocked loop nest (GemmEmitter.h) is shared.
// Every callback emits at the IRBuilder's current position; `bi`, `i`, `j`,
// `k` are i64 values. This header does not decide tiling.
#pragma once

#include <cstdint>
#include <functional>

#include <llvm/IR/IRBuilder.h>

namespace dlc::cpu::gemm {

struct GemmProblem {
  int64_t k = 0;     // contraction extent (static)
  int64_t cols = 0;  // columns of C (static)
  // Number of GEMMs and rows of each; may involve the batch symbol. Emitted
  // both in the kernel body and in the extent function.
  std::function<llvm::Value*()> batchCount;
  std::function<llvm::Value*()> rows;

  // A(bi, i, k) as a float.
  std::function<llvm::Value*(llvm::Value* bi, llvm::Value* i, llvm::Value* k)> loadA;
  // Optional: A(bi, i, k .. k+width-1) as a <width x float>, for k + width
  // <= the contraction extent. With it A panels are packed with vector
  // loads; without it, element by element through loadA.
  std::function<llvm::Value*(llvm::Value* bi, llvm::Value* i, llvm::Value* k, unsigned width)>
      loadAVec;
  // B(bi, k, j .. j+width-1) as a float (width 1) or <width x float>. Called
  // with width > 1 only for columns inside [0, cols).
  std::function<llvm::Value*(llvm::Value* bi, llvm::Value* k, llvm::Value* j, unsigned width)>
      loadB;
  // Optional: B(bi, k .. k+width-1, j) as a <width x float>, for B stored
  // with unit stride along k (a transposed B: matmul with transpose_b), for
  // k + width <= the contraction extent and j < cols. With it full panels
  // are packed VL x VL blocks at a time, transposed in registers, instead
  // of a gather per packed vector.
  std::function<llvm::Value*(llvm::Value* bi, llvm::Value* k, llvm::Value* j, unsigned width)>
      loadBAlongK;
  // Optional: B(bi, k, j .. j+width-1) for the edge panel, where lanes whose
  // column is >= cols read nothing and are zero (masked vector loads).
  // Without it the edge panel is packed lane by lane through loadB.
  std::function<llvm::Value*(llvm::Value* bi, llvm::Value* k, llvm::Value* j, unsigned width)>
      loadBEdge;
  // Optional: A as a plain row-major f32 matrix (pointer to A(bi, 0, 0), row
  // stride in elements) that the micro-kernel broadcasts from in place:
  // A panels are then not packed.
  std::function<llvm::Value*(llvm::Value* bi)> directA;
  int64_t directAStride = 0;
  // Optional: B as a plain row-major f32 matrix (pointer to B(bi, 0, 0),
  // row stride in elements) that small-row blocks read without packing.
  std::function<llvm::Value*(llvm::Value* bi)> directB;
  int64_t directBStride = 0;
  // Optional: B stored pre-packed in the panel layout (PrepackedWeights.h,
  // cols a multiple of NR): the micro-kernel reads its panels in place and
  // nothing is packed.
  std::function<llvm::Value*(llvm::Value* bi)> prepackedB;

  // Receives C(bi, i, j .. j+width-1) (width = VL or 1, never past cols):
  // adds the bias and calls the kernel's epilogue.
  std::function<void(llvm::Value* bi, llvm::Value* i, llvm::Value* j, llvm::Value* acc,
                     unsigned width)>
      output;
};

}  // namespace dlc::cpu::gemm
