// The JSON frontend on good models: types after inference, locations and
// devices, inline constant forms, attribute conversion, weight files of every
// format (each read once), and robustness against mutated input.
#include <gtest/gtest.h>

#include <algorithm>
#include <random>

#include "frontends/json/JsonModel.h"
#include "frontends/json/WeightStore.h"
#include "support/Npy.h"
#include "support/Safetensors.h"
#include "tests/frontends/TestFiles.h"

namespace dlc {
namespace {

using ir::DType;
using ir::kBatch;
using testing::TempDir;

std::string modelText(const std::string& inputs, const std::string& constants,
                      const std::string& nodes, const std::string& outputs) {
  return R"({"format": "dlc.model", "version": 1, "inputs": [)" + inputs + R"(], "constants": [)" +
         constants + R"(], "nodes": [)" + nodes + R"(], "outputs": [)" + outputs + "]}";
}

Tensor filled(DType dtype, std::vector<int64_t> dims, double start) {
  Tensor t(dtype, std::move(dims));
  for (int64_t i = 0; i < t.numElements(); ++i) t.setFromDouble(i, start + double(i));
  return t;
}

TEST(JsonModel, LoadsTheInlineMlpFixture) {
  std::string path = std::string(DLC_TEST_DATA_DIR) + "/models/mlp_inline.json";
  auto graph = json::loadModel(path);
  ASSERT_TRUE(graph.ok()) << graph.status().toString();
  ir::Graph& g = **graph;
  EXPECT_EQ(g.name, "tiny_mlp");
  EXPECT_EQ(g.sourceFile, path);
  ASSERT_EQ(g.inputs().size(), 1u);
  EXPECT_EQ(g.inputs()[0]->type, (ir::TensorType{DType::U8, {kBatch, 28, 28}}));
  ASSERT_EQ(g.outputs().size(), 1u);
  EXPECT_EQ(g.outputs()[0]->name, "probs");
  EXPECT_EQ(g.outputs()[0]->type, (ir::TensorType{DType::F32, {kBatch, 3}}));
  EXPECT_EQ(g.nodes().size(), 1u + 5u + 7u);

  ir::Node* h = g.find("h");
  ASSERT_NE(h, nullptr);
  EXPECT_EQ(h->op, ir::OpKind::Dense);
  EXPECT_EQ(h->location, "nodes[3]");
  EXPECT_EQ(h->device, "/device:CPU:0");
  EXPECT_EQ(h->type, (ir::TensorType{DType::F32, {kBatch, 4}}));
  EXPECT_EQ(g.find("flat")->type, (ir::TensorType{DType::F32, {kBatch, 784}}));
  EXPECT_EQ(g.find("flat")->attrs.getInts("shape", {}), (std::vector<int64_t>{-1, 784}));
  EXPECT_EQ(g.find("x")->attrs.getString("to", ""), "f32");
  EXPECT_EQ(g.find("probs")->attrs.getInt("axis", 0), -1);
  EXPECT_EQ(g.find("r")->device, "");

  const Tensor& scale = g.find("scale")->value;
  EXPECT_EQ(scale.rank(), 0);
  EXPECT_FLOAT_EQ(scale.as<float>()[0], 1.0f / 255.0f);
  const Tensor& w1 = g.find("w1")->value;
  EXPECT_EQ(w1.dims(), (std::vector<int64_t>{784, 4}));
  EXPECT_FLOAT_EQ(w1.as<float>()[784 * 4 - 1], 0.01f);
  EXPECT_FLOAT_EQ(g.find("b1")->value.as<float>()[1], -0.5f);
  EXPECT_FLOAT_EQ(g.find("w2")->value.as<float>()[3 * 3 + 2], 1.0f);
  EXPECT_EQ(g.find("w2")->location, "constants[3]");
  EXPECT_EQ(g.find("image")->location, "inputs[0]");

  // Topological order: every operand precedes its user.
  std::vector<const ir::Node*> seen;
  for (const auto& n : g.nodes()) {
    for (const ir::Node* in : n->inputs)
      EXPECT_NE(std::find(seen.begin(), seen.end(), in), seen.end()) << n->name;
    seen.push_back(n.get());
  }
}

// The checked-in examples (real np.savez / Python safetensors weights).
TEST(JsonModel, LoadsTheExampleModels) {
  struct Example {
    const char* file;
    ir::TensorType output;
  };
  const Example examples[] = {
      {"fashion_mnist_mlp.json", {DType::F32, {kBatch, 10}}},
      {"cnn.json", {DType::F32, {kBatch, 10}}},
      {"transformer_block.json", {DType::F32, {kBatch, 16, 64}}},
      {"elementwise_chain.json", {DType::F32, {4096, 4096}}},
  };
  for (const Example& e : examples) {
    std::string path = std::string(DLC_SOURCE_DIR) + "/examples/" + e.file;
    if (!std::filesystem::exists(path)) continue;
    auto g = json::loadModel(path);
    ASSERT_TRUE(g.ok()) << g.status().toString();
    ASSERT_EQ((*g)->outputs().size(), 1u) << e.file;
    EXPECT_EQ((*g)->outputs()[0]->type, e.output) << e.file;
  }
  std::string mlp = std::string(DLC_SOURCE_DIR) + "/examples/fashion_mnist_mlp.json";
  if (!std::filesystem::exists(mlp)) GTEST_SKIP() << "examples/ not present";
  auto g = json::loadModel(mlp);
  ASSERT_TRUE(g.ok());
  EXPECT_EQ((*g)->find("w1")->value.dims(), (std::vector<int64_t>{784, 128}));
}

// The complete example at the top of docs/format.md loads as documented.
TEST(JsonModel, LoadsTheFormatDocExample) {
  std::string doc = testing::readAll(std::string(DLC_SOURCE_DIR) + "/docs/format.md");
  size_t begin = doc.find("```json\n");
  ASSERT_NE(begin, std::string::npos);
  begin += 8;
  std::string text = doc.substr(begin, doc.find("```", begin) - begin);
  TempDir dir;
  ASSERT_TRUE(writeSafetensors(dir.file("mlp.safetensors"),
                               {{"dense1.kernel", filled(DType::F32, {784, 128}, 0)}})
                  .ok());
  ASSERT_TRUE(writeNpz(dir.file("w.npz"), {{"b1", filled(DType::F32, {128}, 0)},
                                           {"w2", filled(DType::F32, {128, 10}, 0)}})
                  .ok());
  ASSERT_TRUE(writeNpy(dir.file("b2.npy"), filled(DType::F32, {10}, 0)).ok());
  auto g = json::loadModel(dir.write("model.json", text));
  ASSERT_TRUE(g.ok()) << g.status().toString();
  EXPECT_EQ((*g)->name, "fashion_mnist_mlp");
  EXPECT_EQ((*g)->outputs()[0]->type, (ir::TensorType{DType::F32, {kBatch, 10}}));
  EXPECT_EQ((*g)->find("h")->device, "/device:CPU:0");
}

TEST(JsonModel, AcceptsNodesInAnyOrder) {
  auto g = json::parseModel(modelText(R"({"name": "a", "dtype": "f32", "shape": [2, 3]})", "",
                                      R"({"name": "c", "op": "relu", "inputs": ["b"]},
                   {"name": "b", "op": "neg", "inputs": ["a"]})",
                                      R"("c")"),
                            "m.json");
  ASSERT_TRUE(g.ok()) << g.status().toString();
  EXPECT_EQ((*g)->nodes().back()->name, "c");
  EXPECT_EQ((*g)->find("c")->type, (ir::TensorType{DType::F32, {2, 3}}));
  EXPECT_EQ((*g)->name, "m");  // defaults to the file stem
}

TEST(JsonModel, InlineValueForms) {
  auto g = json::parseModel(
      modelText("",
                R"({"name": "nested", "dtype": "i32", "shape": [2, 2], "value": [[1, -2], [3, 4]]},
             {"name": "flat", "dtype": "i32", "shape": [2, 2], "value": [5, 6, 7, 8]},
             {"name": "splat", "dtype": "u8", "shape": [3], "value": 255},
             {"name": "flags", "dtype": "bool", "shape": [3], "value": [true, false, 1]},
             {"name": "big", "dtype": "i64", "shape": [], "value": 1152921504606846977},
             {"name": "half", "dtype": "f16", "shape": [2], "value": [0.5, -2]},
             {"name": "integral", "dtype": "i32", "shape": [1], "value": [3.0]},
             {"name": "none", "dtype": "f32", "shape": [0, 2], "value": []},
             {"name": "one", "dtype": "f32", "shape": [], "value": [4]})",
                R"({"name": "s", "op": "add", "inputs": ["nested", "flat"]})", R"("s")"),
      "v.json");
  ASSERT_TRUE(g.ok()) << g.status().toString();
  auto value = [&](const char* name) -> const Tensor& { return (*g)->find(name)->value; };
  EXPECT_EQ(value("nested").as<int32_t>()[1], -2);
  EXPECT_EQ(value("nested").as<int32_t>()[2], 3);
  EXPECT_EQ(value("flat").as<int32_t>()[3], 8);
  EXPECT_EQ(value("splat").as<uint8_t>()[2], 255);
  EXPECT_EQ(value("flags").as<uint8_t>()[0], 1);
  EXPECT_EQ(value("flags").as<uint8_t>()[1], 0);
  EXPECT_EQ(value("flags").as<uint8_t>()[2], 1);
  EXPECT_EQ(value("big").as<int64_t>()[0], int64_t(1152921504606846977));  // 2^60 + 1, exact
  EXPECT_EQ(value("half").getAsDouble(1), -2.0);
  EXPECT_EQ(value("integral").as<int32_t>()[0], 3);
  EXPECT_EQ(value("none").numElements(), 0);
  EXPECT_EQ(value("one").as<float>()[0], 4.0f);
  EXPECT_EQ((*g)->find("s")->type, (ir::TensorType{DType::I32, {2, 2}}));
}

