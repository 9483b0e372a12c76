// The direct convolution (compiler/backends/cpu/DirectConv.h): which convs
// the rule sends to it and with which tile, and its numerics against the
// reference on every tile edge: a group's last channel block holding fewer
// channels, several vectors per tile, vectors running past the row or the
// plane (lanes stored one by one), groups and depthwise convs, dilation and
// a vertical stride, padding on every side, epilogues linear in the plane
// or not, and the AVX2 and SSE tiles. Each case also runs in
// three uneven chunks (CpuTestHarness).
#include <string>

#include <gtest/gtest.h>

#include "compiler/backends/cpu/DirectConv.h"
#include "ir/Parser.h"
#include "tests/backends/cpu/CpuTestHarness.h"

namespace dlc::cpu::test {
namespace {

// The choice for the first kernel's root of `irText`.
StatusOr<DirectConvTile> choice(const std::string& irText, unsigned vectorBits,
                                ConvAlgorithm algorithm = ConvAlgorithm::kAuto) {
  StatusOr<std::unique_ptr<ir::Graph>> graph = ir::parseGraph(irText, "<test>");
  if (!graph.ok()) return graph.status();
  StatusOr<ir::KernelPlan> plan = ir::buildKernelPlan(**graph);
  if (!plan.ok()) return plan.status();
  const ir::Kernel& k = plan->kernels.at(0);
  return chooseDirectConv(k, *k.root, vectorBits, algorithm);
}

std::string convGraph(const std::string& x, const std::string& w, const std::string& attrs,
                      const std::string& y) {
  return "graph @g(%x: " + x + ", %w: " + w + ") {\n  %y = conv2d(%x, %w) {" + attrs +
         "} : " + y + "  #k0\n  return %y\n}\n";
}

TEST(DirectConv, TilesTheRuleChooses) {
  StatusOr<DirectConvTile> planeOf270 =
      choice(convGraph("f32[N,5,9,30]", "f32[4,5,1,1]", "", "f32[N,4,9,30]"), 512);
  ASSERT_TRUE(planeOf270.ok()) << planeOf270.status().toString();
  EXPECT_TRUE(planeOf270->plane);
  EXPECT_EQ(planeOf270->nv, 3u);
  // The CNN's second conv: 16 channels, 14x14 planes (196 pixels in 13
  // vectors of 16 lanes along the plane).
  const std::string cnn2 =
      convGraph("f32[N,8,14,14]", "f32[16,8,3,3]", "pads = [1,1,1,1]", "f32[N,16,14,14]");
  StatusOr<DirectConvTile> t = choice(cnn2, 512);
  ASSERT_TRUE(t.ok()) << t.status().toString();
  EXPECT_TRUE(t->plane);
  EXPECT_EQ(t->vl, 16u);
  EXPECT_EQ(t->ocBlock, 16);
  EXPECT_EQ(t->nv, 1u);
  EXPECT_EQ(t->describe(), "16 output channels x 1 vector of 16 pixels along the output plane");
  // AVX2: 12 accumulators, so two blocks of 8 channels of 8-lane vectors.
  t = choice(cnn2, 256);
  ASSERT_TRUE(t.ok()) << t.status().toString();
  EXPECT_EQ(t->vl, 8u);
  EXPECT_EQ(t->ocBlock, 8);
  // A pointwise conv has one tap: several vectors per tile (rows of 32 are
  // whole vectors, so along rows).
  t = choice(convGraph("f32[N,16,8,32]", "f32[6,16,1,1]", "", "f32[N,6,8,32]"), 512);
  ASSERT_TRUE(t.ok()) << t.status().toString();
  EXPECT_FALSE(t->plane);
  EXPECT_EQ(t->ocBlock, 6);
  EXPECT_EQ(t->nv, 2u);
  // 512 channels: 22 blocks of at most 24 (the last holds 8); a 7x7 plane
  // fills 49 of 64 lanes, enough.
  t = choice(convGraph("f32[1,512,7,7]", "f32[512,512,3,3]", "pads = [1,1,1,1]",
                       "f32[1,512,7,7]"),
             512);
  ASSERT_TRUE(t.ok()) << t.status().toString();
  EXPECT_EQ(t->ocBlock, 24);
  EXPECT_TRUE(t->plane);
}

TEST(DirectConv, RefusalsSayWhy) {
  auto refusal = [](const StatusOr<DirectConvTile>& t) {
    EXPECT_FALSE(t.ok());
    return t.ok() ? std::string() : t.status().message();
  };
  const std::string strided = convGraph("f32[1,3,16,16]", "f32[4,3,3,3]",
                                        "pads = [1,1,1,1], strides = [2,2]", "f32[1,4,8,8]");
  EXPECT_NE(refusal(choice(strided, 512)).find("stride 2 along the width"), std::string::npos);
  EXPECT_NE(refusal(choice(strided, 512, ConvAlgorithm::kDirect)).find("stride 2"),
            std::string::npos);
  const std::string wide =
      convGraph("f32[1,48,16,16]", "f32[48,48,3,3]", "pads = [1,1,1,1]", "f32[1,48,16,16]");
  EXPECT_TRUE(choice(wide, 512).ok());
  EXPECT_NE(refusal(choice(wide, 256)).find("without AVX-512"), std::string::npos);
  EXPECT_TRUE(choice(wide, 256, ConvAlgorithm::kDirect).ok());
  EXPECT_NE(refusal(choice(wide, 512, ConvAlgorithm::kIm2col)).find("im2col"),
            std::string::npos);
  // Rows of 5 pixels (valid conv: no plane) fill 5 of 16 lanes.
  const std::string narrow = convGraph("f32[1,2,9,7]", "f32[3,2,3,3]", "", "f32[1,3,7,5]");
  EXPECT_NE(refusal(choice(narrow, 512)).find("5 pixels per row fill less than 3/4 of 16 lanes"),
            std::string::npos);
  EXPECT_TRUE(choice(narrow, 512, ConvAlgorithm::kDirect).ok());
  const std::string big =
      convGraph("f32[1,2,20,20]", "f32[3,2,9,9]", "pads = [4,4,4,4]", "f32[1,3,20,20]");
  EXPECT_NE(refusal(choice(big, 512, ConvAlgorithm::kDirect)).find("more than 64 taps"),
            std::string::npos);
}

CheckOptions direct(std::vector<int64_t> batches = {1, 5}, const std::string& cpu = "native") {
  CheckOptions o;
  o.batches = std::move(batches);
  o.range = {-1.0, 1.0};
  o.rtol = 1e-4;
  o.atol = 1e-4;
  o.conv = ConvAlgorithm::kDirect;
  o.notesContain = "direct conv";
  o.cpu = cpu;
  return o;
}

// 50 channels: blocks of 17, 17 and 16 with AVX-512 (the last block's own
// tile code); with AVX2 blocks of 10.
TEST(DirectConv, LastChannelBlockHoldsFewer) {
  const std::string g = R"(graph @g(%x: f32[N,3,10,12], %w: f32[50,3,3,3], %b: f32[50]) {
  %y = conv2d(%x, %w, %b) {pads = [1,1,1,1]} : f32[N,50,10,12]  #k0
  return %y
})";
  for (const char* cpu : {"native", "x86-64-v3", "generic"}) {
    SCOPED_TRACE(cpu);
    checkAgainstReference(g, direct({1, 4}, cpu));
  }
}

