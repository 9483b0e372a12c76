// Models saved by real Keras (tests/fixtures/keras/, written by
// make_fixtures.py with Keras 3 on JAX), imported by frontends/keras,
// compiled for the CPU fused and unfused, and compared with Keras' own
// outputs:
//  - the seed model (the classic tutorial classifier, trained on the real
//    Fashion-MNIST) in all three formats: on all 10,000 test images dlc
//    predicts Keras' class for every image, its probabilities are within
//    1e-5 of Keras', and its accuracy equals what model.evaluate reported;
//  - a small trained CNN, an untrained Functional model with a residual Add
//    and a tiny MLP, each in all three formats, within 1e-5 abs + 1e-4 rel;
//  - the same files through frontends::loadModel, as the CLI opens them.
// Tolerance: float32 results that differ only in summation order (dlc's
// kernels vs XLA's) stay within a few ULPs of values of order 1; 1e-5 abs +
// 1e-4 rel leaves room for that and nothing more.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "frontends/ModelLoader.h"
#include "frontends/keras/KerasModel.h"
#include "support/Idx.h"
#include "tests/import_fixtures/FixtureUtil.h"

namespace dlc::test {
namespace {

constexpr double kRtol = 1e-4;
constexpr double kAtol = 1e-5;

// How a test opens a Keras model saved as keras/<stem>.*.
enum class Format { kKeras, kH5, kJson, kLoaderKeras, kLoaderH5, kLoaderJson };

const char* formatLabel(Format f) {
  switch (f) {
    case Format::kKeras:
      return "keras";
    case Format::kH5:
      return "h5";
    case Format::kJson:
      return "json";
    case Format::kLoaderKeras:
      return "loadModel_keras";
    case Format::kLoaderH5:
      return "loadModel_h5";
    case Format::kLoaderJson:
      return "loadModel_json";
  }
  return "?";
}

GraphLoader kerasLoader(const std::string& stem, Format format) {
  const std::string base = fixturePath("keras/" + stem);
  switch (format) {
    case Format::kKeras:
      return [=] { return keras::loadKeras(base + ".keras"); };
    case Format::kH5:
      return [=] { return keras::loadKeras(base + ".h5"); };
    case Format::kJson:
      return [=] { return keras::loadKerasJson(base + ".json", base + ".weights.h5"); };
    case Format::kLoaderKeras:
      return [=] { return frontends::loadModel(base + ".keras"); };
    case Format::kLoaderH5:
      return [=] { return frontends::loadModel(base + ".h5"); };
    case Format::kLoaderJson:
      // No LoadOptions::weights: "<stem>.weights.h5" beside the .json is found.
      return [=] { return frontends::loadModel(base + ".json"); };
  }
  return {};
}

struct Case {
  Format format;
  bool fused;
};

std::string caseLabel(const Case& c) {
  return std::string(formatLabel(c.format)) + (c.fused ? "_fused" : "_unfused");
}

std::string caseName(const testing::TestParamInfo<Case>& info) { return caseLabel(info.param); }

const std::vector<Case>& allCases() {
  static const std::vector<Case> cases = [] {
    std::vector<Case> c;
    for (Format f : {Format::kKeras, Format::kH5, Format::kJson})
      for (bool fused : {true, false}) c.push_back({f, fused});
    for (Format f : {Format::kLoaderKeras, Format::kLoaderH5, Format::kLoaderJson})
      c.push_back({f, /*fused=*/true});
    return c;
  }();
  return cases;
}

// ---------------------------------------------------------------- the seed model

constexpr const char* kImages = "/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz";
constexpr const char* kLabels = "/usr/share/datasets/fashion-mnist/t10k-labels-idx1-ubyte.gz";

// The test images preprocessed as make_fixtures.py did: float32(pixel) / 255.0f.
const Tensor& testImages() {
  static const Tensor images = [] {
    auto raw = readIdx(kImages);
    if (!raw.ok()) return Tensor();
    Tensor t(ir::DType::F32, raw->dims());
    const uint8_t* in = raw->as<uint8_t>();
    float* out = t.as<float>();
    for (int64_t i = 0; i < t.numElements(); ++i) out[i] = float(in[i]) / 255.0f;
    return t;
  }();
  return images;
}

class SeedModel : public testing::TestWithParam<Case> {};

TEST_P(SeedModel, MatchesKerasOnAllTenThousandTestImages) {
  if (!std::filesystem::exists(kImages))
    GTEST_SKIP() << "dataset-fashion-mnist is not installed (scripts/setup.sh installs it)";
  std::ifstream f(fixturePath("keras/fashion_mnist_expected.json"));
  const nlohmann::json expected = nlohmann::json::parse(f);
  const Tensor& images = testImages();
  auto labels = readIdx(kLabels);
  ASSERT_TRUE(labels.ok()) << labels.status().message();
  ASSERT_EQ(images.dims(), (std::vector<int64_t>{10000, 28, 28}));
  const Tensor kerasProbabilities = fixtureNpy("keras/fashion_mnist_probabilities.npy");
  ASSERT_EQ(kerasProbabilities.dims(), (std::vector<int64_t>{10000, 10}));

  const std::string what = std::string("fashion_mnist ") + caseLabel(GetParam());
  std::vector<ir::TensorType> inputTypes;
  auto model = importAndLoad(kerasLoader("fashion_mnist", GetParam().format), GetParam().fused,
                             what, &inputTypes);
  ASSERT_TRUE(model);
  ASSERT_EQ(inputTypes.size(), 1u);
  EXPECT_EQ(inputTypes[0].dtype, ir::DType::F32);
  EXPECT_EQ(inputTypes[0].shape.dims(), (std::vector<int64_t>{ir::kBatch, 28, 28}));

  auto outputs = runModel(*model, {images}, what);
  ASSERT_EQ(outputs.size(), 1u);
  const Tensor& probabilities = outputs[0];
  expectClose(probabilities, kerasProbabilities, /*rtol=*/0, /*atol=*/1e-5, what);

  const float* dlcP = probabilities.as<float>();
  const float* kerasP = kerasProbabilities.as<float>();
  int64_t disagreements = 0, correct = 0;
  std::string firstDisagreements;
  for (int64_t i = 0; i < 10000; ++i) {
    int64_t dlcClass = std::max_element(dlcP + i * 10, dlcP + i * 10 + 10) - (dlcP + i * 10);
    int64_t kerasClass =
        std::max_element(kerasP + i * 10, kerasP + i * 10 + 10) - (kerasP + i * 10);
    if (dlcClass != kerasClass && ++disagreements <= 5)
      firstDisagreements += " image " + std::to_string(i) + ": dlc " + std::to_string(dlcClass) +
                            " keras " + std::to_string(kerasClass) + ";";
    correct += dlcClass == labels->as<uint8_t>()[i];
  }
  EXPECT_EQ(disagreements, 0) << what << ":" << firstDisagreements;
  EXPECT_EQ(correct, expected["correct"].get<int64_t>()) << what;
  // model.evaluate reports a float32 mean; dlc's accuracy is the same float.
  EXPECT_EQ(float(correct) / float(10000), float(expected["evaluate_accuracy"].get<double>()))
      << what;
}

INSTANTIATE_TEST_SUITE_P(AllFormats, SeedModel, testing::ValuesIn(allCases()), caseName);

// ---------------------------------------------------------------- other models

struct SmallModel {
  const char* stem;
  std::vector<int64_t> inputDims;  // with ir::kBatch first
};

// Imports keras/<stem>.* per `c`, runs it on <stem>_inputs.npy at full batch
// and on its first rows, and compares with <stem>_outputs.npy.
void checkSmallModel(const SmallModel& m, const Case& c) {
  const std::string what = std::string(m.stem) + " " + caseLabel(c);
  const Tensor inputs = fixtureNpy(std::string("keras/") + m.stem + "_inputs.npy");
  const Tensor expected = fixtureNpy(std::string("keras/") + m.stem + "_outputs.npy");
  ASSERT_FALSE(inputs.empty());
  ASSERT_FALSE(expected.empty());
  std::vector<ir::TensorType> inputTypes;
  auto model = importAndLoad(kerasLoader(m.stem, c.format), c.fused, what, &inputTypes);
  ASSERT_TRUE(model);
  ASSERT_EQ(inputTypes.size(), 1u);
  EXPECT_EQ(inputTypes[0].dtype, ir::DType::F32);
  EXPECT_EQ(inputTypes[0].shape.dims(), m.inputDims);

  auto outputs = runModel(*model, {inputs}, what);
  ASSERT_EQ(outputs.size(), 1u);
  expectClose(outputs[0], expected, kRtol, kAtol, what);

  // A smaller batch through the same artifact gives the same rows.
  const int64_t few = std::min<int64_t>(3, inputs.dims()[0]);
  auto fewOutputs = runModel(*model, {firstRows(inputs, few)}, what + " batch 3");
  ASSERT_EQ(fewOutputs.size(), 1u);
  expectClose(fewOutputs[0], firstRows(expected, few), kRtol, kAtol, what + " batch 3");
}

class FashionCnn : public testing::TestWithParam<Case> {};
TEST_P(FashionCnn, MatchesKeras) {
  checkSmallModel({"fashion_cnn", {ir::kBatch, 28, 28, 1}}, GetParam());
}
INSTANTIATE_TEST_SUITE_P(AllFormats, FashionCnn, testing::ValuesIn(allCases()), caseName);

class FunctionalResidual : public testing::TestWithParam<Case> {};
TEST_P(FunctionalResidual, MatchesKeras) {
  checkSmallModel({"functional", {ir::kBatch, 6, 6, 3}}, GetParam());
}
INSTANTIATE_TEST_SUITE_P(AllFormats, FunctionalResidual, testing::ValuesIn(allCases()), caseName);

class TinyMlp : public testing::TestWithParam<Case> {};
TEST_P(TinyMlp, MatchesKeras) { checkSmallModel({"tiny_mlp", {ir::kBatch, 28, 28}}, GetParam()); }
INSTANTIATE_TEST_SUITE_P(AllFormats, TinyMlp, testing::ValuesIn(allCases()), caseName);

}  // namespace
}  // namespace dlc::test
