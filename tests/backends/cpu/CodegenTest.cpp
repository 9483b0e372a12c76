// Properties of the generated code rather than its numbers: vector
// instructions for an elementwise chain on this host, exported symbols,
// verifier and error paths.
#include <regex>
#include <string>
#include <tuple>

#include <gtest/gtest.h>

#include "compiler/backends/cpu/CpuBackend.h"
#include "tests/backends/cpu/CpuTestHarness.h"
#include "ir/Parser.h"

namespace dlc::cpu {
namespace {

StatusOr<CompiledCode> compileText(const std::string& text, std::unique_ptr<ir::Graph>& graph,
                                   CpuCompileOptions options = {}) {
  DLC_ASSIGN_OR_RETURN(graph, ir::parseGraph(text, "<test>"));
  DLC_ASSIGN_OR_RETURN(ir::KernelPlan plan, ir::buildKernelPlan(*graph));
  options.keepText = true;  // the tests read the optimised IR
  return compile(*graph, plan, options);
}

TEST(CpuCodegen, ElementwiseChainVectorizes) {
  std::unique_ptr<ir::Graph> g;
  auto mod = compileText(R"(graph @t(%x: f32[N,1024], %y: f32[N,1024]) {
  %a = add(%x, %y) : f32[N,1024] #k0
  %e = exp(%a) : f32[N,1024] #k0
  %t = tanh(%e) : f32[N,1024] #k0
  %r = relu(%t) : f32[N,1024] #k0
  return %r
})", g);
  ASSERT_TRUE(mod.ok()) << mod.status().toString();
  bool vectorIR = mod->optimizedIR.find("<8 x float>") != std::string::npos ||
                  mod->optimizedIR.find("<16 x float>") != std::string::npos;
  bool vectorAsm = mod->assembly.find("ymm") != std::string::npos ||
                   mod->assembly.find("zmm") != std::string::npos;
  EXPECT_TRUE(vectorIR) << mod->optimizedIR.substr(0, 4000);
  EXPECT_TRUE(vectorAsm);
  // No libm calls: the math is inline.
  EXPECT_EQ(mod->optimizedIR.find("@expf"), std::string::npos);
  EXPECT_EQ(mod->optimizedIR.find("@tanhf"), std::string::npos);
  ASSERT_EQ(mod->symbols, std::vector<std::string>{"dlc_k0"});
  EXPECT_NE(mod->optimizedIR.find("define"), std::string::npos);
  EXPECT_NE(mod->optimizedIR.find("@dlc_k0_extent"), std::string::npos);
  // An ELF shared object.
  ASSERT_GE(mod->sharedObject.size(), 4u);
  EXPECT_EQ(mod->sharedObject[0], 0x7f);
  EXPECT_EQ(mod->sharedObject[1], 'E');
}

size_t countOf(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

// A loop with a transcendental runs 8 vector iterations side by side with
// AVX-512 (4 with AVX2), and tanh's division is a refined reciprocal
// estimate in the vector body: one vrcp14ps (vrcpps) per iteration, no
// vdivps. Compile-only, for named CPUs, so it holds on any host.
TEST(CpuCodegen, TranscendentalLoopsInterleaveAndUseReciprocalEstimates) {
  for (auto [cpu, rcp, lanes, interleave] :
       {std::tuple{"x86-64-v4", "vrcp14ps\t%zmm", "<16 x float>", 8},
        std::tuple{"x86-64-v3", "vrcpps\t%ymm", "<8 x float>", 4}}) {
    SCOPED_TRACE(cpu);
    std::unique_ptr<ir::Graph> g;
    CpuCompileOptions o;
    o.cpu = cpu;
    auto mod = compileText(R"(graph @t(%x: f32[N,4096]) {
  %t = tanh(%x) : f32[N,4096] #k0
  return %t
})", g, o);
    ASSERT_TRUE(mod.ok()) << mod.status().toString();
    EXPECT_EQ(countOf(mod->assembly, rcp), size_t(interleave)) << mod->assembly;
    EXPECT_EQ(countOf(mod->assembly, "vdivps"), 0u);
    EXPECT_NE(mod->optimizedIR.find(lanes), std::string::npos);
  }
}

// LLVM's time grows with a kernel's IR: the GEMM hands its register tile to
// the fused epilogue in a rolled loop (one epilogue copy per tile height,
// 12, 4 and 1 rows, rather than one per accumulator: 24 + 8 + 2 with
// AVX-512) and keeps its B-packing loop rolled.
TEST(CpuCodegen, GemmEpilogueIsEmittedOncePerTileHeight) {
  std::unique_ptr<ir::Graph> g;
  CpuCompileOptions o;
  o.cpu = "x86-64-v4";
  auto mod = compileText(R"(graph @t(%x: f32[N,256], %w: f32[256,512]) {
  %m = matmul(%x, %w) : f32[N,512] #k0
  %g = gelu(%m) {approximate = "tanh"} : f32[N,512] #k0
  return %g
})", g, o);
  ASSERT_TRUE(mod.ok()) << mod.status().toString();
  // Each vector gelu has one reciprocal estimate (its tanh's division).
  const size_t copies = countOf(mod->assembly, "vrcp14ps");
  EXPECT_GE(copies, 3u) << mod->assembly;
  EXPECT_LE(copies, 6u) << mod->assembly;
  EXPECT_NE(mod->optimizedIR.find("llvm.loop.unroll.disable"), std::string::npos);
}

