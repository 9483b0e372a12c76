// Reference elementwise ops: unary math, gelu forms, cast saturation,
// broadcasting binary ops (size-1 and empty dims), integer arithmetic,
// comparisons, logical ops, select, and f16/bf16 rounding on store.
#include <cmath>
#include <cstdint>
#include <limits>

#include "tests/reference/RefTest.h"

namespace dlc::ref::test {
namespace {

using ir::DType;
using ir::OpKind;

const double kNaN = std::numeric_limits<double>::quiet_NaN();
const double kInf = std::numeric_limits<double>::infinity();

TEST(ReferenceElementwise, UnaryMath) {
  EXPECT_EQ(values(run(OpKind::Neg, {f32({2}, {1.5, -2})})), (std::vector<double>{-1.5, 2}));
  EXPECT_EQ(values(run(OpKind::Abs, {f32({2}, {-1.5, 2})})), (std::vector<double>{1.5, 2}));
  EXPECT_EQ(values(run(OpKind::Exp, {f32({1}, {0})})), (std::vector<double>{1}));
  EXPECT_EQ(values(run(OpKind::Log, {f32({2}, {1, 0})})), (std::vector<double>{0, -kInf}));
  EXPECT_EQ(values(run(OpKind::Sqrt, {f32({2}, {4, 2.25})})), (std::vector<double>{2, 1.5}));
  EXPECT_EQ(values(run(OpKind::Rsqrt, {f32({2}, {4, 0.25})})), (std::vector<double>{0.5, 2}));
  EXPECT_EQ(values(run(OpKind::Reciprocal, {f32({2}, {4, -0.5})})),
            (std::vector<double>{0.25, -2}));
  EXPECT_EQ(values(run(OpKind::Tanh, {f32({1}, {0})})), (std::vector<double>{0}));
  EXPECT_EQ(values(run(OpKind::Sigmoid, {f32({3}, {0, -200, 200})})),
            (std::vector<double>{0.5, 0, 1}));
  EXPECT_EQ(values(run(OpKind::Relu, {f32({3}, {-1, 0, 2})})), (std::vector<double>{0, 0, 2}));
  EXPECT_EQ(values(run(OpKind::Floor, {f32({2}, {-1.5, 1.5})})), (std::vector<double>{-2, 1}));
  EXPECT_EQ(values(run(OpKind::Ceil, {f32({2}, {-1.5, 1.5})})), (std::vector<double>{-1, 2}));
  expectNear(values(run(OpKind::Erf, {f32({2}, {0.5, -0.5})})),
             {0.5204998778130465, -0.5204998778130465}, 1e-7);
  expectNear(values(run(OpKind::Tanh, {f32({1}, {0.5})})), {0.46211715726000974}, 1e-7);
}

TEST(ReferenceElementwise, LeakyReluAlpha) {
  EXPECT_EQ(values(run(OpKind::LeakyRelu, {f32({3}, {-1, 0, 2})}, attrs({{"alpha", 0.25}}))),
            (std::vector<double>{-0.25, 0, 2}));
  expectNear(values(run(OpKind::LeakyRelu, {f32({1}, {-2})})), {-0.02}, 1e-9);
}

TEST(ReferenceElementwise, GeluBothForms) {
  Tensor x = f32({4}, {1, -1, 0.5, 2});
  expectNear(values(run(OpKind::Gelu, {x})),
             {0.8413447460685429, -0.15865525393145707, 0.34573123063700656,
              1.9544997361036416},
             1e-6);
  expectNear(values(run(OpKind::Gelu, {x}, attrs({{"approximate", std::string("tanh")}}))),
             {0.8411919906082768, -0.15880800939172324, 0.34571400982514394,
              1.954597694087775},
             1e-6);
}

TEST(ReferenceElementwise, NaNPropagatesThroughMaxMinRelu) {
  Tensor a = f32({2}, {kNaN, 1});
  Tensor b = f32({2}, {0, kNaN});
  EXPECT_EQ(values(run(OpKind::Minimum, {f32({2}, {1, -3}), f32({2}, {2, -4})})),
            (std::vector<double>{1, -4}));
  for (double v : values(run(OpKind::Maximum, {a, b}))) EXPECT_TRUE(std::isnan(v));
  for (double v : values(run(OpKind::Minimum, {a, b}))) EXPECT_TRUE(std::isnan(v));
  EXPECT_TRUE(std::isnan(values(run(OpKind::Relu, {a}))[0]));
}

TEST(ReferenceElementwise, CastFloatToIntegerTruncatesAndSaturates) {
  Tensor x = f32({6}, {-1.7, 2.9, 300, -300, kNaN, kInf});
  EXPECT_EQ(values(run(OpKind::Cast, {x}, attrs({{"to", std::string("u8")}}))),
            (std::vector<double>{0, 2, 255, 0, 0, 255}));
  EXPECT_EQ(values(run(OpKind::Cast, {x}, attrs({{"to", std::string("i32")}}))),
            (std::vector<double>{-1, 2, 300, -300, 0, 2147483647}));
  Tensor big = f32({3}, {-1e20, 1e20, -kInf});
  Tensor i64 = run(OpKind::Cast, {big}, attrs({{"to", std::string("i64")}}));
  EXPECT_EQ(i64.as<int64_t>()[0], std::numeric_limits<int64_t>::min());
  EXPECT_EQ(i64.as<int64_t>()[1], std::numeric_limits<int64_t>::max());
  EXPECT_EQ(i64.as<int64_t>()[2], std::numeric_limits<int64_t>::min());
}

TEST(ReferenceElementwise, CastBoolAndIntegers) {
  Tensor x = f32({4}, {0, 0.5, -2, kNaN});
  Tensor b = run(OpKind::Cast, {x}, attrs({{"to", std::string("bool")}}));
  EXPECT_EQ(b.dtype(), DType::Bool);
  EXPECT_EQ(values(b), (std::vector<double>{0, 1, 1, 1}));
  EXPECT_EQ(values(run(OpKind::Cast, {b}, attrs({{"to", std::string("f32")}}))),
            (std::vector<double>{0, 1, 1, 1}));
  // Integer narrowing wraps (two's complement).
  Tensor i = tensor(DType::I32, {3}, {257, -1, 0});
  EXPECT_EQ(values(run(OpKind::Cast, {i}, attrs({{"to", std::string("u8")}}))),
            (std::vector<double>{1, 255, 0}));
  EXPECT_EQ(values(run(OpKind::Cast, {i}, attrs({{"to", std::string("bool")}}))),
            (std::vector<double>{1, 1, 0}));
  // i64 -> f32 rounds to nearest even once.
  Tensor l(DType::I64, {1});
  l.as<int64_t>()[0] = 16777217;
  EXPECT_EQ(values(run(OpKind::Cast, {l}, attrs({{"to", std::string("f32")}}))),
            (std::vector<double>{16777216}));
  // u8 -> f16.
  EXPECT_EQ(values(run(OpKind::Cast, {tensor(DType::U8, {2}, {200, 7})},
                       attrs({{"to", std::string("f16")}}))),
            (std::vector<double>{200, 7}));
}

TEST(ReferenceElementwise, HalfAndBfloatRoundOnStore) {
  // exp(2) = 7.389056...: f16 keeps 10 mantissa bits, bf16 7.
  Tensor h = run(OpKind::Exp, {tensor(DType::F16, {1}, {2})});
  EXPECT_EQ(h.dtype(), DType::F16);
  EXPECT_EQ(values(h), (std::vector<double>{7.390625}));
  Tensor bf = run(OpKind::Exp, {tensor(DType::BF16, {1}, {2})});
  EXPECT_EQ(bf.dtype(), DType::BF16);
  EXPECT_EQ(values(bf), (std::vector<double>{7.375}));
  // 1 + 2^-11 is a tie in f16 and rounds to even (1.0).
  Tensor sum = run(OpKind::Add, {tensor(DType::F16, {1}, {1}),
                                 tensor(DType::F16, {1}, {std::ldexp(1.0, -11)})});
  EXPECT_EQ(values(sum), (std::vector<double>{1.0}));
}

TEST(ReferenceElementwise, BinaryBroadcastsSizeOneDims) {
  Tensor a = f32({2, 3}, {1, 2, 3, 4, 5, 6});
  EXPECT_EQ(values(run(OpKind::Add, {a, f32({3}, {10, 20, 30})})),
            (std::vector<double>{11, 22, 33, 14, 25, 36}));
  Tensor col = f32({2, 1}, {1, 2});
  Tensor row = f32({1, 3}, {10, 20, 30});
  Tensor out = run(OpKind::Sub, {col, row});
  EXPECT_EQ(out.dims(), (std::vector<int64_t>{2, 3}));
  EXPECT_EQ(values(out), (std::vector<double>{-9, -19, -29, -8, -18, -28}));
  EXPECT_EQ(values(run(OpKind::Mul, {a, f32({}, {2})})),
            (std::vector<double>{2, 4, 6, 8, 10, 12}));
  EXPECT_EQ(values(run(OpKind::Div, {f32({2}, {1, -3}), f32({1}, {4})})),
            (std::vector<double>{0.25, -0.75}));
  expectNear(values(run(OpKind::Pow, {f32({3}, {2, 4, 9}), f32({3}, {3, 0.5, -1})})),
             {8, 2, 1.0 / 9}, 1e-8);
}

TEST(ReferenceElementwise, BinaryBroadcastsEmptyDims) {
  Tensor out = run(OpKind::Add, {f32({0, 3}, {}), f32({1, 3}, {1, 2, 3})});
  EXPECT_EQ(out.dims(), (std::vector<int64_t>{0, 3}));
  EXPECT_EQ(out.numElements(), 0);
  Tensor out2 = run(OpKind::Mul, {f32({2, 1}, {1, 2}), f32({2, 0}, {})});
  EXPECT_EQ(out2.dims(), (std::vector<int64_t>{2, 0}));
}

TEST(ReferenceElementwise, IntegerArithmetic) {
  Tensor a = tensor(DType::I32, {4}, {7, -7, 7, -7});
  Tensor b = tensor(DType::I32, {4}, {2, 2, -2, -2});
  EXPECT_EQ(values(run(OpKind::Div, {a, b})), (std::vector<double>{3, -3, -3, 3}));
  EXPECT_EQ(values(run(OpKind::Maximum, {a, b})), (std::vector<double>{7, 2, 7, -2}));
  EXPECT_EQ(values(run(OpKind::Minimum, {a, b})), (std::vector<double>{2, -7, -2, -7}));
  EXPECT_EQ(values(run(OpKind::Sub, {a, b})), (std::vector<double>{5, -9, 9, -5}));
  EXPECT_EQ(values(run(OpKind::Mul, {a, b})), (std::vector<double>{14, -14, -14, 14}));
  Tensor top = tensor(DType::I32, {1}, {2147483647});
  EXPECT_EQ(values(run(OpKind::Add, {top, tensor(DType::I32, {1}, {1})})),
            (std::vector<double>{-2147483648.0}));
  Tensor l = tensor(DType::I64, {3}, {-5, 0, 5});
  EXPECT_EQ(values(run(OpKind::Neg, {l})), (std::vector<double>{5, 0, -5}));
  EXPECT_EQ(values(run(OpKind::Abs, {l})), (std::vector<double>{5, 0, 5}));
  // i64 keeps full 64-bit precision.
  Tensor big(DType::I64, {1});
  big.as<int64_t>()[0] = (int64_t(1) << 60) + 1;
  Tensor prod = run(OpKind::Mul, {big, tensor(DType::I64, {1}, {1})});
  EXPECT_EQ(prod.as<int64_t>()[0], (int64_t(1) << 60) + 1);
}

TEST(ReferenceElementwise, IntegerDivisionByZeroIsZeroAndMinByMinusOneWraps) {
  // docs/ops.md: integer x / 0 = 0; INT_MIN / -1 wraps to INT_MIN.
  Tensor q = run(OpKind::Div, {tensor(DType::I32, {4}, {7, -7, 0, -2147483648.0}),
                               tensor(DType::I32, {4}, {0, 0, 0, -1})});
  EXPECT_EQ(values(q), (std::vector<double>{0, 0, 0, -2147483648.0}));
  Tensor big(DType::I64, {2});
  big.as<int64_t>()[0] = INT64_MIN;
  big.as<int64_t>()[1] = 9;
  Tensor d(DType::I64, {2});
  d.as<int64_t>()[0] = -1;
  d.as<int64_t>()[1] = 0;
  Tensor r = run(OpKind::Div, {big, d});
  EXPECT_EQ(r.as<int64_t>()[0], INT64_MIN);
  EXPECT_EQ(r.as<int64_t>()[1], 0);
  // Truncation toward zero is unchanged.
  EXPECT_EQ(values(run(OpKind::Div, {tensor(DType::I64, {2}, {-7, 7}),
                                     tensor(DType::I64, {2}, {2, -2})})),
            (std::vector<double>{-3, -3}));
}

TEST(ReferenceElementwise, Comparisons) {
  Tensor a = f32({4}, {1, 2, 3, kNaN});
  Tensor b = f32({4}, {2, 2, 2, kNaN});
  Tensor lt = run(OpKind::Less, {a, b});
  EXPECT_EQ(lt.dtype(), DType::Bool);
  EXPECT_EQ(values(lt), (std::vector<double>{1, 0, 0, 0}));
  EXPECT_EQ(values(run(OpKind::LessEqual, {a, b})), (std::vector<double>{1, 1, 0, 0}));
  EXPECT_EQ(values(run(OpKind::Greater, {a, b})), (std::vector<double>{0, 0, 1, 0}));
  EXPECT_EQ(values(run(OpKind::GreaterEqual, {a, b})), (std::vector<double>{0, 1, 1, 0}));
  EXPECT_EQ(values(run(OpKind::Equal, {a, b})), (std::vector<double>{0, 1, 0, 0}));
  EXPECT_EQ(values(run(OpKind::NotEqual, {a, b})), (std::vector<double>{1, 0, 1, 1}));
  Tensor i = tensor(DType::I64, {3}, {-1, 0, 1});
  EXPECT_EQ(values(run(OpKind::Equal, {i, tensor(DType::I64, {1}, {0})})),
            (std::vector<double>{0, 1, 0}));
}

TEST(ReferenceElementwise, LogicalOps) {
  Tensor a = tensor(DType::Bool, {4}, {0, 0, 1, 1});
  Tensor b = tensor(DType::Bool, {4}, {0, 1, 0, 1});
  EXPECT_EQ(values(run(OpKind::And, {a, b})), (std::vector<double>{0, 0, 0, 1}));
  EXPECT_EQ(values(run(OpKind::Or, {a, b})), (std::vector<double>{0, 1, 1, 1}));
  EXPECT_EQ(values(run(OpKind::Not, {a})), (std::vector<double>{1, 1, 0, 0}));
}

TEST(ReferenceElementwise, SelectBroadcastsAllThree) {
  Tensor cond = tensor(DType::Bool, {2, 1}, {1, 0});
  Tensor a = f32({1, 3}, {1, 2, 3});
  Tensor b = f32({}, {-1});
  Tensor out = run(OpKind::Select, {cond, a, b});
  EXPECT_EQ(out.dims(), (std::vector<int64_t>{2, 3}));
  EXPECT_EQ(values(out), (std::vector<double>{1, 2, 3, -1, -1, -1}));
}

TEST(ReferenceElementwise, EvaluateNodeRejectsUnsupportedDType) {
  // Bypass shape inference: the interpreter itself refuses exp on i32.
  ir::Graph graph;
  ir::Node* x = graph.addInput("x", {DType::I32, ir::Shape({2})});
  ir::Node* e = graph.addNode(OpKind::Exp, "e", {x});
  e->type = x->type;
  Tensor v = tensor(DType::I32, {2}, {1, 2});
  StatusOr<Tensor> r = evaluateNode(*e, {&v});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kUnsupported);
  EXPECT_NE(r.status().message().find("exp does not take i32"), std::string::npos)
      << r.status().message();
}

}  // namespace
}  // namespace dlc::ref::test