// A scalar splat is copied by doubling (libFuzzer found a 1 GiB splat took
// ~6 s under ASan element by element): every element of odd-sized shapes,
// including the last partial copy, must hold the value.
TEST(JsonModel, ScalarSplatFillsEveryElement) {
  auto g = json::parseModel(
      modelText("",
                R"({"name": "f", "dtype": "f32", "shape": [3, 1000, 7], "value": -1.25},
             {"name": "l", "dtype": "i64", "shape": [5, 13], "value": -9223372036854775807},
             {"name": "h", "dtype": "f16", "shape": [1], "value": 0.5},
             {"name": "z", "dtype": "u8", "shape": [0, 4], "value": 7})",
                R"({"name": "s", "op": "neg", "inputs": ["f"]})", R"("s", "l", "h", "z")"),
      "splat.json");
  ASSERT_TRUE(g.ok()) << g.status().toString();
  const Tensor& f = (*g)->find("f")->value;
  ASSERT_EQ(f.numElements(), 21000);
  EXPECT_EQ(std::count(f.as<float>(), f.as<float>() + 21000, -1.25f), 21000);
  const Tensor& l = (*g)->find("l")->value;
  ASSERT_EQ(l.numElements(), 65);
  EXPECT_EQ(std::count(l.as<int64_t>(), l.as<int64_t>() + 65, int64_t(-9223372036854775807)), 65);
  EXPECT_EQ((*g)->find("h")->value.getAsDouble(0), 0.5);
  EXPECT_EQ((*g)->find("z")->value.numElements(), 0);
}