// x = flatten(cast(u8 pixels) * scale), fused into the dense: the A panel is
// packed 16 lanes at a time straight from the pixels (one rolled loop per
// row, no divisions to find the flattened index, no runtime alias checks).
TEST(CpuCodegen, DenseXProducersPackAsVectors) {
  std::unique_ptr<ir::Graph> g;
  CpuCompileOptions o;
  o.cpu = "x86-64-v4";
  auto mod = compileText(R"(graph @t(%img: u8[N,28,28], %w: f32[784,128]) {
  %c = constant() {value = dense<[0.5]>} : f32[]
  %x = cast(%img) {to = "f32"} : f32[N,28,28] #k0
  %s = mul(%x, %c) : f32[N,28,28] #k0
  %f = flatten(%s) : f32[N,784] #k0
  %d = dense(%f, %w) : f32[N,128] #k0
  return %d
})", g, o);
  ASSERT_TRUE(mod.ok()) << mod.status().toString();
  EXPECT_NE(mod->optimizedIR.find("load <16 x i8>"), std::string::npos) << mod->optimizedIR;
  // (The GEMM's own divisions, by 12 rows and 384-row blocks, remain.)
  EXPECT_FALSE(
      std::regex_search(mod->optimizedIR, std::regex("u(div|rem) i64 [^,]+, (28|784)\\b")))
      << mod->optimizedIR;
  EXPECT_EQ(mod->optimizedIR.find("vector.memcheck"), std::string::npos) << mod->optimizedIR;
}

// A dense whose weights are a constant reads them pre-packed: no B packing
// loop, and the micro-kernel's k loop prefetches the next B block (one
// prefetcht1 per iteration). With the weights a graph input, B is packed.
TEST(CpuCodegen, ConstantDenseWeightsArePrepackedAndPrefetched) {
  CpuCompileOptions o;
  o.cpu = "x86-64-v4";
  std::unique_ptr<ir::Graph> g;
  auto mod = compileText("graph @t(%x: f32[N,300]) {\n" + test::constantLine("w", 300, 64, 1) +
                             "  %d = dense(%x, %w) : f32[N,64] #k0\n  return %d\n}\n",
                         g, o);
  ASSERT_TRUE(mod.ok()) << mod.status().toString();
  ASSERT_EQ(mod->packedConstants.size(), 1u);
  EXPECT_EQ(mod->packedConstants.begin()->first->name, "w");
  EXPECT_EQ(mod->optimizedIR.find("pb.k"), std::string::npos) << mod->optimizedIR;
  EXPECT_EQ(countOf(mod->assembly, "prefetcht1"), 1u) << mod->assembly;
  auto packed = compileText(R"(graph @t(%x: f32[N,300], %w: f32[300,64]) {
  %d = dense(%x, %w) : f32[N,64] #k0
  return %d
})", g, o);
  ASSERT_TRUE(packed.ok()) << packed.status().toString();
  EXPECT_TRUE(packed->packedConstants.empty());
  EXPECT_NE(packed->optimizedIR.find("pb.k"), std::string::npos);
  EXPECT_EQ(countOf(packed->assembly, "prefetcht1"), 0u);
}

