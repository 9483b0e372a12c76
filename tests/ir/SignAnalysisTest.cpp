// ir/SignAnalysis: which values are known to be >= 0 or <= 0, and which not.
#include "ir/SignAnalysis.h"

#include <cmath>

#include "IrTestUtil.h"
#include "ir/ShapeInference.h"

namespace dlc::ir {
namespace {

using namespace testing;

class SignAnalysis : public ::testing::Test {
 protected:
  Graph g;
  Node* x = g.addInput("x", f32({N, 8}));
  Node* constant(std::vector<float> values) {
    Tensor t(DType::F32, {int64_t(values.size())});
    for (size_t i = 0; i < values.size(); ++i) t.as<float>()[i] = values[i];
    return g.addConstant("c" + std::to_string(g.nodes().size()), std::move(t));
  }
  Node* node(OpKind op, std::vector<Node*> inputs) {
    Node* n = g.addNode(op, std::string(opName(op)) + std::to_string(g.nodes().size()), inputs);
    EXPECT_TRUE(inferNodeType(*n).ok()) << n->name;
    return n;
  }
};

TEST_F(SignAnalysis, ElementwiseChainsExpArgumentIsNonPositive) {
  // elementwise_chain.json: exp(max(v - 0.25, 0) * -0.5).
  Node* clamped = node(OpKind::Maximum, {node(OpKind::Sub, {x, constant({0.25f})}), constant({0})});
  EXPECT_EQ(knownSign(*clamped), Sign::kNonNegative);
  Node* damped = node(OpKind::Mul, {clamped, constant({-0.5f})});
  EXPECT_EQ(knownSign(*damped), Sign::kNonPositive);
  EXPECT_EQ(knownSign(*node(OpKind::Exp, {damped})), Sign::kNonNegative);
}

TEST_F(SignAnalysis, UnknownInputsAndMixedConstantsStayUnknown) {
  EXPECT_EQ(knownSign(*x), Sign::kUnknown);
  EXPECT_EQ(knownSign(*constant({1, -1})), Sign::kUnknown);
  EXPECT_EQ(knownSign(*node(OpKind::Mul, {x, constant({-2})})), Sign::kUnknown);
  // A sum of opposite signs, and a division (a zero's sign flips it).
  Node* pos = node(OpKind::Relu, {x});
  Node* neg = node(OpKind::Neg, {pos});
  EXPECT_EQ(knownSign(*neg), Sign::kNonPositive);
  EXPECT_EQ(knownSign(*node(OpKind::Add, {pos, neg})), Sign::kUnknown);
  EXPECT_EQ(knownSign(*node(OpKind::Div, {neg, pos})), Sign::kUnknown);
  // max with an unknown operand is only known when the other is >= 0.
  EXPECT_EQ(knownSign(*node(OpKind::Maximum, {x, neg})), Sign::kUnknown);
  EXPECT_EQ(knownSign(*node(OpKind::Minimum, {x, neg})), Sign::kNonPositive);
}

TEST_F(SignAnalysis, SquaresSumsDifferencesAndRemapsKeepSigns) {
  Node* sq = node(OpKind::Mul, {x, x});
  EXPECT_EQ(knownSign(*sq), Sign::kNonNegative);
  Node* e = node(OpKind::Exp, {x});
  EXPECT_EQ(knownSign(*node(OpKind::Add, {sq, e})), Sign::kNonNegative);
  EXPECT_EQ(knownSign(*node(OpKind::Sub, {node(OpKind::Neg, {e}), sq})), Sign::kNonPositive);
  Node* t = g.addNode(OpKind::Transpose, "t", {sq});
  ASSERT_TRUE(inferNodeType(*t).ok());
  EXPECT_EQ(knownSign(*t), Sign::kNonNegative);
  // NaN constants do not decide a sign; zeros fit both.
  EXPECT_EQ(knownSign(*constant({0, NAN, 3})), Sign::kNonNegative);
  EXPECT_EQ(knownSign(*constant({-0.0f, -1})), Sign::kNonPositive);
}

TEST_F(SignAnalysis, DepthLimitGivesUp) {
  Node* v = node(OpKind::Relu, {x});
  for (int i = 0; i < 20; ++i) v = node(OpKind::Neg, {node(OpKind::Neg, {v})});
  EXPECT_EQ(knownSign(*v), Sign::kUnknown);
  EXPECT_EQ(knownSign(*v, /*depth=*/100), Sign::kNonNegative);
}

}  // namespace
}  // namespace dlc::ir
