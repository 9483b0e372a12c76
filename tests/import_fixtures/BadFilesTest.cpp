// Broken model files (tests/fixtures/{onnx,keras}/bad/, written by
// make_fixtures.py from real exporter output): each import is a clear error
// that names the file and what is wrong with it (the initializer, node,
// member, dataset or layer), never a crash and never a graph. Every file is
// tried through its frontend and through frontends::loadModel, as the CLI
// opens it.
//
//  onnx/bad/truncated.onnx        small_cnn_opset13.onnx cut at two thirds
//  onnx/bad/short_raw_data.onnx   initializer "short_weight" [2,2] f32, 12 raw bytes
//  onnx/bad/external_outside.onnx "outside_weight" in "../outside.bin" (which
//                                 exists, so only the path rule stops it)
//  onnx/bad/opset7.onnx           default-domain opset 7 (dlc imports 11..22)
//  keras/bad/missing_weights.keras a .keras zip without model.weights.h5
//  keras/bad/wrong_shape.h5       legacy .h5; dense kernel [784,15], config says 16
//  keras/bad/lstm.keras           an LSTM layer "recurrent_lstm" (unsupported)
#include <gtest/gtest.h>

#include "frontends/ModelLoader.h"
#include "frontends/keras/KerasModel.h"
#include "frontends/onnx/OnnxModel.h"
#include "tests/import_fixtures/FixtureUtil.h"

namespace dlc::test {
namespace {

using GraphOr = StatusOr<std::unique_ptr<ir::Graph>>;

// Imports `relative` with `load` and with frontends::loadModel; both must fail
// and mention the file's name and every needle.
void expectBadFile(const std::string& relative,
                   const std::function<GraphOr(const std::string&)>& load,
                   std::vector<std::string> needles) {
  const std::string path = fixturePath(relative);
  needles.insert(needles.begin(), relative.substr(relative.rfind('/') + 1));
  GraphOr direct = load(path);
  expectErrorMentions(direct.status(), needles, relative + " (frontend)");
  GraphOr viaLoader = frontends::loadModel(path);
  expectErrorMentions(viaLoader.status(), needles, relative + " (loadModel)");
}

GraphOr onnx(const std::string& path) { return onnxfe::loadOnnx(path); }
GraphOr kerasFile(const std::string& path) { return keras::loadKeras(path); }

TEST(BadOnnx, TruncatedProtobuf) { expectBadFile("onnx/bad/truncated.onnx", onnx, {}); }

TEST(BadOnnx, RawDataShorterThanDims) {
  expectBadFile("onnx/bad/short_raw_data.onnx", onnx, {"short_weight"});
}

TEST(BadOnnx, ExternalDataLeavingTheFolder) {
  expectBadFile("onnx/bad/external_outside.onnx", onnx, {"../outside.bin"});
}

TEST(BadOnnx, OpsetTooOld) {
  GraphOr g = onnxfe::loadOnnx(fixturePath("onnx/bad/opset7.onnx"));
  expectBadFile("onnx/bad/opset7.onnx", onnx, {"opset"});
  // The message says which opset the file has.
  EXPECT_NE(g.status().message().find('7'), std::string::npos) << g.status().message();
}

TEST(BadKeras, ArchiveMissingWeightsMember) {
  expectBadFile("keras/bad/missing_weights.keras", kerasFile, {"model.weights.h5"});
}

TEST(BadKeras, DenseKernelWithWrongShape) {
  expectBadFile("keras/bad/wrong_shape.h5", kerasFile, {"kernel", "[784,15]", "[784,16]"});
}

TEST(BadKeras, UnsupportedLayerNamesLayerAndClass) {
  expectBadFile("keras/bad/lstm.keras", kerasFile, {"recurrent_lstm", "LSTM"});
}

// Missing files and a weights file that does not belong to the JSON.
TEST(BadKeras, JsonWithAnotherModelsWeights) {
  auto g = keras::loadKerasJson(fixturePath("keras/fashion_mnist.json"),
                                fixturePath("keras/tiny_mlp.weights.h5"));
  expectErrorMentions(g.status(), {"tiny_mlp.weights.h5"}, "fashion_mnist.json + tiny weights");
}

TEST(BadKeras, MissingFile) {
  auto g = keras::loadKeras(fixturePath("keras/no_such_model.keras"));
  expectErrorMentions(g.status(), {"no_such_model.keras"}, "missing .keras");
}

TEST(BadOnnx, MissingFile) {
  auto g = onnxfe::loadOnnx(fixturePath("onnx/no_such_model.onnx"));
  expectErrorMentions(g.status(), {"no_such_model.onnx"}, "missing .onnx");
}

}  // namespace
}  // namespace dlc::test
