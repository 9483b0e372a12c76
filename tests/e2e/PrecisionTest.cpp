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

// One of each float op (tests/passes/LowerPrecisionTest.cpp lowers a graph
// of the same shape): the CPU kernels of the lowered graph, fused and not,
// match the reference interpreter on that lowered graph. Both round every
// f16/bf16 value on store; the CPU computes in f32 (with approximate exp,
// log, ...), the reference in double, so they differ by a rounding step of
// the low dtype now and then.
constexpr const char* kFloatOps = R"(graph @ops(%x: f32[N,2,4,4], %v: f32[N,8]) {
  %a = abs(%x) : f32[N,2,4,4]
  %one = constant() {value = dense<[1.0]>} : f32[]
  %a1 = add(%a, %one) : f32[N,2,4,4]
  %lg = log(%a1) : f32[N,2,4,4]
  %sq = sqrt(%a1) : f32[N,2,4,4]
  %rs = rsqrt(%a1) : f32[N,2,4,4]
  %rc = reciprocal(%a1) : f32[N,2,4,4]
  %ex = exp(%x) : f32[N,2,4,4]
  %th = tanh(%x) : f32[N,2,4,4]
  %sg = sigmoid(%x) : f32[N,2,4,4]
  %lr = leaky_relu(%x) {alpha = 0.1} : f32[N,2,4,4]
  %ge = gelu(%x) : f32[N,2,4,4]
  %er = erf(%x) : f32[N,2,4,4]
  %hc = constant() {value = dense<[0.5]>} : f32[]
  %hx = mul(%x, %hc) : f32[N,2,4,4]
  %fl = floor(%hx) : f32[N,2,4,4]
  %ce = ceil(%hx) : f32[N,2,4,4]
  %pw = pow(%a1, %x) : f32[N,2,4,4]
  %mx = maximum(%lg, %sq) : f32[N,2,4,4]
  %mn = minimum(%rs, %rc) : f32[N,2,4,4]
  %sb = sub(%mx, %mn) : f32[N,2,4,4]
  %dv = div(%th, %a1) : f32[N,2,4,4]
  %zero = constant() {value = dense<[0.0]>} : f32[]
  %gt = greater(%x, %zero) : bool[N,2,4,4]
  %sel = select(%gt, %ge, %er) : f32[N,2,4,4]
  %s1 = add(%sel, %sb) : f32[N,2,4,4]
  %s2 = add(%s1, %dv) : f32[N,2,4,4]
  %s3 = add(%s2, %pw) : f32[N,2,4,4]
  %s4 = add(%s3, %sg) : f32[N,2,4,4]
  %s5 = sub(%s4, %lr) : f32[N,2,4,4]
  %ng = neg(%x) : f32[N,2,4,4]
  %rl = relu(%ng) : f32[N,2,4,4]
  %s5b = add(%s5, %rl) : f32[N,2,4,4]
  %s6 = add(%fl, %ce) : f32[N,2,4,4]
  %s7 = add(%s6, %ex) : f32[N,2,4,4]
  %cw = constant() {value = dense<[0.5, -0.25, 0.125, 0.75, -0.5, 0.25, 1.0, -1.0, 0.5, 0.25, -0.75, 0.5, 0.125, 0.25, -0.125, 0.5]>} : f32[2,2,2,2]
  %cv = conv2d(%s5b, %cw) {pads = [1,1,1,1]} : f32[N,2,5,5]
  %bs = constant() {value = dense<[1.5, 0.5]>} : f32[2]
  %bb = constant() {value = dense<[0.1, -0.1]>} : f32[2]
  %bm = constant() {value = dense<[0.2, -0.3]>} : f32[2]
  %bv = constant() {value = dense<[2.0, 0.5]>} : f32[2]
  %bn = batch_norm(%cv, %bs, %bb, %bm, %bv) : f32[N,2,5,5]
  %mp = max_pool2d(%bn) {kernel = [2,2], strides = [1,1]} : f32[N,2,4,4]
  %ap = avg_pool2d(%mp) {kernel = [2,2], strides = [2,2]} : f32[N,2,2,2]
  %gp = global_avg_pool(%s7) : f32[N,2,1,1]
  %gb = broadcast_to(%gp) {shape = [-1,2,2,2]} : f32[N,2,2,2]
  %pa = add(%ap, %gb) : f32[N,2,2,2]
  %fl8 = flatten(%pa) {axis = 1} : f32[N,8]
  %cat = concat(%fl8, %v) {axis = 1} : f32[N,16]
  %sl = slice(%cat) {starts = [2], ends = [14], axes = [1]} : f32[N,12]
  %pd = pad(%sl) {pads = [0,1,0,3], value = 0.5} : f32[N,16]
  %rsh = reshape(%pd) {shape = [-1,4,4]} : f32[N,4,4]
  %tr = transpose(%rsh) {perm = [0,2,1]} : f32[N,4,4]
  %mm = matmul(%rsh, %tr) : f32[N,4,4]
  %g4 = constant() {value = dense<[1.0, 0.5, 2.0, 1.5]>} : f32[4]
  %b4 = constant() {value = dense<[0.0, 0.1, -0.1, 0.2]>} : f32[4]
  %ln = layer_norm(%mm, %g4, %b4) : f32[N,4,4]
  %sm = softmax(%ln) : f32[N,4,4]
  %ls = log_softmax(%mm) : f32[N,4,4]
  %rsum = reduce_sum(%sm) {axes = [2]} : f32[N,4]
  %rmean = reduce_mean(%ls) {axes = [2]} : f32[N,4]
  %rmax = reduce_max(%ln) {axes = [1]} : f32[N,4]
  %rmin = reduce_min(%tr) {axes = [1]} : f32[N,4]
  %w = constant() {value = dense<[0.5, -0.5, 0.25, 1.0, -0.25, 0.75, 0.125, -1.0]>} : f32[4,2]
  %dn = dense(%rmean, %w) : f32[N,2]
  %r2 = add(%rsum, %rmax) : f32[N,4]
  %r3 = sub(%r2, %rmin) : f32[N,4]
  return %dn, %r3, %gt
})";

TEST(Precision, EveryFloatOpCompilesOnTheCpuInF16AndBf16) {
  for (ir::DType precision : {ir::DType::F16, ir::DType::BF16}) {
    auto graph = ir::parseGraph(kFloatOps, "float-ops");
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
