// The trained Fashion-MNIST classifier on the real test set: dlc must
// reproduce the accuracy the training script recorded, to the last image.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "support/Idx.h"
#include "tests/e2e/E2eUtil.h"

namespace dlc::test {
namespace {

constexpr const char* kImages = "/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz";
constexpr const char* kLabels = "/usr/share/datasets/fashion-mnist/t10k-labels-idx1-ubyte.gz";

TEST(FashionMnist, AccuracyMatchesTrainingScriptToTheLastImage) {
  if (!std::filesystem::exists(kImages))
    GTEST_SKIP() << "dataset-fashion-mnist is not installed (scripts/setup.sh installs it)";
  std::ifstream f(examplePath("fashion_mnist_mlp.expected.json"));
  nlohmann::json expected = nlohmann::json::parse(f);

  auto images = readIdx(kImages);
  auto labels = readIdx(kLabels);
  ASSERT_TRUE(images.ok() && labels.ok());
  ASSERT_EQ(images->dims(), (std::vector<int64_t>{10000, 28, 28}));

  for (bool fused : {true, false}) {
    Compiled c = compileAndLoad(examplePath("fashion_mnist_mlp.json"), fused);
    ASSERT_TRUE(c.model);
    int64_t correct = 0;
    std::vector<int64_t> predictions;
    const int64_t batch = 1000;
    for (int64_t first = 0; first < 10000; first += batch) {
      Tensor in(ir::DType::U8, {batch, 28, 28});
      std::memcpy(in.data(), images->as<uint8_t>() + first * 784, size_t(batch * 784));
      auto out = c.model->run(std::vector<Tensor>{in});
      ASSERT_TRUE(out.ok()) << out.status().message();
      const float* p = (*out)[0].as<float>();
      for (int64_t i = 0; i < batch; ++i) {
        int64_t best = std::max_element(p + i * 10, p + i * 10 + 10) - (p + i * 10);
        predictions.push_back(best);
        correct += best == labels->as<uint8_t>()[first + i];
      }
    }
    EXPECT_EQ(correct, expected["correct"].get<int64_t>()) << (fused ? "fused" : "unfused");
    std::vector<int64_t> first32(predictions.begin(), predictions.begin() + 32);
    EXPECT_EQ(first32, expected["first_predictions"].get<std::vector<int64_t>>());
  }
}

}  // namespace
}  // namespace dlc::test
