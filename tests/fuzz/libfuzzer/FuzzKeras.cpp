// libFuzzer target fuzz_keras: a Keras model config (model.to_json() text,
// or the config.json of a .keras archive) -> frontends/keras.
//
// Input: one selector byte, then the config JSON. The selector picks one of
// three fixed, valid Keras 3 weights files from tests/fixtures/keras
// (selector % 3: tiny_mlp, functional, fashion_cnn, copied into the scratch
// folder once), and the route (selector % 6 < 3: loadKerasJson on the JSON
// written to a file beside the weights; otherwise loadKeras on a .keras zip
// built in memory from config.json and that weights file). Seeds are the
// fixtures' configs, so mutations of a config meet weights that fit it.
//
// What this deliberately does not do: fuzz HDF5 bytes. libhdf5 itself
// crashes on some corrupted files (docs/format.md says so); the weights here
// are always the fixtures' valid files, so every crash found is dlc's.
#include <cstddef>
#include <cstdint>
#include <fstream>
#include <iterator>
#include <string>

#include "frontends/keras/KerasModel.h"
#include "support/Zip.h"
#include "tests/fuzz/libfuzzer/FuzzSupport.h"

#ifndef DLC_SOURCE_DIR
#error "DLC_SOURCE_DIR must name the source tree (tests/fuzz/libfuzzer/CMakeLists.txt sets it)"
#endif

namespace {

constexpr const char* kModels[3] = {"tiny_mlp", "functional", "fashion_cnn"};

struct Weights {
  std::string path;   // the copy in the scratch folder
  std::string bytes;  // its contents, for the .keras archives
};

const Weights* weights() {
  static Weights* all = [] {
    auto* w = new Weights[3];
    for (int i = 0; i < 3; ++i) {
      std::string source =
          std::string(DLC_SOURCE_DIR) + "/tests/fixtures/keras/" + kModels[i] + ".weights.h5";
      std::ifstream in(source, std::ios::binary);
      w[i].bytes.assign(std::istreambuf_iterator<char>(in), {});
      dlc::fuzz::fuzzCheck(in.good() || in.eof(), "the fixture weights files are readable");
      dlc::fuzz::fuzzCheck(!w[i].bytes.empty(), "the fixture weights files are not empty");
      w[i].path =
          dlc::fuzz::writeScratchFile(std::string(kModels[i]) + ".weights.h5", w[i].bytes);
    }
    return w;
  }();
  return all;
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  weights();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const Weights& w = weights()[data[0] % 3];
  std::string config(reinterpret_cast<const char*>(data + 1), size - 1);
  if (data[0] % 6 < 3) {
    std::string json = dlc::fuzz::writeScratchFile("model.json", config);
    auto graph = dlc::keras::loadKerasJson(json, w.path);
    dlc::fuzz::note(graph.status());
  if (graph.ok()) dlc::fuzz::checkIrRoundTrip(**graph);
    return 0;
  }
  auto zip = dlc::writeZipStored({{"metadata.json", R"({"keras_version": "3.15.1"})"},
                                  {"config.json", config},
                                  {"model.weights.h5", w.bytes}});
  dlc::fuzz::fuzzCheck(zip.ok(), "the .keras archive is written");
  std::string path = dlc::fuzz::writeScratchFile("model.keras", *zip);
  auto graph = dlc::keras::loadKeras(path);
  dlc::fuzz::note(graph.status());
  if (graph.ok()) dlc::fuzz::checkIrRoundTrip(**graph);
  return 0;
}
