// ONNX models built with the onnx package (tests/fixtures/onnx/, written by
// make_fixtures.py), imported by frontends/onnx, compiled for the CPU fused
// and unfused, and compared with onnx.reference.ReferenceEvaluator's outputs:
//  - shape_subgraph_opset{13,17}: a batch-symbolic input whose
//    Shape -> Gather -> Unsqueeze -> Concat -> Reshape subgraph must fold
//    with the batch symbol (checked by running batch 2 and batch 1 through one
//    artifact); opset 17 adds LayerNormalization;
//  - external_data: an initializer in external_data.bin beside the model;
//  - small_cnn_opset{13,17}: Conv, BatchNormalization, Relu, MaxPool,
//    AveragePool, GlobalAveragePool, Flatten, Gemm, Softmax.
// Each also through frontends::loadModel, as the CLI opens it. Tolerance
// 1e-5 abs + 1e-4 rel, as for the Keras fixtures (float32, summation order).
#include <gtest/gtest.h>

#include "frontends/ModelLoader.h"
#include "frontends/onnx/OnnxModel.h"
#include "tests/import_fixtures/FixtureUtil.h"

namespace dlc::test {
namespace {

constexpr double kRtol = 1e-4;
constexpr double kAtol = 1e-5;

struct Case {
  const char* stem;
  std::vector<int64_t> inputDims;  // the imported input's shape, ir::kBatch first
  bool fused;
  bool viaLoader;  // frontends::loadModel instead of onnxfe::loadOnnx
};

std::string caseLabel(const Case& c) {
  return std::string(c.stem) + (c.fused ? "_fused" : "_unfused") +
         (c.viaLoader ? "_loadModel" : "");
}

std::string caseName(const testing::TestParamInfo<Case>& info) { return caseLabel(info.param); }

class OnnxFixture : public testing::TestWithParam<Case> {};

TEST_P(OnnxFixture, MatchesReferenceEvaluator) {
  const Case& c = GetParam();
  const std::string stem = std::string("onnx/") + c.stem;
  const std::string path = fixturePath(stem + ".onnx");
  const std::string what = caseLabel(c);
  const Tensor input = fixtureNpy(stem + "_input_0.npy");
  const Tensor expected = fixtureNpy(stem + "_output_0.npy");
  ASSERT_FALSE(input.empty());
  ASSERT_FALSE(expected.empty());

  GraphLoader load = c.viaLoader ? GraphLoader([=] { return frontends::loadModel(path); })
                                 : GraphLoader([=] { return onnxfe::loadOnnx(path); });
  std::vector<ir::TensorType> inputTypes;
  auto model = importAndLoad(load, c.fused, what, &inputTypes);
  ASSERT_TRUE(model);
  ASSERT_EQ(inputTypes.size(), 1u);
  EXPECT_EQ(inputTypes[0].dtype, ir::DType::F32);
  EXPECT_EQ(inputTypes[0].shape.dims(), c.inputDims);

  auto outputs = runModel(*model, {input}, what);
  ASSERT_EQ(outputs.size(), 1u);
  expectClose(outputs[0], expected, kRtol, kAtol, what);

  // Batch 1 through the same artifact: shapes computed from the batch
  // symbol must follow it, not the batch the model was first run at.
  auto one = runModel(*model, {firstRows(input, 1)}, what + " batch 1");
  ASSERT_EQ(one.size(), 1u);
  expectClose(one[0], firstRows(expected, 1), kRtol, kAtol, what + " batch 1");
}

std::vector<Case> allCases() {
  const std::vector<std::pair<const char*, std::vector<int64_t>>> models = {
      {"shape_subgraph_opset13", {ir::kBatch, 3, 4}},
      {"shape_subgraph_opset17", {ir::kBatch, 3, 4}},
      {"external_data", {ir::kBatch, 16}},
      {"small_cnn_opset13", {ir::kBatch, 1, 8, 8}},
      {"small_cnn_opset17", {ir::kBatch, 1, 8, 8}},
  };
  std::vector<Case> cases;
  for (const auto& [stem, dims] : models) {
    cases.push_back({stem, dims, /*fused=*/true, /*viaLoader=*/false});
    cases.push_back({stem, dims, /*fused=*/false, /*viaLoader=*/false});
    cases.push_back({stem, dims, /*fused=*/true, /*viaLoader=*/true});
  }
  return cases;
}

INSTANTIATE_TEST_SUITE_P(Fixtures, OnnxFixture, testing::ValuesIn(allCases()), caseName);

}  // namespace
}  // namespace dlc::test
