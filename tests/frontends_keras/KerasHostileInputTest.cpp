// Hostile Keras files found by mutating real fixtures: each must come back as
// one Status naming the file (and the layer or member), never an abort, a
// crash, a huge allocation or text on stderr.
#include <gtest/gtest.h>
#include <zip.h>

#include "frontends/keras/KerasModel.h"
#include "tests/frontends_keras/KerasTestFiles.h"

namespace dlc::keras {
namespace {

using namespace dlc::testing;  // NOLINT

class KerasHostile : public ::testing::Test {
 protected:
  void SetUp() override {
    weights_ = dir_.file("model.weights.h5");
    writeKeras3Weights(weights_,
                       {{"dense", "dense", {{{4, 3}, values(12, 1)}, {{3}, values(3, 2)}}}});
  }
  TempDir dir_;
  std::string weights_;
};

// A dtype policy or activation whose fields have the wrong JSON type used to
// throw nlohmann::json::type_error out of loadKeras (std::terminate).
TEST_F(KerasHostile, WrongJsonTypesInsideLayerConfigs) {
  json policy = denseModel();
  policy["config"]["layers"][1]["config"]["dtype"]["config"]["name"] = 5;
  expectError(writeKerasArchive(dir_, "policy.keras", policy, weights_),
              {"policy.keras: layer \"dense\" (Dense) uses dtype policy \"5\""});
  json list = denseModel();
  list["config"]["layers"][1]["config"]["dtype"]["config"]["name"] = json::array({1});
  expectError(writeKerasArchive(dir_, "list.keras", list, weights_),
              {"list.keras: layer \"dense\" (Dense) uses dtype policy \"[1]\""});
  json act = denseModel();
  act["config"]["layers"][1]["config"]["activation"] = {{"class_name", 5}, {"config", "relu"}};
  expectError(writeKerasArchive(dir_, "act.keras", act, weights_),
              {"act.keras: layer \"dense\" (Dense): activation", "is not supported"});
  // The same types where they are fine still load.
  ASSERT_TRUE(loadKeras(writeKerasArchive(dir_, "ok.keras", denseModel(), weights_)).ok());
}

// Call arguments nested 200000 deep overflowed the stack (SIGSEGV) when the
// config was copied and walked; a moderately deep list reaches the walk.
TEST_F(KerasHostile, DeeplyNestedCallArguments) {
  json model = {{"class_name", "Functional"},
                {"config",
                 {{"name", "f"},
                  {"layers", json::array({inputLayer("x", {nullptr, 4}),
                                          layer("Dense", "dense", {{"units", 3}})})},
                  {"input_layers", {"x", 0, 0}},
                  {"output_layers", {"dense", 0, 0}}}}};
  model["config"]["layers"][0]["inbound_nodes"] = json::array();
  model["config"]["layers"][1]["inbound_nodes"] = kerasNode({"x"});
  ASSERT_TRUE(loadKeras(writeKerasArchive(dir_, "ok.keras", model, weights_)).ok());
  // "args": [T] -> "args": [[[...]]], T]
  auto nested = [&](size_t depth) {
    std::string text = model.dump();
    size_t at = text.find("\"args\":[") + 8;
    text.insert(at, std::string(depth, '[') + std::string(depth, ']') + ",");
    return text;
  };
  auto archive = [&](const std::string& name, const std::string& config) {
    auto zip = writeZipStored({{"config.json", config}, {"model.weights.h5", readAll(weights_)}});
    EXPECT_TRUE(zip.ok());
    return dir_.write(name, *zip);
  };
  ASSERT_FALSE(json::parse(nested(100), nullptr, false).is_discarded());
  expectError(archive("deep.keras", nested(200000)),
              {"deep.keras: the model config nests 200007 levels deep (at most 256"});
  expectError(archive("args.keras", nested(100)),
              {"args.keras: layer \"dense\" inbound_nodes[0]: call arguments nest deeper than "
               "64 levels"});
}

// A Reshape whose known dims multiply past 2^63 wrapped `known` to 0 and
// divided by it (SIGFPE).
TEST_F(KerasHostile, ReshapeTargetOverflow) {
  for (json target : {json::array({4294967296LL, 4294967296LL, -1}),
                      json::array({int64_t(1) << 62, 4}), json::array({8, -1})}) {
    json model = sequential({inputLayer("input_layer", {nullptr, 4}),
                             layer("Reshape", "rs", {{"target_shape", target}}),
                             layer("Dense", "dense", {{"units", 3}})});
    expectError(writeKerasArchive(dir_, "rs.keras", model, weights_),
                {"rs.keras: layer \"rs\" (Reshape): cannot reshape f32[N,4] to"});
  }
}

// A deflated member of 128 MiB of zeros is a ~130 KiB archive: refused from
// its claimed size before anything is inflated.
TEST_F(KerasHostile, ZipBombIsRefusedBeforeInflating) {
  std::string zeros(size_t(128) << 20, '\0');
  std::string config = denseModel().dump();
  zip_error_t error;
  zip_error_init(&error);
  zip_source_t* src = zip_source_buffer_create(nullptr, 0, 0, &error);
  ASSERT_NE(src, nullptr);
  zip_t* za = zip_open_from_source(src, ZIP_TRUNCATE, &error);
  ASSERT_NE(za, nullptr);
  zip_source_keep(src);
  ASSERT_GE(zip_file_add(za, "config.json",
                         zip_source_buffer(za, config.data(), config.size(), 0), 0), 0);
  ASSERT_GE(zip_file_add(za, "model.weights.h5",
                         zip_source_buffer(za, zeros.data(), zeros.size(), 0), 0), 0);
  ASSERT_EQ(zip_close(za), 0);
  ASSERT_EQ(zip_source_open(src), 0);
  std::string bytes;
  char buf[1 << 16];
  zip_int64_t n;
  while ((n = zip_source_read(src, buf, sizeof(buf))) > 0) bytes.append(buf, size_t(n));
  zip_source_close(src);
  zip_source_free(src);
  zip_error_fini(&error);
  ASSERT_LT(bytes.size(), size_t(4) << 20);
  expectError(dir_.write("bomb.keras", bytes),
              {"bomb.keras: member 'model.weights.h5' is 134217728 bytes", "limit"});
}

// Two vars groups claiming one layer name used to let the later one win.
TEST_F(KerasHostile, TwoVarsGroupsForOneLayer) {
  std::string w = dir_.file("dup.weights.h5");
  writeKeras3Weights(w, {{"dense", "dense", {{{4, 3}, values(12, 1)}, {{3}, values(3, 2)}}},
                         {"dense_1", "dense", {{{4, 3}, values(12, 3)}, {{3}, values(3, 4)}}}});
  expectError(writeKerasArchive(dir_, "dup.keras", denseModel(), w),
              {"dup.keras: model.weights.h5: groups /layers/dense/vars and "
               "/layers/dense_1/vars both hold the weights of layer \"dense\""});
}

}  // namespace
}  // namespace dlc::keras