// Attention scores, q k^T per head: B is read along k, so full B panels are
// packed as 16 x 16 blocks transposed in registers (vector loads along k,
// shuffles), not with a gather per packed vector.
TEST(CpuCodegen, TransposedBIsPackedByRegisterTransposes) {
  std::unique_ptr<ir::Graph> g;
  CpuCompileOptions o;
  o.cpu = "x86-64-v4";
  auto mod = compileText(R"(graph @t(%q: f32[N,4,128,64], %k: f32[N,4,128,64]) {
  %s = matmul(%q, %k) {transpose_b = 1} : f32[N,4,128,128] #k0
  return %s
})", g, o);
  ASSERT_TRUE(mod.ok()) << mod.status().toString();
  EXPECT_EQ(mod->assembly.find("vgather"), std::string::npos) << mod->assembly;
  EXPECT_GE(countOf(mod->assembly, "vpermt2ps") + countOf(mod->assembly, "vpermi2ps") +
                countOf(mod->assembly, "vunpcklps") + countOf(mod->assembly, "vshuff"),
            16u)
      << mod->assembly;
}

// A plain row-major f32 A is broadcast from in place (no A panel packing);
// an A computed by producers fused into the kernel is packed.
TEST(CpuCodegen, PlainAIsReadInPlace) {
  std::unique_ptr<ir::Graph> g;
  CpuCompileOptions o;
  o.cpu = "x86-64-v4";
  auto mod = compileText(R"(graph @t(%a: f32[N,64,256], %b: f32[256,128]) {
  %c = matmul(%a, %b) : f32[N,64,128] #k0
  return %c
})", g, o);
  ASSERT_TRUE(mod.ok()) << mod.status().toString();
  EXPECT_NE(mod->optimizedIR.find("pb.k"), std::string::npos) << mod->optimizedIR;
  EXPECT_EQ(mod->optimizedIR.find("packed.a"), std::string::npos) << mod->optimizedIR;
  EXPECT_EQ(mod->optimizedIR.find("pa.k"), std::string::npos) << mod->optimizedIR;

  auto fused = compileText(R"(graph @t(%x: f32[N,256], %w: f32[256,64]) {
  %r = relu(%x) : f32[N,256] #k0
  %d = dense(%r, %w) : f32[N,64] #k0
  return %d
})", g, o);
  ASSERT_TRUE(fused.ok()) << fused.status().toString();
  EXPECT_NE(fused->optimizedIR.find("packed.a"), std::string::npos) << fused->optimizedIR;
  EXPECT_NE(fused->optimizedIR.find("pa.k"), std::string::npos) << fused->optimizedIR;
}

// A softmax over short rows (10 classes): the row loop stays scalar, with
// no vectorised copy across rows, runtime checks or epilogue loop.
TEST(CpuCodegen, ShortRowSoftmaxIsNotVectorizedAcrossRows) {
  std::unique_ptr<ir::Graph> g;
  auto mod = compileText(R"(graph @t(%x: f32[N,10]) {
  %s = softmax(%x) {axis = -1} : f32[N,10] #k0
  return %s
})", g);
  ASSERT_TRUE(mod.ok()) << mod.status().toString();
  EXPECT_EQ(mod->optimizedIR.find("vector.scevcheck"), std::string::npos) << mod->optimizedIR;
  EXPECT_EQ(mod->optimizedIR.find("vec.epilog"), std::string::npos) << mod->optimizedIR;
  EXPECT_LT(countOf(mod->optimizedIR, "\n"), 400u) << mod->optimizedIR;
}

