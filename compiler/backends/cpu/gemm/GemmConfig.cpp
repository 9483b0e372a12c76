// Host-ISA driven choice of the GEMM tile and block sizes. See GemmConfig.h.
#include "compiler/backends/cpu/gemm/GemmConfig.h"

#include <algorithm>

#include <llvm/ADT/StringMap.h>
#include <llvm/TargetParser/Host.h>

namespace dlc::cpu::gemm {

bool hostHasAvx512() {
  static const bool has = [] {
    llvm::StringMap<bool> features = llvm::sys::getHostCPUFeatures();
    auto it = features.find("avx512f");
    return it != features.end() && it->second;
  }();
  return has;
}

GemmConfig chooseGemmConfig(int64_t cols) {
  GemmConfig c;
  if (hostHasAvx512()) {
    c.vl = 16;
    c.nv = 2;
    c.mr = 12;
    c.wideVectors = true;
  }
  c.kc = 128;
  c.mc = 8 * int64_t(c.mr);
  const int64_t nr = c.nr();
  c.nc = 8 * nr;
  if (cols <= c.nc) {
    // Two column blocks when there is more than one panel of work.
    int64_t half = (cols + 1) / 2;
    c.nc = std::max<int64_t>(nr, (half + nr - 1) / nr * nr);
  }
  return c;
}

}  // namespace dlc::cpu::gemm