// Several vectors per tile, a last tile with vectors past the plane, and
// planes of fewer pixels than lanes (lanes only).
TEST(DirectConv, VectorsPastThePlane) {
  for (const char* cpu : {"native", "x86-64-v3", "generic"}) {
    SCOPED_TRACE(cpu);
    // 270 pixels: 17 vectors of 16 lanes in tiles of 3 (the last tile's
    // last vector lies past the plane), 34 of 8 or 68 of 4 lanes likewise.
    checkAgainstReference(R"(graph @g(%x: f32[N,5,9,30], %w: f32[4,5,1,1], %b: f32[4]) {
  %y = conv2d(%x, %w, %b) : f32[N,4,9,30]  #k0
  %r = relu(%y) : f32[N,4,9,30]  #k0
  return %r
})",
                          direct({1, 3}, cpu));
    checkAgainstReference(R"(graph @g(%x: f32[N,2,3,3], %w: f32[3,2,3,3]) {
  %y = conv2d(%x, %w) {pads = [1,1,1,1]} : f32[N,3,3,3]  #k0
  return %y
})",
                          direct({1, 3}, cpu));
  }
}

// Rows (no plane: a vertical stride, dilation, a valid conv, or an epilogue
// not linear in the plane): vectors past the row's end go lane by lane.
TEST(DirectConv, RowsStridesDilationPadding) {
  checkAgainstReference(R"(graph @g(%x: f32[N,3,21,37], %w: f32[5,3,3,5]) {
  %y = conv2d(%x, %w) {dilations = [2,3], pads = [0,4,3,1], strides = [2,1]} : f32[N,5,10,30]  #k0
  return %y
})",
                        direct({1, 2}));
  checkAgainstReference(R"(graph @g(%x: f32[N,4,9,7], %w: f32[6,4,3,3], %b: f32[6]) {
  %y = conv2d(%x, %w, %b) : f32[N,6,7,5]  #k0
  return %y
})",
                        direct({1, 3}, "x86-64-v3"));
  checkAgainstReference(R"(graph @g(%x: f32[N,3,10,14], %w: f32[6,3,3,3], %col: f32[1,6,1,14]) {
  %c = conv2d(%x, %w) {pads = [1,1,1,1]} : f32[N,6,10,14]  #k0
  %y = add(%c, %col) : f32[N,6,10,14]  #k0
  %t = transpose(%y) {perm = [0,1,3,2]} : f32[N,6,14,10]  #k0
  return %t
})",
                        direct({1, 3}));
}

