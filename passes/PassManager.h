// The pass manager: a pipeline is data, a list of passes each run once or to
// a fixed point, with optional verification, IR dumps and timings.
//
//   Pipeline p;
//   p.push_back({std::make_unique<CSE>(), /*fixedPoint=*/false});
//   PassManagerOptions opts;
//   opts.verifyEach = true;
//   DLC_ASSIGN_OR_RETURN(auto timings, runPipeline(p, graph, opts));
//   std::cerr << formatPassTimings(timings);
//
// A PassGroup entry runs several passes in order as one unit; with
// fixedPoint the whole group repeats until none of its passes changes the
// graph (the "simplify + cse + dce until stable" loop). The manager still
// verifies, dumps and times each pass inside a group separately.
//
// It also holds the registry of simplification passes by name (createPass),
// used by the golden tests and the CLI's --passes. It deliberately knows
// nothing about fusion or buffer assignment: those passes are built by the
// compiler pipeline directly.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "passes/Pass.h"

namespace dlc::passes {

// The most times a fixed-point entry runs before the manager stops it.
constexpr int kMaxFixedPointIterations = 10;

struct PipelineEntry {
  std::unique_ptr<Pass> pass;
  bool fixedPoint = false;  // rerun until unchanged (at most 10 runs)
};

using Pipeline = std::vector<PipelineEntry>;

// Several passes run in order as one pipeline entry. Run directly (outside a
// PassManager) it runs each pass once and reports whether any changed.
class PassGroup : public Pass {
 public:
  PassGroup(std::string name, std::vector<std::unique_ptr<Pass>> passes)
      : name_(std::move(name)), passes_(std::move(passes)) {}
  std::string_view name() const override { return name_; }
  StatusOr<bool> run(ir::Graph& graph) override;
  const std::vector<std::unique_ptr<Pass>>& passes() const { return passes_; }

 private:
  std::string name_;
  std::vector<std::unique_ptr<Pass>> passes_;
};

struct PassManagerOptions {
  // Run ir::verify on the input and after every pass; a failure is an
  // internal error naming the pass that broke the graph.
  bool verifyEach = false;
  // When not empty: write <dir>/00-input.ir, then <dir>/NN-<pass>.ir after
  // every pass run (the directory is created).
  std::string dumpDir;
  // Measure each pass's wall time; otherwise milliseconds stay 0.
  bool timePasses = false;
};

// What one pass did over the whole pipeline run.
struct PassTiming {
  std::string name;
  double milliseconds = 0;  // total over all its runs
  bool changed = false;     // any run changed the graph
  int iterations = 0;       // how many times it ran
  // Time already inside another row's (a backend phase summed over kernels
  // that compiled in parallel): listed, marked, and left out of the total.
  bool summed = false;
};

class PassManager {
 public:
  explicit PassManager(PassManagerOptions options = {}) : options_(std::move(options)) {}

  // Runs every entry in order. Errors from a pass are returned as they are;
  // verifier failures and dump I/O errors name the pass.
  StatusOr<std::vector<PassTiming>> run(Pipeline& pipeline, ir::Graph& graph);

 private:
  Status runEntry(PipelineEntry& entry, ir::Graph& graph, std::vector<PassTiming>& out);
  // Runs one pass once with verification, dumping and timing.
  StatusOr<bool> runOnce(Pass& pass, ir::Graph& graph, PassTiming& timing);
  Status dump(const ir::Graph& graph, const std::string& stem);

  PassManagerOptions options_;
  int dumpIndex_ = 0;
};

// Convenience: PassManager(options).run(pipeline, graph).
StatusOr<std::vector<PassTiming>> runPipeline(Pipeline& pipeline, ir::Graph& graph,
                                              const PassManagerOptions& options = {});

// A table of pass, runs and milliseconds; a pass that changed nothing is
// marked "(unchanged)". Ends with a total line.
std::string formatPassTimings(const std::vector<PassTiming>& timings);

// The simplification passes by name: "assign-devices" (default device
// "/device:CPU:0"), "constant-fold", "algebraic-simplify", "fold-batch-norm",
// "lower-batch-norm", "cse", "dce", "lower-precision-f16", "lower-precision-bf16"
// (passes/LowerPrecision.h). An unknown name is a NotFound error listing the
// known ones.
StatusOr<std::unique_ptr<Pass>> createPass(std::string_view name);
// Names createPass accepts, in pipeline order.
std::vector<std::string> registeredPassNames();

// A comma-separated list ("cse,dce") as a pipeline of run-once entries.
StatusOr<Pipeline> parsePassList(std::string_view list);

// The default simplification pipeline:
//   assign-devices, constant-fold,
//   [algebraic-simplify, fold-batch-norm, cse, dce] to a fixed point,
//   lower-batch-norm (the batch norms nothing could absorb become mul + add),
//   dce (drops the parameters lower-batch-norm replaced),
//   materialize-outputs (outputs that are inputs, constants or repeated get
//   a copy, so that a kernel writes every output).
Pipeline buildSimplifyPipeline(const std::string& defaultDevice = "/device:CPU:0");

}  // namespace dlc::passes
