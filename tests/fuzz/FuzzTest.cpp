// The fixed-seed differential batches run by ctest: 300 random graphs
// (GraphGen.h), reference vs CPU fused vs CPU unfused plus the C API file
// check (determinism on one seed in 10), and 30 of them on CUDA (NVRTC and
// the host emulation; a GPU where one is present), in child processes two at
// a time. Any failure is printed with its seed; reproduce and shrink it with
// `dlc-fuzz --seed S` (plus `--cuda` for the CUDA batch). Also the pieces
// those checks are made of, on small graphs with known answers.
#include <gtest/gtest.h>

#include <signal.h>
#include <unistd.h>

#include <cmath>

#include "compiler/Compiler.h"
#include "compiler/backends/cuda/CudaCompile.h"
#include "runtime/src/Model.h"
#include "ir/ShapeInference.h"
#include "tests/fuzz/ArtifactFileCheck.h"
#include "tests/fuzz/Campaign.h"
#include "tests/fuzz/GraphGen.h"
#include "tests/fuzz/Isolate.h"
#include "tests/fuzz/Scratch.h"
#include "tests/fuzz/Tolerance.h"

namespace dlc::fuzz {
namespace {

TEST(FuzzGenerator, SameSeedSameGraph) {
  for (uint64_t seed : {1, 7, 123}) {
    FuzzCase a = generateCase(seed), b = generateCase(seed);
    ASSERT_EQ(a.graph->nodes().size(), b.graph->nodes().size());
    for (size_t i = 0; i < a.graph->nodes().size(); ++i) {
      EXPECT_EQ(a.graph->nodes()[i]->op, b.graph->nodes()[i]->op);
      EXPECT_EQ(a.graph->nodes()[i]->type, b.graph->nodes()[i]->type);
    }
    ASSERT_EQ(a.runs.size(), b.runs.size());
    EXPECT_EQ(0, memcmp(a.runs[0].values[0].data(), b.runs[0].values[0].data(),
                        a.runs[0].values[0].byteSize()));
  }
}

TEST(FuzzGenerator, GraphsRespectTheLimits) {
  int withBatch = 0;
  for (uint64_t seed = 1; seed <= 300; ++seed) {
    int rejected = 0;
    FuzzCase c = generateCase(seed, &rejected);
    int computations = 0;
    for (const auto& n : c.graph->nodes()) {
      computations += ir::isSource(n->op) ? 0 : 1;
      EXPECT_LE(n->type.shape.numElements(3), kMaxTensorElements) << "seed " << seed;
    }
    EXPECT_GE(computations, 1) << "seed " << seed;
    EXPECT_LE(computations, kMaxNodes + 4) << "seed " << seed;  // a composite may overshoot
    withBatch += c.runs.size() == 2 ? 1 : 0;
  }
  EXPECT_GT(withBatch, 30);
  // Seed 1005588 once made a rank-9 input (partnerShape added leading dims
  // past ir::kMaxRank), which the verifier refuses: a generator bug.
  FuzzCase c = generateCase(1005588);
  for (const auto& n : c.graph->nodes()) EXPECT_LE(n->type.shape.rank(), ir::kMaxRank) << n->name;
}

// A child that spins is stopped by its CPU-time limit, one that blocks by
// the wall-clock deadline (10x), one that crashes is a crash; none of them
// takes the parent down.
TEST(FuzzIsolate, TimeoutsAndCrashesAreClassified) {
  CheckResult spin = runIsolated(
      [] {
        volatile uint64_t x = 0;
        for (;;) x = x + 1;
        return CheckResult{};
      },
      /*timeoutS=*/1);
  EXPECT_EQ(spin.verdict, Verdict::kTimeout);
  EXPECT_EQ(spin.message, "ran past its CPU-time limit");
  CheckResult blocked = runIsolated(
      [] {
        ::pause();
        return CheckResult{};
      },
      /*timeoutS=*/0.2);
  EXPECT_EQ(blocked.verdict, Verdict::kTimeout);
  EXPECT_NE(blocked.message.find("wall-clock limit"), std::string::npos) << blocked.message;
  CheckResult crash = runIsolated(
      [] {
        ::raise(SIGSEGV);
        return CheckResult{};
      },
      /*timeoutS=*/5);
  EXPECT_EQ(crash.verdict, Verdict::kCrash);
  // Killed by SIGSEGV; under ASan its handler reports and exits instead.
  EXPECT_TRUE(crash.message.find("killed by signal 11") != std::string::npos ||
              crash.message.find("without a verdict") != std::string::npos)
      << crash.message;
}

// x -> relu(x * c) and x > c: one f32 and one bool output.
std::unique_ptr<ir::Graph> smallGraph() {
  auto g = std::make_unique<ir::Graph>();
  g->name = "small";
  ir::Node* x = g->addInput("x", {ir::DType::F32, ir::Shape({ir::kBatch, 5})});
  Tensor c(ir::DType::F32, {5});
  for (int i = 0; i < 5; ++i) c.as<float>()[i] = 0.25f * float(i) - 0.5f;
  ir::Node* cn = g->addConstant("c", c);
  ir::Node* mul = g->addNode(ir::OpKind::Mul, "mul", {x, cn});
  ir::Node* relu = g->addNode(ir::OpKind::Relu, "relu", {mul});
  ir::Node* gt = g->addNode(ir::OpKind::Greater, "gt", {x, cn});
  for (ir::Node* n : {mul, relu, gt}) EXPECT_TRUE(ir::inferNodeType(*n).ok()) << n->name;
  g->addOutput(relu);
  g->addOutput(gt);
  return g;
}

TEST(FuzzTolerance, FloatsUseTheTableOthersAreExact) {
  auto g = smallGraph();
  Tolerance f = toleranceFor(g->outputs()[0]);
  EXPECT_EQ(f.atol, 1e-5);
  EXPECT_EQ(f.rtol, 1e-4);
  Tolerance b = toleranceFor(g->outputs()[1]);
  EXPECT_EQ(b.atol, 0);
  EXPECT_EQ(b.rtol, 0);
}

// The cancellation allowance: atol >= 64 ulp(2^-24) of the cone's largest
// value, exact dtypes stay exact, and the cone takes inputs and constants.
TEST(FuzzTolerance, AtolGrowsWithTheConesLargestValue) {
  auto g = smallGraph();
  EXPECT_EQ(toleranceFor(g->outputs()[0], 1.0).atol, 1e-5);
  EXPECT_DOUBLE_EQ(toleranceFor(g->outputs()[0], 1024.0).atol, 64.0 * 1024.0 / 16777216.0);
  EXPECT_EQ(toleranceFor(g->outputs()[1], 1024.0).atol, 0);
  InputSet in = makeInputs(*g, 2, 3);
  StatusOr<std::vector<double>> m = coneMagnitudes(*g, in.values);
  ASSERT_TRUE(m.ok()) << m.status().toString();
  ASSERT_EQ(m->size(), 2u);
  double expected = 0;
  for (int64_t i = 0; i < in.values[0].numElements(); ++i)
    expected = std::max(expected, std::fabs(in.values[0].getAsDouble(i)));
  const ir::Node* c = g->find("c");
  for (int64_t i = 0; i < c->value.numElements(); ++i)
    expected = std::max(expected, std::fabs(c->value.getAsDouble(i)));
  // relu(x * c): |x * c| may exceed both; never below either.
  EXPECT_GE((*m)[0], expected);
  // The comparison's cone is x and c: no float node computed from them.
  EXPECT_EQ((*m)[1], expected);
}

TEST(FuzzTolerance, CompareOutputsNamesBackendBatchAndOutput) {
  auto g = smallGraph();
  Tensor a(ir::DType::F32, {1, 5}), want(ir::DType::F32, {1, 5});
  Tensor p(ir::DType::Bool, {1, 5}), q(ir::DType::Bool, {1, 5});
  std::vector<Tensor> got, ref;
  got.push_back(a.clone());
  got.push_back(p.clone());
  ref.push_back(want.clone());
  ref.push_back(q.clone());
  EXPECT_EQ(compareOutputs(*g, got, ref, "cuda fused", 3), "");
  got[0].as<float>()[2] = 5e-6f;  // inside atol
  EXPECT_EQ(compareOutputs(*g, got, ref, "cuda fused", 3), "");
  got[1].as<uint8_t>()[4] = 1;
  EXPECT_EQ(compareOutputs(*g, got, ref, "cuda fused", 3).rfind(
                "cuda fused, batch 3, output 1 (\"gt\"): ", 0),
            0u);
}

TEST(FuzzArtifactFile, ByteDifference) {
  EXPECT_EQ(firstByteDifference({1, 2, 3}, {1, 2, 3}), "");
  EXPECT_EQ(firstByteDifference({1, 2, 3}, {1, 9, 3}), "3 and 3 bytes, first difference at byte 1");
  EXPECT_EQ(firstByteDifference({1, 2}, {1, 2, 3}), "2 and 3 bytes, first difference at byte 2");
}

TEST(FuzzArtifactFile, CApiRunMustMatchTheInMemoryRunBitForBit) {
  auto g = smallGraph();
  std::vector<InputSet> runs = {makeInputs(*g, 1, 11), makeInputs(*g, 3, 12)};
  // The check itself passes (the file and the memory load agree)...
  CheckResult r = checkGraph(*g, runs);
  EXPECT_EQ(r.verdict, Verdict::kPass) << r.message;
  // ...and a one-ulp difference from the in-memory outputs is caught.
  BuildOptions options;
  auto built = compileGraph(g->clone(), options);
  ASSERT_TRUE(built.ok()) << built.status().toString();
  auto bytes = artifactBytes(*built);
  ASSERT_TRUE(bytes.ok());
  auto model = rt::Model::loadBytes(bytes->data(), bytes->size());
  ASSERT_TRUE(model.ok()) << model.status().toString();
  std::vector<std::vector<Tensor>> expected;
  for (const InputSet& run : runs) {
    auto outs = (*model)->run(run.values);
    ASSERT_TRUE(outs.ok()) << outs.status().toString();
    expected.push_back(std::move(*outs));
  }
  EXPECT_EQ(checkArtifactFile(*bytes, *g, runs, expected, "cpu fused").verdict, Verdict::kPass);
  Tensor& relu = expected[1][0];
  int64_t k = 0;
  while (k < relu.numElements() && relu.as<float>()[k] == 0) ++k;
  ASSERT_LT(k, relu.numElements()) << "the test wants a positive relu output";
  relu.as<float>()[k] = std::nextafter(relu.as<float>()[k], 10.0f);
  CheckResult bad = checkArtifactFile(*bytes, *g, runs, expected, "cpu fused");
  removeScratchDir(::getpid());
  EXPECT_EQ(bad.verdict, Verdict::kWrongResult);
  EXPECT_EQ(bad.message.rfind(strCat("c-api file, cpu fused, batch 3, output 0 (\"relu\"): element ",
                                     k, " is "),
                              0),
            0u)
      << bad.message;
}

TEST(FuzzDifferential, BackendOfAFailureNarrowsTheShrinkChecks) {
  CheckOptions all{/*cpu=*/true, /*determinism=*/true, /*cuda=*/true, {}};
  CheckResult cuda{Verdict::kWrongResult, "cuda unfused on gpu, batch 1, output 0: x"};
  EXPECT_EQ(failedBackend(cuda), "cuda unfused on gpu");
  CheckOptions o = optionsFor(cuda, all);
  EXPECT_FALSE(o.cpu);
  EXPECT_TRUE(o.cuda);
  CheckResult cpu{Verdict::kCompileError, "cpu fused: compile: boom"};
  EXPECT_EQ(failedBackend(cpu), "cpu fused");
  o = optionsFor(cpu, all);
  EXPECT_TRUE(o.cpu);
  EXPECT_FALSE(o.cuda);
  EXPECT_EQ(checkFlags(all), " --cuda --determinism");
  EXPECT_EQ(checkFlags({/*cpu=*/false, /*determinism=*/false, /*cuda=*/true, {"add", "exp"}}),
            " --no-cpu --cuda --cuda-cpu-only add --cuda-cpu-only exp");
}

TEST(FuzzDifferential, CudaModesAreCountedNeverPassedSilently) {
  if (!cuda::nvrtcVersion().ok()) GTEST_SKIP() << cuda::nvrtcVersion().status().message();
  auto g = smallGraph();
  CheckOptions cudaOnly{/*cpu=*/false, /*determinism=*/false, /*cuda=*/true, {}};
  // In a child: the GPU driver, where there is one, stays out of this process.
  CheckResult r = runIsolated(
      [&] { return checkGraph(*g, {makeInputs(*g, 1, 11), makeInputs(*g, 3, 12)}, cudaOnly); },
      /*timeoutS=*/300);
  EXPECT_EQ(r.verdict, Verdict::kPass) << r.message;
  EXPECT_EQ(r.cudaEmulated, 2);
  EXPECT_EQ(r.cudaOnGpu + r.cudaGpuSkipped, 2);
  EXPECT_EQ(r.cudaNotBuilt, 0);
}

// relu kept on the CPU: the emulation runs the GPU kernels and evaluates
// the CPU one with the reference, in plan order.
TEST(FuzzDifferential, CudaCheckFollowsSoftPlacementToTheCpu) {
  if (!cuda::nvrtcVersion().ok()) GTEST_SKIP() << cuda::nvrtcVersion().status().message();
  auto g = smallGraph();
  CheckOptions checks{/*cpu=*/false, /*determinism=*/false, /*cuda=*/true, {"relu"}};
  BuildOptions options;
  options.target = "cuda";
  options.cpuOnlyOps = checks.cudaCpuOnlyOps;
  auto built = compileGraph(g->clone(), options);
  ASSERT_TRUE(built.ok()) << built.status().toString();
  int onCpu = 0;
  for (const ir::Kernel& k : built->plan.kernels) onCpu += k.device == "/device:CPU:0" ? 1 : 0;
  EXPECT_EQ(onCpu, 1);
  CheckResult r = runIsolated(
      [&] { return checkGraph(*g, {makeInputs(*g, 1, 11), makeInputs(*g, 3, 12)}, checks); },
      /*timeoutS=*/300);
  EXPECT_EQ(r.verdict, Verdict::kPass) << r.message;
  EXPECT_EQ(r.cudaEmulated, 2);
}

TEST(FuzzDifferential, FixedSeedBatch) {
  CampaignOptions options;
  options.start = 1;
  options.count = 300;
  options.jobs = 2;
  options.determinismEvery = 10;
  options.outDir = "";
  CampaignStats stats = runCampaign(options);
  printf("%s\n", stats.summary().c_str());
  EXPECT_EQ(stats.graphs, options.count);
  if (stats.failed() == 0) {
    EXPECT_EQ(stats.determinismChecks, 2 * 30);
  }
  for (const auto& [seed, r] : stats.failures)
    ADD_FAILURE() << "seed " << seed << ": " << verdictName(r.verdict) << ": " << r.message;
}

// The CUDA batch: seeds 1..30 (the CPU side of them is in the batch above).
TEST(FuzzDifferential, FixedSeedCudaBatch) {
  if (!cuda::nvrtcVersion().ok()) GTEST_SKIP() << cuda::nvrtcVersion().status().message();
  CampaignOptions options;
  options.start = 1;
  options.count = 30;
  options.jobs = 2;
  options.cpu = false;
  options.cudaEvery = 1;
  options.determinismEvery = 0;
  options.timeoutS = 300;
  options.outDir = "";
  CampaignStats stats = runCampaign(options);
  printf("%s\n", stats.summary().c_str());
  EXPECT_EQ(stats.graphs, options.count);
  EXPECT_EQ(stats.cudaEmulated, 2 * (options.count - stats.failed()));
  for (const auto& [seed, r] : stats.failures)
    ADD_FAILURE() << "seed " << seed << ": " << verdictName(r.verdict) << ": " << r.message
                  << " (dlc-fuzz --seed " << seed << " --cuda)";
}

}  // namespace
}  // namespace dlc::fuzz
