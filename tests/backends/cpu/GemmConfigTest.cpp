// chooseGemmConfig: the register tile per vector width, and how NC splits
// the columns so that two threads get work.
#include "compiler/backends/cpu/gemm/GemmConfig.h"

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

}  // namespace
}  // namespace dlc::cpu::gemm
