// dlc run: run a model or artifact once (or several times), write outputs,
// and log where every node ran.
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <nlohmann/json.hpp>

#include "compiler/tools/dlc/Commands.h"
#include "compiler/tools/dlc/ModelSession.h"
#include "runtime/src/Report.h"
#include "support/Npy.h"

namespace dlc::cli {

static const CommandSpec kRunSpec = withTargetFlags(
    {
    "run",
    "dlc run MODEL_OR_ARTIFACT [--target cpu|cuda] [--input NAME=FILE.npy]... "
    "[--output-dir DIR] [--batch N] [--log-device-placement] [--iterations N] [--json] "
    "[--no-fusion] [--seed S] [--no-graphs] [--precision P] [--allow-tf32] [--cuda-arch sm_XX] "
    "[--strict-placement] [--virtual-devices N] [--verbose] [--format F] [--weights FILE]",
    "Runs a model (.json, .onnx, .keras or .h5, compiled in memory for --target) or an\n"
    "artifact (.dlc, on the devices it was built for). Inputs not given are random with a\n"
    "fixed seed. Outputs are written as NAME.npy into --output-dir.",
    {{"--input", "NAME=FILE.npy", "an input from a .npy file (repeatable)", true},
     {"--output-dir", "DIR", "write every output as DIR/NAME.npy"},
     {"--batch", "N", "batch size for random inputs (default 1, or the input files' batch)"},
     {"--log-device-placement", "", "print the kernel and device of every model node"},
     {"--iterations", "N", "timed runs after a warm-up (default 1)"},
     {"--json", "", "print the outputs and the report as JSON"},
     {"--no-fusion", "", "compile a model file unfused"},
     {"--seed", "S", "seed of the random inputs (default 0)"}},
    1,
    1,
    },
    TargetFlagSet{/*target=*/true, /*runs=*/true});

static Status loadInputs(const Args& args, const rt::Model& model, int64_t& batch,
                         std::vector<Tensor>& inputs) {
  DLC_ASSIGN_OR_RETURN(int64_t seed, args.getInt("--seed", 0));
  std::vector<bool> given(size_t(model.numInputs()), false);
  for (const std::string& spec : args.all("--input")) {
    auto eq = spec.find('=');
    if (eq == std::string::npos)
      return invalidArgument("--input expects NAME=FILE.npy, got \"", spec, "\"");
    std::string name = spec.substr(0, eq), file = spec.substr(eq + 1);
    int index = -1;
    for (int i = 0; i < model.numInputs(); ++i)
      if (model.input(i).name == name) index = i;
    if (index < 0) {
      std::string names;
      for (int i = 0; i < model.numInputs(); ++i) names += (i ? ", " : "") + model.input(i).name;
      return notFound("--input ", name, ": the model has no input of that name (inputs: ", names,
                      ")");
    }
    DLC_ASSIGN_OR_RETURN(Tensor t, readNpy(file));
    const auto& dims = model.input(index).dims;
    if (!dims.empty() && dims[0] == ir::kBatch && t.rank() > 0 && !args.has("--batch"))
      batch = t.dims()[0];
    inputs[size_t(index)] = std::move(t);
    given[size_t(index)] = true;
  }
  DLC_ASSIGN_OR_RETURN(std::vector<Tensor> random, randomInputs(model, batch, uint64_t(seed)));
  for (size_t i = 0; i < inputs.size(); ++i)
    if (!given[i]) inputs[i] = std::move(random[i]);
  return Status::OK();
}

int runCommand(const std::vector<std::string>& argv) {
  CommandStart cmd = startCommand(kRunSpec, argv);
  if (!cmd.args) return cmd.exitCode;
  const Args& args = *cmd.args;
  auto batchArg = args.getIntInRange("--batch", 1, 1, kMaxBatch);
  auto iterations = args.getIntInRange("--iterations", 1, 1, kMaxIterations);
  if (!batchArg.ok()) return fail("run", batchArg.status());
  if (!iterations.ok()) return fail("run", iterations.status());

  auto options = buildOptionsFromArgs(args, args.get("--target", "cpu"), /*strictArch=*/true);
  if (!options.ok()) return fail("run", options.status());
  auto runOptions = runOptionsFromArgs(args);
  if (!runOptions.ok()) return fail("run", runOptions.status());
  auto model = openModel(args.positional()[0], *options, *runOptions);
  if (!model.ok()) return fail("run", model.status());
  rt::Model& m = **model;

  int64_t batch = *batchArg;
  std::vector<Tensor> inputs(size_t(m.numInputs()));
  if (Status s = loadInputs(args, m, batch, inputs); !s.ok()) return fail("run", s);
  auto run = timedRun(m, inputs, int(*iterations));
  if (!run.ok()) return fail("run", run.status());

  std::string outDir = args.get("--output-dir");
  if (!outDir.empty()) {
    std::error_code ec;
    std::filesystem::create_directories(outDir, ec);
    if (ec) return fail("run", unavailable("cannot create ", outDir, ": ", ec.message()));
  }
  nlohmann::json outputsJson = nlohmann::json::array();
  for (int i = 0; i < m.numOutputs(); ++i) {
    const Tensor& t = run->outputs[size_t(i)];
    const std::string& name = m.output(i).name;
    nlohmann::json o = {{"name", name}, {"dtype", std::string(ir::dtypeName(t.dtype()))},
                        {"dims", t.dims()}};
    if (!outDir.empty()) {
      std::string file = (std::filesystem::path(outDir) / (name + ".npy")).string();
      if (Status s = writeNpy(file, t); !s.ok()) return fail("run", s);
      o["file"] = file;
    }
    outputsJson.push_back(o);
    if (!args.has("--json")) std::printf("%s = %s\n", name.c_str(), t.summary(10).c_str());
  }
  rt::Report report = m.report();
  if (args.has("--json")) {
    nlohmann::json reportJson = nlohmann::json::parse(rt::reportToJson(report), /*cb=*/nullptr,
                                                      /*allow_exceptions=*/false);
    if (reportJson.is_discarded())
      return fail("run", internalError("the run report is not valid JSON"));
    nlohmann::json j = {{"batch", batch},
                        {"median_ms", run->medianMs},
                        {"outputs", outputsJson},
                        {"report", reportJson}};
    std::cout << jsonText(j) << "\n";
    return 0;
  }
  if (args.has("--log-device-placement")) std::cout << rt::reportToText(report);
  std::printf("batch %lld: median %.3f ms over %lld run(s)\n", (long long)batch, run->medianMs,
              (long long)*iterations);
  return 0;
}

}  // namespace dlc::cli
