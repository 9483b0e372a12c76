// dlc-fuzz: differential random-graph testing of the CPU and CUDA backends
// against the reference interpreter (see tests/fuzz/*.h).
//
//   dlc-fuzz --seed S [--print]         graph S alone (shrunk + written if it fails)
//   dlc-fuzz --count K [--start S]      seeds S .. S+K-1
//   dlc-fuzz --minutes M [--start S]    consecutive seeds for M minutes
//   dlc-fuzz --replay DIR               a repro folder (model.json + <input>.npy),
//                                       with the checks --cuda, --determinism and
//                                       --no-cpu ask for (README.txt says which)
//   dlc-fuzz --histogram K [--start S]  op counts of K generated graphs (no checks)
//   checks: CPU fused/unfused and the C API artifact file always, plus
//            --cuda                  CUDA fused/unfused on every seed (NVRTC,
//                                    host emulation, a GPU when present)
//            --cuda-every K          ... on seeds divisible by K
//            --determinism-every K   each CPU mode built twice, same bytes, on
//                                    seeds divisible by K (10; 0 = never)
//            --determinism           ... on every seed
//            --cuda-cpu-only OP      CUDA builds keep OP on the CPU (soft placement's
//                                    mixed-device artifacts; repeatable)
//            --no-cpu                skip the CPU checks (replaying a CUDA repro)
//   options: --jobs J (2) --timeout SEC (60; 300 with CUDA checks)
//            --out DIR (fuzz-out; "" = no repros) --verbose
// Exit status: 0 when every graph passed, 1 when any failed, 2 on bad flags.
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <string>

#include "compiler/Compiler.h"
#include "ir/Printer.h"
#include "support/Npy.h"
#include "tests/fuzz/Isolate.h"
#include "tests/fuzz/Campaign.h"
#include "tests/fuzz/GraphGen.h"

using namespace dlc;
using namespace dlc::fuzz;

namespace {

int usage() {
  fprintf(stderr,
          "usage: dlc-fuzz (--seed S [--print] | --count K [--start S] | --minutes M [--start S]\n"
          "                 | --replay DIR | --histogram K [--start S])\n"
          "                [--cuda | --cuda-every K] [--determinism | --determinism-every K]\n"
          "                [--cuda-cpu-only OP]... [--no-cpu]\n"
          "                [--jobs J] [--timeout SEC] [--out DIR] [--verbose]\n");
  return 2;
}

// Checks a repro folder written by writeRepro (batch from README.txt's
// inputs: the .npy dims bind N).
int replay(const std::string& dir, const CheckOptions& checks, double timeoutS) {
  CheckResult r = runIsolated(
      [&]() -> CheckResult {
        auto graph = loadModelFile(dir + "/model.json");
        if (!graph.ok()) return {Verdict::kInvalidGraph, graph.status().toString()};
        InputSet set;
        for (const ir::Node* in : (*graph)->inputs()) {
          auto t = readNpy(dir + "/" + in->name + ".npy");
          if (!t.ok()) return {Verdict::kInvalidGraph, t.status().toString()};
          for (int d = 0; d < in->type.shape.rank(); ++d)
            if (in->type.shape.dim(d) == ir::kBatch) set.batch = t->dims()[size_t(d)];
          set.values.push_back(std::move(*t));
        }
        return checkGraph(**graph, {set}, checks);
      },
      timeoutS);
  fprintf(stderr, "%s: %s%s%s\n", dir.c_str(), verdictName(r.verdict),
          r.message.empty() ? "" : ": ", r.message.c_str());
  return r.verdict == Verdict::kPass ? 0 : 1;
}

// How often each op appears in `count` graphs from `start`: the generator's
// coverage, without compiling anything.
int histogram(uint64_t start, int64_t count) {
  std::map<std::string, int64_t> ops;
  int64_t nodes = 0, batched = 0;
  for (int64_t i = 0; i < count; ++i) {
    FuzzCase c = generateCase(start + uint64_t(i));
    batched += c.runs.size() > 1 ? 1 : 0;
    for (const auto& n : c.graph->nodes()) {
      if (ir::isSource(n->op)) continue;
      ++ops[std::string(ir::opName(n->op))];
      ++nodes;
    }
  }
  printf("%lld graphs, %lld computations, %lld with a batch input\n", (long long)count,
         (long long)nodes, (long long)batched);
  for (const auto& [op, n] : ops) printf("  %-16s %lld\n", op.c_str(), (long long)n);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CampaignOptions options;
  options.outDir = "fuzz-out";
  bool single = false, print = false, timeoutGiven = false;
  std::string replayDir;
  int64_t histogramCount = 0;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto value = [&]() -> const char* { return i + 1 < argc ? argv[++i] : nullptr; };
    const char* v = nullptr;
    if (a == "--print") print = true;
    else if (a == "--verbose") options.verbose = true;
    else if (a == "--seed" && (v = value())) {
      single = true;
      options.start = strtoull(v, nullptr, 10);
      options.count = 1;
    } else if (a == "--start" && (v = value())) options.start = strtoull(v, nullptr, 10);
    else if (a == "--count" && (v = value())) options.count = atoll(v);
    else if (a == "--minutes" && (v = value())) options.minutes = atof(v);
    else if (a == "--jobs" && (v = value())) options.jobs = atoi(v);
    else if (a == "--timeout" && (v = value())) {
      options.timeoutS = atof(v);
      timeoutGiven = true;
    } else if (a == "--cuda") options.cudaEvery = 1;
    else if (a == "--cuda-every" && (v = value())) options.cudaEvery = atoll(v);
    else if (a == "--determinism") options.determinismEvery = 1;
    else if (a == "--determinism-every" && (v = value())) options.determinismEvery = atoll(v);
    else if (a == "--no-cpu") options.cpu = false;
    else if (a == "--cuda-cpu-only" && (v = value())) options.cudaCpuOnlyOps.push_back(v);
    else if (a == "--out" && (v = value())) options.outDir = v;
    else if (a == "--replay" && (v = value())) replayDir = v;
    else if (a == "--histogram" && (v = value())) histogramCount = atoll(v);
    else return usage();
  }
  if (options.jobs < 1 || options.timeoutS <= 0 || options.count < 0 || options.cudaEvery < 0 ||
      options.determinismEvery < 0)
    return usage();
  // g++ builds the CUDA emulation of each graph: seconds, more on a busy machine.
  if (options.cudaEvery > 0 && !timeoutGiven) options.timeoutS = 300;
  if (!replayDir.empty()) {
    CheckOptions checks;
    checks.cpu = options.cpu;
    checks.cuda = options.cudaEvery == 1;                // --cuda
    checks.determinism = options.determinismEvery == 1;  // --determinism
    checks.cudaCpuOnlyOps = options.cudaCpuOnlyOps;
    return replay(replayDir, checks, options.timeoutS);
  }
  if (histogramCount > 0) return histogram(options.start, histogramCount);
  if (single) {
    options.minutes = 0;
    options.verbose = true;
    if (print) {
      FuzzCase c = generateCase(options.start);
      printf("%s", ir::printGraph(*c.graph).c_str());
      for (const InputSet& run : c.runs) printf("# runs at batch %lld\n", (long long)run.batch);
    }
  }
  CampaignStats stats = runCampaign(options);
  fprintf(stderr, "%s\n", stats.summary().c_str());
  return stats.failed() == 0 ? 0 : 1;
}
