// dlc export: write a model in any format dlc reads as an ONNX file, so that
// ONNX Runtime, OpenVINO or TVM can run exactly dlc's model with the same
// weights (frontends/onnx/export/OnnxExporter.h).
//
// It exports the graph as the frontend returns it, like dlc import: no
// passes run. The format is chosen by the output's extension (.onnx is the
// only one); --onnx says the same explicitly. In a dlc built with
// -DDLC_IMPORTERS=OFF there is no protobuf, and the command says so.
#include <cstdio>
#include <filesystem>

#include "compiler/tools/dlc/Commands.h"
#include "compiler/tools/dlc/ModelSession.h"
#include "frontends/ModelLoader.h"
#if DLC_WITH_IMPORTERS
#include "frontends/onnx/export/OnnxExporter.h"
#endif

namespace dlc::cli {

static const CommandSpec kExportSpec = {
    "export",
    "dlc export [--onnx] MODEL -o OUT.onnx [--format F] [--weights FILE] [--opset K]",
    "Writes MODEL (.json, .onnx, .keras or .h5; --format for other names) as an ONNX model\n"
    "(the graph as imported, before optimisation; docs/onnx-export.md). The output's\n"
    "extension picks the format: .onnx. Prints one summary line.",
    {{"-o", "OUT.onnx", "the ONNX file to write (required)"},
     {"--onnx", "", "write ONNX (the default, and the only format)"},
     {"--opset", "K", "the ONNX opset to write, 17 to 22 (default 17)"},
     {"--format", "F",
      "the model's format when its extension does not say:\n"
      "json, onnx, keras, h5 or keras-json (Keras model.to_json())"},
     {"--weights", "FILE",
      "Keras model.to_json() models: the weights file\n"
      "(default: <model>.weights.h5 beside the model)"}},
    1,
    1,
};

int exportCommand(const std::vector<std::string>& argv) {
  CommandStart cmd = startCommand(kExportSpec, argv);
  if (!cmd.args) return cmd.exitCode;
  const Args& args = *cmd.args;
  const std::string model = args.positional()[0];
  if (!args.has("-o"))
    return fail("export", invalidArgument("give the ONNX file to write with -o OUT.onnx"));
  const std::string out = args.get("-o");
  if (std::filesystem::path(out).extension() != ".onnx")
    return fail("export", invalidArgument(out, ": unknown export format \"",
                                          std::filesystem::path(out).extension().string(),
                                          "\"; dlc exports ONNX: name the output OUT.onnx"));
#if DLC_WITH_IMPORTERS
  auto opset = args.getIntInRange("--opset", onnxfe::kDefaultExportOpset,
                                  onnxfe::kMinExportOpset, onnxfe::kMaxExportOpset);
  if (!opset.ok()) return fail("export", opset.status());
  frontends::LoadOptions loadOptions{args.get("--format"), args.get("--weights")};
  auto graph = frontends::loadModel(model, loadOptions);
  if (!graph.ok()) return fail("export", graph.status());
  onnxfe::ExportOptions options;
  options.opset = *opset;
  onnxfe::ExportSummary s;
  if (Status st = onnxfe::exportOnnxFile(**graph, out, options, &s); !st.ok())
    return fail("export", st);
  std::printf(
      "exported %s -> %s: opset %lld, %lld input%s, %lld output%s, %lld nodes (%lld ONNX nodes), "
      "%lld initializers, %lld weight bytes\n",
      model.c_str(), out.c_str(), (long long)s.opset, (long long)s.inputs,
      s.inputs == 1 ? "" : "s", (long long)s.outputs, s.outputs == 1 ? "" : "s",
      (long long)s.nodes, (long long)s.onnxNodes, (long long)s.initializers,
      (long long)s.weightBytes);
  return 0;
#else
  return fail("export", unsupported(model, ": this dlc was built without ONNX support "
                                    "(cmake -DDLC_IMPORTERS=OFF); rebuild with "
                                    "-DDLC_IMPORTERS=ON to export .onnx models"));
#endif
}

}  // namespace dlc::cli
