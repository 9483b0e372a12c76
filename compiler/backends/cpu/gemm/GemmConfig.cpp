// Target-ISA driven choice of the GEMM tile and block sizes. See GemmConfig.h.
#include "compiler/backends/cpu/gemm/GemmConfig.h"

#include <algorithm>

namespace dlc::cpu::gemm {

GemmConfig chooseGemmConfig(int64_t cols, unsigned vectorBits, int64_t minGemms) {
  GemmConfig c;
  if (vectorBits >= 512) {
    c.vl = 16;
    c.nv = 2;
    c.mr = 12;
    c.wideVectors = true;
  } else if (vectorBits < 256) {
    c.vl = 4;
    c.nv = 2;
    c.mr = 6;
  }
  c.kc = 128;
  c.mc = 48 * int64_t(c.mr);
  const int64_t nr = c.nr();
  c.nc = 8 * nr;
  if (cols <= c.nc && minGemms >= c.minSteps) {
    c.nc = (cols + nr - 1) / nr * nr;
  } else if (cols <= c.nc) {
    // Two column blocks when there is more than one panel of work.
    int64_t half = (cols + 1) / 2;
    c.nc = std::max<int64_t>(nr, (half + nr - 1) / nr * nr);
  } else if (int64_t blocks = (cols + c.nc - 1) / c.nc; blocks % 2 == 1) {
    // An even number of column blocks, so that two threads split the steps
    // evenly (768 columns: 4 blocks of 192, not 3 of 256).
    int64_t per = (cols + blocks) / (blocks + 1);
    c.nc = (per + nr - 1) / nr * nr;
  }
  return c;
}

}  // namespace dlc::cpu::gemm
