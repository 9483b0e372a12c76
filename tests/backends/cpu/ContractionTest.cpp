// Contraction kernels (matmul / dense / conv2d through gemm/) against the
// reference interpreter: odd shapes that exercise every edge path of the
// register tiling (row tiles of MR, 4 and 1 rows, partial column panels,
// several K blocks), broadcast batch dims and transposes, the batch symbol,
// every conv2d attribute both as the im2col GEMM (masked row loads,
// gathers, f16 input) and as the direct convolution, producers fused into a dense's x, and fused epilogues, linear in
// the output plane or not. Each case runs with one chunk and with three
// uneven chunks (CpuTestHarness).
#include <string>

#include <gtest/gtest.h>

#include "compiler/backends/cpu/Epilogue.h"
#include "ir/Parser.h"
#include "tests/backends/cpu/CpuTestHarness.h"

namespace dlc::cpu::test {
namespace {

CheckOptions options(std::vector<int64_t> batches = {1, 7}) {
  CheckOptions o;
  o.batches = std::move(batches);
  o.range = {-1.0, 1.0};
  o.rtol = 1e-4;
  o.atol = 1e-4;
  return o;
}

// A conv graph against the reference as the im2col GEMM and as the direct
// convolution (DirectConvTest.cpp covers the direct tiles), checking that
// each computed it (`direct`: the direct emitter can, stride 1 along the width).
void checkConv(const std::string& irText, CheckOptions o, bool direct = true) {
  o.conv = ConvAlgorithm::kIm2col;
  o.notesContain = "im2col GEMM";
  checkAgainstReference(irText, o);
  o.conv = ConvAlgorithm::kDirect;
  o.notesContain = direct ? "direct conv" : "im2col GEMM";
  checkAgainstReference(irText, o);
}

// One dense kernel x[N, in] * w[in, out] + b at the given batch sizes (= M).
std::string denseGraph(int in, int out, bool bias) {
  std::string t = "f32[N," + std::to_string(out) + "]";
  return "graph @g(%x: f32[N," + std::to_string(in) + "], %w: f32[" + std::to_string(in) + "," +
         std::to_string(out) + "]" + (bias ? ", %b: f32[" + std::to_string(out) + "]" : "") +
         ") {\n  %y = dense(%x, %w" + (bias ? ", %b" : "") + ") : " + t +
         "  #k0\n  return %y\n}\n";
}

TEST(Contraction, DenseRowCountsAndOddExtents) {
  for (auto [in, out] : {std::pair{784, 128}, {128, 10}, {17, 33}}) {
    SCOPED_TRACE(std::to_string(in) + "x" + std::to_string(out));
    checkAgainstReference(denseGraph(in, out, /*bias=*/true), options({1, 3, 64, 257}));
  }
  checkAgainstReference(denseGraph(64, 48, /*bias=*/false), options({1, 13}));
}

TEST(Contraction, DenseWithLeadingDims) {
  checkAgainstReference(R"(graph @g(%x: f32[2,N,17], %w: f32[17,40], %b: f32[40]) {
  %y = dense(%x, %w, %b) : f32[2,N,40]  #k0
  return %y
})",
                        options({1, 7}));
}

TEST(Contraction, DenseF16) {
  CheckOptions o = options({1, 9});
  o.rtol = 4e-3;
  o.atol = 4e-3;
  checkAgainstReference(R"(graph @g(%x: f16[N,40], %w: f16[40,20], %b: f16[20]) {
  %y = dense(%x, %w, %b) : f16[N,20]  #k0
  return %y
})",
                        o);
}

TEST(Contraction, MatMulBroadcastAndTransposes) {
  const char* cases[] = {
      R"(graph @g(%a: f32[2,1,5,7], %b: f32[3,7,9]) {
  %y = matmul(%a, %b) : f32[2,3,5,9]  #k0
  return %y
})",
      R"(graph @g(%a: f32[2,1,7,5], %b: f32[3,7,9]) {
  %y = matmul(%a, %b) {transpose_a = 1} : f32[2,3,5,9]  #k0
  return %y
})",
      R"(graph @g(%a: f32[2,1,5,7], %b: f32[3,9,7]) {
  %y = matmul(%a, %b) {transpose_b = 1} : f32[2,3,5,9]  #k0
  return %y
})",
      R"(graph @g(%a: f32[1,30,20], %b: f32[4,35,30]) {
  %y = matmul(%a, %b) {transpose_a = 1, transpose_b = 1} : f32[4,20,35]  #k0
  return %y
})",
  };
  for (const char* text : cases) checkAgainstReference(text, options());
}

