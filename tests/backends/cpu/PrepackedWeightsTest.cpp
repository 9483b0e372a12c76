// The pre-packed dense weight layout (gemm/PrepackedWeights.h), element by
// element, and which constants get it.
#include "compiler/backends/cpu/gemm/PrepackedWeights.h"

#include <gtest/gtest.h>

#include "ir/Kernel.h"
#include "ir/Parser.h"
#include "tests/backends/cpu/CpuTestHarness.h"

namespace dlc::cpu::gemm {
namespace {

// w[k][c] = 100 k + c; KC 2, NR 2: K blocks of rows {0,1}, {2,3}, {4}; each
// holds the panels of columns {0,1}, {2,3} one after the other, rows of NR.
TEST(PrepackedWeights, PanelLayoutElementByElement) {
  Tensor w(ir::DType::F32, {5, 4});
  for (int k = 0; k < 5; ++k)
    for (int c = 0; c < 4; ++c) w.as<float>()[k * 4 + c] = float(100 * k + c);
  Tensor packed = packWeights(w, {/*kc=*/2, /*nr=*/2});
  ASSERT_EQ(packed.dims(), w.dims());
  const std::vector<float> expected = {0,   1,   100, 101, 2,   3,   102, 103,  // block k0 = 0
                                       200, 201, 300, 301, 202, 203, 302, 303,  // k0 = 2
                                       400, 401, 402, 403};                     // k0 = 4, kcb 1
  for (size_t i = 0; i < expected.size(); ++i) EXPECT_EQ(packed.as<float>()[i], expected[i]) << i;
}

// Only constants that nothing but dense roots read as w, with whole panels.
TEST(PrepackedWeights, ChoosesOnlyDenseOnlyWeightsWithWholePanels) {
  const std::string text = "graph @g(%x: f32[N,20]) {\n" + test::constantLine("a", 20, 64, 1) +
                           test::constantLine("b", 20, 64, 2) +
                           test::constantLine("c", 20, 40, 3) +
                           "  %da = dense(%x, %a) : f32[N,64] #k0\n"
                           "  %db = dense(%x, %b) : f32[N,64] #k1\n"
                           "  %s = relu(%b) : f32[20,64] #k2\n"
                           "  %dc = dense(%x, %c) : f32[N,40] #k3\n"
                           "  return %da, %db, %s, %dc\n}\n";
  auto graph = ir::parseGraph(text, "<test>");
  ASSERT_TRUE(graph.ok()) << graph.status().toString();
  auto plan = ir::buildKernelPlan(**graph);
  ASSERT_TRUE(plan.ok()) << plan.status().toString();
  for (unsigned bits : {512u, 256u}) {
    auto chosen = choosePrepackedWeights(**graph, *plan, bits);
    ASSERT_EQ(chosen.size(), 1u) << bits;
    EXPECT_EQ(chosen.begin()->first->name, "a");
    EXPECT_EQ(chosen.begin()->second.kc, 128);
    EXPECT_EQ(chosen.begin()->second.nr, bits == 512 ? 32 : 16);
  }
  // Without a plan of CPU kernels (the CUDA target's), nothing.
  EXPECT_TRUE(choosePrepackedWeights(**graph, ir::KernelPlan{}, 512).empty());
}

}  // namespace
}  // namespace dlc::cpu::gemm
