// The CUDA side of the differential check: one graph compiled for
// --target cuda with fusion and without, compared with the reference.
//
// For each mode: compileGraph renders the CUDA C++ and compiles it with
// NVRTC to PTX (an error on a valid graph is a compile-error verdict). The
// kernels are rendered again from the compiled plan (the source must be the
// same text: rendering is deterministic); the fused ones are also compiled
// to an sm_90 CUBIN (ptxas checks registers and shared memory). Both modes
// then run in the host emulation of tests/backends/cuda/emu (one g++ call
// for both programs), in plan order with the rendered launch geometry, on
// one host buffer per IR value: outputs poisoned, guard bytes after every
// buffer (a write past the end is a run-error). Kernels soft placement left
// on the CPU are evaluated node by node with the reference (the CPU check
// covers their code). Every graph output is compared with the reference
// under Tolerance.h. Where the runtime finds a CUDA GPU, the artifact also
// runs on it through rt::Model and is compared the same way; without one
// that run is counted as skipped, never as a pass.
//
// Messages name the backend first: "cuda fused, batch 3, output 0 (...)",
// "cuda unfused on gpu, batch 1: ...", "cuda fused: compile: ...".
//
// What this deliberately does not do: check the CPU backend (Differential.h)
// or time anything.
#pragma once

#include <vector>

#include "tests/fuzz/Differential.h"

namespace dlc::fuzz {

// `refs[r]` holds the reference outputs of runs[r]. Sets the cuda* counts
// of the result.
CheckResult checkCuda(const ir::Graph& graph, const std::vector<InputSet>& runs,
                      const std::vector<std::vector<Tensor>>& refs,
                      const std::vector<std::string>& cpuOnlyOps = {});

}  // namespace dlc::fuzz