TEST(DirectConv, GroupsAndDepthwise) {
  checkAgainstReference(R"(graph @g(%x: f32[N,6,9,20], %w: f32[30,2,3,3], %b: f32[30]) {
  %y = conv2d(%x, %w, %b) {groups = 3, pads = [1,1,1,1]} : f32[N,30,9,20]  #k0
  return %y
})",
                        direct({1, 3}, "x86-64-v3"));
  for (const char* cpu : {"native", "generic"}) {
    SCOPED_TRACE(cpu);
    checkAgainstReference(R"(graph @g(%x: f32[N,8,16,16], %w: f32[8,1,3,3], %b: f32[8]) {
  %y = conv2d(%x, %w, %b) {groups = 8, pads = [1,1,1,1]} : f32[N,8,16,16]  #k0
  %r = relu(%y) : f32[N,8,16,16]  #k0
  return %r
})",
                          direct({1, 2}, cpu));
  }
}

// The plane epilogue reading the conv's own input (a residual) and a
// per-channel scale (f16 inputs: ContractionTest's Conv2DF16Input).
TEST(DirectConv, ResidualEpilogue) {
  checkAgainstReference(R"(graph @g(%x: f32[N,6,10,10], %w: f32[6,6,3,3], %b: f32[6], %s: f32[6,1,1]) {
  %c = conv2d(%x, %w, %b) {pads = [1,1,1,1]} : f32[N,6,10,10]  #k0
  %a = add(%c, %x) : f32[N,6,10,10]  #k0
  %m = mul(%a, %s) : f32[N,6,10,10]  #k0
  return %m
})",
                        direct({1, 3}));
}

}  // namespace
}  // namespace dlc::cpu::test