TEST(CpuCodegen, ReductionVectorizes) {
  std::unique_ptr<ir::Graph> g;
  auto mod = compileText(R"(graph @t(%x: f32[N,4096]) {
  %r = reduce_sum(%x) {axes = [1]} : f32[N] #k0
  return %r
})", g);
  ASSERT_TRUE(mod.ok()) << mod.status().toString();
  EXPECT_TRUE(mod->optimizedIR.find("x float>") != std::string::npos);
}

// Kernels compile in parallel, each as its own module and object; the shared
// object, the symbols and the text must not depend on how many threads ran.
TEST(CpuCodegen, ParallelCompileGivesTheSameCodeForAnyThreadCount) {
  auto graph = ir::parseGraph(R"(graph @t(%x: f32[N,64], %w: f32[64,32]) {
  %e = exp(%x) : f32[N,64] #k0
  %m = matmul(%e, %w) : f32[N,32] #k1
  %r = relu(%m) : f32[N,32] #k1
  %s = reduce_sum(%r) {axes = [1]} : f32[N] #k2
  %t = tanh(%s) : f32[N] #k3
  return %t
})", "<test>");
  ASSERT_TRUE(graph.ok()) << graph.status().toString();
  auto plan = ir::buildKernelPlan(**graph);
  ASSERT_TRUE(plan.ok()) << plan.status().toString();
  ASSERT_GE(plan->kernels.size(), 3u);
  std::vector<CompiledCode> codes;
  for (int threads : {1, 2, 5}) {
    CpuCompileOptions options;
    options.keepText = true;
    options.threads = threads;
    auto mod = compile(**graph, *plan, options);
    ASSERT_TRUE(mod.ok()) << mod.status().toString();
    codes.push_back(std::move(*mod));
  }
  for (size_t i = 1; i < codes.size(); ++i) {
    EXPECT_EQ(codes[i].sharedObject, codes[0].sharedObject) << i;
    EXPECT_EQ(codes[i].symbols, codes[0].symbols) << i;
    EXPECT_EQ(codes[i].assembly, codes[0].assembly) << i;
  }
  // Every kernel's two functions are in the text, in plan order.
  size_t last = 0;
  for (const std::string& symbol : codes[0].symbols) {
    size_t at = codes[0].optimizedIR.find("@" + symbol + "(");
    ASSERT_NE(at, std::string::npos) << symbol;
    EXPECT_GE(at, last) << symbol;
    last = at;
    EXPECT_NE(codes[0].optimizedIR.find("@" + symbol + "_extent("), std::string::npos) << symbol;
  }
  // The phases are reported, the parallel wall time with its thread count.
  // Then the three slowest kernels, summed like opt and codegen; the total
  // counts only the wall time and the link.
  ASSERT_EQ(codes[2].phaseMilliseconds.size(), 5u + std::min<size_t>(3, plan->kernels.size()));
  EXPECT_TRUE(codes[2].phaseMilliseconds[1].summed);
  EXPECT_FALSE(codes[2].phaseMilliseconds[3].summed);
  EXPECT_EQ(codes[2].phaseMilliseconds[4].name.rfind("cpu-kernel k", 0), 0u)
      << codes[2].phaseMilliseconds[4].name;
  EXPECT_TRUE(codes[2].phaseMilliseconds[4].summed);
  EXPECT_GE(codes[2].phaseMilliseconds[4].milliseconds,
            codes[2].phaseMilliseconds[5].milliseconds);
  EXPECT_EQ(codes[2].phaseMilliseconds.back().name, "cpu-link");
  EXPECT_EQ(codes[2].phaseMilliseconds[3].name,
            "cpu-kernels-wall (" + std::to_string(std::min<size_t>(5, plan->kernels.size())) +
                " threads, " + std::to_string(plan->kernels.size()) + " of " +
                std::to_string(plan->kernels.size()) + " kernels distinct)");
}

