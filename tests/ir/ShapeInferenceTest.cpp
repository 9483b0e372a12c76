// Shape inference: arity, dtype rules, elementwise ops, NumPy broadcasting
// (size-1, empty, batch N), and the error context added by inferNodeType and
// inferTypes.
#include <map>
#include <set>

#include "IrTestUtil.h"

namespace dlc::ir {
namespace {

using namespace testing;

TEST(ShapeInference, EveryUnaryOpKeepsTheType) {
  for (OpKind k : {OpKind::Exp, OpKind::Log, OpKind::Sqrt, OpKind::Rsqrt, OpKind::Reciprocal,
                   OpKind::Tanh, OpKind::Sigmoid, OpKind::Relu, OpKind::LeakyRelu, OpKind::Gelu,
                   OpKind::Erf, OpKind::Floor, OpKind::Ceil, OpKind::Neg, OpKind::Abs}) {
    OpBuilder b;
    auto t = b.infer(k, {f32({N, 3, 0})});
    ASSERT_TRUE(t.ok()) << opName(k) << ": " << t.status().message();
    EXPECT_EQ(*t, f32({N, 3, 0})) << opName(k);
  }
}

// One valid example per op; the test fails when an op of ir/Ops.def has none.
TEST(ShapeInference, EveryOpOfTheTableHasARule) {
  using Ints = std::vector<int64_t>;
  struct Example {
    std::vector<TensorType> operands;
    Attributes attributes;
    TensorType expected;
  };
  const TensorType x = f32({N, 4}), nchw = f32({N, 2, 4, 4}), c2 = f32({2});
  std::map<OpKind, Example> examples = {
      {OpKind::Cast, {{x}, attrs({{"to", std::string("i32")}}), i32({N, 4})}},
      {OpKind::Not, {{boolT({3})}, {}, boolT({3})}},
      {OpKind::And, {{boolT({3}), boolT({3})}, {}, boolT({3})}},
      {OpKind::Or, {{boolT({3}), boolT({1})}, {}, boolT({3})}},
      {OpKind::Select, {{boolT({N, 1}), x, f32({4})}, {}, x}},
      {OpKind::Reshape, {{x}, attrs({{"shape", Ints{-1, 2, 2}}}), f32({N, 2, 2})}},
      {OpKind::Flatten, {{nchw}, {}, f32({N, 32})}},
      {OpKind::Transpose, {{x}, {}, f32({4, N})}},
      {OpKind::BroadcastTo, {{f32({4})}, attrs({{"shape", Ints{3, 4}}}), f32({3, 4})}},
      {OpKind::Concat, {{x, x}, attrs({{"axis", int64_t(-1)}}), f32({N, 8})}},
      {OpKind::Slice, {{x}, attrs({{"starts", Ints{1}}, {"ends", Ints{3}}, {"axes", Ints{1}}}),
                       f32({N, 2})}},
      {OpKind::Pad, {{x}, attrs({{"pads", Ints{0, 1, 0, 2}}}), f32({N, 7})}},
      {OpKind::Gather, {{f32({5, 4}), i32({N, 3})}, {}, f32({N, 3, 4})}},
      {OpKind::LayerNorm, {{x, f32({4}), f32({4})}, {}, x}},
      {OpKind::BatchNorm, {{nchw, c2, c2, c2, c2}, {}, nchw}},
      {OpKind::MatMul, {{x, f32({4, 3})}, {}, f32({N, 3})}},
      {OpKind::Dense, {{x, f32({4, 3}), f32({3})}, {}, f32({N, 3})}},
      {OpKind::Conv2D, {{nchw, f32({6, 2, 3, 3})}, {}, f32({N, 6, 2, 2})}},
      {OpKind::MaxPool2D, {{nchw}, attrs({{"kernel", Ints{2, 2}}}), f32({N, 2, 2, 2})}},
      {OpKind::AvgPool2D, {{nchw}, attrs({{"kernel", Ints{4, 4}}}), f32({N, 2, 1, 1})}},
      {OpKind::GlobalAvgPool, {{nchw}, {}, f32({N, 2, 1, 1})}},
  };
  const std::set<OpKind> comparisons = {OpKind::Equal,     OpKind::NotEqual,
                                        OpKind::Less,      OpKind::LessEqual,
                                        OpKind::Greater,   OpKind::GreaterEqual};
  int checked = 0;
  for (int i = 0; i < numOpKinds(); ++i) {
    OpKind k = OpKind(i);
    if (isSource(k)) continue;
    Example e;
    if (examples.count(k)) e = examples.at(k);
    else if (isReduction(k)) e = {{x}, attrs({{"axes", Ints{1}}}), f32({N})};
    else if (isRowOp(k)) e = {{x}, {}, x};
    else if (isElementwise(k) && opInfo(k).maxInputs == 1) e = {{x}, {}, x};
    else if (isElementwise(k) && opInfo(k).maxInputs == 2)
      e = {{x, f32({1, 4})}, {}, comparisons.count(k) ? boolT({N, 4}) : x};
    else
      ADD_FAILURE() << "no shape-inference example for " << opName(k);
    OpBuilder b;
    auto t = b.infer(k, e.operands, e.attributes);
    ASSERT_TRUE(t.ok()) << opName(k) << ": " << t.status().message();
    EXPECT_EQ(*t, e.expected) << opName(k);
    ++checked;
  }
  EXPECT_EQ(checked, numOpKinds() - 2);
}

TEST(ShapeInference, UnaryDTypeRules) {
  OpBuilder b;
  EXPECT_EQ(*b.infer(OpKind::Neg, {i32({2})}), i32({2}));
  EXPECT_EQ(*b.infer(OpKind::Abs, {TensorType{DType::I64, {2}}}), (TensorType{DType::I64, {2}}));
  EXPECT_EQ(*b.infer(OpKind::Not, {boolT({2})}), boolT({2}));
  EXPECT_EQ(*b.infer(OpKind::Exp, {TensorType{DType::BF16, {2}}}),
            (TensorType{DType::BF16, {2}}));
  expectError(b.infer(OpKind::Exp, {i32({2})}), {"exp expects x of dtype a float", "i32[2]"});
  expectError(b.infer(OpKind::Not, {f32({2})}), {"logical_not expects x of dtype bool"});
  expectError(b.infer(OpKind::Neg, {TensorType{DType::U8, {2}}}), {"neg", "u8[2]"});
}

TEST(ShapeInference, UnaryAttributes) {
  OpBuilder b;
  EXPECT_TRUE(b.infer(OpKind::LeakyRelu, {f32({2})}, attrs({{"alpha", 0.2}})).ok());
  EXPECT_TRUE(b.infer(OpKind::LeakyRelu, {f32({2})}, attrs({{"alpha", int64_t(1)}})).ok());
  expectError(b.infer(OpKind::LeakyRelu, {f32({2})}, attrs({{"alpha", std::string("x")}})),
              {"leaky_relu attribute 'alpha' must be a number", "\"x\""});
  EXPECT_TRUE(b.infer(OpKind::Gelu, {f32({2})}, attrs({{"approximate", std::string("tanh")}})).ok());
  expectError(b.infer(OpKind::Gelu, {f32({2})}, attrs({{"approximate", std::string("fast")}})),
              {"gelu attribute 'approximate'", "\"fast\""});
}

TEST(ShapeInference, CastTakesTheTargetDType) {
  OpBuilder b;
  EXPECT_EQ(*b.infer(OpKind::Cast, {TensorType{DType::U8, {N, 28, 28}}},
                     attrs({{"to", std::string("f32")}})),
            f32({N, 28, 28}));
  EXPECT_EQ(*b.infer(OpKind::Cast, {f32({3})}, attrs({{"to", std::string("bool")}})), boolT({3}));
  expectError(b.infer(OpKind::Cast, {f32({3})}), {"cast requires attribute 'to'"});
  expectError(b.infer(OpKind::Cast, {f32({3})}, attrs({{"to", std::string("f128")}})),
              {"'to'", "f128"});
  expectError(b.infer(OpKind::Cast, {f32({3})}, attrs({{"to", int64_t(1)}})),
              {"cast attribute 'to' must be a string"});
}

TEST(ShapeInference, BinaryBroadcasting) {
  OpBuilder b;
  EXPECT_EQ(*b.infer(OpKind::Add, {f32({2, 3}), f32({3})}), f32({2, 3}));
  EXPECT_EQ(*b.infer(OpKind::Mul, {f32({2, 1, 4}), f32({3, 1})}), f32({2, 3, 4}));
  EXPECT_EQ(*b.infer(OpKind::Sub, {f32({}), f32({5, 6})}), f32({5, 6}));
  // Size-1 and empty (0) dims: 1 stretches to 0, 0 meets 0.
  EXPECT_EQ(*b.infer(OpKind::Add, {f32({0, 3}), f32({1, 3})}), f32({0, 3}));
  EXPECT_EQ(*b.infer(OpKind::Add, {f32({0}), f32({0})}), f32({0}));
  EXPECT_EQ(*b.infer(OpKind::Add, {f32({1, 0}), f32({4, 1})}), f32({4, 0}));
  expectError(b.infer(OpKind::Add, {f32({0}), f32({3})}), {"add cannot broadcast a, b", "[0] and [3]"});
  expectError(b.infer(OpKind::Div, {f32({2, 3}), f32({4})}), {"div cannot broadcast", "[2,3] and [4]"});
}

TEST(ShapeInference, BatchSymbolBroadcastsOnlyWithNOrOne) {
  OpBuilder b;
  EXPECT_EQ(*b.infer(OpKind::Add, {f32({N, 10}), f32({10})}), f32({N, 10}));
  EXPECT_EQ(*b.infer(OpKind::Add, {f32({N, 10}), f32({1, 10})}), f32({N, 10}));
  EXPECT_EQ(*b.infer(OpKind::Add, {f32({N, 10}), f32({N, 1})}), f32({N, 10}));
  expectError(b.infer(OpKind::Add, {f32({N, 10}), f32({4, 10})}),
              {"cannot broadcast", "[N,10] and [4,10]", "N broadcasts only with N or 1"});
  // N appearing twice in a result is rejected by validateShape.
  expectError(b.infer(OpKind::Add, {f32({N, 1}), f32({N})}), {"add result f32[N,N]"});
}

TEST(ShapeInference, BinaryDTypeRules) {
  OpBuilder b;
  EXPECT_EQ(*b.infer(OpKind::Add, {i32({2}), i32({2})}), i32({2}));
  expectError(b.infer(OpKind::Add, {f32({2}), i32({2})}),
              {"add expects operands of the same dtype", "a f32[2]", "b i32[2]"});
  expectError(b.infer(OpKind::Pow, {i32({2}), i32({2})}), {"pow expects a of dtype a float"});
  EXPECT_EQ(*b.infer(OpKind::And, {boolT({2}), boolT({1})}), boolT({2}));
  expectError(b.infer(OpKind::Or, {f32({2}), f32({2})}), {"logical_or expects a of dtype bool"});
}

TEST(ShapeInference, ComparisonsGiveBool) {
  for (OpKind k : {OpKind::Equal, OpKind::NotEqual, OpKind::Less, OpKind::LessEqual,
                   OpKind::Greater, OpKind::GreaterEqual}) {
    OpBuilder b;
    EXPECT_EQ(*b.infer(k, {f32({N, 4}), f32({4})}), boolT({N, 4})) << opName(k);
    EXPECT_EQ(*b.infer(k, {i32({3}), i32({})}), boolT({3})) << opName(k);
  }
}

TEST(ShapeInference, Select) {
  OpBuilder b;
  EXPECT_EQ(*b.infer(OpKind::Select, {boolT({N, 1}), f32({4}), f32({1, 4})}), f32({N, 4}));
  expectError(b.infer(OpKind::Select, {f32({4}), f32({4}), f32({4})}),
              {"select expects cond of dtype bool"});
  expectError(b.infer(OpKind::Select, {boolT({4}), f32({4}), i32({4})}),
              {"same dtype", "a f32[4]", "b i32[4]"});
  expectError(b.infer(OpKind::Select, {boolT({3}), f32({4}), f32({4})}),
              {"select cannot broadcast cond, a", "[3] and [4]"});
}

TEST(ShapeInference, ArityComesFromTheOpTable) {
  OpBuilder b;
  expectError(b.infer(OpKind::Add, {f32({2})}), {"add expects 2 operands, got 1"});
  expectError(b.infer(OpKind::Relu, {f32({2}), f32({2})}), {"relu expects 1 operand, got 2"});
  expectError(b.infer(OpKind::Dense, {f32({2})}), {"dense expects 2 to 3 operands, got 1"});
}

TEST(ShapeInference, SourcesReportTheirOwnType) {
  Graph g;
  Node* x = g.addInput("x", f32({N, 3}));
  Node* c = g.addConstant("c", Tensor(DType::I64, {2, 2}));
  EXPECT_EQ(*inferType(*x), f32({N, 3}));
  EXPECT_EQ(*inferType(*c), (TensorType{DType::I64, {2, 2}}));
  Node* bad = g.addNode(OpKind::Constant, "bad", {});
  expectError(inferType(*bad), {"constant has no data"});
}

TEST(ShapeInference, InferNodeTypeNamesTheNodeAndStoresTheType) {
  Graph g;
  Node* x = g.addInput("x", f32({N, 784}));
  Node* w = g.addInput("w", f32({100, 128}));
  Node* d = g.addNode(OpKind::Dense, "fc1", {x, w});
  d->location = "nodes[3]";
  Status st = inferNodeType(*d);
  expectError(st, {"nodes[3] \"fc1\" (dense): dense expects w of shape [784,out], got [100,128]"});
  Node* r = g.addNode(OpKind::Relu, "r", {x});
  ASSERT_TRUE(inferNodeType(*r).ok());
  EXPECT_EQ(r->type, f32({N, 784}));
}

TEST(ShapeInference, InferTypesWalksTheGraphAndNamesTheFile) {
  Graph g;
  g.sourceFile = "model.json";
  Node* x = g.addInput("x", f32({N, 28, 28}));
  Node* flat = g.addNode(OpKind::Flatten, "flat", {x});
  Node* w = g.addConstant("w", Tensor(DType::F32, {784, 10}));
  Node* fc = g.addNode(OpKind::Dense, "fc", {flat, w});
  Node* sm = g.addNode(OpKind::Softmax, "sm", {fc});
  g.setOutputs({sm});
  ASSERT_TRUE(inferTypes(g).ok());
  EXPECT_EQ(flat->type, f32({N, 784}));
  EXPECT_EQ(fc->type, f32({N, 10}));
  EXPECT_EQ(sm->type, f32({N, 10}));

  Graph bad;
  bad.sourceFile = "bad.json";
  Node* y = bad.addInput("y", f32({3}));
  Node* z = bad.addInput("z", i32({3}));
  bad.addNode(OpKind::Add, "sum", {y, z});
  expectError(inferTypes(bad), {"bad.json: \"sum\" (add): add expects operands of the same dtype"});
}

TEST(ShapeInference, InferTypesRejectsUseBeforeDefinition) {
  Graph g;
  Node* x = g.addInput("x", f32({3}));
  Node* a = g.addNode(OpKind::Relu, "a", {x});
  Node* b = g.addNode(OpKind::Relu, "b", {x});
  a->inputs[0] = b;
  expectError(inferTypes(g), {"\"a\" (relu)", "\"b\" is not defined before its use"});
}

}  // namespace
}  // namespace dlc::ir
