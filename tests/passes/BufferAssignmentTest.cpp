// Buffer assignment tests: liveness-based slot reuse, 64-byte rounding of
// affine sizes, and that no two simultaneously live temporaries share a slot.
#include <gtest/gtest.h>

#include "passes/BufferAssignment.h"
#include "tests/passes/FusionTestUtil.h"

namespace dlc::passes::testing {
namespace {

using ir::OpKind;

constexpr int64_t N = ir::kBatch;

// Every pair of buffers in one slot has disjoint live ranges, and every slot
// holds each of its buffers.
void expectNoLiveSharing(const BufferAssignment& a) {
  for (size_t i = 0; i < a.buffers.size(); ++i) {
    const TempBuffer& x = a.buffers[i];
    ASSERT_GE(x.slot, 0);
    ASSERT_LT(size_t(x.slot), a.slots.size());
    EXPECT_GE(a.slots[size_t(x.slot)].bytes.fixed, x.bytes.fixed);
    EXPECT_GE(a.slots[size_t(x.slot)].bytes.perBatch, x.bytes.perBatch);
    for (size_t j = i + 1; j < a.buffers.size(); ++j) {
      const TempBuffer& y = a.buffers[j];
      if (x.slot != y.slot) continue;
      EXPECT_TRUE(x.lastKernel < y.firstKernel || y.lastKernel < x.firstKernel)
          << x.value->name << " [" << x.firstKernel << "," << x.lastKernel << "] and "
          << y.value->name << " [" << y.firstKernel << "," << y.lastKernel << "] share slot "
          << x.slot;
    }
  }
}

TEST(BufferAssignmentTest, SizesAreAffineAndRoundedTo64Bytes) {
  EXPECT_EQ(bufferBytes(f32({N, 10})), (Affine{0, 64}));
  EXPECT_EQ(bufferBytes(f32({N, 16})), (Affine{0, 64}));
  EXPECT_EQ(bufferBytes(f32({N, 17})), (Affine{0, 128}));
  EXPECT_EQ(bufferBytes(f32({3, 5})), (Affine{64, 0}));
  EXPECT_EQ(bufferBytes(f32({})), (Affine{64, 0}));
  EXPECT_EQ(bufferBytes({ir::DType::U8, ir::Shape({N, 784})}), (Affine{0, 832}));
  EXPECT_EQ((Affine{64, 128}).at(3), 448);
}

TEST(BufferAssignmentTest, UnfusedChainReusesTwoSlots) {
  ir::Graph g;
  ir::Node* v = g.addInput("x", f32({N, 32}));
  for (int i = 0; i < 8; ++i) v = add(g, OpKind::Neg, strCat("n", i), {v});
  g.setOutputs({v});
  Fused f = fuse(g, /*enabled=*/false);
  auto a = assignBuffers(g, f.plan);
  ASSERT_TRUE(a.ok()) << a.status().toString();
  EXPECT_EQ(a->buffers.size(), 7u);  // the last value is a graph output
  EXPECT_EQ(a->slots.size(), 2u);    // ping-pong
  EXPECT_EQ(a->noReuseBytes, (Affine{0, 7 * 128}));
  EXPECT_EQ(a->peakBytes, (Affine{0, 2 * 128}));
  EXPECT_LT(a->peakBytes.at(1), a->noReuseBytes.at(1));
  EXPECT_EQ(a->slotOf(g.find("n7")), -1);
  EXPECT_EQ(a->slotOf(g.find("x")), -1);
  EXPECT_EQ(a->slotOf(g.find("n0")), a->slotOf(g.find("n2")));
  EXPECT_NE(a->slotOf(g.find("n0")), a->slotOf(g.find("n1")));
  expectNoLiveSharing(*a);
}

TEST(BufferAssignmentTest, LongLivedValueKeepsItsSlot) {
  // x -> a -> b -> c -> d, and out = add(d, a): a lives until the end.
  ir::Graph g;
  ir::Node* x = g.addInput("x", f32({N, 8}));
  ir::Node* a = add(g, OpKind::Neg, "a", {x});
  ir::Node* b = add(g, OpKind::Exp, "b", {a});
  ir::Node* c = add(g, OpKind::Abs, "c", {b});
  ir::Node* d = add(g, OpKind::Relu, "d", {c});
  g.setOutputs({add(g, OpKind::Add, "out", {d, a})});
  Fused f = fuse(g, /*enabled=*/false);
  auto as = assignBuffers(g, f.plan);
  ASSERT_TRUE(as.ok()) << as.status().toString();
  EXPECT_EQ(as->slots.size(), 3u);
  int slotA = as->slotOf(a);
  for (const ir::Node* n : {b, c, d}) EXPECT_NE(as->slotOf(n), slotA) << n->name;
  expectNoLiveSharing(*as);
}

TEST(BufferAssignmentTest, SlotGrowsToTheComponentWiseMax) {
  ir::Graph g;
  ir::Node* x = g.addInput("x", f32({N, 4}));
  ir::Node* w = g.addInput("w", f32({4, 64}));
  ir::Node* a = add(g, OpKind::Neg, "a", {x});               // [N,4]: 0+64N
  ir::Node* b = add(g, OpKind::Dense, "b", {a, w});          // [N,64]: 0+256N
  ir::Node* c = add(g, OpKind::ReduceSum, "c", {b});         // []: 64+0
  ir::Node* d = add(g, OpKind::Sqrt, "d", {c});              // []: 64+0
  g.setOutputs({add(g, OpKind::Neg, "out", {d})});
  Fused f = fuse(g, /*enabled=*/false);
  auto as = assignBuffers(g, f.plan);
  ASSERT_TRUE(as.ok()) << as.status().toString();
  expectNoLiveSharing(*as);
  EXPECT_EQ(as->noReuseBytes, (Affine{128, 320}));
  // a [0,1] and c [2,3] share a slot of max(0+64N, 64+0); b [1,2] and
  // d [3,4] share one of max(0+256N, 64+0).
  ASSERT_EQ(as->slotOf(a), as->slotOf(c));
  ASSERT_EQ(as->slotOf(b), as->slotOf(d));
  EXPECT_EQ(as->slots[size_t(as->slotOf(a))].bytes, (Affine{64, 64}));
  EXPECT_EQ(as->slots[size_t(as->slotOf(b))].bytes, (Affine{64, 256}));
  Affine sum;
  for (const BufferSlot& s : as->slots) {
    sum.fixed += s.bytes.fixed;
    sum.perBatch += s.bytes.perBatch;
  }
  EXPECT_EQ(sum, as->peakBytes);
}

TEST(BufferAssignmentTest, FusedMultiOutputKernelBuffersNeverShare) {
  ir::Graph g;
  ir::Node* x = g.addInput("x", f32({N, 10}));
  auto row = attrs({{"axes", std::vector<int64_t>{1}}, {"keepdims", int64_t(1)}});
  ir::Node* m = add(g, OpKind::ReduceMax, "m", {x}, row);
  ir::Node* s = add(g, OpKind::Sub, "s", {x, m});
  ir::Node* e = add(g, OpKind::Exp, "e", {s});
  ir::Node* z = add(g, OpKind::ReduceSum, "z", {e}, row);
  g.setOutputs({add(g, OpKind::Div, "y", {e, z})});
  Fused f = fuse(g);
  auto as = assignBuffers(g, f.plan);
  ASSERT_TRUE(as.ok()) << as.status().toString();
  EXPECT_EQ(as->buffers.size(), 3u);  // m, and e + z written by one kernel
  EXPECT_NE(as->slotOf(e), as->slotOf(z));
  EXPECT_NE(as->slotOf(e), as->slotOf(m));  // m is read by the kernel writing e
  expectNoLiveSharing(*as);
}

TEST(BufferAssignmentTest, ReadingAnUnwrittenValueIsAnError) {
  ir::Graph g;
  ir::Node* x = g.addInput("x", f32({4}));
  ir::Node* a = add(g, OpKind::Neg, "a", {x});
  g.setOutputs({add(g, OpKind::Abs, "b", {a})});
  Fused f = fuse(g, /*enabled=*/false);
  std::swap(f.plan.kernels[0], f.plan.kernels[1]);
  auto as = assignBuffers(g, f.plan);
  ASSERT_FALSE(as.ok());
  EXPECT_NE(as.status().message().find("reads \"a\" before any kernel writes it"),
            std::string::npos)
      << as.status().toString();
}

}  // namespace
}  // namespace dlc::passes::testing
