// The artifact as a user loads it, against the in-memory load the
// differential check runs (dlc has no JIT: the compiler hands `dlc run` the
// artifact bytes in memory, users load the file): the bytes are written to a
// file, loaded with the public C API (dlc_model_load), run with
// dlc_model_run on caller-owned output buffers at every batch of the case,
// and every output must be BIT-IDENTICAL to the rt::Model::loadBytes run.
// Also: two artifacts built from one graph must be byte-identical (the
// determinism check, a second compile, so campaigns ask for it per seed).
//
// What this deliberately does not do: compare with the reference (the two
// runs are the same code on the same inputs, so any difference at all is a
// bug), or check CUDA artifacts (CudaCheck.h).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "tests/fuzz/Differential.h"

namespace dlc::fuzz {

// `expected[r]` holds the in-memory outputs of runs[r]. `backend` names the
// build in messages ("cpu fused"): "c-api file, cpu fused, batch 3, output
// 0 ("add.4"): element 17 is 0x3f800000, in memory 0x3f800001".
CheckResult checkArtifactFile(const std::vector<uint8_t>& bytes, const ir::Graph& graph,
                              const std::vector<InputSet>& runs,
                              const std::vector<std::vector<Tensor>>& expected,
                              const std::string& backend);

// "" when `a` and `b` are the same bytes; else where they first differ.
std::string firstByteDifference(const std::vector<uint8_t>& a, const std::vector<uint8_t>& b);

}  // namespace dlc::fuzz
