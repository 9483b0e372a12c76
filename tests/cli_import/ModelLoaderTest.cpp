// frontends::loadModel: the format by extension or --format, Keras
// model.to_json() recognised inside .json files, and clear errors that list
// the formats for artifacts, unknown extensions and misplaced --weights.
// The Keras fixtures (tests/fixtures/keras, saved by Keras with its own
// outputs) load in all three formats and compute Keras' numbers.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "compiler/reference/Interpreter.h"
#include "frontends/ModelLoader.h"
#include "support/Npy.h"
#include "tests/e2e/E2eUtil.h"

namespace dlc::test {
namespace {

namespace fs = std::filesystem;
using frontends::LoadOptions;
using frontends::ModelFormat;

std::string kerasFixture(const std::string& file) {
  return std::string(DLC_SOURCE_DIR) + "/tests/fixtures/keras/" + file;
}

std::string tempDir(const std::string& name) { return freshTempDir("dlc_model_loader", name); }

void writeText(const std::string& path, const std::string& text) {
  std::ofstream(path, std::ios::binary) << text;
}

TEST(ModelLoader, FormatByExtension) {
  const std::pair<const char*, ModelFormat> cases[] = {
      {"m.json", ModelFormat::kJson},  {"dir.v2/m.onnx", ModelFormat::kOnnx},
      {"M.ONNX", ModelFormat::kOnnx},  {"m.keras", ModelFormat::kKeras},
      {"m.h5", ModelFormat::kKerasH5}, {"m.hdf5", ModelFormat::kKerasH5}};
  for (const auto& [path, format] : cases) {
    auto detected = frontends::detectFormat(path);
    ASSERT_TRUE(detected.ok()) << path << ": " << detected.status().message();
    EXPECT_EQ(*detected, format) << path;
  }
  EXPECT_STREQ(frontends::formatName(ModelFormat::kKerasJson), "keras-json");
}

TEST(ModelLoader, FormatOptionOverridesTheExtension) {
  for (ModelFormat f : {ModelFormat::kJson, ModelFormat::kOnnx, ModelFormat::kKeras,
                        ModelFormat::kKerasH5, ModelFormat::kKerasJson}) {
    auto detected = frontends::detectFormat("model.bin", {frontends::formatName(f), ""});
    ASSERT_TRUE(detected.ok()) << detected.status().message();
    EXPECT_EQ(*detected, f);
  }
  auto bad = frontends::detectFormat("model.json", {"tflite", ""});
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("\"tflite\""), std::string::npos);
  EXPECT_NE(bad.status().message().find("json, onnx, keras, h5, keras-json"), std::string::npos);
}

TEST(ModelLoader, ArtifactsAndUnknownExtensionsListTheFormats) {
  for (const char* path : {"model.dlc", "model.pb", "model"}) {
    auto loaded = frontends::loadModel(path);
    ASSERT_FALSE(loaded.ok()) << path;
    const std::string message = loaded.status().message();
    EXPECT_EQ(message.rfind(path, 0), 0u) << message;  // names the file first
    for (const char* word : {".json", ".onnx", ".keras", ".h5", "--format"})
      EXPECT_NE(message.find(word), std::string::npos) << word << " missing in " << message;
  }
  auto artifact = frontends::loadModel("model.dlc");
  EXPECT_NE(artifact.status().message().find("compiled artifact"), std::string::npos);
}

TEST(ModelLoader, NativeJsonLoadsAndKeepsItsErrors) {
  auto mlp = frontends::loadModel(examplePath("fashion_mnist_mlp.json"));
  ASSERT_TRUE(mlp.ok()) << mlp.status().message();
  EXPECT_EQ((*mlp)->outputs()[0]->name, "probs");
  // A dlc model under another name, with --format json.
  std::string dir = tempDir("native");
  fs::copy_file(examplePath("elementwise_chain.json"), dir + "/chain.model");
  EXPECT_TRUE(frontends::loadModel(dir + "/chain.model", {"json", ""}).ok());
  // Malformed JSON still gets the JSON frontend's line:column error.
  writeText(dir + "/broken.json", "{\n  \"format\": \"dlc.model\",\n  oops\n}");
  auto broken = frontends::loadModel(dir + "/broken.json");
  ASSERT_FALSE(broken.ok());
  EXPECT_NE(broken.status().message().find("broken.json:3:"), std::string::npos)
      << broken.status().message();
  // --weights is for Keras to_json() files only.
  auto withWeights = frontends::loadModel(examplePath("cnn.json"), {"", "w.h5"});
  ASSERT_FALSE(withWeights.ok());
  EXPECT_NE(withWeights.status().message().find("--weights"), std::string::npos);
  auto onnxWeights = frontends::loadModel(dir + "/m.onnx", {"", "w.h5"});
  ASSERT_FALSE(onnxWeights.ok());
  EXPECT_NE(onnxWeights.status().message().find("--weights applies to Keras"), std::string::npos);
  fs::remove_all(dir);
}

TEST(ModelLoader, KerasJsonWithoutWeightsSaysWhereItLooked) {
  std::string dir = tempDir("kerasjson");
  writeText(dir + "/net.json",
            R"({"class_name": "Sequential", "config": {"name": "net", "layers": []}})");
  auto loaded = frontends::loadModel(dir + "/net.json");
  ASSERT_FALSE(loaded.ok());
  const std::string message = loaded.status().message();
  EXPECT_NE(message.find("net.weights.h5"), std::string::npos) << message;
  EXPECT_NE(message.find("--weights"), std::string::npos) << message;
  // `--format json` reads it as dlc's own format, which it is not.
  auto asDlc = frontends::loadModel(dir + "/net.json", {"json", ""});
  ASSERT_FALSE(asDlc.ok());
  EXPECT_NE(asDlc.status().message().find("unknown field \"class_name\""), std::string::npos)
      << asDlc.status().message();
  fs::remove_all(dir);
}

// The Keras fixture in every format gives the outputs Keras saved.
TEST(ModelLoader, KerasFixturesInAllThreeFormatsMatchKeras) {
  auto inputs = readNpy(kerasFixture("tiny_mlp_inputs.npy"));
  auto expected = readNpy(kerasFixture("tiny_mlp_outputs.npy"));
  ASSERT_TRUE(inputs.ok() && expected.ok());
  std::string dir = tempDir("kerasfixtures");
  fs::copy_file(kerasFixture("tiny_mlp.json"), dir + "/to_json.txt");
  struct Case {
    std::string path;
    LoadOptions options;
  };
  const Case cases[] = {
      {kerasFixture("tiny_mlp.keras"), {}},
      {kerasFixture("tiny_mlp.h5"), {}},
      {kerasFixture("tiny_mlp.json"), {}},  // weights: tiny_mlp.weights.h5 beside it
      {dir + "/to_json.txt", {"keras-json", kerasFixture("tiny_mlp.weights.h5")}},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.path);
    auto graph = frontends::loadModel(c.path, c.options);
    ASSERT_TRUE(graph.ok()) << graph.status().message();
    auto outputs = ref::evaluate(**graph, {*inputs});
    ASSERT_TRUE(outputs.ok()) << outputs.status().message();
    EXPECT_LE(closeness((*outputs)[0], *expected, 1e-5, 1e-6), 1.0);
  }
  fs::remove_all(dir);
}

}  // namespace
}  // namespace dlc::test
