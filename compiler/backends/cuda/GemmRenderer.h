// The tiled CUDA GEMM kernels a GemmProblem (GemmProblem.h) is rendered
// into, and their launch geometry.
//
// Every kernel walks the output tiles of all GEMMs of the problem with a
// block-stride loop: block b takes tiles b, b + gridDim.x, ...; the tile
// count is computed in the kernel from the batch N, so blocks beyond the
// work do nothing and any grid is correct. Per tile, K advances in steps of
// BK: the next step's operands are loaded from global memory into
// registers while the current step computes from shared memory (register
// double buffering), with bounds checks only where an extent is not a
// multiple of the tile. The epilogue (GemmProblem::output) runs on the
// finished tile and stores it.
//
//   Simt      f32 math on CUDA cores: 64x64 tiles, BK 16, 256 threads, a
//             4x4 register micro-tile per thread (rows ty*4.., columns
//             tx + 16*c, so epilogue loads and stores are coalesced). Any
//             float operand dtypes (loads convert to float).
//   WmmaF16, WmmaBF16
//             tensor cores through nvcuda::wmma, 16x16x16 fragments, f32
//             accumulators: 64x128 tiles, BK 32, 8 warps of 32x32; the tile
//             goes through shared memory to the epilogue (fragment layouts
//             are opaque), which computes in f32 and rounds on store.
//   WmmaTf32  the same with precision::tf32 16x16x8 fragments for f32
//             operands when CudaOptions::allowTf32 (BK 16).
//
// It does not choose what a tile computes: the problem's callbacks do.
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "compiler/backends/cuda/GemmProblem.h"
#include "runtime/src/Manifest.h"

namespace dlc::cuda::gemm {

enum class GemmEngine { Simt, WmmaF16, WmmaBF16, WmmaTf32 };

std::string_view engineName(GemmEngine engine);

// Every engine runs 256 threads per block (Prelude.h's kThreadsPerBlock).
// Tensor cores for equal f16/bf16 operand dtypes (bf16 from sm_80, f16 from
// sm_70) and, with allowTf32, for f32 from sm_80; otherwise Simt.
GemmEngine chooseEngine(const GemmProblem& problem, const CudaOptions& options);

// Block tile and thread count of an engine.
struct TileShape {
  int bm = 64, bn = 64, bk = 16;
  int threads = 256;
};
TileShape tileShapeOf(GemmEngine engine);

// Blocks for every output tile at batch N: exact when the batch is a factor
// of the GEMM count or of a multiple of the tile; otherwise an affine upper
// bound (itemsPerBlock = the tile extent along the batched dim).
rt::CudaLaunch gemmLaunch(const GemmProblem& problem, GemmEngine engine);

// Writes the kernel body for `problem` into ctx.out.
void renderGemm(RenderContext& ctx, const GemmProblem& problem, GemmEngine engine);

// Internal to the renderers (GemmRenderer.cpp, WmmaRenderer.cpp).
// The tile loop's opening (tile counts, the block-stride loop, bi / i0 /
// j0, the problem's per-tile locals), left open for the caller to close.
void openTileLoop(RenderContext& ctx, const GemmProblem& problem, const TileShape& tile);
// Where element q of the thread's share of the A (row, k) or B (k, col)
// tile lies (expressions of tid and q): consecutive threads run along the
// operand's contiguous index.
struct TileCoords {
  std::string row, col, k;
};
TileCoords aTileCoords(const GemmProblem& problem, const TileShape& tile);
TileCoords bTileCoords(const GemmProblem& problem, const TileShape& tile);
// Loads the thread's share of K block `kBase` (an int local) into registers
// ra[] and rb[] (float, or the storage type when !asFloat), zero outside.
void renderTileLoads(RenderContext& ctx, const GemmProblem& problem, const TileShape& tile,
                     bool asFloat);
// Stores ra[] / rb[] to shared memory: slot(row, k) of A, slot(k, col) of B.
using SmemSlot = std::function<std::string(const std::string&, const std::string&)>;
void renderSmemStores(RenderContext& ctx, const GemmProblem& problem, const TileShape& tile,
                      const SmemSlot& aSlot, const SmemSlot& bSlot);
void renderWmmaGemm(RenderContext& ctx, const GemmProblem& problem, GemmEngine engine);

}  // namespace dlc::cuda::gemm
