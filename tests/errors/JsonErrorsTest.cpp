// Bad models: every user mistake the JSON frontend can meet comes back as a
// Status whose message names the file and the JSON path or node.
//
// Pure-JSON mistakes are fixture files in models/; mistakes involving weight
// files (binary, symlinks) are built in a temp folder by the tests below.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <set>

#include "frontends/json/JsonModel.h"
#include "support/Npy.h"
#include "support/Safetensors.h"
#include "tests/frontends/TestFiles.h"

namespace dlc {
namespace {

using ir::DType;
using testing::failsWith;
using testing::TempDir;

struct BadModel {
  const char* file;
  std::vector<std::string> parts;  // each must appear in the message
};

// Every message also contains the fixture's file name (checked below).
const BadModel kBadModels[] = {
    {"malformed.json", {"malformed.json:4:27: malformed JSON", "expected '}'"}},
    {"truncated.json", {"truncated.json:5:1: malformed JSON"}},
    {"empty.json", {"empty.json:1:1: malformed JSON"}},
    {"duplicate_key.json", {"nodes[0].op: duplicate key \"op\""}},
    {"too_deep.json", {"nodes[0].attrs.deep", "deeper than the limit of 64"}},
    {"top_level_array.json", {"a model must be a JSON object"}},
    {"missing_op.json", {"nodes[1] \"h\": missing field \"op\""}},
    {"wrong_field_type.json", {"inputs[0].shape: shape must be an array, got a string"}},
    {"inputs_not_array.json", {"inputs: must be an array, got an object"}},
    {"node_inputs_not_strings.json", {"nodes[0] \"y\" (relu): inputs[0]: an input must be"}},
    {"unknown_op.json", {"nodes[1] \"h\": unknown op \"dens\" (did you mean \"dense\"?)"}},
    {"unknown_input.json",
     {"nodes[1] \"h\" (neg): inputs[0]: unknown tensor \"flatt\" (did you mean \"flat\"?)"}},
    {"duplicate_name.json", {"nodes[1].name: duplicate name \"x\" (first defined at inputs[0])"}},
    {"duplicate_constant_name.json",
     {"constants[1].name: duplicate name \"c\" (first defined at constants[0])"}},
    {"cycle.json", {"cycle", "nodes[0] \"a\" (relu)"}},
    {"self_loop.json", {"cycle", "nodes[0] \"y\" (add)"}},
    {"bad_dtype.json", {"inputs[0].dtype: unknown dtype \"f33\"", "f32 f16 bf16 u8 i32 i64 bool"}},
    {"bad_constant_dtype.json", {"constants[0].dtype: unknown dtype \"float64\""}},
    {"bad_shape_negative.json", {"inputs[0].shape[1]: a dimension must be an integer >= 0", "-2"}},
    {"bad_shape_symbol.json", {"inputs[0].shape[0]", "\"B\""}},
    {"bad_shape_two_batch.json",
     {"inputs[0].shape[1]: the batch symbol \"N\" may appear only once"}},
    {"bad_shape_rank.json", {"inputs[0].shape: rank 9 exceeds the limit of 8"}},
    {"bad_shape_overflow.json", {"inputs[0].shape", "more than 2^40 elements"}},
    {"bad_shape_float.json", {"inputs[0].shape[0]", "2.5"}},
    {"constant_batch.json", {"constants[0].shape[0]", "only allowed in graph inputs"}},
    {"shape_mismatch.json", {"nodes[1] \"h1\" (dense)"}},
    {"dtype_mismatch.json", {"nodes[0] \"y\" (add)"}},
    {"unknown_top_field.json", {"unknown field \"nodez\""}},
    {"unknown_node_field.json", {"nodes[0] \"y\": unknown field \"attr\""}},
    {"unknown_input_field.json", {"inputs[0]: unknown field \"layout\""}},
    {"wrong_format.json", {"format: expected \"dlc.model\", got \"onnx\""}},
    {"wrong_version.json", {"version: unsupported format version 2"}},
    {"missing_version.json", {"missing field \"version\""}},
    {"arity.json", {"nodes[0] \"y\" (dense): inputs: dense takes 2 to 3 inputs, got 1"}},
    {"source_op_in_nodes.json", {"nodes[0] \"y\": op \"constant\" cannot appear in \"nodes\""}},
    {"unknown_output.json", {"outputs[0]: unknown tensor \"probs\""}},
    {"empty_outputs.json", {"outputs: a model needs at least one output"}},
    {"duplicate_output.json", {"outputs[1]: output \"y\" is listed twice"}},
    {"attr_object.json", {"nodes[0] \"y\" (leaky_relu): attrs.alpha", "got an object"}},
    {"attr_string_list.json", {"nodes[0] \"y\" (transpose): attrs.perm[0]", "numbers only"}},
    {"attr_batch_outside_shape.json",
     {"attrs.perm[0]: \"N\" is only allowed in the \"shape\" of reshape and broadcast_to"}},
    {"attr_huge_int.json", {"attrs.axis", "does not fit in int64"}},
    // A misspelt attribute is refused rather than ignored for its default
    // (libFuzzer found "-erm" on a transpose printed into unparseable IR).
    {"attr_unknown_name.json",
     {"nodes[0] \"t\" (transpose): attrs.prem: unknown attribute for transpose (it takes: perm); "
      "did you mean \"perm\"?"}},
    {"attr_not_taken.json",
     {"nodes[0] \"y\" (relu): attrs.alpha: unknown attribute: relu takes no attributes"}},
    {"value_count.json", {"constants[0].value: a flat list needs exactly 6 values", "got 5"}},
    {"value_nested_ragged.json", {"constants[0].value[1]: expected a list of 3 entries"}},
    {"value_not_number.json", {"constants[0].value[1]: expected a number, got \"two\""}},
    {"value_out_of_range.json", {"constants[0].value[1]: 256 is out of range for u8"}},
    {"value_not_integer.json", {"constants[0].value: 1.5 is not an integer"}},
    {"value_and_file.json", {"constants[0]: give either \"value\" or \"file\", not both"}},
    {"no_value_or_file.json", {"constants[0]: missing field \"value\" or \"file\""}},
    {"splat_too_big.json", {"constants[0].value: splatting a scalar", "weights file"}},
    {"value_nested_huge.json",
     {"constants[0].value[0]: expected a list of 1099511627776 entries for dimension 1", "got 1"}},
    {"value_nested_huge_deep.json",
     {"constants[0].value[0][0]: expected a list of 274877906944 entries for dimension 2"}},
    {"empty_name.json", {"nodes[0].name: must not be empty"}},
};

TEST(JsonErrors, EveryFixtureFailsWithFileAndPath) {
  for (const BadModel& bad : kBadModels) {
    std::string path = std::string(DLC_TEST_DATA_DIR) + "/models/" + bad.file;
    auto graph = json::loadModel(path);
    std::vector<std::string> parts = bad.parts;
    parts.push_back(path);
    EXPECT_TRUE(failsWith(graph.status(), parts)) << bad.file;
  }
}

TEST(JsonErrors, EveryFixtureIsListed) {
  // A fixture added to models/ without a row above would go untested.
  std::set<std::string> listed;
  for (const BadModel& bad : kBadModels) listed.insert(bad.file);
  for (const auto& entry :
       std::filesystem::directory_iterator(std::string(DLC_TEST_DATA_DIR) + "/models"))
    EXPECT_TRUE(listed.count(entry.path().filename().string())) << entry.path();
}

TEST(JsonErrors, MissingModelFile) {
  auto graph = json::loadModel("/nonexistent/model.json");
  EXPECT_EQ(graph.status().code(), StatusCode::kNotFound);
  EXPECT_TRUE(failsWith(graph.status(), {"/nonexistent/model.json"}));
}

TEST(JsonErrors, TooManyNodes) {
  std::string nodes;
  nodes.reserve(3 * (json::kMaxNodes + 1));
  for (size_t i = 0; i <= json::kMaxNodes; ++i) nodes += i ? ",{}" : "{}";
  std::string text = R"({"format": "dlc.model", "version": 1, "inputs": [], "nodes": [)" + nodes +
                     R"(], "outputs": ["x"]})";
  EXPECT_TRUE(failsWith(json::parseModel(text, "huge.json").status(),
                        {"huge.json: nodes: the model has 1000001 nodes, over the limit"}));
}

// A one-constant model reading `file` (and `key`), plus the weights folder.
class WeightErrors : public ::testing::Test {
 protected:
  StatusOr<std::unique_ptr<ir::Graph>> load(const std::string& constantFields,
                                            const std::string& shape = "[2, 3]") {
    std::string text = R"({"format": "dlc.model", "version": 1, "inputs": [],
      "constants": [{"name": "w", "dtype": "f32", "shape": )" +
                       shape + ", " + constantFields +
                       R"(}], "nodes": [{"name": "y", "op": "neg", "inputs": ["w"]}],
      "outputs": ["y"]})";
    return json::loadModel(dir.write("model.json", text));
  }
  Tensor f32(std::vector<int64_t> dims) { return Tensor(DType::F32, std::move(dims)); }
  TempDir dir;
};

TEST_F(WeightErrors, GoodBaseline) {
  ASSERT_TRUE(writeNpy(dir.file("w.npy"), f32({2, 3})).ok());
  auto g = load(R"("file": "w.npy")");
  ASSERT_TRUE(g.ok()) << g.status().toString();
}

TEST_F(WeightErrors, FileMissing) {
  auto g = load(R"("file": "nope.safetensors", "key": "w")");
  EXPECT_EQ(g.status().code(), StatusCode::kNotFound);
  EXPECT_TRUE(failsWith(g.status(), {"model.json: constants[0].file",
                                     "'nope.safetensors' does "
                                     "not exist in the model folder"}));
}

TEST_F(WeightErrors, KeyMissing) {
  ASSERT_TRUE(writeSafetensors(dir.file("m.safetensors"),
                               {{"dense.kernel", f32({2, 3})}, {"dense.bias", f32({3})}})
                  .ok());
  EXPECT_TRUE(failsWith(load(R"("file": "m.safetensors", "key": "dense.kernal")").status(),
                        {"model.json: constants[0].key: no tensor \"dense.kernal\" in "
                         "\"m.safetensors\"",
                         "\"dense.bias\", \"dense.kernel\""}));
  ASSERT_TRUE(writeNpz(dir.file("w.npz"), {{"other", f32({2, 3})}}).ok());
  // Without "key", the constant's name is the key.
  EXPECT_TRUE(failsWith(load(R"("file": "w.npz")").status(),
                        {"constants[0].key: no tensor \"w\" in \"w.npz\""}));
}

TEST_F(WeightErrors, SizeTooShortAndTooLong) {
  ASSERT_TRUE(writeNpz(dir.file("w.npz"), {{"short", f32({5})}, {"long", f32({2, 4})}}).ok());
  EXPECT_TRUE(failsWith(load(R"("file": "w.npz", "key": "short")").status(),
                        {"model.json: constants[0]: \"w.npz\"[\"short\"] holds f32[5]",
                         "too short for the declared shape [2,3] (6 elements, 24 bytes)"}));
  EXPECT_TRUE(failsWith(load(R"("file": "w.npz", "key": "long")").status(),
                        {"constants[0]", "holds f32[2,4] (8 elements, 32 bytes), too long"}));
}

TEST_F(WeightErrors, SameCountDifferentShape) {
  ASSERT_TRUE(writeNpy(dir.file("w.npy"), f32({3, 2})).ok());
  EXPECT_TRUE(failsWith(
      load(R"("file": "w.npy")").status(),
      {"constants[0]", "\"w.npy\" holds shape [3,2]", "declares [2,3]", "never reshapes"}));
}

TEST_F(WeightErrors, StoredDtypeDiffers) {
  ASSERT_TRUE(
      writeSafetensors(dir.file("m.safetensors"), {{"w", Tensor(DType::F16, {2, 3})}}).ok());
  EXPECT_TRUE(failsWith(load(R"("file": "m.safetensors")").status(),
                        {"model.json: constants[0]: \"m.safetensors\"[\"w\"] holds f16[2,3] but "
                         "the constant declares dtype f32"}));
}

TEST_F(WeightErrors, PathsEscapingTheFolder) {
  TempDir outside;
  ASSERT_TRUE(writeNpy(outside.file("w.npy"), f32({2, 3})).ok());
  EXPECT_TRUE(
      failsWith(load(R"("file": "../w.npy")").status(), {"model.json: constants[0].file", "'..'"}));
  EXPECT_TRUE(failsWith(load(R"("file": ")" + outside.file("w.npy") + "\"").status(),
                        {"model.json: constants[0].file", "absolute"}));
  ASSERT_EQ(::symlink(outside.file("w.npy").c_str(), dir.file("w.npy").c_str()), 0);
  EXPECT_TRUE(failsWith(load(R"("file": "w.npy")").status(),
                        {"model.json: constants[0].file", "outside the model folder"}));
}