// B read along k (transpose_b), as attention's q k^T: full panels are
// packed 16 x 16 blocks at a time through a register transpose, the rest of
// K (35 = 2 x 16 + 3) and the edge panel (70 = 2 x 32 + 6 columns) row by
// row; with the batch symbol among the GEMM dims and several K blocks.
TEST(Contraction, MatMulTransposedBPackedByBlocks) {
  checkAgainstReference(R"(graph @g(%a: f32[N,3,40,35], %b: f32[N,3,70,35]) {
  %y = matmul(%a, %b) {transpose_b = 1} : f32[N,3,40,70]  #k0
  return %y
})",
                        options({1, 2}));
  checkAgainstReference(R"(graph @g(%q: f32[N,4,128,64], %k: f32[N,4,128,64]) {
  %s = matmul(%q, %k) {transpose_b = 1} : f32[N,4,128,128]  #k0
  return %s
})",
                        options({1}));
  // 8 x 8 (AVX2) and 4 x 4 (SSE) blocks as well.
  for (const char* cpu : {"native", "x86-64-v3", "x86-64"}) {
    SCOPED_TRACE(cpu);
    CheckOptions o = options({1});
    o.cpu = cpu;
    checkAgainstReference(R"(graph @g(%a: f32[33,300], %b: f32[64,300]) {
  %y = matmul(%a, %b) {transpose_b = 1} : f32[33,64]  #k0
  return %y
})",
                          o);
  }
}

TEST(Contraction, MatMulBatchSymbol) {
  // N as a batch dim of a (b broadcasts), and N as the row extent M.
  checkAgainstReference(R"(graph @g(%a: f32[N,13,37], %b: f32[37,40]) {
  %y = matmul(%a, %b) : f32[N,13,40]  #k0
  return %y
})",
                        options({1, 7}));
  checkAgainstReference(R"(graph @g(%a: f32[N,37], %b: f32[37,50]) {
  %y = matmul(%a, %b) : f32[N,50]  #k0
  return %y
})",
                        options({1, 7}));
}

TEST(Contraction, MatMulSeveralKBlocksAndFullTiles) {
  // K = 600 spans three K blocks (partial sums in the scratch block);
  // 100 rows = full MR tiles plus 4-row and 1-row tiles; 64 and 45 columns.
  checkAgainstReference(R"(graph @g(%a: f32[100,600], %b: f32[600,64]) {
  %y = matmul(%a, %b) : f32[100,64]  #k0
  return %y
})",
                        options());
  checkAgainstReference(R"(graph @g(%a: f32[70,600], %b: f32[45,600]) {
  %y = matmul(%a, %b) {transpose_b = 1} : f32[70,45]  #k0
  return %y
})",
                        options());
}

TEST(Contraction, RowBlocksSplitEvenly) {
  // Rows spread evenly over row blocks of at most 32 x MR rows (384 with
  // AVX-512): 385 and 1000 rows give 2 and 3 blocks whose sizes are
  // multiples of MR but for the last. One column block (20 columns) makes
  // the rows split in two for a second step, even at 13 rows. 200 columns
  // are 2 column blocks; 800 (> 8 panels: 4 blocks, not an odd 3) come with
  // K = 300 over three K blocks.
  for (auto [in, out] : {std::pair{40, 20}, {64, 200}, {300, 800}}) {
    SCOPED_TRACE(std::to_string(in) + "x" + std::to_string(out));
    checkAgainstReference(denseGraph(in, out, /*bias=*/true), options({13, 385, 1000}));
  }
}

TEST(Contraction, Conv2DStridePadsBias) {
  checkConv(R"(graph @g(%x: f32[N,3,11,13], %w: f32[8,3,3,3], %b: f32[8]) {
  %y = conv2d(%x, %w, %b) {pads = [1,0,2,1], strides = [2,2]} : f32[N,8,6,6]  #k0
  return %y
})",
            options({1, 3}), /*direct=*/false);
}

TEST(Contraction, Conv2DDilation) {
  checkConv(R"(graph @g(%x: f32[1,4,20,37], %w: f32[6,4,3,3]) {
  %y = conv2d(%x, %w) {dilations = [2,2], pads = [2,2,2,2]} : f32[1,6,20,37]  #k0
  return %y
})",
            options());
}

