#include "passes/PassManager.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>

#include "ir/Printer.h"
#include "ir/Verifier.h"
#include "passes/AlgebraicSimplify.h"
#include "passes/AssignDevices.h"
#include "passes/CSE.h"
#include "passes/ConstantFold.h"
#include "passes/DCE.h"
#include "passes/FoldBatchNorm.h"
#include "passes/LowerBatchNorm.h"
#include "passes/MaterializeOutputs.h"
#include "passes/LowerPrecision.h"

namespace dlc::passes {

namespace fs = std::filesystem;

StatusOr<bool> PassGroup::run(ir::Graph& graph) {
  bool changed = false;
  for (auto& pass : passes_) {
    DLC_ASSIGN_OR_RETURN(bool c, pass->run(graph));
    changed |= c;
  }
  return changed;
}

StatusOr<std::vector<PassTiming>> PassManager::run(Pipeline& pipeline, ir::Graph& graph) {
  dumpIndex_ = 0;
  if (options_.verifyEach) {
    Status s = ir::verify(graph);
    if (!s.ok())
      return internalError("the input graph is invalid before any pass ran: ", s.message());
  }
  if (!options_.dumpDir.empty()) {
    std::error_code ec;
    fs::create_directories(options_.dumpDir, ec);
    if (ec)
      return unavailable("cannot create the IR dump directory \"", options_.dumpDir,
                         "\": ", ec.message());
    DLC_RETURN_IF_ERROR(dump(graph, "input"));
  }
  std::vector<PassTiming> timings;
  for (PipelineEntry& entry : pipeline) {
    DLC_CHECK(entry.pass != nullptr, "pipeline entry without a pass");
    DLC_RETURN_IF_ERROR(runEntry(entry, graph, timings));
  }
  return timings;
}

Status PassManager::runEntry(PipelineEntry& entry, ir::Graph& graph,
                             std::vector<PassTiming>& out) {
  // A group contributes one timing row per member pass; a plain pass one row.
  std::vector<Pass*> members;
  if (auto* group = dynamic_cast<PassGroup*>(entry.pass.get())) {
    for (auto& p : group->passes()) members.push_back(p.get());
  } else {
    members.push_back(entry.pass.get());
  }
  size_t first = out.size();
  for (Pass* p : members) out.push_back(PassTiming{std::string(p->name()), 0, false, 0});

  int maxRuns = entry.fixedPoint ? kMaxFixedPointIterations : 1;
  for (int iter = 0; iter < maxRuns; ++iter) {
    bool changed = false;
    for (size_t i = 0; i < members.size(); ++i) {
      DLC_ASSIGN_OR_RETURN(bool c, runOnce(*members[i], graph, out[first + i]));
      changed |= c;
    }
    if (!changed) break;
  }
  return Status::OK();
}

StatusOr<bool> PassManager::runOnce(Pass& pass, ir::Graph& graph, PassTiming& timing) {
  auto start = std::chrono::steady_clock::now();
  StatusOr<bool> result = pass.run(graph);
  auto end = std::chrono::steady_clock::now();
  if (!result.ok()) return result.status();
  ++timing.iterations;
  timing.changed |= *result;
  if (options_.timePasses)
    timing.milliseconds += std::chrono::duration<double, std::milli>(end - start).count();
  if (options_.verifyEach) {
    Status s = ir::verify(graph);
    if (!s.ok())
      return internalError("pass \"", pass.name(), "\" produced an invalid graph: ", s.message());
  }
  if (!options_.dumpDir.empty()) DLC_RETURN_IF_ERROR(dump(graph, std::string(pass.name())));
  return *result;
}

Status PassManager::dump(const ir::Graph& graph, const std::string& stem) {
  char prefix[16];
  std::snprintf(prefix, sizeof(prefix), "%02d-", dumpIndex_++);
  fs::path path = fs::path(options_.dumpDir) / (prefix + stem + ".ir");
  std::ofstream file(path, std::ios::binary | std::ios::trunc);
  if (!file) return unavailable("cannot write the IR dump \"", path.string(), "\"");
  file << ir::printGraph(graph);
  file.close();
  if (!file) return dataLoss("writing the IR dump \"", path.string(), "\" failed");
  return Status::OK();
}

StatusOr<std::vector<PassTiming>> runPipeline(Pipeline& pipeline, ir::Graph& graph,
                                              const PassManagerOptions& options) {
  return PassManager(options).run(pipeline, graph);
}

std::string formatPassTimings(const std::vector<PassTiming>& timings) {
  size_t width = 4;
  for (const PassTiming& t : timings) width = std::max(width, t.name.size());
  std::string out;
  char line[256];
  std::snprintf(line, sizeof(line), "%-*s %5s %10s\n", int(width), "pass", "runs", "ms");
  out += line;
  double total = 0;
  for (const PassTiming& t : timings) {
    if (!t.summed) total += t.milliseconds;
    std::snprintf(line, sizeof(line), "%-*s %5d %10.3f%s\n", int(width), t.name.c_str(),
                  t.iterations, t.milliseconds,
                  t.summed ? "  (within the wall time; not in the total)"
                  : t.changed ? "" : "  (unchanged)");
    out += line;
  }
  std::snprintf(line, sizeof(line), "%-*s %5s %10.3f\n", int(width), "total", "", total);
  out += line;
  return out;
}

namespace {
constexpr const char* kDefaultDevice = "/device:CPU:0";
}  // namespace

std::vector<std::string> registeredPassNames() {
  return {"assign-devices", "constant-fold", "algebraic-simplify", "fold-batch-norm",
          "cse",            "dce",           "lower-batch-norm", "materialize-outputs",
          "lower-precision-f16", "lower-precision-bf16"};
}

StatusOr<std::unique_ptr<Pass>> createPass(std::string_view name) {
  if (name == "assign-devices") return std::unique_ptr<Pass>(new AssignDevices(kDefaultDevice));
  if (name == "constant-fold") return std::unique_ptr<Pass>(new ConstantFold());
  if (name == "algebraic-simplify") return std::unique_ptr<Pass>(new AlgebraicSimplify());
  if (name == "fold-batch-norm") return std::unique_ptr<Pass>(new FoldBatchNorm());
  if (name == "lower-batch-norm") return std::unique_ptr<Pass>(new LowerBatchNorm());
  if (name == "cse") return std::unique_ptr<Pass>(new CSE());
  if (name == "dce") return std::unique_ptr<Pass>(new DCE());
  if (name == "materialize-outputs") return std::unique_ptr<Pass>(new MaterializeOutputs());
  if (name == "lower-precision-f16") return createLowerPrecisionPass(ir::DType::F16);
  if (name == "lower-precision-bf16") return createLowerPrecisionPass(ir::DType::BF16);
  std::string known;
  for (const std::string& n : registeredPassNames()) known += (known.empty() ? "" : ", ") + n;
  return notFound("unknown pass \"", name, "\"; known passes: ", known);
}

StatusOr<Pipeline> parsePassList(std::string_view list) {
  Pipeline pipeline;
  size_t pos = 0;
  while (pos <= list.size()) {
    size_t comma = list.find(',', pos);
    if (comma == std::string_view::npos) comma = list.size();
    std::string_view item = list.substr(pos, comma - pos);
    while (!item.empty() && (item.front() == ' ' || item.front() == '\t')) item.remove_prefix(1);
    while (!item.empty() && (item.back() == ' ' || item.back() == '\t')) item.remove_suffix(1);
    if (item.empty()) return invalidArgument("empty pass name in pass list \"", list, "\"");
    DLC_ASSIGN_OR_RETURN(std::unique_ptr<Pass> pass, createPass(item));
    pipeline.push_back({std::move(pass), /*fixedPoint=*/false});
    pos = comma + 1;
  }
  return pipeline;
}

Pipeline buildSimplifyPipeline(const std::string& defaultDevice) {
  Pipeline pipeline;
  pipeline.push_back({std::make_unique<AssignDevices>(defaultDevice), /*fixedPoint=*/false});
  pipeline.push_back({std::make_unique<ConstantFold>(), /*fixedPoint=*/false});
  std::vector<std::unique_ptr<Pass>> loop;
  loop.push_back(std::make_unique<AlgebraicSimplify>());
  loop.push_back(std::make_unique<FoldBatchNorm>());
  loop.push_back(std::make_unique<CSE>());
  loop.push_back(std::make_unique<DCE>());
  pipeline.push_back({std::make_unique<PassGroup>("simplify", std::move(loop)),
                      /*fixedPoint=*/true});
  pipeline.push_back({std::make_unique<LowerBatchNorm>(), /*fixedPoint=*/false});
  pipeline.push_back({std::make_unique<DCE>(), /*fixedPoint=*/false});
  pipeline.push_back({std::make_unique<MaterializeOutputs>(), /*fixedPoint=*/false});
  return pipeline;
}

}  // namespace dlc::passes