TEST(JsonModel, ConvertsAttributesByJsonType) {
  auto g = json::parseModel(modelText(R"({"name": "x", "dtype": "f32", "shape": ["N", 1, 3]})", "",
                                      R"({"name": "b", "op": "broadcast_to", "inputs": ["x"],
                    "attrs": {"shape": ["N", 4, 3]}},
                   {"name": "l", "op": "leaky_relu", "inputs": ["b"], "attrs": {"alpha": 0.25}},
                   {"name": "r", "op": "reduce_sum", "inputs": ["l"],
                    "attrs": {"axes": [1, 2], "keepdims": true}},
                   {"name": "p", "op": "pad", "inputs": ["x"],
                    "attrs": {"pads": [0, 1, 0, 0, 1, 2], "value": 1.5}},
                   {"name": "g", "op": "gelu", "inputs": ["x"], "attrs": {"approximate": "tanh"}})",
                                      R"("r", "p", "g")"),
                            "a.json");
  ASSERT_TRUE(g.ok()) << g.status().toString();
  const ir::Attributes& b = (*g)->find("b")->attrs;
  EXPECT_EQ(std::get<std::vector<int64_t>>(*b.find("shape")), (std::vector<int64_t>{-1, 4, 3}));
  EXPECT_EQ(std::get<double>(*(*g)->find("l")->attrs.find("alpha")), 0.25);
  const ir::Attributes& r = (*g)->find("r")->attrs;
  EXPECT_EQ(std::get<int64_t>(*r.find("keepdims")), 1);
  EXPECT_EQ(std::get<std::vector<int64_t>>(*r.find("axes")), (std::vector<int64_t>{1, 2}));
  const ir::Attributes& p = (*g)->find("p")->attrs;
  EXPECT_EQ(std::get<double>(*p.find("value")), 1.5);
  EXPECT_EQ(std::get<std::string>(*(*g)->find("g")->attrs.find("approximate")), "tanh");
  EXPECT_EQ((*g)->find("r")->type, (ir::TensorType{DType::F32, {kBatch, 1, 1}}));
  EXPECT_EQ((*g)->find("p")->type, (ir::TensorType{DType::F32, {kBatch, 3, 5}}));
  EXPECT_EQ((*g)->outputs().size(), 3u);
}

