// GemmProblem builders for the three contraction ops (docs/ops.md):
//   matmul: one GEMM per broadcast batch index; A and B read through their
//           own (broadcast) batch offsets and the transposes.
//   dense:  a single GEMM with rows = product of x's leading dims; B = w.
//   conv2d: one GEMM per (image, group): A = the group's OIHW weights as
//           rows of C/groups*KH*KW, B = the im2col matrix (generated while
//           packing, zero outside the padded input), columns = OH*OW.
// Dense and conv2d add their bias before calling the epilogue. Each
// validates what the emitter relies on (float dtypes, static K and column
// extents, attribute sizes) and returns `unsupported` naming the node
// otherwise. They emit nothing until the GemmEmitter calls them.
#pragma once

#include "compiler/backends/cpu/ContractionEmitter.h"
#include "compiler/backends/cpu/gemm/GemmConfig.h"
#include "compiler/backends/cpu/gemm/GemmProblem.h"

namespace dlc::cpu::gemm {

StatusOr<GemmProblem> matMulProblem(EmitContext& ctx, const ir::Node& root,
                                    const EpilogueFn& epilogue);
StatusOr<GemmProblem> denseProblem(EmitContext& ctx, const ir::Node& root,
                                   const EpilogueFn& epilogue);
StatusOr<GemmProblem> conv2dProblem(EmitContext& ctx, const ir::Node& root,
                                    const EpilogueFn& epilogue, const GemmConfig& config);

// Row-major multi-index of `flat` over dims[from, to) (dims may hold kBatch).
std::vector<llvm::Value*> unflatten(EmitContext& ctx, llvm::Value* flat,
                                    const std::vector<int64_t>& dims, size_t from, size_t to);

// <width x i1>: lane l is set when column j + l < cols (j an i64 value).
llvm::Value* columnMask(EmitContext& ctx, llvm::Value* j, unsigned width, int64_t cols);

// The buffer of operand `index` of `root`, or an error naming the node.
StatusOr<llvm::Value*> operandBuffer(EmitContext& ctx, const ir::Node& root, size_t index);

}  // namespace dlc::cpu::gemm
