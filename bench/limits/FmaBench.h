// Peak f32 arithmetic: a tight multiply-add loop per vector ISA, all threads
// at once.
//
// Each ISA's kernel keeps kChains = 12 independent accumulator registers
// (enough for 2 FMA ports x 4-cycle latency, and 12 + 2 constants fit the
// 16 named vector registers of every ISA) and updates each with
// x = x*0.5 + 1 per iteration:
//   avx512f  zmm, vfmadd (16 lanes)     avx2  ymm, vfmadd (8 lanes, needs fma)
//   sse2     xmm, mulps then addps (4 lanes; SSE2 has no FMA)
// Every update counts 2 FLOPs per lane. The kernels are compiled with
// __attribute__((target)) and chosen at run time with
// __builtin_cpu_supports, so the binary runs on any x86-64. Every
// accumulator converges to exactly 2.0, so the lanes' sum is a check that
// also keeps the compiler from deleting the loop. All threads run at once for
// the given time, cut into 10 windows of time common to all threads; the
// rate is the team's best window (the mean over the run is reported too),
// as STREAM reports its best repetition.
//
// It measures the sustained rate of the core's vector units at whatever
// clock the machine runs; it does not read or control the frequency.
#pragma once

#include <string>
#include <vector>

#include "support/Status.h"

namespace dlc::bench {

struct FmaResult {
  std::string isa;  // "avx512f", "avx2", "sse2"
  int vectorBits = 0;
  bool fused = false;          // one FMA instruction (true) or mul + add (false)
  double gflops = 0;           // all threads together, in the best window
  double gflopsMean = 0;       // all threads together, over the whole run
  double gflopsPerThread = 0;  // gflops / threads
  double checksum = 0;         // sum over threads of the accumulators' lanes
};

// The ISAs this CPU runs, widest first (sse2 always).
std::vector<std::string> supportedFmaIsas();

// Runs `isa`'s kernel for about `milliseconds` on every thread at once.
StatusOr<FmaResult> runFma(const std::vector<int>& cpus, const std::string& isa, int milliseconds);

}  // namespace dlc::bench
