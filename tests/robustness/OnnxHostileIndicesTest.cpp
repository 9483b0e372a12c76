// Negative and out-of-range indices in ONNX models: Gather indices held in
// an initializer, Gather/Concat axes, and Slice starts/ends/axes, each an
// import error naming the file, the node and the value (or, for Slice
// bounds, ONNX's clamping). tests/frontends_onnx/OnnxHostileInputTest.cpp
// covers more attributes (AxesFarOutOfRangeAreErrors) without the message
// text; this file pins the messages the catalogue quotes.
#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <string>

#include "frontends/onnx/OnnxModel.h"
#include "tests/frontends_onnx/OnnxTestUtil.h"

namespace dlc::onnxfe {
namespace {

using namespace dlc::onnxfe::testing;

constexpr int64_t kI64Max = std::numeric_limits<int64_t>::max();
constexpr int64_t kI64Min = std::numeric_limits<int64_t>::min();

std::string importError(const ::onnx::ModelProto& m) {
  auto g = parseOnnx(m.SerializeAsString(), "hostile.onnx");
  EXPECT_FALSE(g.ok()) << "imported: " << (g.ok() ? (*g)->outputs()[0]->type.str() : "");
  return g.ok() ? "" : g.status().message();
}

::onnx::ModelProto gather(std::vector<int64_t> indices, int64_t axis) {
  auto m = makeModel();
  addInput(m, "x", {3, 4});
  addInitializer(m, int64Tensor("i", {int64_t(indices.size())}, indices));
  setInt(addNode(m, "Gather", {"x", "i"}, {"y"}, "n"), "axis", axis);
  addOutput(m, "y");
  return m;
}

TEST(OnnxHostileIndices, GatherInitializerIndicesOutOfRange) {
  for (int64_t bad : {int64_t(4), int64_t(-5), kI64Max, kI64Min}) {
    std::string message = importError(gather({0, bad}, 1));
    EXPECT_NE(message.find("hostile.onnx"), std::string::npos) << message;
    EXPECT_NE(message.find("\"n\""), std::string::npos) << message;
    EXPECT_NE(message.find("gather index " + std::to_string(bad) + " (element 1"),
              std::string::npos)
        << message;
    EXPECT_NE(message.find("valid indices are -4 to 3"), std::string::npos) << message;
  }
}

TEST(OnnxHostileIndices, GatherAndConcatAxesOutOfRange) {
  std::string message = importError(gather({0}, 2));
  EXPECT_NE(message.find("\"n\""), std::string::npos) << message;
  EXPECT_NE(message.find("axis"), std::string::npos) << message;
  EXPECT_NE(message.find("2"), std::string::npos) << message;
  for (int64_t axis : {int64_t(2), int64_t(-3), kI64Min}) {
    auto m = makeModel();
    addInput(m, "x", {3, 4});
    addInput(m, "z", {3, 4});
    setInt(addNode(m, "Concat", {"x", "z"}, {"y"}, "n"), "axis", axis);
    addOutput(m, "y");
    std::string concat = importError(m);
    EXPECT_NE(concat.find("\"n\""), std::string::npos) << concat;
    EXPECT_NE(concat.find("axis"), std::string::npos) << concat;
    EXPECT_NE(concat.find(std::to_string(axis)), std::string::npos) << concat;
  }
}

::onnx::ModelProto slice(std::vector<int64_t> starts, std::vector<int64_t> ends,
                         std::vector<int64_t> axes) {
  auto m = makeModel();
  addInput(m, "x", {3, 4});
  addInitializer(m, int64Tensor("s", {int64_t(starts.size())}, starts));
  addInitializer(m, int64Tensor("e", {int64_t(ends.size())}, ends));
  addInitializer(m, int64Tensor("a", {int64_t(axes.size())}, axes));
  addNode(m, "Slice", {"x", "s", "e", "a"}, {"y"}, "n");
  addOutput(m, "y");
  return m;
}

TEST(OnnxHostileIndices, SliceAxesOutOfRangeAndExtremeBounds) {
  for (int64_t axis : {int64_t(2), int64_t(-3), kI64Max}) {
    std::string message = importError(slice({0}, {1}, {axis}));
    EXPECT_NE(message.find("\"n\""), std::string::npos) << message;
    EXPECT_NE(message.find("axes"), std::string::npos) << message;
  }
  // Bounds far outside the axis clamp (ONNX): the whole axis, no overflow.
  auto g = parseOnnx(slice({kI64Min}, {kI64Max}, {1}).SerializeAsString(), "slice.onnx");
  ASSERT_TRUE(g.ok()) << g.status().toString();
  EXPECT_EQ((*g)->outputs()[0]->type.str(), "f32[3,4]");
}

}  // namespace
}  // namespace dlc::onnxfe
