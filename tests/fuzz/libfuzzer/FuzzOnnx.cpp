// libFuzzer target fuzz_onnx: bytes -> frontends/onnx parseOnnx (a
// serialized ModelProto). The model "lives" in the scratch folder, which
// holds external_data.bin (512 bytes), so initializers with external data
// (the tests/fixtures/onnx/external_data.onnx seed) reach the external-data
// reader. A graph that imports must survive the IR print/parse round trip
// (FuzzSupport.h's checkIrRoundTrip).
//
// What this deliberately does not do: run the graph, or fuzz protobuf's own
// wire decoding separately (parseOnnx calls it first on every input).
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "frontends/onnx/OnnxModel.h"
#include "tests/fuzz/libfuzzer/FuzzSupport.h"

namespace {

const std::string& modelPath() {
  static const std::string path = [] {
    std::string data(512, '\0');
    for (size_t i = 0; i < data.size(); ++i) data[i] = char(i * 37 % 251);
    dlc::fuzz::writeScratchFile("external_data.bin", data);
    return dlc::fuzz::scratchDir() + "/model.onnx";
  }();
  return path;
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  modelPath();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  auto graph = dlc::onnxfe::parseOnnx(bytes, modelPath());
  dlc::fuzz::note(graph.status());
  if (graph.ok()) dlc::fuzz::checkIrRoundTrip(**graph);
  return 0;
}