TEST(JsonModel, LoadsWeightsFromEveryFormat) {
  TempDir dir;
  ASSERT_TRUE(writeSafetensors(dir.file("mlp.safetensors"),
                               {{"dense1.kernel", filled(DType::F32, {4, 3}, 0)},
                                {"dense1.bias", filled(DType::F32, {3}, 100)}})
                  .ok());
  ASSERT_TRUE(writeNpz(dir.file("w.npz"), {{"w2", filled(DType::F32, {3, 2}, 10)},
                                           {"b2", filled(DType::F32, {2}, 20)}})
                  .ok());
  std::filesystem::create_directories(dir.file("extra"));
  ASSERT_TRUE(writeNpy(dir.file("extra/shift.npy"), filled(DType::F32, {2}, -1)).ok());
  std::string model =
      modelText(R"({"name": "x", "dtype": "f32", "shape": ["N", 4]})",
                R"({"name": "w1", "dtype": "f32", "shape": [4, 3], "file": "mlp.safetensors",
          "key": "dense1.kernel"},
         {"name": "b1", "dtype": "f32", "shape": [3], "file": "mlp.safetensors",
          "key": "dense1.bias"},
         {"name": "w2", "dtype": "f32", "shape": [3, 2], "file": "w.npz"},
         {"name": "bias2", "dtype": "f32", "shape": [2], "file": "w.npz", "key": "b2"},
         {"name": "shift", "dtype": "f32", "shape": [2], "file": "extra/shift.npy"})",
                R"({"name": "h", "op": "dense", "inputs": ["x", "w1", "b1"]},
         {"name": "o", "op": "dense", "inputs": ["h", "w2", "bias2"]},
         {"name": "y", "op": "add", "inputs": ["o", "shift"]})",
                R"("y")");
  std::string path = dir.write("model.json", model);
  auto g = json::loadModel(path);
  ASSERT_TRUE(g.ok()) << g.status().toString();
  EXPECT_EQ((*g)->find("w1")->value.as<float>()[11], 11.0f);
  EXPECT_EQ((*g)->find("b1")->value.as<float>()[2], 102.0f);
  EXPECT_EQ((*g)->find("w2")->value.as<float>()[5], 15.0f);
  EXPECT_EQ((*g)->find("bias2")->value.as<float>()[1], 21.0f);
  EXPECT_EQ((*g)->find("shift")->value.as<float>()[0], -1.0f);
  EXPECT_EQ((*g)->find("y")->type, (ir::TensorType{DType::F32, {kBatch, 2}}));

  // The same text parsed from memory finds weights next to `sourcePath`.
  auto again = json::parseModel(model, path);
  ASSERT_TRUE(again.ok()) << again.status().toString();
}

