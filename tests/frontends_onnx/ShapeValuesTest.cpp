// Shape values: the import-time arithmetic of ONNX shape subgraphs.
#include <gtest/gtest.h>

#include "frontends/onnx/ShapeValues.h"

namespace dlc::onnxfe {
namespace {

constexpr int64_t N = kSymbolicN;

ShapeValue vec(std::vector<int64_t> e) { return ShapeValue{ir::DType::I64, false, std::move(e)}; }
ShapeValue scalar(int64_t e) { return ShapeValue{ir::DType::I64, true, {e}}; }

TEST(ShapeValues, ShapeOfWithStartAndEnd) {
  ir::Shape s({ir::kBatch, 3, 4, 5});
  EXPECT_EQ(shapeOf(s, 0, 0, false).str(), "[N,3,4,5]");
  EXPECT_EQ(shapeOf(s, 1, -1, true).str(), "[3,4]");
  EXPECT_EQ(shapeOf(s, -2, 10, true).str(), "[4,5]");
  EXPECT_EQ(shapeOf(s, 3, 1, true).entries.size(), 0u);
}

TEST(ShapeValues, Gather) {
  auto g = gatherShape(vec({N, 3, 4}), scalar(0));
  ASSERT_TRUE(g.ok());
  EXPECT_TRUE(g->scalar);
  EXPECT_EQ(g->str(), "N");
  auto g2 = gatherShape(vec({N, 3, 4}), vec({-1, 1}));
  ASSERT_TRUE(g2.ok());
  EXPECT_EQ(g2->str(), "[4,3]");
  auto bad = gatherShape(vec({N, 3}), scalar(2));
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().message(), "Gather index 2 is out of range for 2 entries");
}

TEST(ShapeValues, ConcatUnsqueezeSqueeze) {
  auto u = unsqueezeShape(scalar(N), {0});
  ASSERT_TRUE(u.ok());
  auto c = concatShapes({*u, vec({-1}), vec({7, 8})});
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->entries, (std::vector<int64_t>{N, -1, 7, 8}));  // a literal -1 stays -1
  auto s = squeezeShape(vec({5}), {});
  ASSERT_TRUE(s.ok());
  EXPECT_TRUE(s->scalar);
  EXPECT_EQ(unsqueezeShape(vec({1, 2}), {0}).status().code(), StatusCode::kUnsupported);
}

TEST(ShapeValues, Slice) {
  auto v = vec({N, 2, 3, 4});
  EXPECT_EQ(sliceShape(v, {1}, {INT64_MAX}, {}, {})->str(), "[2,3,4]");
  EXPECT_EQ(sliceShape(v, {-1}, {INT64_MIN}, {0}, {-1})->str(), "[4,3,2,N]");
  EXPECT_EQ(sliceShape(v, {0}, {4}, {0}, {2})->str(), "[N,3]");
  EXPECT_EQ(sliceShape(v, {-3}, {-1}, {}, {})->str(), "[2,3]");
  EXPECT_FALSE(sliceShape(v, {0}, {4}, {}, {0}).ok());
}

TEST(ShapeValues, ArithmeticKeepsNOnlyForIdentities) {
  auto m = arithShape(ShapeArith::kMul, vec({N, 3}), vec({1, 4}));
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->str(), "[N,12]");
  EXPECT_EQ(arithShape(ShapeArith::kAdd, vec({N, 3}), scalar(0))->str(), "[N,3]");
  EXPECT_EQ(arithShape(ShapeArith::kDiv, vec({7, -7}), scalar(2))->str(), "[3,-3]");
  EXPECT_EQ(arithShape(ShapeArith::kDiv, vec({7}), scalar(0))->str(), "[0]");
  auto bad = arithShape(ShapeArith::kMul, vec({N}), scalar(2));
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), StatusCode::kUnsupported);
  EXPECT_FALSE(arithShape(ShapeArith::kAdd, vec({1, 2}), vec({1, 2, 3})).ok());
}

TEST(ShapeValues, FloatArithmeticMustStayIntegral) {
  ShapeValue f{ir::DType::F32, false, {6, 4}};
  ShapeValue half{ir::DType::F32, true, {2}};
  EXPECT_EQ(arithShape(ShapeArith::kDiv, f, half)->str(), "[3,2]");
  ShapeValue three{ir::DType::F32, true, {3}};
  EXPECT_EQ(arithShape(ShapeArith::kDiv, f, three).status().code(), StatusCode::kUnsupported);
}

TEST(ShapeValues, CastWrapsAndTensorsRoundTrip) {
  auto c = castShape(vec({300, -1}), ir::DType::U8);
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->entries, (std::vector<int64_t>{44, 255}));
  EXPECT_FALSE(castShape(vec({N}), ir::DType::U8).ok());
  EXPECT_TRUE(castShape(vec({N}), ir::DType::I32).ok());
  Tensor t = vec({2, 3}).toTensor();
  EXPECT_EQ(t.type().str(), "i64[2]");
  auto back = shapeValueFromTensor(t);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->entries, (std::vector<int64_t>{2, 3}));
  EXPECT_FALSE(shapeValueFromTensor(Tensor(ir::DType::I64, {2, 2})).ok());
}

}  // namespace
}  // namespace dlc::onnxfe
