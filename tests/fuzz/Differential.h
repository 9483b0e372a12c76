// The differential check of one graph: the reference interpreter (float64
// accumulation) against the CPU backend with fusion and without, through the
// artifact bytes and the runtime, at every batch size of the case.
//
// Tolerances (f32): |got - ref| <= atol + rtol * |ref|, with atol 1e-5 and
// rtol 1e-4 unless an op in the output's cone needs more; kToleranceTable in
// Differential.cpp lists those ops with the reason. An output whose
// reference holds NaN or Inf is not compared; it is counted instead.
//
// What this deliberately does not do: isolate crashes (Isolate.h runs it in
// a child process) or generate graphs (GraphGen.h).
#pragma once

#include <string>
#include <vector>

#include "tests/fuzz/FuzzCase.h"

namespace dlc::fuzz {

// Failure classes, counted separately. Crash and Timeout come from the
// parent (Isolate.h); the rest from checkCase.
enum class Verdict {
  kPass = 0,
  kCompileError,  // compileGraph / artifactBytes / load refused a valid graph
  kRunError,      // the runtime returned an error
  kWrongResult,   // a value outside the tolerance, or wrong dims
  kCrash,         // the child died on a signal or exited without a verdict
  kTimeout,       // the child ran past its time limit
  kInvalidGraph,  // the reference refused the graph: a generator bug
};
constexpr int kNumVerdicts = 7;
const char* verdictName(Verdict v);

struct CheckResult {
  Verdict verdict = Verdict::kPass;
  std::string message;    // what failed, where: "fused, batch 3, output 0: ..."
  int nonFiniteOutputs = 0;  // reference outputs with NaN/Inf, not compared
  int computations = 0;      // non-source nodes of the graph
};

// Checks `graph` on `runs` (see the header comment).
CheckResult checkGraph(const ir::Graph& graph, const std::vector<InputSet>& runs);

}  // namespace dlc::fuzz
