// dlc import: convert a model in any format dlc reads (ONNX, Keras, dlc JSON)
// to dlc's native JSON with its weights in a safetensors file beside it.
//
// It writes the imported graph as the frontend returns it (typed, sorted,
// unoptimized): no passes run, so the JSON shows what the importer made of
// the model and builds to the same program as the original file.
#include <cstdio>
#include <filesystem>

#include "compiler/tools/dlc/Commands.h"
#include "compiler/tools/dlc/ModelSession.h"
#include "frontends/ModelLoader.h"
#include "frontends/json/JsonWriter.h"

namespace dlc::cli {

static const CommandSpec kImportSpec = {
    "import",
    "dlc import MODEL -o OUT.json [--format F] [--weights FILE] [--weights-file NAME] "
    "[--inline-limit N]",
    "Converts MODEL (.json, .onnx, .keras or .h5; --format for other names) to dlc's native\n"
    "JSON model (docs/format.md). Constants of at most --inline-limit elements are written\n"
    "inline; larger ones go into a safetensors file beside OUT.json (OUT.safetensors by\n"
    "default). Prints one summary line.",
    {{"-o", "OUT.json", "the model JSON to write (required)"},
     {"--format", "F",
      "the model's format when its extension does not say:\n"
      "json, onnx, keras, h5 or keras-json (Keras model.to_json())"},
     {"--weights", "FILE",
      "Keras model.to_json() models: the weights file\n"
      "(default: <model>.weights.h5 beside the model)"},
     {"--weights-file", "NAME",
      "the safetensors file to write, relative to OUT.json's folder\n"
      "(default: OUT's name with .safetensors)"},
     {"--inline-limit", "N", "largest constant (in elements) written inline (default 16)"}},
    1,
    1,
};

int importCommand(const std::vector<std::string>& argv) {
  CommandStart cmd = startCommand(kImportSpec, argv);
  if (!cmd.args) return cmd.exitCode;
  const Args& args = *cmd.args;
  const std::string model = args.positional()[0];
  if (!args.has("-o"))
    return fail("import", invalidArgument("give the JSON file to write with -o OUT.json"));
  const std::string out = args.get("-o");
  if (std::filesystem::path(out).extension() != ".json")
    return fail("import", invalidArgument(out, ": the output must be a .json file"));

  dlc::json::WriteOptions writeOptions;
  writeOptions.weightsFile = args.get("--weights-file");
  auto limit = args.getIntInRange("--inline-limit", writeOptions.inlineLimit, 0, int64_t(1) << 24);
  if (!limit.ok()) return fail("import", limit.status());
  writeOptions.inlineLimit = *limit;

  frontends::LoadOptions loadOptions{args.get("--format"), args.get("--weights")};
  auto graph = frontends::loadModel(model, loadOptions);
  if (!graph.ok()) return fail("import", graph.status());

  dlc::json::WriteSummary summary;
  if (Status s = dlc::json::writeModel(**graph, out, writeOptions, &summary); !s.ok())
    return fail("import", s);
  std::string weights = summary.weightsPath.empty()
                            ? std::string("no weights file")
                            : strCat(summary.weightBytes, " weight bytes in ", summary.weightsPath);
  std::string renamed =
      summary.renamed ? strCat(", ", summary.renamed, " names renamed to valid ones") : "";
  std::printf("imported %s -> %s: %lld inputs, %lld nodes, %lld constants (%lld inline), %s%s\n",
              model.c_str(), out.c_str(), (long long)summary.inputs, (long long)summary.nodes,
              (long long)summary.constants, (long long)summary.inlineConstants, weights.c_str(),
              renamed.c_str());
  return 0;
}

}  // namespace dlc::cli
