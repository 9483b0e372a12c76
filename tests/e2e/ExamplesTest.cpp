// Every example model end to end: fused vs unfused vs the reference
// interpreter, kernel counts, and artifact round trips through the runtime.
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "compiler/reference/Interpreter.h"
#include "runtime/src/Artifact.h"
#include "tests/e2e/E2eUtil.h"

namespace dlc::test {
namespace {

struct ExampleCase {
  const char* file;
  int64_t batch;
  int maxFusedKernels;  // what fusion must achieve on this model
};

class ExampleTest : public ::testing::TestWithParam<ExampleCase> {};

TEST_P(ExampleTest, FusedUnfusedAndReferenceAgree) {
  const ExampleCase& c = GetParam();
  std::string path = examplePath(c.file);
  auto graph = loadModelFile(path);
  ASSERT_TRUE(graph.ok()) << graph.status().message();
  std::vector<Tensor> inputs = randomInputs(**graph, c.batch, 42);
  auto expected = ref::evaluate(**graph, inputs);
  ASSERT_TRUE(expected.ok()) << expected.status().message();

  Compiled fused = compileAndLoad(path, /*fused=*/true);
  Compiled unfused = compileAndLoad(path, /*fused=*/false);
  ASSERT_TRUE(fused.model && unfused.model);
  auto fusedOut = fused.model->run(inputs);
  auto unfusedOut = unfused.model->run(inputs);
  ASSERT_TRUE(fusedOut.ok()) << fusedOut.status().message();
  ASSERT_TRUE(unfusedOut.ok()) << unfusedOut.status().message();
  ASSERT_EQ(fusedOut->size(), expected->size());
  for (size_t i = 0; i < expected->size(); ++i) {
    EXPECT_LE(closeness((*fusedOut)[i], (*expected)[i], 1e-4, 1e-5), 1.0) << "fused output " << i;
    EXPECT_LE(closeness((*unfusedOut)[i], (*expected)[i], 1e-4, 1e-5), 1.0)
        << "unfused output " << i;
    EXPECT_LE(closeness((*fusedOut)[i], (*unfusedOut)[i], 1e-4, 1e-5), 1.0)
        << "fused vs unfused output " << i;
  }

  size_t fusedKernels = fused.build.plan.kernels.size();
  size_t unfusedKernels = unfused.build.plan.kernels.size();
  EXPECT_LE(int(fusedKernels), c.maxFusedKernels);
  EXPECT_LT(fusedKernels, unfusedKernels);
  // Unfused: exactly one kernel per remaining non-source node.
  size_t computeNodes = 0;
  for (const auto& n : unfused.build.graph->nodes()) computeNodes += !ir::isSource(n->op);
  EXPECT_EQ(unfusedKernels, computeNodes);
  // Every source node is placed: on a kernel, or folded at compile time.
  for (const auto& p : fused.model->manifest().placement) {
    if (p.kernel >= 0) EXPECT_EQ(p.device, "/device:CPU:0") << p.node;
  }
}

TEST_P(ExampleTest, ArtifactFileRoundTrip) {
  const ExampleCase& c = GetParam();
  std::string path = examplePath(c.file);
  Compiled fused = compileAndLoad(path, /*fused=*/true);
  ASSERT_TRUE(fused.model);
  auto file = std::filesystem::temp_directory_path() /
              ("dlc_e2e_" + std::to_string(::getpid()) + "_" + c.file + ".dlc");
  ASSERT_TRUE(rt::writeArtifact(file.string(), fused.build.manifest, fused.build.constants,
                                fused.build.code.sharedObject)
                  .ok());
  auto loaded = rt::Model::load(file.string());
  ASSERT_TRUE(loaded.ok()) << loaded.status().message();
  std::vector<Tensor> inputs = randomInputs(*fused.build.graph, c.batch, 7);
  auto a = fused.model->run(inputs);
  auto b = (*loaded)->run(inputs);
  ASSERT_TRUE(a.ok() && b.ok());
  for (size_t i = 0; i < a->size(); ++i) {
    ASSERT_EQ((*a)[i].byteSize(), (*b)[i].byteSize());
    EXPECT_EQ(0, std::memcmp((*a)[i].data(), (*b)[i].data(), (*a)[i].byteSize()));
  }
  std::filesystem::remove(file);
}

INSTANTIATE_TEST_SUITE_P(
    Examples, ExampleTest,
    ::testing::Values(ExampleCase{"fashion_mnist_mlp.json", 5, 4},
                      ExampleCase{"elementwise_chain.json", 1, 1},
                      ExampleCase{"cnn.json", 3, 6},
                      ExampleCase{"transformer_block.json", 2, 11}),
    [](const auto& info) {
      std::string name = info.param.file;
      return name.substr(0, name.find('.'));
    });

TEST(BatchSymbol, OneArtifactRunsAtEveryBatch) {
  std::string path = examplePath("fashion_mnist_mlp.json");
  Compiled fused = compileAndLoad(path, /*fused=*/true);
  ASSERT_TRUE(fused.model);
  auto graph = loadModelFile(path);
  ASSERT_TRUE(graph.ok());
  for (int64_t batch : {1, 2, 7, 64, 257}) {
    std::vector<Tensor> inputs = randomInputs(**graph, batch, uint64_t(batch));
    auto expected = ref::evaluate(**graph, inputs);
    auto got = fused.model->run(inputs);
    ASSERT_TRUE(expected.ok() && got.ok()) << batch;
    EXPECT_EQ((*got)[0].dims(), (std::vector<int64_t>{batch, 10}));
    EXPECT_LE(closeness((*got)[0], (*expected)[0], 1e-4, 1e-6), 1.0) << "batch " << batch;
  }
}

}  // namespace
}  // namespace dlc::test
