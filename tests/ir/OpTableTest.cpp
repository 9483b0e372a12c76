// The op table's dtype traits (ir/Ops.def): which ops are comparisons and
// which operand dtypes every elementwise op takes, and that shape inference
// enforces exactly those classes.
#include "IrTestUtil.h"

namespace dlc::ir {
namespace {

using namespace testing;

TEST(OpTable, ComparisonsAreExactlyTheSixComparisonOps) {
  int count = 0;
  for (int k = 0; k < numOpKinds(); ++k) {
    OpKind op = OpKind(k);
    if (!isComparison(op)) continue;
    ++count;
    EXPECT_TRUE(isElementwise(op)) << opName(op);
    EXPECT_EQ(elementDTypeClass(op), DTypeClass::Any) << opName(op);
  }
  EXPECT_EQ(count, 6);
  for (OpKind op : {OpKind::Equal, OpKind::NotEqual, OpKind::Less, OpKind::LessEqual,
                    OpKind::Greater, OpKind::GreaterEqual})
    EXPECT_TRUE(isComparison(op)) << opName(op);
  EXPECT_FALSE(isComparison(OpKind::Maximum));
}

TEST(OpTable, ElementDTypeClasses) {
  for (OpKind op : {OpKind::Neg, OpKind::Abs, OpKind::Add, OpKind::Sub, OpKind::Mul, OpKind::Div,
                    OpKind::Maximum, OpKind::Minimum})
    EXPECT_EQ(elementDTypeClass(op), DTypeClass::Numeric) << opName(op);
  for (OpKind op : {OpKind::Not, OpKind::And, OpKind::Or})
    EXPECT_EQ(elementDTypeClass(op), DTypeClass::Bool) << opName(op);
  for (OpKind op : {OpKind::Cast, OpKind::Select})
    EXPECT_EQ(elementDTypeClass(op), DTypeClass::Any) << opName(op);
  for (OpKind op : {OpKind::Exp, OpKind::Log, OpKind::Sqrt, OpKind::Rsqrt, OpKind::Reciprocal,
                    OpKind::Tanh, OpKind::Sigmoid, OpKind::Relu, OpKind::LeakyRelu, OpKind::Gelu,
                    OpKind::Erf, OpKind::Floor, OpKind::Ceil, OpKind::Pow, OpKind::BatchNorm})
    EXPECT_EQ(elementDTypeClass(op), DTypeClass::Float) << opName(op);
}

// Shape inference accepts an elementwise op on i32 exactly when its class
// allows integers, and on bool exactly when it allows bool.
TEST(OpTable, ShapeInferenceFollowsTheClasses) {
  for (int k = 0; k < numOpKinds(); ++k) {
    OpKind op = OpKind(k);
    if (!isElementwise(op) || op == OpKind::Select || op == OpKind::BatchNorm ||
        op == OpKind::Cast)
      continue;
    DTypeClass cls = elementDTypeClass(op);
    int arity = opInfo(op).minInputs;
    for (DType dtype : {DType::F32, DType::I32, DType::Bool}) {
      OpBuilder b;
      std::vector<TensorType> operands(size_t(arity), TensorType{dtype, Shape({N, 3})});
      StatusOr<TensorType> t = b.infer(op, operands);
      bool expected = cls == DTypeClass::Any ||
                      (cls == DTypeClass::Float && dtype == DType::F32) ||
                      (cls == DTypeClass::Numeric && dtype != DType::Bool) ||
                      (cls == DTypeClass::Bool && dtype == DType::Bool);
      EXPECT_EQ(t.ok(), expected) << opName(op) << " on " << dtypeName(dtype);
      if (t.ok()) {
        EXPECT_EQ(t->dtype, isComparison(op) ? DType::Bool : dtype) << opName(op);
      }
    }
  }
}

// The attribute column: the names each op takes, as the JSON frontend
// enforces them.
TEST(OpTable, AttributeNames) {
  EXPECT_EQ(opAttributeNames(OpKind::Slice),
            (std::vector<std::string>{"starts", "ends", "axes", "steps"}));
  EXPECT_EQ(opAttributeNames(OpKind::Conv2D),
            (std::vector<std::string>{"strides", "pads", "dilations", "groups"}));
  EXPECT_TRUE(opAttributeNames(OpKind::Relu).empty());
  EXPECT_TRUE(opTakesAttribute(OpKind::Transpose, "perm"));
  EXPECT_FALSE(opTakesAttribute(OpKind::Transpose, "per"));
  EXPECT_FALSE(opTakesAttribute(OpKind::Transpose, "perm "));
  EXPECT_FALSE(opTakesAttribute(OpKind::Relu, ""));
  for (int k = 0; k < numOpKinds(); ++k)
    for (const std::string& name : opAttributeNames(OpKind(k))) {
      EXPECT_FALSE(name.empty()) << opName(OpKind(k));
      EXPECT_TRUE(opTakesAttribute(OpKind(k), name)) << opName(OpKind(k)) << " " << name;
    }
}

}  // namespace
}  // namespace dlc::ir