TEST(JsonModel, ReadsEachWeightsFileOnce) {
  TempDir dir;
  ASSERT_TRUE(writeNpz(dir.file("w.npz"), {{"a", filled(DType::F32, {2}, 0)},
                                           {"b", filled(DType::F32, {2}, 5)},
                                           {"c", filled(DType::I32, {1}, 9)}})
                  .ok());
  ASSERT_TRUE(writeNpy(dir.file("v.npy"), filled(DType::F32, {2}, 0)).ok());
  json::WeightStore store(dir.path());
  json::Where where("m.json", "constants[0]");
  for (const char* key : {"a", "b", "c", "a"}) {
    auto t = store.get("w.npz", key, /*hasKey=*/true, where);
    ASSERT_TRUE(t.ok()) << t.status().toString();
  }
  EXPECT_EQ(store.filesRead(), 1);
  ASSERT_TRUE(store.get("./w.npz", "b", /*hasKey=*/true, where).ok());
  EXPECT_EQ(store.filesRead(), 1);  // same canonical path
  ASSERT_TRUE(store.get("v.npy", "", /*hasKey=*/false, where).ok());
  ASSERT_TRUE(store.get("v.npy", "", /*hasKey=*/false, where).ok());
  EXPECT_EQ(store.filesRead(), 2);
  EXPECT_EQ(store.get("w.npz", "c", true, where)->as<int32_t>()[0], 9);
}

// `s` with `erase` bytes at `at` replaced by `insert`.
std::string spliced(const std::string& s, size_t at, size_t erase, std::string_view insert) {
  size_t rest = std::min(s.size(), at + erase);
  std::string out;
  out.reserve(s.size() + insert.size());
  out.append(s.data(), at).append(insert.data(), insert.size());
  out.append(s.data() + rest, s.size() - rest);
  return out;
}

// Mutated and truncated models must come back as errors (or load), never crash.
TEST(JsonModel, SurvivesMutatedInput) {
  std::string base = testing::readAll(std::string(DLC_TEST_DATA_DIR) + "/models/mlp_inline.json");
  ASSERT_FALSE(base.empty());
  std::mt19937 rng(1234);
  const char alphabet[] = "{}[]\",:0123456789-.eNnulltruefalse \\x";
  int failures = 0;
  for (int iter = 0; iter < 1500; ++iter) {
    std::string text = base;
    int edits = 1 + int(rng() % 4);
    for (int e = 0; e < edits; ++e) {
      size_t at = rng() % text.size();
      switch (rng() % 3) {
        case 0:
          text[at] = alphabet[rng() % (sizeof(alphabet) - 1)];
          break;
        case 1:
          text = spliced(text, at, 1 + rng() % 8, "");
          break;
        default:
          text = spliced(text, at, 0, {&alphabet[rng() % (sizeof(alphabet) - 1)], 1});
          break;
      }
      if (text.empty()) text = std::string(1, '{');
    }
    if (iter % 10 == 0) text.resize(rng() % text.size());
    auto g = json::parseModel(text, "fuzz.json");
    if (!g.ok()) {
      ++failures;
      EXPECT_NE(g.status().message().find("fuzz.json"), std::string::npos) << g.status().message();
    }
  }
  EXPECT_GT(failures, 1000);
}

}  // namespace
}  // namespace dlc
