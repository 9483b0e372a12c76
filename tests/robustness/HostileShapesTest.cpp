// Shapes and attributes that cannot be: dims whose product overflows, an
// attribute that disagrees with the real shape of its input, an unknown
// dtype in a cast. Each is an error of the JSON frontend naming the file,
// the node and both sides; nothing is allocated.
//
// The fixtures of tests/errors (bad_shape_overflow.json, shape_mismatch.json,
// bad_dtype.json, ...) cover the same mistakes in inputs and constants.
#include <gtest/gtest.h>

#include <string>

#include "frontends/json/JsonModel.h"

namespace dlc::robust {
namespace {

// One input x of `shape` and the node `node` producing y.
std::string model(const std::string& shape, const std::string& node) {
  std::string m = R"({"format": "dlc.model", "version": 1, "name": "t", "inputs": [{"name": "x", "dtype": "f32", "shape": )";
  m.append(shape).append(R"(}], "nodes": [)").append(node).append(R"(], "outputs": ["y"]})");
  return m;
}

std::string loadError(const std::string& text) {
  auto g = json::parseModel(text, "model.json");
  EXPECT_FALSE(g.ok()) << "loaded: " << text;
  return g.ok() ? "" : g.status().message();
}

TEST(HostileShapes, DimsWhoseProductOverflowsInt64) {
  EXPECT_EQ(loadError(model("[4294967296, 4294967296, 4294967296]",
                            R"({"name": "y", "op": "relu", "inputs": ["x"]})")),
            "model.json: inputs[0].shape: shape [4294967296,4294967296,4294967296] has more than "
            "2^40 elements");
  EXPECT_EQ(loadError(model("[4]", R"({"name": "y", "op": "broadcast_to", "inputs": ["x"], "attrs": {"shape": [4294967296, 4294967296, 4]}})")),
            "model.json: nodes[0] \"y\" (broadcast_to): broadcast_to attribute 'shape': shape "
            "[4294967296,4294967296,4] has more than 2^40 elements");
  EXPECT_EQ(loadError(model("[4]", R"({"name": "y", "op": "reshape", "inputs": ["x"], "attrs": {"shape": [4294967296, 4294967296, -1]}})")),
            "model.json: nodes[0] \"y\" (reshape): reshape cannot reshape x [4] to shape "
            "[4294967296,4294967296,-1]: too many elements");
}

TEST(HostileShapes, AttributesThatDisagreeWithTheInputShape) {
  EXPECT_EQ(loadError(model("[4, 6]", R"({"name": "y", "op": "reshape", "inputs": ["x"], "attrs": {"shape": [5, 5]}})")),
            "model.json: nodes[0] \"y\" (reshape): reshape cannot reshape x [4,6] to shape "
            "[5,5]: element counts differ (24 vs 25)");
  EXPECT_EQ(loadError(model("[4, 6]", R"({"name": "y", "op": "transpose", "inputs": ["x"], "attrs": {"perm": [0, 0]}})")),
            "model.json: nodes[0] \"y\" (transpose): transpose attribute 'perm' = [0,0] is not a "
            "permutation of the dims of x [4,6]");
  EXPECT_EQ(loadError(model("[1, 1, 4, 4]", R"({"name": "y", "op": "max_pool2d", "inputs": ["x"], "attrs": {"kernel": [9, 9]}})")),
            "model.json: nodes[0] \"y\" (max_pool2d): max_pool2d window 9 is larger than the "
            "padded H extent 4 of x [1,1,4,4]");
}

TEST(HostileShapes, UnknownCastDtype) {
  EXPECT_EQ(loadError(model("[4]", R"({"name": "y", "op": "cast", "inputs": ["x"], "attrs": {"to": "f64"}})")),
            "model.json: nodes[0] \"y\" (cast): cast attribute 'to' names no dtype: \"f64\"");
}

}  // namespace
}  // namespace dlc::robust
