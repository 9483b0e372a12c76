// A CUDA contraction seen as a batch of GEMMs C[bi] = A[bi] (rows x k) *
// B[bi] (k x cols), described as text: the CUDA counterpart of the CPU
// backend's gemm/GemmProblem.h, with C expressions instead of LLVM values.
//
// matmul and dense (GemmProblems.cpp) and conv2d (ConvIndexing.cpp: implicit
// GEMM, B is the im2col matrix generated element by element while the B tile
// is loaded, never materialised) each build one; the tiled kernels
// (GemmRenderer.h) are shared. This header decides no tiling and writes no
// loops; callbacks write at the writer's current position and may declare
// locals there.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "compiler/backends/cuda/ElementRenderer.h"
#include "compiler/backends/cuda/RenderContext.h"
#include "support/Status.h"

namespace dlc::cuda::gemm {

// An extent that is either `fixed` or `fixed` * N.
struct Extent {
  int64_t fixed = 1;
  bool batch = false;

  static Extent of(const std::vector<int64_t>& dims, size_t from, size_t to);
  // As a C expression of type long long ("N * 16LL", "49LL").
  std::string expr() const;
};

struct GemmProblem {
  int64_t k = 0;  // contraction extent (static)
  Extent batch;   // number of GEMMs
  Extent rows;    // rows of every C
  Extent cols;    // columns of every C
  ir::DType aType = ir::DType::F32;
  ir::DType bType = ir::DType::F32;
  // Which index is contiguous in memory (consecutive threads load along it).
  bool aAlongK = true;   // A(i, k): k is contiguous, else i
  bool bAlongJ = true;   // B(k, j): j is contiguous, else k

  // Declares the locals of GEMM `bi` (operand offsets, output batch
  // indices), once per tile.
  std::function<void(const std::string& bi)> prepare;
  // A(i, k) and B(k, j) as an expression of the operand's storage type,
  // called only for indices inside the matrices; may declare locals first.
  // B may be zero (conv padding): `zero` is the storage type's zero.
  std::function<std::string(const std::string& i, const std::string& kk)> loadA;
  std::function<std::string(const std::string& kk, const std::string& j, const std::string& zero)>
      loadB;
  // Receives C(bi, i, j) = `acc` (a float expression) inside the output
  // bounds: adds the bias and renders the kernel's epilogue and stores.
  std::function<void(const std::string& bi, const std::string& i, const std::string& j,
                     const std::string& acc)>
      output;
};

// The buffer pointer of operand `index` of `root`, or an error naming the node
// when the operand is not in memory.
StatusOr<std::string> operandBuffer(const RenderContext& ctx, const ir::Node& root, size_t index);
// The storage type's zero ("0.0f", "__float2half(0.0f)", ...).
std::string storageZero(ir::DType dtype);
// Row-major multi-index of `flat` over dims[from, to) as locals (dims may
// hold kBatch); the first index is not reduced.
std::vector<std::string> unflatten(RenderContext& ctx, const std::string& flat,
                                   const std::vector<int64_t>& dims, size_t from, size_t to);

using EpilogueFn = std::function<void(const std::string& acc, const std::vector<std::string>& index)>;

StatusOr<GemmProblem> matMulProblem(RenderContext& ctx, const ir::Node& root,
                                    const EpilogueFn& epilogue);
StatusOr<GemmProblem> denseProblem(RenderContext& ctx, const ir::Node& root,
                                   const EpilogueFn& epilogue);
StatusOr<GemmProblem> conv2dProblem(RenderContext& ctx, const ir::Node& root,
                                    const EpilogueFn& epilogue);

}  // namespace dlc::cuda::gemm
