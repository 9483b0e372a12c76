// Tiling parameters of the CPU GEMM (register tile and cache blocks).
//
// One register tile is MR rows x NR = NV vectors of VL float lanes; the
// blocked loop nest packs KC x NC blocks of B into a stack buffer (BLIS /
// GotoBLAS style) and reads A in place when it is a plain f32 matrix (else
// it packs KC x mr panels of A). A row block has up to MC = 48 x MR rows (576
// with AVX-512): every row block packs its B block again, which with MC =
// 8 x MR cost 10-15 % of a 1024^3 matmul, and with 32 x MR (three row
// blocks at 1024 rows instead of two) still about 5 %. The
// parameters are chosen from the vector registers of the target CPU the
// ModuleCompiler generates code for (dlc build --cpu), never from the build
// host: AVX-512 gets <16 x float>
// vectors and a 12 x 32 tile (24 of 32 zmm registers hold accumulators),
// AVX/AVX2 <8 x float> and a 6 x 16 tile (12 of 16 ymm registers), SSE
// <4 x float> and a 6 x 8 tile (12 of 16 xmm registers). It does not tune
// for cache sizes at run time.
#pragma once

#include <cstdint>

namespace dlc::cpu::gemm {

struct GemmConfig {
  unsigned vl = 8;   // float lanes per vector
  unsigned nv = 2;   // vectors per tile row
  unsigned mr = 6;   // rows of the full register tile
  int64_t kc = 128;  // K block (rows of a packed B block)
  int64_t mc = 96;   // most rows of one extent step (a multiple of mr)
  int64_t nc = 128;  // columns of one extent step (8 panels, a multiple of nr())
  // Row blocks are cut smaller than MC rows until the GEMMs have this many
  // extent steps in all (GEMMs x row blocks x column blocks), so that two
  // threads get work. Not more: every row block packs B again.
  int64_t minSteps = 2;
  bool wideVectors = false;  // <16 x float>: the kernel asks for 512-bit registers

  unsigned nr() const { return vl * nv; }
  // The most stack bytes the GEMM's buffers take: the packed B block, a
  // packed A panel and the accumulator scratch (used only when K spans
  // several KC blocks). At most rt::kCpuKernelStackBytes.
  int64_t stackBytes() const { return 4 * (kc * nc + kc * mr + mc * nc); }
};

// The configuration for GEMMs with `cols` output columns on a target whose
// widest vector register has `vectorBits` bits (512, 256 or 128), of which
// there are at least `minGemms` (a batched matmul: one per head and
// sample). NC shrinks for narrow problems so that at least two extent steps
// exist whenever cols > NR (a batch-1 dense layer still uses two threads),
// unless several GEMMs already make the steps: then a narrow GEMM is one
// column block, and its A is packed once instead of once per block.
GemmConfig chooseGemmConfig(int64_t cols, unsigned vectorBits, int64_t minGemms = 1);

}  // namespace dlc::cpu::gemm
