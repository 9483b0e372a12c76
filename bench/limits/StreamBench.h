// Memory bandwidth, STREAM style (McCalpin), on f32 arrays.
//
// Kernels, on three arrays a, b, c of n floats (4 bytes each) and s = 3:
//   copy   c = a          scale  b = s*c
//   add    c = a + b      triad  a = b + s*c
//   copy_nt, triad_nt:    copy and triad with non-temporal (streaming)
//                         stores, as libraries use for large outputs.
// Each kernel is split statically across the team (each thread the same
// contiguous slice of every array, 64-byte aligned), the arrays are
// first-touched by the threads that later use them, and every kernel runs
// one warm-up then `reps` timed repetitions (time from the team's start
// barrier to its end barrier). Bytes are counted as STREAM does (copy and
// scale 2 words per element, add and triad 3) and, separately, with the
// write-allocate read of the stored line (one word more); streaming stores
// have no write-allocate, so for copy_nt/triad_nt both counts are equal.
// After each kernel every element of its output is checked against the
// exact expected value (all values are small integers): a wrong value is an
// error, as in STREAM's checkSTREAMresults.
//
// It does not place memory on NUMA nodes beyond first touch, and it does
// not flush caches: the caller sizes the arrays to exceed them.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "support/Status.h"

namespace dlc::bench {

struct StreamKernelResult {
  std::string name;                   // "copy", "scale", ...
  int wordsStream = 0;                // words moved per element, STREAM's count
  int wordsWriteAllocate = 0;         // ... counting the write-allocate read
  std::vector<double> seconds;        // one per timed repetition
  double bestGBs = 0, medianGBs = 0;  // STREAM count
  double bestGBsWriteAllocate = 0, medianGBsWriteAllocate = 0;  // with write-allocate
};

// arrayBytes: bytes per array (rounded down to whole floats; at least 64).
StatusOr<std::vector<StreamKernelResult>> runStream(const std::vector<int>& cpus,
                                                    int64_t arrayBytes, int reps);

}  // namespace dlc::bench
