// The differential check of one graph at every batch size of its case.
// The reference interpreter (float64 accumulation) is the oracle; against it:
//   cpu fused, cpu unfused   compileGraph -> artifact bytes -> rt::Model
//                            (loadBytes, in memory), outputs within
//                            Tolerance.h
//   c-api file               each CPU artifact written to a file, loaded
//                            and run through the public C API: outputs
//                            bit-identical to the in-memory run
//                            (ArtifactFileCheck.h)
//   determinism (asked)      each CPU mode compiled twice: identical bytes
//   cuda fused, unfused      (asked) NVRTC compile, host emulation and, with
//                            a GPU, the artifact on it (CudaCheck.h)
// An output whose reference holds NaN or Inf is not compared; it is counted.
//
// What this deliberately does not do: isolate crashes (Isolate.h runs it in
// a child process) or generate graphs (GraphGen.h).
#pragma once

#include <string>
#include <vector>

#include "tests/fuzz/FuzzCase.h"

namespace dlc::fuzz {

// Failure classes, counted separately. Crash and Timeout come from the
// parent (Isolate.h); the rest from checkGraph.
enum class Verdict {
  kPass = 0,
  kCompileError,      // a build, render, NVRTC or load refused a valid graph
  kRunError,          // the runtime (or the CUDA emulation) returned an error
  kWrongResult,       // a value outside the tolerance, wrong dims, or C API bits
  kNondeterministic,  // one graph built twice gave different bytes or source
  kCrash,             // the child died on a signal or exited without a verdict
  kTimeout,           // the child ran past its time limit
  kInvalidGraph,      // the reference refused the graph: a generator bug
};
constexpr int kNumVerdicts = 8;
const char* verdictName(Verdict v);

// Which comparisons checkGraph makes.
struct CheckOptions {
  bool cpu = true;           // cpu fused/unfused and the C API file check
  bool determinism = false;  // with cpu: each mode built twice, same bytes
  bool cuda = false;         // cuda fused/unfused (CudaCheck.h)
  // Ops the CUDA builds keep on the CPU (BuildOptions::cpuOnlyOps), so that
  // soft placement's mixed-device artifacts are checked too.
  std::vector<std::string> cudaCpuOnlyOps;
};

// The dlc-fuzz flags that ask for `checks` beyond the default (" --cuda").
std::string checkFlags(const CheckOptions& checks);

struct CheckResult {
  Verdict verdict = Verdict::kPass;
  // What failed, where, backend first: "cpu fused, batch 3, output 0: ...",
  // "cuda unfused: compile: ...", "c-api file, cpu fused, batch 1, ...".
  std::string message;
  int nonFiniteOutputs = 0;  // reference outputs with NaN/Inf, not compared
  int computations = 0;      // non-source nodes of the graph
  // Work done, so that campaigns can count what was (not) checked: CUDA
  // modes (fused, unfused) compared in the emulation, compared on a GPU,
  // not run on a GPU because none is present, not built because NVRTC is
  // missing; CPU modes built twice for determinism.
  int cudaEmulated = 0;
  int cudaOnGpu = 0;
  int cudaGpuSkipped = 0;
  int cudaNotBuilt = 0;
  int determinismChecks = 0;
};

// The backend a failure message names: its text before the first ',' or
// ':' ("cpu fused", "cuda unfused on gpu", "c-api file", "determinism").
std::string failedBackend(const CheckResult& r);

// The options that reproduce `failure` and nothing else it does not need:
// only the CUDA check for a CUDA failure, no CUDA check for a CPU one.
CheckOptions optionsFor(const CheckResult& failure, const CheckOptions& asked);

// Loads artifact `bytes` with rt::Model and runs it on every input set,
// comparing each run's outputs with refs[r] (compareOutputs; messages start
// with `backend`). The outputs go to *outs when it is given.
CheckResult runAndCompare(const std::vector<uint8_t>& bytes, const ir::Graph& graph,
                          const std::vector<InputSet>& runs,
                          const std::vector<std::vector<Tensor>>& refs, const std::string& backend,
                          std::vector<std::vector<Tensor>>* outs = nullptr);

// Checks `graph` on `runs` (see the header comment).
CheckResult checkGraph(const ir::Graph& graph, const std::vector<InputSet>& runs,
                       const CheckOptions& options = {});

}  // namespace dlc::fuzz