TEST(Contraction, Conv2DGroupsAndDepthwise) {
  checkConv(R"(graph @g(%x: f32[2,4,9,9], %w: f32[6,2,3,3], %b: f32[6]) {
  %y = conv2d(%x, %w, %b) {groups = 2, pads = [1,1,1,1]} : f32[2,6,9,9]  #k0
  return %y
})",
            options());
  checkConv(R"(graph @g(%x: f32[N,8,16,16], %w: f32[8,1,3,3], %b: f32[8]) {
  %y = conv2d(%x, %w, %b) {groups = 8, pads = [1,1,1,1]} : f32[N,8,16,16]  #k0
  return %y
})",
            options({1, 2}));
}

TEST(Contraction, Conv2DPointwiseAndDeep) {
  checkConv(R"(graph @g(%x: f32[N,16,7,7], %w: f32[24,16,1,1], %b: f32[24]) {
  %y = conv2d(%x, %w, %b) : f32[N,24,7,7]  #k0
  return %y
})",
            options({1, 7}));
  // K = 32*3*3 = 288 > KC; 40 output channels; 20 wide rows, stride 1.
  checkConv(R"(graph @g(%x: f32[1,32,20,20], %w: f32[40,32,3,3], %b: f32[40]) {
  %y = conv2d(%x, %w, %b) {pads = [1,1,1,1]} : f32[1,40,20,20]  #k0
  return %y
})",
            options());
}

TEST(Contraction, FusedDenseAddRelu) {
  int kernels = checkFusedAgainstReference(
      R"(graph @g(%x: f32[N,45], %w: f32[45,70], %b: f32[70], %r: f32[N,70]) {
  %d = dense(%x, %w, %b) : f32[N,70]
  %s = add(%d, %r) : f32[N,70]
  %y = relu(%s) : f32[N,70]
  return %y
})",
      options({1, 7}));
  EXPECT_EQ(kernels, 1);
}

// Producers of a dense's x (cast, scale, broadcast add, flatten) are computed
// while x is packed: one kernel, from u8 pixels as the Fashion-MNIST MLP
// reads them, across several K blocks (784 > KC) and every row tile.
TEST(Contraction, DenseComputesItsXProducersWhilePacking) {
  int kernels = checkFusedAgainstReference(
      R"(graph @g(%img: u8[N,28,28], %w: f32[784,37], %b: f32[37]) {
  %c = constant() {value = dense<[0.00392156886]>} : f32[]
  %x = cast(%img) {to = "f32"} : f32[N,28,28]
  %s = mul(%x, %c) : f32[N,28,28]
  %f = flatten(%s) : f32[N,784]
  %d = dense(%f, %w, %b) : f32[N,37]
  %y = relu(%d) : f32[N,37]
  return %y
})",
      options({1, 5, 29}));
  EXPECT_EQ(kernels, 1);
}

// A panels are packed VL lanes at a time, then element by element for the
// last kc % VL. A flatten of an elementwise chain without broadcasting
// keeps whole vectors (lanes consecutive in row-major order cross the
// flattened rows); one with a broadcast operand is evaluated lane by lane.
// K = 300 is 128 + 128 + 44 (two vectors and 12 scalars of AVX-512), K = 35
// is one block of two vectors and 3 scalars.
TEST(Contraction, DenseXProducersThroughFlattenWithScalarTails) {
  const char* cases[] = {
      R"(graph @g(%img: u8[N,10,30], %w: f32[300,21]) {
  %c = constant() {value = dense<[0.5]>} : f32[]
  %x = cast(%img) {to = "f32"} : f32[N,10,30]
  %s = mul(%x, %c) : f32[N,10,30]
  %f = flatten(%s) : f32[N,300]
  %d = dense(%f, %w) : f32[N,21]
  return %d
})",
      R"(graph @g(%x: f32[N,5,7], %shift: f32[7], %w: f32[35,18], %b: f32[18]) {
  %a = add(%x, %shift) : f32[N,5,7]
  %f = flatten(%a) : f32[N,35]
  %d = dense(%f, %w, %b) : f32[N,18]
  return %d
})",
      R"(graph @g(%x: f32[N,4,2,40], %w: f32[320,9]) {
  %t = relu(%x) : f32[N,4,2,40]
  %r = reshape(%t) {shape = [-1, 320]} : f32[N,320]
  %d = dense(%r, %w) : f32[N,9]
  return %d
})",
      // A producer whose last dim is 1: the lanes still run through its
      // row-major order, not along that dim (dlc-fuzz seed 6790 read every
      // lane from the first element).
      R"(graph @g(%x: f32[N,32,1], %w: f32[32,21], %b: f32[21]) {
  %a = abs(%x) : f32[N,32,1]
  %r = reshape(%a) {shape = [-1, 32]} : f32[N,32]
  %d = dense(%r, %w, %b) : f32[N,21]
  return %d
})",
  };
  for (const char* text : cases) {
    SCOPED_TRACE(text);
    EXPECT_EQ(checkFusedAgainstReference(text, options({1, 5, 29})), 1);
  }
}