// Kernels that differ only in names and in the buffers they are handed
// (two dense layers of one shape) are compiled once and share a symbol; a
// kernel of another shape is not merged. The numbers come from the
// reference comparison, which runs each kernel through its shared symbol.
constexpr const char* kRepeatedLayers = R"(graph @t(%x: f32[N,64], %w1: f32[64,64], %w2: f32[64,64], %w3: f32[64,32]) {
  %a = matmul(%x, %w1) : f32[N,64] #k0
  %ra = relu(%a) : f32[N,64] #k0
  %b = matmul(%ra, %w2) : f32[N,64] #k1
  %rb = relu(%b) : f32[N,64] #k1
  %c = matmul(%rb, %w3) : f32[N,32] #k2
  %rc = relu(%c) : f32[N,32] #k2
  return %rc
})";

TEST(CpuCodegen, IdenticalKernelsAreCompiledOnce) {
  std::unique_ptr<ir::Graph> g;
  auto mod = compileText(kRepeatedLayers, g);
  ASSERT_TRUE(mod.ok()) << mod.status().toString();
  EXPECT_EQ(mod->symbols, (std::vector<std::string>{"dlc_k0", "dlc_k0", "dlc_k2"}));
  EXPECT_EQ(mod->compiledKernels, 2);
  EXPECT_NE(mod->optimizedIR.find("; dlc_k1: the same code as dlc_k0"), std::string::npos);
  EXPECT_EQ(mod->optimizedIR.find("define void @dlc_k1("), std::string::npos);
  EXPECT_NE(mod->optimizedIR.find("define void @dlc_k2("), std::string::npos);
  EXPECT_NE(mod->phaseMilliseconds[3].name.find("2 of 3 kernels distinct"), std::string::npos)
      << mod->phaseMilliseconds[3].name;
  test::CheckOptions options;
  options.batches = {1, 13};
  options.rtol = 1e-4;  // three chained f32 products of 64 terms (ContractionTest.cpp)
  options.atol = 1e-4;
  test::checkAgainstReference(kRepeatedLayers, options);
}

// Kernels that differ in a constant are different code.
TEST(CpuCodegen, KernelsDifferingInAConstantAreNotMerged) {
  std::unique_ptr<ir::Graph> g;
  auto mod = compileText(R"(graph @t(%x: f32[N,64]) {
  %a = leaky_relu(%x) {alpha = 0.1} : f32[N,64] #k0
  %b = leaky_relu(%a) {alpha = 0.2} : f32[N,64] #k1
  %c = leaky_relu(%b) {alpha = 0.1} : f32[N,64] #k2
  return %c
})", g);
  ASSERT_TRUE(mod.ok()) << mod.status().toString();
  EXPECT_EQ(mod->symbols, (std::vector<std::string>{"dlc_k0", "dlc_k1", "dlc_k0"}));
  EXPECT_EQ(mod->compiledKernels, 2);
}

TEST(CpuCodegen, UnsupportedMemberIsAnErrorNamingTheKernel) {
  std::unique_ptr<ir::Graph> g;
  auto mod = compileText(R"(graph @t(%x: f32[4,5]) {
  %r = reduce_sum(%x) {axes = [1]} : f32[4] #k0
  %s = reduce_max(%x) {axes = [1]} : f32[4] #k0
  %a = add(%r, %s) : f32[4] #k0
  return %a
})", g);
  if (mod.ok()) GTEST_SKIP() << "the plan builder accepted two roots";
  EXPECT_NE(mod.status().message().find("kernel"), std::string::npos) << mod.status().toString();
}

TEST(CpuCodegen, NamedCpuWithoutHostFeatures) {
  std::unique_ptr<ir::Graph> g;
  CpuCompileOptions o;
  o.cpu = "x86-64";
  o.optLevel = 2;
  auto mod = compileText(R"(graph @t(%x: f32[N,16]) {
  %e = exp(%x) : f32[N,16] #k0
  return %e
})", g, o);
  ASSERT_TRUE(mod.ok()) << mod.status().toString();
  EXPECT_EQ(mod->assembly.find("zmm"), std::string::npos);
}

}  // namespace
}  // namespace dlc::cpu
