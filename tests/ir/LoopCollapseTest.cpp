// ir/LoopCollapse: which loop dims merge, and the view each member gets.
#include "ir/LoopCollapse.h"

#include <gtest/gtest.h>

namespace dlc::ir {
namespace {

using Dims = std::vector<int64_t>;

struct Fixture {
  std::vector<Node> storage;
  std::vector<const Node*> nodes;
  explicit Fixture(const std::vector<Dims>& shapes) {
    storage.reserve(shapes.size());
    for (const Dims& d : shapes) {
      Node n{};
      n.op = OpKind::Input;
      n.type = {DType::F32, Shape(d)};
      storage.push_back(std::move(n));
    }
    for (const Node& n : storage) nodes.push_back(&n);
  }
};

TEST(LoopCollapse, SameShapesMergeIntoOneLoop) {
  Fixture f({{4, 8, 16}, {4, 8, 16}});
  CollapsedDims c = collapseDims({4, 8, 16}, f.nodes);
  EXPECT_EQ(c.output, Dims({512}));
  EXPECT_EQ(c.nodes[f.nodes[0]], Dims({512}));
}

TEST(LoopCollapse, TrailingBroadcastMergesItsOwnRun) {
  Fixture f({{4, 8, 16}, {16}});
  CollapsedDims c = collapseDims({4, 8, 16}, f.nodes);
  EXPECT_EQ(c.output, Dims({32, 16}));
  EXPECT_EQ(c.nodes[f.nodes[1]], Dims({1, 16}));
}

// [1,5] against [3,1,5]: dim 0 is broadcast, dim 2 read whole; the extent-1
// dim between them must not join the two (it once did, and the kernel read
// the constant as 15 elements and wrote only the first 5 outputs).
TEST(LoopCollapse, ExtentOneDimDoesNotBridgeBroadcastAndWholeDims) {
  Fixture f({{1, 5}, {3, 1, 5}});
  CollapsedDims c = collapseDims({3, 1, 5}, f.nodes);
  EXPECT_EQ(c.output, Dims({3, 5}));
  EXPECT_EQ(c.nodes[f.nodes[0]], Dims({1, 5}));
  EXPECT_EQ(c.nodes[f.nodes[1]], Dims({3, 5}));
}

TEST(LoopCollapse, ExtentOneDimsJoinWhicheverNeighbourFits) {
  Fixture f({{2, 1, 1, 7}, {2, 1, 1, 7}, {1, 1, 1, 7}});
  CollapsedDims c = collapseDims({2, 1, 1, 7}, f.nodes);
  EXPECT_EQ(c.output, Dims({2, 7}));
  EXPECT_EQ(c.nodes[f.nodes[2]], Dims({1, 7}));
}

TEST(LoopCollapse, BatchDimStaysAlone) {
  Fixture f({{kBatch, 3, 4}, {3, 4}});
  CollapsedDims c = collapseDims({kBatch, 3, 4}, f.nodes);
  EXPECT_EQ(c.output, Dims({kBatch, 12}));
  EXPECT_EQ(c.nodes[f.nodes[1]], Dims({1, 12}));
}

TEST(LoopCollapse, BroadcastInTheMiddleSplitsTheLoop) {
  Fixture f({{4, 1, 6}, {4, 5, 6}});
  CollapsedDims c = collapseDims({4, 5, 6}, f.nodes);
  EXPECT_EQ(c.output, Dims({4, 5, 6}));
  EXPECT_EQ(c.nodes[f.nodes[0]], Dims({4, 1, 6}));
}

}  // namespace
}  // namespace dlc::ir