// Constant dense weights are stored in the GEMM's panel layout at build
// time (gemm/PrepackedWeights.h) and read in place: K = 150 is a full K
// block and one of 22 rows; 64 columns are 2 panels of AVX-512 and 4 of
// AVX2. Batches cover the 12-, 4- and 1-row tiles and the small-row steps
// that read unpacked weights in place. A constant that something else also
// reads, or whose columns are not whole panels, stays as it is.
TEST(Contraction, DenseReadsPrepackedConstantWeights) {
  const std::string graph = "graph @g(%x: f32[N,150]) {\n" + constantLine("w", 150, 64, 3) +
                            constantLine("b", 0, 64, 5) +
                            "  %d = dense(%x, %w, %b) : f32[N,64]\n"
                            "  %y = relu(%d) : f32[N,64]\n"
                            "  return %y\n}\n";
  for (const char* cpu : {"native", "x86-64-v3"}) {
    SCOPED_TRACE(cpu);
    CheckOptions o = options({1, 3, 5, 29});
    o.cpu = cpu;
    o.prepackedConstants = 1;
    EXPECT_EQ(checkFusedAgainstReference(graph, o), 1);
  }
  // Also read by an add: stored as it is.
  const std::string shared = "graph @g(%x: f32[N,150], %z: f32[150,64]) {\n" +
                             constantLine("w", 150, 64, 3) +
                             "  %d = dense(%x, %w) : f32[N,64]\n"
                             "  %s = add(%z, %w) : f32[150,64]\n"
                             "  return %d, %s\n}\n";
  CheckOptions o = options({1, 7});
  o.prepackedConstants = 0;
  checkFusedAgainstReference(shared, o);
  // 40 columns: not whole panels.
  const std::string narrow = "graph @g(%x: f32[N,150]) {\n" + constantLine("w", 150, 40, 3) +
                             "  %d = dense(%x, %w) : f32[N,40]\n  return %d\n}\n";
  o.prepackedConstants = 0;
  checkFusedAgainstReference(narrow, o);
}

// A fused producer that is also a model output is still stored (by the
// kernel's separate output loop nest), and one broadcast along x's rows
// (a per-feature shift) reads its operand at the packed column.
TEST(Contraction, DenseXProducerThatIsAlsoAnOutput) {
  int kernels = checkFusedAgainstReference(
      R"(graph @g(%x: f32[N,3,45], %shift: f32[45], %w: f32[45,20]) {
  %a = sub(%x, %shift) : f32[N,3,45]
  %r = relu(%a) : f32[N,3,45]
  %d = dense(%r, %w) : f32[N,3,20]
  return %d, %r
})",
      options({1, 7}));
  EXPECT_EQ(kernels, 1);
}

TEST(Contraction, FusedConvResidual) {
  int kernels = checkFusedAgainstReference(
      R"(graph @g(%x: f32[N,6,10,10], %w: f32[6,6,3,3], %b: f32[6]) {
  %c = conv2d(%x, %w, %b) {pads = [1,1,1,1]} : f32[N,6,10,10]
  %s = add(%c, %x) : f32[N,6,10,10]
  %y = relu(%s) : f32[N,6,10,10]
  return %y
})",
      options({1, 3}));
  EXPECT_EQ(kernels, 1);
}

// Output widths 14 and 28 (no multiple of 16 or 8 lanes): vectors of B
// cross output rows (gathers) or stay in one (masked row loads with the
// padding masked off), as in examples/cnn.json.
TEST(Contraction, Conv2DRowCrossingColumns) {
  checkConv(R"(graph @g(%x: f32[N,8,14,14], %w: f32[16,8,3,3], %b: f32[16]) {
  %y = conv2d(%x, %w, %b) {pads = [1,1,1,1]} : f32[N,16,14,14]  #k0
  return %y
})",
            options({1, 5}));
  checkConv(R"(graph @g(%x: f32[N,1,28,28], %w: f32[8,1,3,3], %b: f32[8]) {
  %y = conv2d(%x, %w, %b) {pads = [1,1,1,1]} : f32[N,8,28,28]  #k0
  %r = relu(%y) : f32[N,8,28,28]  #k0
  return %r
})",
            options({1, 3}));
  // Dilation and asymmetric padding on the row-load path; 3 columns (fewer
  // than the lanes) on the gather path.
  checkConv(R"(graph @g(%x: f32[2,3,30,40], %w: f32[5,3,3,5]) {
  %y = conv2d(%x, %w) {dilations = [2,3], pads = [0,4,3,1]} : f32[2,5,29,33]  #k0
  return %y
})",
            options());
  checkConv(R"(graph @g(%x: f32[N,4,3,3], %w: f32[7,4,2,2]) {
  %y = conv2d(%x, %w) {pads = [1,1,1,1]} : f32[N,7,4,4]  #k0
  return %y
})",
            options({1, 6}));
}

