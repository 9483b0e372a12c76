// Negative and out-of-range indices in JSON models: gather indices, slice
// bounds and axes, concat and gather axes. Constant indices and attributes
// are checked when the model is read (an error naming the node, the value
// and the valid range); runtime gather indices are clamped, never read out
// of bounds, identically on every CPU path; slice bounds clamp as in ONNX.
//
// The ONNX forms of the same mistakes are in OnnxHostileIndicesTest.cpp.
#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <string>

#include "frontends/json/JsonModel.h"
#include "tests/robustness/RobustnessUtil.h"

namespace dlc::robust {
namespace {

constexpr int64_t kI64Min = std::numeric_limits<int64_t>::min();
constexpr int64_t kI64Max = std::numeric_limits<int64_t>::max();

// x, z: f32[3,4]; idx: i64[2] constant `idxValue`; nodes `node`; output y.
std::string model(const std::string& node, const std::string& idxValue = "[0, 1]") {
  std::string m = R"({"format": "dlc.model", "version": 1, "name": "t",
    "inputs": [{"name": "x", "dtype": "f32", "shape": [3, 4]}, {"name": "z", "dtype": "f32", "shape": [3, 4]}],
    "constants": [{"name": "idx", "dtype": "i64", "shape": [2], "value": )";
  m.append(idxValue).append(R"(}],
    "nodes": [)").append(node).append(R"(], "outputs": ["y"]})");
  return m;
}

// The error of reading `text`; fails the test when it loads.
std::string loadError(const std::string& text) {
  auto g = json::parseModel(text, "model.json");
  EXPECT_FALSE(g.ok()) << "loaded: " << text;
  return g.ok() ? "" : g.status().message();
}

TEST(HostileIndices, ConstantGatherIndicesOutOfRangeAreErrors) {
  const std::string gather =
      R"({"name": "y", "op": "gather", "inputs": ["x", "idx"], "attrs": {"axis": 1}})";
  EXPECT_EQ(loadError(model(gather, "[0, 4]")),
            "model.json: nodes[0] \"y\" (gather): gather index 4 (element 1 of the constant "
            "indices \"idx\") is out of range for axis 1 of data f32[3,4]: valid indices are -4 "
            "to 3");
  EXPECT_NE(loadError(model(gather, "[0, -5]")).find("gather index -5 (element 1"),
            std::string::npos);
  EXPECT_NE(loadError(model(gather, "[" + std::to_string(kI64Min) + ", 0]"))
                .find("gather index -9223372036854775808 (element 0"),
            std::string::npos);
  EXPECT_NE(loadError(model(gather, "[" + std::to_string(kI64Max) + ", 0]"))
                .find("gather index 9223372036854775807 (element 0"),
            std::string::npos);
}

TEST(HostileIndices, AxesOutOfRangeAreErrors) {
  struct Case {
    std::string node;
    std::string message;
  };
  const std::vector<Case> cases = {
      {R"({"name": "y", "op": "gather", "inputs": ["x", "idx"], "attrs": {"axis": 2}})",
       "nodes[0] \"y\" (gather): gather attribute 'axis' = 2 is out of range for rank 2 (data "
       "f32[3,4])"},
      {R"({"name": "y", "op": "gather", "inputs": ["x", "idx"], "attrs": {"axis": -3}})",
       "gather attribute 'axis' = -3 is out of range for rank 2"},
      {R"({"name": "y", "op": "concat", "inputs": ["x", "z"], "attrs": {"axis": 2}})",
       "nodes[0] \"y\" (concat): concat attribute 'axis' = 2 is out of range for rank 2 (operand "
       "0 f32[3,4])"},
      {R"({"name": "y", "op": "concat", "inputs": ["x", "z"], "attrs": {"axis": -9223372036854775808}})",
       "concat attribute 'axis' = -9223372036854775808 is out of range for rank 2"},
      {R"({"name": "y", "op": "slice", "inputs": ["x"], "attrs": {"starts": [0], "ends": [1], "axes": [2]}})",
       "nodes[0] \"y\" (slice): slice attribute 'axes' = 2 is out of range for rank 2 (x "
       "f32[3,4])"},
      {R"({"name": "y", "op": "slice", "inputs": ["x"], "attrs": {"starts": [0, 0], "ends": [2, 2], "axes": [1, -1]}})",
       "slice attribute 'axes' = [1,-1] repeats axis 1"},
      {R"({"name": "y", "op": "slice", "inputs": ["x"], "attrs": {"starts": [0], "ends": [2], "steps": [0]}})",
       "slice attribute 'steps' = [0] has an invalid entry 0"},
  };
  for (const Case& c : cases) {
    std::string message = loadError(model(c.node));
    EXPECT_NE(message.find(c.message), std::string::npos) << message;
    EXPECT_EQ(message.rfind("model.json: ", 0), 0u) << message;
  }
}

TEST(HostileIndices, SliceBoundsBeyondInt64RangeClampLikeOnnx) {
  // starts = INT64_MIN + 1 and ends = INT64_MAX keep the whole axis (negative
  // bounds count from the end, then clamp), without overflow.
  std::string text = model(
      R"({"name": "y", "op": "slice", "inputs": ["x"], "attrs": {"starts": [-9223372036854775807], "ends": [9223372036854775807], "axes": [1]}})");
  Tensor x = f32({3, 4}, {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11});
  for (Path path : kAllPaths) {
    auto out = runModel(text, {x, x}, path);
    ASSERT_TRUE(out.ok()) << pathName(path) << ": " << out.status().toString();
    expectClasses((*out)[0], {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}, pathName(path));
  }
}

TEST(HostileIndices, RuntimeGatherIndicesAreClampedOnEveryPath) {
  // Indices from an input are not checked: a negative index adds the extent
  // (4), then every index clamps into [0, 3], so no path reads outside x.
  std::string text = R"({"format": "dlc.model", "version": 1, "name": "t",
    "inputs": [{"name": "x", "dtype": "f32", "shape": [2, 4]}, {"name": "i", "dtype": "i64", "shape": [8]}],
    "nodes": [{"name": "y", "op": "gather", "inputs": ["x", "i"], "attrs": {"axis": 1}}],
    "outputs": ["y"]})";
  Tensor x = f32({2, 4}, {10, 11, 12, 13, 20, 21, 22, 23});
  Tensor i = i64({8}, {-1, -4, -5, 4, 1000000, kI64Min, kI64Max, 2});
  for (Path path : kAllPaths) {
    auto out = runModel(text, {x, i}, path);
    ASSERT_TRUE(out.ok()) << pathName(path) << ": " << out.status().toString();
    expectClasses((*out)[0], {13, 10, 10, 13, 13, 10, 13, 12, 23, 20, 20, 23, 23, 20, 23, 22},
                  pathName(path));
  }
}

}  // namespace
}  // namespace dlc::robust
