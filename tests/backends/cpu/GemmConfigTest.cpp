// chooseGemmConfig: the register tile per vector width, and how NC splits
// the columns so that two threads get work.
#include "compiler/backends/cpu/gemm/GemmConfig.h"
#include "runtime/src/Manifest.h"

#include <gtest/gtest.h>

namespace dlc::cpu::gemm {
namespace {

TEST(GemmConfig, TilePerVectorWidth) {
  GemmConfig avx512 = chooseGemmConfig(1024, 512);
  EXPECT_EQ(avx512.vl, 16u);
  EXPECT_EQ(avx512.mr * avx512.nv, 24u);  // 24 of 32 zmm registers accumulate
  GemmConfig avx2 = chooseGemmConfig(1024, 256);
  EXPECT_EQ(avx2.vl, 8u);
  EXPECT_EQ(avx2.mr * avx2.nv, 12u);
}

TEST(GemmConfig, OneGemmSplitsItsColumnsForTwoThreads) {
  // 128 columns (4 panels of 32): two column blocks of 64.
  EXPECT_EQ(chooseGemmConfig(128, 512).nc, 64);
  // 768 columns: 4 blocks of 192, not 3 of 256.
  EXPECT_EQ(chooseGemmConfig(768, 512).nc, 192);
  // A single panel cannot split.
  EXPECT_EQ(chooseGemmConfig(20, 512).nc, 32);
}

TEST(GemmConfig, SeveralGemmsKeepNarrowColumnsInOneBlock) {
  // Attention's batched matmuls (4 heads of 128 x 128): the heads already
  // give the threads work, so each GEMM is one column block and packs its
  // A panels once.
  EXPECT_EQ(chooseGemmConfig(128, 512, /*minGemms=*/4).nc, 128);
  EXPECT_EQ(chooseGemmConfig(70, 512, /*minGemms=*/2).nc, 96);
  EXPECT_EQ(chooseGemmConfig(64, 256, /*minGemms=*/12).nc, 64);
  // Wide GEMMs keep the usual blocking.
  EXPECT_EQ(chooseGemmConfig(768, 512, /*minGemms=*/4).nc, 192);
}

TEST(GemmConfig, BuffersFitTheKernelStack) {
  // The kernel ABI gives a CPU kernel's buffers rt::kCpuKernelStackBytes.
  for (unsigned bits : {128u, 256u, 512u})
    for (int64_t cols : {1, 20, 128, 768, 1024, 4096, 100000})
      for (int64_t gemms : {1, 4}) {
        GemmConfig c = chooseGemmConfig(cols, bits, gemms);
        EXPECT_LE(c.stackBytes(), rt::kCpuKernelStackBytes) << bits << " " << cols;
        EXPECT_EQ(c.mc % c.mr, 0);
      }
  // Two row blocks at 1024 rows (a row block packs its B block again).
  EXPECT_GE(chooseGemmConfig(1024, 512).mc, 512);
}

}  // namespace
}  // namespace dlc::cpu::gemm