TEST(Contraction, Conv2DF16Input) {
  CheckOptions o = options({1, 3});
  o.rtol = 4e-3;
  o.atol = 4e-3;
  checkConv(R"(graph @g(%x: f16[N,4,9,21], %w: f16[6,4,3,3], %b: f16[6]) {
  %y = conv2d(%x, %w, %b) {pads = [1,1,1,1]} : f16[N,6,9,21]  #k0
  return %y
})",
            o);
}

// Which conv epilogues may be emitted along the flattened output plane.
bool linearPlane(const std::string& irText) {
  StatusOr<std::unique_ptr<ir::Graph>> graph = ir::parseGraph(irText, "<test>");
  EXPECT_TRUE(graph.ok()) << graph.status().message();
  if (!graph.ok()) return false;
  StatusOr<ir::KernelPlan> plan = ir::buildKernelPlan(**graph);
  EXPECT_TRUE(plan.ok()) << plan.status().message();
  if (!plan.ok()) return false;
  const ir::Kernel& k = plan->kernels.at(0);
  return epilogueLinearInTrailingDims(k, *k.root, 2);
}

// A conv epilogue reading operands that broadcast along only one of the
// output plane's dims, or ending in a transpose, is emitted row by row;
// full-plane and per-channel operands and a flatten keep the plane linear.
// Each graph also runs against the reference.
TEST(Contraction, Conv2DEpiloguePlaneLinearity) {
  const std::string head = R"(graph @g(%x: f32[N,3,10,14], %w: f32[6,3,3,3], %full: f32[N,6,10,14],
                                       %chan: f32[6,1,1], %col: f32[1,6,1,14], %row: f32[6,10,1]) {
  %c = conv2d(%x, %w) {pads = [1,1,1,1]} : f32[N,6,10,14]  #k0
)";
  struct Case {
    std::string body;
    bool linear;
  };
  const Case cases[] = {
      {"  %a = add(%c, %full) : f32[N,6,10,14]  #k0\n"
       "  %y = mul(%a, %chan) : f32[N,6,10,14]  #k0\n  return %y\n}\n",
       true},
      {"  %y = add(%c, %col) : f32[N,6,10,14]  #k0\n  return %y\n}\n", false},
      {"  %y = sub(%c, %row) : f32[N,6,10,14]  #k0\n  return %y\n}\n", false},
      {"  %r = relu(%c) : f32[N,6,10,14]  #k0\n"
       "  %y = flatten(%r) {axis = 1} : f32[N,840]  #k0\n  return %y\n}\n",
       true},
      {"  %y = transpose(%c) {perm = [0,1,3,2]} : f32[N,6,14,10]  #k0\n  return %y\n}\n",
       false},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.body);
    EXPECT_EQ(linearPlane(head + c.body), c.linear);
    checkConv(head + c.body, options({1, 3}));
  }
  // A conv with a single output column never takes the flattened path.
  EXPECT_FALSE(linearPlane(R"(graph @g(%x: f32[1,2,5,1], %w: f32[3,2,3,1]) {
  %y = conv2d(%x, %w) {pads = [1,0,1,0]} : f32[1,3,5,1]  #k0
  return %y
}
)"));
}

TEST(Contraction, HandFusedMatMulEpilogueWithTwoOutputs) {
  // Kernel annotations by hand: the matmul result and relu(matmul * 2) are
  // both outputs of one kernel.
  checkAgainstReference(R"(graph @g(%a: f32[N,19,23], %b: f32[23,29], %two: f32[29]) {
  %m = matmul(%a, %b) : f32[N,19,29]  #k0
  %s = mul(%m, %two) : f32[N,19,29]  #k0
  %y = relu(%s) : f32[N,19,29]  #k0
  return %m, %y
})",
                        options({1, 7}));
}

}  // namespace
}  // namespace dlc::cpu::test