TEST_F(WeightErrors, UnknownExtensionAndKeyOnNpy) {
  dir.write("w.bin", std::string(24, '\0'));
  EXPECT_TRUE(
      failsWith(load(R"("file": "w.bin")").status(), {"constants[0].file", "unknown extension"}));
  ASSERT_TRUE(writeNpy(dir.file("w.npy"), f32({2, 3})).ok());
  EXPECT_TRUE(failsWith(load(R"("file": "w.npy", "key": "w")").status(),
                        {"constants[0].key", "single tensor"}));
}

TEST_F(WeightErrors, CorruptWeightsNameBothFiles) {
  dir.write("w.npy", std::string("\x93NUMPY\x01\x00\x07\x00garbage", 17));
  EXPECT_TRUE(failsWith(load(R"("file": "w.npy")").status(),
                        {"model.json: constants[0].file", "w.npy", "malformed .npy header"}));
  std::string st(8, '\0');
  st[0] = 100;
  dir.write("w.safetensors", st);
  EXPECT_TRUE(failsWith(load(R"("file": "w.safetensors")").status(),
                        {"model.json: constants[0].file", "w.safetensors", "header length"}));
  dir.write("w.npz", "PK not really");
  EXPECT_TRUE(failsWith(load(R"("file": "w.npz")").status(),
                        {"model.json: constants[0].file", "w.npz", "not a zip archive"}));
}

}  // namespace
}  // namespace dlc
