// ONNX converters against the ONNX spec on forms the node suite does not
// cover: Gemm's C broadcast, SAME_LOWER with odd totals, pooling ceil_mode,
// legacy Softmax, Slice with negative steps and INT64 bounds, Pad that crops,
// Clip with only max, Reduce* with empty axes, Squeeze/Unsqueeze/Flatten
// axes, Cast to bool, Where broadcasting and 1-D MatMul operands. Each model
// is imported and run on the reference interpreter; the expected numbers were
// computed with NumPy.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "OnnxTestUtil.h"
#include "compiler/reference/Interpreter.h"
#include "frontends/onnx/OnnxModel.h"

namespace dlc::onnxfe {
namespace {

using namespace dlc::onnxfe::testing;

constexpr int64_t kI64Max = std::numeric_limits<int64_t>::max();
constexpr int64_t kI64Min = std::numeric_limits<int64_t>::min();

std::vector<float> iota(int64_t n) {
  std::vector<float> v(size_t(n), 0.f);
  for (int64_t i = 0; i < n; ++i) v[size_t(i)] = float(i);
  return v;
}

Tensor f32(std::vector<int64_t> dims, const std::vector<float>& values) {
  Tensor t(ir::DType::F32, std::move(dims));
  std::copy(values.begin(), values.end(), t.as<float>());
  return t;
}

// Imports `m`, checks the output type and runs it on `inputs`.
Tensor run(const ::onnx::ModelProto& m, const std::vector<Tensor>& inputs,
           const std::string& outType) {
  auto g = parseOnnx(m.SerializeAsString(), "semantics.onnx");
  EXPECT_TRUE(g.ok()) << g.status().toString();
  if (!g.ok()) return Tensor(ir::DType::F32, {});
  EXPECT_EQ((*g)->outputs()[0]->type.str(), outType);
  auto out = ref::evaluate(**g, inputs);
  EXPECT_TRUE(out.ok()) << out.status().toString();
  if (!out.ok()) return Tensor(ir::DType::F32, {});
  return (*out)[0];
}

std::vector<float> floats(const Tensor& t) {
  std::vector<float> v;
  for (int64_t i = 0; i < t.numElements(); ++i) v.push_back(float(t.getAsDouble(i)));
  return v;
}

void expectNear(const std::vector<float>& got, const std::vector<float>& want) {
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < got.size(); ++i) EXPECT_NEAR(got[i], want[i], 1e-5) << "at " << i;
}

TEST(OnnxSemantics, GemmBiasColumnScalarAndTransposes) {
  // A [2,3] = arange, B [3,2] = arange; AB = [[10,13],[28,40]].
  for (auto [cDims, cVals, want] :
       std::vector<std::tuple<std::vector<int64_t>, std::vector<float>, std::vector<float>>>{
           {{2, 1}, {100, 200}, {110, 113, 228, 240}},
           {{}, {5}, {15, 18, 33, 45}},
           {{1}, {5}, {15, 18, 33, 45}},
           {{2}, {1, 2}, {11, 15, 29, 42}}}) {
    auto m = makeModel();
    addInput(m, "a", {2, 3});
    addInitializer(m, floatTensor("b", {3, 2}, iota(6)));
    addInitializer(m, floatTensor("c", cDims, cVals));
    addNode(m, "Gemm", {"a", "b", "c"}, {"y"}, "n");
    addOutput(m, "y");
    expectNear(floats(run(m, {f32({2, 3}, iota(6))}, "f32[2,2]")), want);
  }
  // transA, transB, alpha 2, beta 0.5: 2 * A'^T B'^T + 0.5 C with A' = A^T.
  auto m = makeModel();
  addInput(m, "a", {3, 2});
  addInitializer(m, floatTensor("b", {2, 3}, {0, 2, 4, 1, 3, 5}));  // B^T
  addInitializer(m, floatTensor("c", {2, 1}, {100, 200}));
  auto* n = addNode(m, "Gemm", {"a", "b", "c"}, {"y"}, "n");
  setInt(n, "transA", 1);
  setInt(n, "transB", 1);
  setFloat(n, "alpha", 2);
  setFloat(n, "beta", 0.5f);
  addOutput(m, "y");
  expectNear(floats(run(m, {f32({3, 2}, {0, 3, 1, 4, 2, 5})}, "f32[2,2]")), {70, 76, 156, 180});
}

TEST(OnnxSemantics, ConvSameLowerPutsTheOddPadAtTheBegin) {
  // x [1,1,4,4] = arange, w = ones [2,2]: total pad 1 per axis, at the begin.
  for (const char* mode : {"SAME_LOWER", "SAME_UPPER"}) {
    auto m = makeModel();
    addInput(m, "x", {1, 1, 4, 4});
    addInitializer(m, floatTensor("w", {1, 1, 2, 2}, {1, 1, 1, 1}));
    auto* n = addNode(m, "Conv", {"x", "w"}, {"y"}, "n");
    auto* a = n->add_attribute();
    a->set_name("auto_pad");
    a->set_type(::onnx::AttributeProto::STRING);
    a->set_s(mode);
    addOutput(m, "y");
    auto y = floats(run(m, {f32({1, 1, 4, 4}, iota(16))}, "f32[1,1,4,4]"));
    if (std::string(mode) == "SAME_LOWER")
      expectNear(y, {0, 1, 3, 5, 4, 10, 14, 18, 12, 26, 30, 34, 20, 42, 46, 50});
    else
      expectNear(y, {10, 14, 18, 10, 26, 30, 34, 18, 42, 46, 50, 26, 25, 27, 29, 15});
  }
}

::onnx::ModelProto ceilPool(const std::string& op, int64_t countPad) {
  auto m = makeModel();
  addInput(m, "x", {1, 1, 5, 5});
  auto* n = addNode(m, op, {"x"}, {"y"}, "n");
  setInts(n, "kernel_shape", {2, 2});
  setInts(n, "strides", {2, 2});
  setInt(n, "ceil_mode", 1);
  if (op == "AveragePool") setInt(n, "count_include_pad", countPad);
  addOutput(m, "y");
  return m;
}

TEST(OnnxSemantics, PoolingCeilModeAddsAPartialLastWindow) {
  auto x = f32({1, 1, 5, 5}, iota(25));
  expectNear(floats(run(ceilPool("MaxPool", 0), {x}, "f32[1,1,3,3]")),
             {6, 8, 9, 16, 18, 19, 21, 23, 24});
  expectNear(floats(run(ceilPool("AveragePool", 0), {x}, "f32[1,1,3,3]")),
             {3, 5, 6.5f, 13, 15, 16.5f, 20.5f, 22.5f, 24});
}

TEST(OnnxSemantics, LegacySoftmaxNormalisesOverTheFlattenedTail) {
  auto m = makeModel(11);
  addInput(m, "x", {2, 2, 2});
  setInt(addNode(m, "Softmax", {"x"}, {"y"}, "n"), "axis", 1);
  addOutput(m, "y");
  auto y = floats(run(m, {f32({2, 2, 2}, iota(8))}, "f32[2,2,2]"));
  float z = 1 + std::exp(1.f) + std::exp(2.f) + std::exp(3.f);
  std::vector<float> row = {1 / z, std::exp(1.f) / z, std::exp(2.f) / z, std::exp(3.f) / z};
  std::vector<float> want = row;
  want.insert(want.end(), row.begin(), row.end());
  expectNear(y, want);
}

::onnx::ModelProto slice(std::vector<int64_t> starts, std::vector<int64_t> ends,
                         std::vector<int64_t> steps) {
  auto m = makeModel();
  addInput(m, "x", {6});
  addInitializer(m, int64Tensor("s", {1}, starts));
  addInitializer(m, int64Tensor("e", {1}, ends));
  addInitializer(m, int64Tensor("a", {1}, {0}));
  addInitializer(m, int64Tensor("t", {1}, steps));
  addNode(m, "Slice", {"x", "s", "e", "a", "t"}, {"y"}, "n");
  addOutput(m, "y");
  return m;
}

TEST(OnnxSemantics, SliceNegativeStepsAndInt64Bounds) {
  auto x = f32({6}, iota(6));
  expectNear(floats(run(slice({-1}, {kI64Min}, {-1}), {x}, "f32[6]")), {5, 4, 3, 2, 1, 0});
  expectNear(floats(run(slice({kI64Max}, {0}, {-1}), {x}, "f32[5]")), {5, 4, 3, 2, 1});
  expectNear(floats(run(slice({4}, {1}, {-2}), {x}, "f32[2]")), {4, 2});
  expectNear(floats(run(slice({1}, {kI64Max}, {2}), {x}, "f32[3]")), {1, 3, 5});
  expectNear(floats(run(slice({kI64Min}, {-4}, {1}), {x}, "f32[2]")), {0, 1});
}

TEST(OnnxSemantics, PadWithNegativePadsCrops) {
  auto m = makeModel();
  addInput(m, "x", {2, 3});
  addInitializer(m, int64Tensor("p", {4}, {0, -1, 1, 1}));
  addInitializer(m, floatTensor("v", {}, {9}));
  addNode(m, "Pad", {"x", "p", "v"}, {"y"}, "n");
  addOutput(m, "y");
  expectNear(floats(run(m, {f32({2, 3}, iota(6))}, "f32[3,3]")), {1, 2, 9, 4, 5, 9, 9, 9, 9});
}

TEST(OnnxSemantics, ClipWithOnlyMax) {
  auto m = makeModel();
  addInput(m, "x", {4});
  addInitializer(m, floatTensor("hi", {}, {1.5f}));
  addNode(m, "Clip", {"x", "", "hi"}, {"y"}, "n");
  addOutput(m, "y");
  expectNear(floats(run(m, {f32({4}, {-7, 0, 1, 3})}, "f32[4]")), {-7, 0, 1, 1.5f});
}

TEST(OnnxSemantics, ReduceWithEmptyAxes) {
  for (int64_t noop : {0, 1}) {
    auto m = makeModel(18);
    addInput(m, "x", {2, 3});
    auto* n = addNode(m, "ReduceSum", {"x"}, {"y"}, "n");
    setInt(n, "noop_with_empty_axes", noop);
    setInt(n, "keepdims", 0);
    addOutput(m, "y");
    auto y = floats(run(m, {f32({2, 3}, iota(6))}, noop ? "f32[2,3]" : "f32[]"));
    if (noop)
      expectNear(y, iota(6));
    else
      expectNear(y, {15});
  }
}

// `axes` must take the form the model's opset defines: ReduceMean takes an
// attribute before opset 18 and an input from it. The other form is an
// invalid model, refused rather than read as "reduce over everything".
TEST(OnnxSemantics, AxesInTheWrongFormForTheOpsetAreRefused) {
  auto asInput = makeModel(13);
  addInput(asInput, "x", {2, 3});
  addInitializer(asInput, int64Tensor("axes", {1}, {1}));
  addNode(asInput, "ReduceMean", {"x", "axes"}, {"y"}, "mean");
  addOutput(asInput, "y");
  auto g = parseOnnx(asInput.SerializeAsString(), "axes.onnx");
  ASSERT_FALSE(g.ok());
  EXPECT_NE(g.status().message().find("node \"mean\""), std::string::npos) << g.status().message();
  EXPECT_NE(g.status().message().find("is not defined at opset 13"), std::string::npos)
      << g.status().message();

  auto asAttr = makeModel(18);
  addInput(asAttr, "x", {2, 3});
  setInts(addNode(asAttr, "ReduceMean", {"x"}, {"y"}, "mean"), "axes", {1});
  addOutput(asAttr, "y");
  g = parseOnnx(asAttr.SerializeAsString(), "axes.onnx");
  ASSERT_FALSE(g.ok());
  EXPECT_NE(g.status().message().find("attribute 'axes' is not defined at opset 18"),
            std::string::npos)
      << g.status().message();

  // The right forms still work: mean over axis 1 of [[0,1,2],[3,4,5]].
  auto ok = makeModel(18);
  addInput(ok, "x", {2, 3});
  addInitializer(ok, int64Tensor("axes", {1}, {1}));
  setInt(addNode(ok, "ReduceMean", {"x", "axes"}, {"y"}, "mean"), "keepdims", 0);
  addOutput(ok, "y");
  expectNear(floats(run(ok, {f32({2, 3}, iota(6))}, "f32[2]")), {1, 4});
}

TEST(OnnxSemantics, SqueezeUnsqueezeAndFlattenAxes) {
  auto sq = makeModel();
  addInput(sq, "x", {1, 3, 1});
  addNode(sq, "Squeeze", {"x"}, {"y"}, "n");
  addOutput(sq, "y");
  expectNear(floats(run(sq, {f32({1, 3, 1}, iota(3))}, "f32[3]")), iota(3));

  auto un = makeModel();
  addInput(un, "x", {2, 3});
  addInitializer(un, int64Tensor("a", {2}, {-1, 0}));
  addNode(un, "Unsqueeze", {"x", "a"}, {"y"}, "n");
  addOutput(un, "y");
  run(un, {f32({2, 3}, iota(6))}, "f32[1,2,3,1]");

  for (auto [axis, type] : std::vector<std::pair<int64_t, std::string>>{
           {0, "f32[1,24]"}, {-1, "f32[6,4]"}, {-3, "f32[1,24]"}, {3, "f32[24,1]"}}) {
    auto fl = makeModel();
    addInput(fl, "x", {2, 3, 4});
    setInt(addNode(fl, "Flatten", {"x"}, {"y"}, "n"), "axis", axis);
    addOutput(fl, "y");
    expectNear(floats(run(fl, {f32({2, 3, 4}, iota(24))}, type)), iota(24));
  }
}

TEST(OnnxSemantics, CastFloatToBoolAndInt) {
  auto m = makeModel();
  addInput(m, "x", {5});
  setInt(addNode(m, "Cast", {"x"}, {"y"}, "n"), "to", ::onnx::TensorProto::BOOL);
  addOutput(m, "y");
  float nan = std::numeric_limits<float>::quiet_NaN();
  expectNear(floats(run(m, {f32({5}, {0, -0.f, 0.5f, nan, -3})}, "bool[5]")), {0, 0, 1, 1, 1});
  auto i = makeModel();
  addInput(i, "x", {4});
  setInt(addNode(i, "Cast", {"x"}, {"y"}, "n"), "to", ::onnx::TensorProto::INT32);
  addOutput(i, "y");
  expectNear(floats(run(i, {f32({4}, {2.7f, -2.7f, 0.2f, -0.9f})}, "i32[4]")), {2, -2, 0, 0});
}

TEST(OnnxSemantics, WhereBroadcastsAllThreeOperands) {
  auto m = makeModel();
  addInput(m, "c", {2, 1}, ::onnx::TensorProto::BOOL);
  addInput(m, "a", {1, 3});
  addInitializer(m, floatTensor("b", {}, {-1}));
  addNode(m, "Where", {"c", "a", "b"}, {"y"}, "n");
  addOutput(m, "y");
  Tensor c(ir::DType::Bool, {2, 1});
  c.as<uint8_t>()[0] = 1;
  expectNear(floats(run(m, {c, f32({1, 3}, {7, 8, 9})}, "f32[2,3]")), {7, 8, 9, -1, -1, -1});
}

TEST(OnnxSemantics, MatMulWithOneDimensionalOperands) {
  auto left = makeModel();
  addInput(left, "a", {3});
  addInput(left, "b", {2, 3, 2});
  addNode(left, "MatMul", {"a", "b"}, {"y"}, "n");
  addOutput(left, "y");
  // [0,1,2] @ arange(12).reshape(2,3,2) = [[10,13],[28,31]].
  expectNear(floats(run(left, {f32({3}, iota(3)), f32({2, 3, 2}, iota(12))}, "f32[2,2]")),
             {10, 13, 28, 31});
  auto right = makeModel();
  addInput(right, "a", {2, 2, 3});
  addInput(right, "b", {3});
  addNode(right, "MatMul", {"a", "b"}, {"y"}, "n");
  addOutput(right, "y");
  expectNear(floats(run(right, {f32({2, 2, 3}, iota(12)), f32({3}, iota(3))}, "f32[2,2]")),
             {5, 14, 23, 32});
  auto both = makeModel();
  addInput(both, "a", {3});
  addInput(both, "b", {3});
  addNode(both, "MatMul", {"a", "b"}, {"y"}, "n");
  addOutput(both, "y");
  expectNear(floats(run(both, {f32({3}, iota(3)), f32({3}, {1, 1, 1})}, "f32[]")), {3});
}

}  // namespace
}  // namespace dlc::onnxfe
