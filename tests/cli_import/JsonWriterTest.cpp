// json::writeModel: what it writes loads back (json::loadModel) into a graph
// that computes bit-identical values: every example model, constants of
// every dtype inline and in safetensors, non-finite values, float
// attributes, and names the format does not allow (renamed, unique).
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <nlohmann/json.hpp>

#include "compiler/reference/Interpreter.h"
#include "frontends/ModelLoader.h"
#include "frontends/json/JsonModel.h"
#include "frontends/json/JsonWriter.h"
#include "ir/ShapeInference.h"
#include "support/Safetensors.h"
#include "tests/e2e/E2eUtil.h"

namespace dlc::test {
namespace {

namespace fs = std::filesystem;

std::string tempDir(const std::string& name) { return freshTempDir("dlc_json_writer", name); }

bool sameBits(const Tensor& a, const Tensor& b) {
  return a.dtype() == b.dtype() && a.dims() == b.dims() &&
         std::memcmp(a.data(), b.data(), a.byteSize()) == 0;
}

// Writes `graph`, loads it back, and checks both evaluate to the same bits
// on random inputs at batch 2.
std::unique_ptr<ir::Graph> roundTrip(const ir::Graph& graph, const std::string& dir,
                                     const json::WriteOptions& options = {}) {
  std::string path = dir + "/model.json";
  Status written = json::writeModel(graph, path, options);
  EXPECT_TRUE(written.ok()) << written.message();
  auto loaded = json::loadModel(path);
  EXPECT_TRUE(loaded.ok()) << loaded.status().message();
  if (!loaded.ok()) return nullptr;
  std::vector<Tensor> inputs = randomInputs(graph, 2, 42);
  auto want = ref::evaluate(graph, inputs);
  auto got = ref::evaluate(**loaded, inputs);
  EXPECT_TRUE(want.ok()) << want.status().message();
  EXPECT_TRUE(got.ok()) << got.status().message();
  if (want.ok() && got.ok()) {
    EXPECT_EQ(want->size(), got->size());
    for (size_t i = 0; i < want->size() && i < got->size(); ++i)
      EXPECT_TRUE(sameBits((*want)[i], (*got)[i]))
          << "output " << i << ": " << (*want)[i].summary() << " vs " << (*got)[i].summary();
  }
  return std::move(loaded).value();
}

std::vector<std::string> exampleModels() {
  std::vector<std::string> models;
  for (const auto& entry : fs::directory_iterator(std::string(DLC_SOURCE_DIR) + "/examples")) {
    if (entry.path().extension() != ".json") continue;
    std::ifstream in(entry.path());
    nlohmann::json doc = nlohmann::json::parse(in, nullptr, /*allow_exceptions=*/false);
    if (doc.is_object() && doc.value("format", "") == "dlc.model")
      models.push_back(entry.path().string());
  }
  std::sort(models.begin(), models.end());
  return models;
}

TEST(JsonWriter, EveryExampleRoundTripsBitIdentical) {
  std::vector<std::string> models = exampleModels();
  ASSERT_GE(models.size(), 4u);
  for (const std::string& model : models) {
    SCOPED_TRACE(model);
    auto original = json::loadModel(model);
    ASSERT_TRUE(original.ok()) << original.status().message();
    std::string dir = tempDir(fs::path(model).stem().string());
    auto loaded = roundTrip(**original, dir);
    ASSERT_TRUE(loaded);
    // Same nodes, ops, attributes, devices and types, by name.
    ASSERT_EQ((*original)->nodes().size(), loaded->nodes().size());
    for (const auto& node : (*original)->nodes()) {
      const ir::Node* back = loaded->find(node->name);
      ASSERT_NE(back, nullptr) << node->name;
      EXPECT_EQ(back->op, node->op) << node->name;
      EXPECT_TRUE(back->attrs == node->attrs) << node->name;
      EXPECT_EQ(back->device, node->device) << node->name;
      EXPECT_EQ(back->type.str(), node->type.str()) << node->name;
    }
    fs::remove_all(dir);
  }
}

TEST(JsonWriter, ConstantsOfEveryDTypeInlineAndInSafetensors) {
  for (int64_t inlineLimit : {int64_t(0), int64_t(16), int64_t(1000)}) {
    SCOPED_TRACE(inlineLimit);
    ir::Graph g;
    g.name = "dtypes";
    ir::Node* x = g.addInput("x", {ir::DType::F32, ir::Shape({ir::kBatch, 5})});
    std::vector<ir::Node*> outs;
    // One constant per dtype, with awkward values: subnormals, -0, the
    // dtype's extremes, and values that need all 17 digits of a double.
    const double f32Values[] = {0.1, -0.0, 1e-45, 3.4028234663852886e38, 1.0 / 3.0};
    const double f16Values[] = {65504, -6.103515625e-05, 5.960464477539063e-08, 0.333251953125,
                                -0.0};
    const double bf16Values[] = {3.3895313892515355e38, 1e-38, -0.0078125, 1.0 / 3.0, 7};
    for (auto [dtype, values] :
         {std::pair{ir::DType::F32, f32Values}, std::pair{ir::DType::F16, f16Values},
          std::pair{ir::DType::BF16, bf16Values}}) {
      Tensor t(dtype, {5});
      for (int64_t i = 0; i < 5; ++i) t.setFromDouble(i, values[i]);
      ir::Node* c = g.addConstant(strCat("c_", ir::dtypeName(dtype)), t);
      ir::Node* cast = g.addNode(ir::OpKind::Cast, strCat("cast_", ir::dtypeName(dtype)), {c});
      cast->attrs.set("to", std::string("f32"));
      outs.push_back(g.addNode(ir::OpKind::Add, strCat("sum_", ir::dtypeName(dtype)), {x, cast}));
    }
    Tensor i64(ir::DType::I64, {3});
    i64.as<int64_t>()[0] = std::numeric_limits<int64_t>::max();
    i64.as<int64_t>()[1] = std::numeric_limits<int64_t>::min();
    i64.as<int64_t>()[2] = (int64_t(1) << 53) + 1;  // not exact as a double
    Tensor u8(ir::DType::U8, {2, 2});
    for (int i = 0; i < 4; ++i) u8.as<uint8_t>()[i] = uint8_t(i * 85);
    Tensor b(ir::DType::Bool, {4});
    b.as<uint8_t>()[1] = b.as<uint8_t>()[2] = 1;
    Tensor i32(ir::DType::I32, {});
    i32.as<int32_t>()[0] = std::numeric_limits<int32_t>::min();
    for (const auto& [name, t] :
         {std::pair{"i64", i64}, std::pair{"u8", u8}, std::pair{"b", b}, std::pair{"i32", i32}})
      outs.push_back(g.addConstant(name, t));
    g.setOutputs(outs);
    ASSERT_TRUE(ir::inferTypes(g).ok());
    std::string dir = tempDir("dtypes");
    json::WriteOptions options;
    options.inlineLimit = inlineLimit;
    auto loaded = roundTrip(g, dir, options);
    ASSERT_TRUE(loaded);
    for (const char* name : {"c_f32", "c_f16", "c_bf16", "i64", "u8", "b", "i32"})
      EXPECT_TRUE(sameBits(g.find(name)->value, loaded->find(name)->value)) << name;
    EXPECT_EQ(fs::exists(dir + "/model.safetensors"), inlineLimit < 5);
    fs::remove_all(dir);
  }
}

TEST(JsonWriter, NonFiniteConstantsGoToTheWeightsFile) {
  ir::Graph g;
  ir::Node* x = g.addInput("x", {ir::DType::F32, ir::Shape({ir::kBatch, 3})});
  Tensor t(ir::DType::F32, {3});
  t.as<float>()[0] = std::numeric_limits<float>::infinity();
  t.as<float>()[1] = -std::numeric_limits<float>::infinity();
  t.as<float>()[2] = std::numeric_limits<float>::quiet_NaN();
  ir::Node* c = g.addConstant("special", t);
  g.setOutputs({g.addNode(ir::OpKind::Maximum, "m", {x, c})});
  ASSERT_TRUE(ir::inferTypes(g).ok());
  std::string dir = tempDir("nonfinite");
  json::WriteSummary summary;
  ASSERT_TRUE(json::writeModel(g, dir + "/model.json", {}, &summary).ok());
  EXPECT_EQ(summary.constants, 1);
  EXPECT_EQ(summary.inlineConstants, 0);
  EXPECT_EQ(summary.weightBytes, 12);
  auto loaded = roundTrip(g, dir);
  ASSERT_TRUE(loaded);
  EXPECT_TRUE(sameBits(t, loaded->find("special")->value));
  fs::remove_all(dir);
}

TEST(JsonWriter, FloatAttributesRoundTripExactly) {
  ir::Graph g;
  ir::Node* x = g.addInput("x", {ir::DType::F32, ir::Shape({ir::kBatch, 4})});
  ir::Node* lrelu = g.addNode(ir::OpKind::LeakyRelu, "lrelu", {x});
  lrelu->attrs.set("alpha", 0.1);  // needs 17 significant digits
  ir::Node* norm = g.addNode(ir::OpKind::LayerNorm, "norm", {lrelu});
  norm->attrs.set("epsilon", 1.0000000000000001e-05);
  norm->attrs.set("axis", int64_t(-1));
  ir::Node* gelu = g.addNode(ir::OpKind::Gelu, "gelu", {norm});
  gelu->attrs.set("approximate", std::string("tanh"));
  g.setOutputs({gelu});
  ASSERT_TRUE(ir::inferTypes(g).ok());
  std::string dir = tempDir("attrs");
  auto loaded = roundTrip(g, dir);
  ASSERT_TRUE(loaded);
  EXPECT_TRUE(loaded->find("norm")->attrs == norm->attrs);
  EXPECT_TRUE(loaded->find("lrelu")->attrs == lrelu->attrs);
  EXPECT_TRUE(loaded->find("gelu")->attrs == gelu->attrs);

  // JSON has no infinity: an infinite attribute is an error naming the node.
  lrelu->attrs.set("alpha", std::numeric_limits<double>::infinity());
  Status s = json::writeModel(g, dir + "/inf.json");
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("\"lrelu\": attribute alpha"), std::string::npos) << s.message();
  fs::remove_all(dir);
}

TEST(JsonWriter, OnnxStyleNamesAreKeptAndInvalidOnesRenamedUniquely) {
  ir::Graph g;
  ir::Node* x = g.addInput("input:0", {ir::DType::F32, ir::Shape({ir::kBatch, 2})});
  Tensor w(ir::DType::F32, {2, 2});
  for (int i = 0; i < 4; ++i) w.as<float>()[i] = float(i) - 1.5f;
  ir::Node* c = g.addConstant("/model/dense/kernel:0", w);
  ir::Node* a = g.addNode(ir::OpKind::MatMul, "/model/dense/MatMul", {x, c});
  ir::Node* b = g.addNode(ir::OpKind::Relu, std::string("bad\x01name\xff", 9), {a});
  ir::Node* d = g.addNode(ir::OpKind::Neg, "bad_name_", {b});  // what b sanitizes to
  ir::Node* e = g.addNode(ir::OpKind::Tanh, std::string(300, 'x'), {d});
  ir::Node* f = g.addNode(ir::OpKind::Sigmoid, "__metadata__", {e});
  g.setOutputs({f, a});
  ASSERT_TRUE(ir::inferTypes(g).ok());
  std::string dir = tempDir("names");
  json::WriteOptions options;
  options.inlineLimit = 0;
  json::WriteSummary summary;
  ASSERT_TRUE(json::writeModel(g, dir + "/model.json", options, &summary).ok());
  EXPECT_EQ(summary.renamed, 3);
  auto loaded = roundTrip(g, dir, options);
  ASSERT_TRUE(loaded);
  for (const char* kept : {"input:0", "/model/dense/kernel:0", "/model/dense/MatMul", "bad_name_"})
    EXPECT_NE(loaded->find(kept), nullptr) << kept;
  EXPECT_NE(loaded->find("bad_name__1"), nullptr);  // b, renamed past d's name
  EXPECT_NE(loaded->find(std::string(240, 'x')), nullptr);
  EXPECT_NE(loaded->find("__metadata___1"), nullptr);
  EXPECT_EQ(loaded->outputs()[1]->name, "/model/dense/MatMul");
  fs::remove_all(dir);
}

TEST(JsonWriter, WeightsFileOptionAndItsPathRules) {
  auto original = json::loadModel(examplePath("fashion_mnist_mlp.json"));
  ASSERT_TRUE(original.ok());
  std::string dir = tempDir("weightsfile");
  fs::create_directories(dir + "/w");
  json::WriteOptions options;
  options.weightsFile = "w/params.safetensors";
  ASSERT_TRUE(roundTrip(**original, dir, options));
  auto tensors = readSafetensors(dir + "/w/params.safetensors");
  ASSERT_TRUE(tensors.ok()) << tensors.status().message();
  EXPECT_EQ(tensors->count("w1"), 1u);
  for (const char* bad : {"../up.safetensors", "/tmp/abs.safetensors", "w.npy"}) {
    options.weightsFile = bad;
    Status s = json::writeModel(**original, dir + "/m.json", options);
    ASSERT_FALSE(s.ok()) << bad;
    EXPECT_NE(s.message().find(bad), std::string::npos) << s.message();
    EXPECT_NE(s.message().find("m.json"), std::string::npos) << s.message();
  }
  fs::remove_all(dir);
}

// Imported models exercise what hand-written JSON rarely does: ONNX names,
// every attribute kind the converters set, transposes and folded shapes.
// Each model that imports round-trips to the same bits.
TEST(JsonWriter, ImportedOnnxAndKerasModelsRoundTripBitIdentical) {
  std::vector<std::string> models;
  for (const char* fixtures : {"/tests/fixtures/keras", "/tests/fixtures/onnx"})
    for (const auto& entry : fs::directory_iterator(std::string(DLC_SOURCE_DIR) + fixtures))
      if (entry.path().extension() == ".keras" || entry.path().extension() == ".onnx")
        models.push_back(entry.path().string());
  const std::string nodeTests = "/usr/share/libonnx-testdata/data/node";
  if (fs::exists(nodeTests))
    for (const auto& entry : fs::directory_iterator(nodeTests))
      if (fs::exists(entry.path() / "model.onnx"))
        models.push_back((entry.path() / "model.onnx").string());
  std::sort(models.begin(), models.end());
  int roundTripped = 0;
  std::string dir = tempDir("imported");
  for (const std::string& model : models) {
    SCOPED_TRACE(model);
    auto graph = frontends::loadModel(model);
    if (!graph.ok()) continue;  // unsupported ops: the frontends' tests cover those
    std::vector<Tensor> inputs = randomInputs(**graph, 2, 7);
    if (!ref::evaluate(**graph, inputs).ok()) continue;  // e.g. indices out of range
    ASSERT_TRUE(roundTrip(**graph, dir));
    ++roundTripped;
  }
  fs::remove_all(dir);
  EXPECT_GE(roundTripped, 3) << "of " << models.size() << " models";
  std::printf("round-tripped %d of %zu imported models\n", roundTripped, models.size());
}

}  // namespace
}  // namespace dlc::test
