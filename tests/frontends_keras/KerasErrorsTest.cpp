// Bad Keras files: each is one clear error naming the file (and the layer or
// dataset), never a crash, and never HDF5's own error text on stderr.
#include <gtest/gtest.h>

#include "frontends/keras/KerasModel.h"
#include "tests/frontends_keras/KerasTestFiles.h"

namespace dlc::keras {
namespace {

using namespace dlc::testing;  // NOLINT

class KerasErrors : public ::testing::Test {
 protected:
  void SetUp() override {
    weights_ = dir_.file("model.weights.h5");
    writeKeras3Weights(weights_, {{"dense", "dense", {{{4, 3}, values(12, 1)}, {{3}, values(3, 2)}}}});
  }
  TempDir dir_;
  std::string weights_;
};

TEST_F(KerasErrors, ArchiveMembersMissing) {
  std::string noWeights = writeKerasArchive(dir_, "model.keras", denseModel(3), weights_,
                                            "model.weights.h5");
  expectError(noWeights, {"model.keras: member model.weights.h5 is missing"});
  std::string noConfig = writeKerasArchive(dir_, "c.keras", denseModel(3), weights_, "config.json");
  expectError(noConfig, {"c.keras: member config.json is missing"});
  ASSERT_TRUE(loadKeras(writeKerasArchive(dir_, "ok.keras", denseModel(3), weights_)).ok());
}

TEST_F(KerasErrors, DatasetWithTheWrongShape) {
  std::string archive = writeKerasArchive(dir_, "model.keras", denseModel(5), weights_);
  expectError(archive, {"model.keras: model.weights.h5: dataset /layers/dense/vars/0 has shape "
                        "[4,3], layer \"dense\" (Dense) expects [4,5]"});
  // The legacy layout names the dataset by its weight name.
  std::string path = dir_.file("model.h5");
  {
    H5Writer h5(path);
    h5.strings("/", "model_config", {denseModel(3).dump()}, /*scalar=*/true);
    h5.group("/model_weights/dense/dense");
    h5.strings("/model_weights/dense", "weight_names", {"dense/kernel:0", "dense/bias:0"});
    h5.dataset("/model_weights/dense/dense/kernel:0", {4, 2}, values(8, 3));
    h5.dataset("/model_weights/dense/dense/bias:0", {3}, values(3, 4));
  }
  expectError(path, {"model.h5: dataset /model_weights/dense/dense/kernel:0 has shape [4,2], "
                     "layer \"dense\" (Dense) expects [4,3]"});
}

TEST_F(KerasErrors, MissingWeights) {
  std::string w = dir_.file("short.h5");
  writeKeras3Weights(w, {{"dense", "dense", {{{4, 3}, values(12, 1)}}}});
  expectError(writeKerasArchive(dir_, "model.keras", denseModel(3), w),
              {"model.keras: layer \"dense\" (Dense): has 1 weights", "expects 2 (kernel, bias)"});
}

TEST_F(KerasErrors, UnsupportedLayersAreAllNamed) {
  json config = denseModel(3);
  config["config"]["layers"].push_back(layer("LSTM", "lstm", {{"units", 2}}));
  config["config"]["layers"].push_back(layer("GRU", "gru", {{"units", 2}}));
  expectError(writeKerasArchive(dir_, "model.keras", config, weights_),
              {"model.keras: layer \"lstm\" (LSTM) is not supported",
               "layer \"gru\" (GRU) is not supported"});
  json mixed = denseModel(3);
  mixed["config"]["layers"][1]["config"]["dtype"]["config"]["name"] = "mixed_float16";
  expectError(writeKerasArchive(dir_, "mixed.keras", mixed, weights_),
              {"layer \"dense\" (Dense) uses dtype policy \"mixed_float16\""});
}

TEST_F(KerasErrors, TruncatedAndGarbageFiles) {
  std::string archive = readAll(writeKerasArchive(dir_, "good.keras", denseModel(3), weights_));
  for (size_t keep : {archive.size() / 2, archive.size() - 10, size_t(30)})
    expectError(dir_.write("cut.keras", archive.substr(0, keep)), {"cut.keras"});
  expectError(dir_.write("junk.keras", "this is not a model at all"),
              {"junk.keras: not a Keras model"});
  expectError(dir_.write("zipjunk.keras", "PK\x03\x04 and then nothing useful"),
              {"zipjunk.keras", "zip"});

  std::string h5Path = dir_.file("good.h5");
  {
    H5Writer h5(h5Path);
    h5.strings("/", "model_config", {denseModel(3).dump()}, /*scalar=*/true);
  }
  std::string h5 = readAll(h5Path);
  for (size_t keep : {h5.size() / 2, size_t(100), size_t(8)})
    expectError(dir_.write("cut.h5", h5.substr(0, keep)), {"cut.h5"});
  std::string junk = std::string("\x89HDF\r\n\x1a\n", 8) + std::string(600, '\x5a');
  expectError(dir_.write("junk.h5", junk), {"junk.h5"});
  // A weights-only file is not a model.
  expectError(weights_, {"model.weights.h5", "no model_config"});
  // A garbled model.weights.h5 inside a good zip.
  std::string bad = dir_.write("bad.weights.h5", h5.substr(0, h5.size() / 2));
  expectError(writeKerasArchive(dir_, "badw.keras", denseModel(3), bad),
              {"badw.keras: model.weights.h5"});
}

TEST_F(KerasErrors, BadConfigs) {
  std::string archive = dir_.file("m.keras");
  auto check = [&](const json& config, const std::vector<std::string>& parts) {
    writeKerasArchive(dir_, "m.keras", config, weights_);
    expectError(archive, parts);
  };
  check(json::array({1, 2}), {"m.keras", "not a Keras model config"});
  json noShape = sequential({layer("Dense", "dense", {{"units", 3}})});
  check(noShape, {"m.keras", "no input shape"});
  json unknownDim = denseModel(3);
  unknownDim["config"]["layers"][0]["config"]["batch_shape"] = {nullptr, nullptr};
  check(unknownDim, {"input \"input_layer\"", "unknown dim"});
  json badUnits = denseModel(3);
  badUnits["config"]["layers"][1]["config"]["units"] = "three";
  check(badUnits, {"layer \"dense\" (Dense): units is not an integer"});

  std::string jsonPath = dir_.write("m.json", "{\"class_name\": ");
  auto r = loadKerasJson(jsonPath, weights_);
  EXPECT_TRUE(failsWith(r.status(), {"m.json", "malformed JSON"}));
  r = loadKerasJson(dir_.write("ok.json", denseModel(3).dump()), dir_.file("nope.h5"));
  EXPECT_TRUE(failsWith(r.status(), {"nope.h5"}));
}

}  // namespace
}  // namespace dlc::keras
