// `dlc build --precision f16|bf16` end to end on the CPU: the trained
// Fashion-MNIST classifier lowered by passes/LowerPrecision.h keeps its f32
// interface and classifies the real test set within 0.2 points of f32
// (87.49%), and every float op lowered to f16/bf16 compiles on the CPU and
// matches the reference interpreter on the same lowered graph.
//
// The accuracy and per-op tests apply the pass themselves before
// dlc::compileGraph (precision "f32"), so they check the pass and the CPU
// backend whatever the pipeline does; one test checks that
// BuildOptions::precision runs the pass in the build and --dump-ir shows it.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <nlohmann/json.hpp>
#include <unistd.h>

#include "compiler/reference/Interpreter.h"
#include "ir/Parser.h"
#include "passes/LowerPrecision.h"
#include "support/Idx.h"
#include "tests/e2e/E2eUtil.h"

namespace dlc::test {
namespace {

constexpr const char* kImages = "/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz";
constexpr const char* kLabels = "/usr/share/datasets/fashion-mnist/t10k-labels-idx1-ubyte.gz";

// Lowers `graph` to `precision` (F32: unchanged), compiles it for the CPU
// and loads the artifact.
std::unique_ptr<rt::Model> lowerAndCompile(std::unique_ptr<ir::Graph> graph, ir::DType precision,
                                           bool fused = true) {
  if (precision != ir::DType::F32) {
    auto changed = passes::createLowerPrecisionPass(precision)->run(*graph);
    EXPECT_TRUE(changed.ok()) << changed.status().toString();
    if (!changed.ok()) return nullptr;
  }
  BuildOptions options;
  options.fusion = fused;
  auto built = compileGraph(std::move(graph), options);
  EXPECT_TRUE(built.ok()) << built.status().toString();
  if (!built.ok()) return nullptr;
  auto bytes = artifactBytes(*built);
  EXPECT_TRUE(bytes.ok()) << bytes.status().toString();
  if (!bytes.ok()) return nullptr;
  auto model = rt::Model::loadBytes(bytes->data(), bytes->size(), "precision-test");
  EXPECT_TRUE(model.ok()) << model.status().toString();
  return model.ok() ? std::move(*model) : nullptr;
}

TEST(Precision, FashionMnistAccuracyWithinPointTwoOfF32) {
  if (!std::filesystem::exists(kImages))
    GTEST_SKIP() << "dataset-fashion-mnist is not installed (scripts/setup.sh installs it)";
  std::ifstream f(examplePath("fashion_mnist_mlp.expected.json"));
  const int64_t expectedCorrect = nlohmann::json::parse(f)["correct"].get<int64_t>();
  auto images = readIdx(kImages);
  auto labels = readIdx(kLabels);
  ASSERT_TRUE(images.ok() && labels.ok());
  const int64_t count = images->dims()[0];
  ASSERT_EQ(count, 10000);

  std::vector<double> accuracy;
  for (ir::DType precision : {ir::DType::F32, ir::DType::F16, ir::DType::BF16}) {
    auto graph = loadModelFile(examplePath("fashion_mnist_mlp.json"));
    ASSERT_TRUE(graph.ok()) << graph.status().toString();
    std::unique_ptr<rt::Model> model = lowerAndCompile(std::move(*graph), precision);
    ASSERT_TRUE(model);
    // The interface is unchanged: u8 images in, f32 probabilities out.
    ASSERT_EQ(model->numInputs(), 1);
    ASSERT_EQ(model->numOutputs(), 1);
    EXPECT_EQ(model->input(0).dtype, ir::DType::U8);
    EXPECT_EQ(model->output(0).dtype, ir::DType::F32);
    EXPECT_EQ(model->output(0).name, "probs");

    Tensor in(ir::DType::U8, {count, 28, 28});
    std::memcpy(in.data(), images->data(), size_t(count * 784));
    auto out = model->run(std::vector<Tensor>{in});
    ASSERT_TRUE(out.ok()) << out.status().toString();
    ASSERT_EQ((*out)[0].dims(), (std::vector<int64_t>{count, 10}));
    const float* p = (*out)[0].as<float>();
    int64_t correct = 0;
    for (int64_t i = 0; i < count; ++i) {
      int64_t best = std::max_element(p + i * 10, p + i * 10 + 10) - (p + i * 10);
      correct += best == labels->as<uint8_t>()[i];
    }
    if (precision == ir::DType::F32) {
      EXPECT_EQ(correct, expectedCorrect);
    }
    accuracy.push_back(100.0 * double(correct) / double(count));
    std::printf("fashion-mnist %-4s accuracy %.2f%% (%lld / %lld)\n",
                ir::dtypeName(precision).data(), accuracy.back(), (long long)correct,
                (long long)count);
  }
  EXPECT_LE(std::fabs(accuracy[1] - accuracy[0]), 0.2) << "f16";
  EXPECT_LE(std::fabs(accuracy[2] - accuracy[0]), 0.2) << "bf16";
}

// BuildOptions::precision runs the pass inside the build (compiler/
// Compiler.cpp), where --dump-ir shows it by name, and the artifact keeps the
// model's f32 output.
TEST(Precision, BuildOptionPrecisionRunsThePassAndDumpsIt) {
  for (const char* precision : {"f16", "bf16"}) {
    std::string dumpDir = (std::filesystem::temp_directory_path() /
                           ("dlc-precision-dump-" + std::to_string(::getpid()) + "-" + precision))
                              .string();
    BuildOptions options;
    options.precision = precision;
    options.dumpDir = dumpDir;
    auto built = buildModel(examplePath("fashion_mnist_mlp.json"), options);
    ASSERT_TRUE(built.ok()) << built.status().toString();
    bool dumped = false;
    for (const auto& entry : std::filesystem::directory_iterator(dumpDir))
      dumped |= entry.path().filename().string().find(std::string("-lower-precision-") +
                                                       precision + ".ir") != std::string::npos;
    EXPECT_TRUE(dumped) << "no *-lower-precision-" << precision << ".ir in " << dumpDir;
    std::filesystem::remove_all(dumpDir);
    const ir::Node* probs = built->graph->find("probs");
    ASSERT_NE(probs, nullptr);
    EXPECT_EQ(probs->type.dtype, ir::DType::F32);
    const ir::Node* w1 = built->graph->find("w1");
    ASSERT_NE(w1, nullptr);
    EXPECT_EQ(ir::dtypeName(w1->type.dtype), precision);
  }
}

// tests/data/every_float_op.ir: every op that computes on floats, in one graph.
std::string everyFloatOpText() {
  std::ifstream in(std::string(DLC_SOURCE_DIR) + "/tests/data/every_float_op.ir");
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// One of each float op (tests/passes/LowerPrecisionTest.cpp lowers the same
// graph): the CPU kernels of the lowered graph, fused and not,
// match the reference interpreter on that lowered graph. Both round every
// f16/bf16 value on store; the CPU computes in f32 (with approximate exp,
// log, ...), the reference in double, so they differ by a rounding step of
// the low dtype now and then.
TEST(Precision, EveryFloatOpCompilesOnTheCpuInF16AndBf16) {
  for (ir::DType precision : {ir::DType::F16, ir::DType::BF16}) {
    auto graph = ir::parseGraph(everyFloatOpText(), "float-ops");
    ASSERT_TRUE(graph.ok()) << graph.status().toString();
    auto lowered = (*graph)->clone();
    auto changed = passes::createLowerPrecisionPass(precision)->run(*lowered);
    ASSERT_TRUE(changed.ok()) << changed.status().toString();
    std::vector<Tensor> inputs = randomInputs(*lowered, /*batch=*/5, /*seed=*/3);
    auto want = ref::evaluate(*lowered, inputs);
    ASSERT_TRUE(want.ok()) << want.status().toString();
    // The graph is ~45 ops deep (a gram matrix, layer_norm, log_softmax), so
    // a one-step rounding difference early on grows: the error is measured
    // against each output's largest value. Measured here: 5.9e-4 (f16) and
    // 1.9e-2 (bf16), i.e. about one f16 step (2^-11) and a few bf16 steps.
    const double rtol = precision == ir::DType::F16 ? 4e-3 : 3e-2;
    for (bool fused : {true, false}) {
      std::unique_ptr<rt::Model> model = lowerAndCompile(lowered->clone(), ir::DType::F32, fused);
      ASSERT_TRUE(model);
      auto got = model->run(inputs);
      ASSERT_TRUE(got.ok()) << got.status().toString();
      ASSERT_EQ(got->size(), want->size());
      for (size_t o = 0; o < got->size(); ++o) {
        double scale = 0;
        for (int64_t i = 0; i < (*want)[o].numElements(); ++i)
          scale = std::max(scale, std::fabs((*want)[o].getAsDouble(i)));
        double c = closeness((*got)[o], (*want)[o], 0, rtol * scale);
        EXPECT_LE(c, 1.0) << ir::dtypeName(precision) << (fused ? " fused" : " unfused")
                          << " output " << o;
        std::printf("%s %s output %zu: max |cpu - reference| / max |reference| = %.3g\n",
                    ir::dtypeName(precision).data(), fused ? "fused" : "unfused", o, c * rtol);
      }
    }
  }
}

}  // namespace
}  // namespace dlc::test
