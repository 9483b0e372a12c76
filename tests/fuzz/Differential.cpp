// Reference vs CPU fused/unfused, the C API file and CUDA (Differential.h).
#include "tests/fuzz/Differential.h"

#include <unistd.h>

#include "compiler/Compiler.h"
#include "compiler/reference/Interpreter.h"
#include "runtime/src/Model.h"
#include "tests/fuzz/ArtifactFileCheck.h"
#include "tests/fuzz/CudaCheck.h"
#include "tests/fuzz/Scratch.h"
#include "tests/fuzz/Tolerance.h"

namespace dlc::fuzz {

namespace {

// The artifact of one CPU mode; `error` set when there is none.
struct CpuBuild {
  std::vector<uint8_t> bytes;
  CheckResult error;
};

CpuBuild buildCpu(const ir::Graph& graph, bool fused, const std::string& backend) {
  CpuBuild b;
  BuildOptions options;
  options.fusion = fused;
  StatusOr<BuildResult> built = compileGraph(graph.clone(), options);
  if (!built.ok()) {
    b.error = {Verdict::kCompileError, strCat(backend, ": compile: ", built.status().toString())};
    return b;
  }
  StatusOr<std::vector<uint8_t>> bytes = artifactBytes(*built);
  if (!bytes.ok()) {
    b.error = {Verdict::kCompileError, strCat(backend, ": artifact: ", bytes.status().toString())};
    return b;
  }
  b.bytes = std::move(*bytes);
  return b;
}

// One CPU mode: build (twice with `determinism`), run in memory against
// the reference, then the same artifact through the C API file path.
CheckResult checkCpuMode(const ir::Graph& graph, const std::vector<InputSet>& runs,
                         const std::vector<std::vector<Tensor>>& refs, bool fused,
                         bool determinism, int* determinismChecks) {
  const std::string backend = fused ? "cpu fused" : "cpu unfused";
  CpuBuild b = buildCpu(graph, fused, backend);
  if (b.bytes.empty()) return b.error;
  if (determinism) {
    CpuBuild again = buildCpu(graph, fused, backend);
    if (again.bytes.empty()) return again.error;
    std::string diff = firstByteDifference(b.bytes, again.bytes);
    if (!diff.empty())
      return {Verdict::kNondeterministic,
              strCat("determinism, ", backend, ": two builds of one graph gave artifacts of ",
                     diff)};
    ++*determinismChecks;
  }
  std::vector<std::vector<Tensor>> outs;
  CheckResult ran = runAndCompare(b.bytes, graph, runs, refs, backend, &outs);
  if (ran.verdict != Verdict::kPass) return ran;
  return checkArtifactFile(b.bytes, graph, runs, outs, backend);
}

// Removes this process's scratch folder when the check ends.
struct ScratchGuard {
  ~ScratchGuard() { removeScratchDir(::getpid()); }
};

}  // namespace

CheckResult runAndCompare(const std::vector<uint8_t>& bytes, const ir::Graph& graph,
                          const std::vector<InputSet>& runs,
                          const std::vector<std::vector<Tensor>>& refs, const std::string& backend,
                          std::vector<std::vector<Tensor>>* outs) {
  auto model = rt::Model::loadBytes(bytes.data(), bytes.size(), graph.name);
  if (!model.ok())
    return {Verdict::kCompileError, strCat(backend, ": load: ", model.status().toString())};
  for (size_t r = 0; r < runs.size(); ++r) {
    auto got = (*model)->run(runs[r].values);
    if (!got.ok())
      return {Verdict::kRunError,
              strCat(backend, ", batch ", runs[r].batch, ": ", got.status().toString())};
    std::string diff =
        compareOutputs(graph, *got, refs[r], backend, runs[r].batch, runs[r].coneMagnitude);
    if (!diff.empty()) return {Verdict::kWrongResult, diff};
    if (outs) outs->push_back(std::move(*got));
  }
  return {};
}

const char* verdictName(Verdict v) {
  switch (v) {
    case Verdict::kPass: return "pass";
    case Verdict::kCompileError: return "compile-error";
    case Verdict::kRunError: return "run-error";
    case Verdict::kWrongResult: return "wrong-result";
    case Verdict::kNondeterministic: return "nondeterministic";
    case Verdict::kCrash: return "crash";
    case Verdict::kTimeout: return "timeout";
    case Verdict::kInvalidGraph: return "invalid-graph";
  }
  return "?";
}

std::string checkFlags(const CheckOptions& checks) {
  std::string flags = strCat(checks.cpu ? "" : " --no-cpu", checks.cuda ? " --cuda" : "",
                             checks.determinism ? " --determinism" : "");
  for (const std::string& op : checks.cudaCpuOnlyOps) flags += " --cuda-cpu-only " + op;
  return flags;
}

std::string failedBackend(const CheckResult& r) {
  return r.message.substr(0, r.message.find_first_of(",:"));
}

CheckOptions optionsFor(const CheckResult& failure, const CheckOptions& asked) {
  CheckOptions o = asked;
  if (failedBackend(failure).rfind("cuda", 0) == 0) {
    o.cpu = false;
    o.determinism = false;
  } else if (!failure.message.empty()) {
    o.cuda = false;
  }
  return o;
}

CheckResult checkGraph(const ir::Graph& graph, const std::vector<InputSet>& givenRuns,
                       const CheckOptions& options) {
  std::vector<InputSet> runs = givenRuns;
  ScratchGuard scratch;
  CheckResult result;
  for (const auto& n : graph.nodes()) result.computations += ir::isSource(n->op) ? 0 : 1;
  // Failures keep the counts of the work done so far.
  auto fail = [&](CheckResult r) {
    r.computations = result.computations;
    r.nonFiniteOutputs = result.nonFiniteOutputs;
    r.cudaEmulated += result.cudaEmulated;
    r.cudaOnGpu += result.cudaOnGpu;
    r.cudaGpuSkipped += result.cudaGpuSkipped;
    r.cudaNotBuilt += result.cudaNotBuilt;
    r.determinismChecks += result.determinismChecks;
    return r;
  };
  // The reference first: its values, and which outputs are comparable.
  std::vector<std::vector<Tensor>> refs;
  for (const InputSet& run : runs) {
    auto ref = ref::evaluate(graph, run.values);
    if (!ref.ok())
      return fail({Verdict::kInvalidGraph,
                   strCat("reference, batch ", run.batch, ": ", ref.status().toString())});
    for (const Tensor& t : *ref) result.nonFiniteOutputs += allFinite(t) ? 0 : 1;
    refs.push_back(std::move(*ref));
  }
  for (InputSet& run : runs) {
    auto magnitudes = coneMagnitudes(graph, run.values);
    if (!magnitudes.ok())
      return fail({Verdict::kInvalidGraph, strCat("reference, batch ", run.batch, ": ",
                                                  magnitudes.status().toString())});
    run.coneMagnitude = std::move(*magnitudes);
  }
  if (options.cpu) {
    for (bool fused : {true, false}) {
      CheckResult r = checkCpuMode(graph, runs, refs, fused, options.determinism,
                                   &result.determinismChecks);
      if (r.verdict != Verdict::kPass) return fail(r);
    }
  }
  if (options.cuda) {
    CheckResult r = checkCuda(graph, runs, refs, options.cudaCpuOnlyOps);
    if (r.verdict != Verdict::kPass) return fail(r);
    result.cudaEmulated += r.cudaEmulated;
    result.cudaOnGpu += r.cudaOnGpu;
    result.cudaGpuSkipped += r.cudaGpuSkipped;
    result.cudaNotBuilt += r.cudaNotBuilt;
  }
  return result;
}

}  // namespace dlc::fuzz
