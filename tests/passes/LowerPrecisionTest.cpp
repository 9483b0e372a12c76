// LowerPrecision (passes/LowerPrecision.h): what it changes (every f32 value,
// constants rounded to nearest even), what it keeps (the f32 signature and
// output names, integer/u8/bool values), that a second run changes nothing,
// that it refuses overflowing constants and fused graphs, and that the
// lowered graph computes what the f32 graph does on the reference
// interpreter (rtol 1e-2 in f16, 3e-2 in bf16) for a dense + relu + softmax
// model and for a graph holding every float op. Golden IR for the printed
// result lives in tests/passes/lower-precision-*.ir.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <sstream>

#include "PassTestUtil.h"
#include "compiler/reference/Interpreter.h"
#include "ir/Parser.h"
#include "ir/Printer.h"
#include "ir/Verifier.h"
#include "passes/LowerPrecision.h"
#include "passes/PassManager.h"

namespace dlc::passes::testing {
namespace {

using ir::DType;
using ir::OpKind;

struct Precision {
  DType dtype;
  double rtol;
  double atol;
};

const Precision kF16{DType::F16, 1e-2, 1e-3};
const Precision kBF16{DType::BF16, 3e-2, 3e-3};

StatusOr<bool> lower(ir::Graph& g, DType precision) {
  std::unique_ptr<Pass> pass = createLowerPrecisionPass(precision);
  DLC_ASSIGN_OR_RETURN(bool changed, pass->run(g));
  DLC_RETURN_IF_ERROR(ir::verify(g));
  return changed;
}

// Random inputs in [-1, 1) (u8: [0, 255], i32: [-8, 8)) at `batch`.
std::vector<Tensor> randomInputs(const ir::Graph& g, int64_t batch, uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<double> dist(-1.0, 1.0);
  std::vector<Tensor> out;
  for (const ir::Node* in : g.inputs()) {
    Tensor t(in->type.dtype, in->type.shape.bind(batch));
    for (int64_t i = 0; i < t.numElements(); ++i) {
      double v = dist(rng);
      if (in->type.dtype == DType::U8) v = std::floor((v + 1) * 128);
      if (in->type.dtype == DType::I32) v = std::floor(v * 8);
      t.setFromDouble(i, v);
    }
    out.push_back(std::move(t));
  }
  return out;
}

// max |a - b| / (atol + rtol |b|) over the elements of every output.
double worstCloseness(const std::vector<Tensor>& a, const std::vector<Tensor>& b, double rtol,
                      double atol) {
  double worst = 0;
  EXPECT_EQ(a.size(), b.size());
  for (size_t o = 0; o < a.size() && o < b.size(); ++o) {
    EXPECT_EQ(a[o].type(), b[o].type()) << "output " << o;
    if (a[o].type() != b[o].type()) return INFINITY;
    for (int64_t i = 0; i < a[o].numElements(); ++i) {
      double x = a[o].getAsDouble(i), y = b[o].getAsDouble(i);
      if (std::isnan(x) || std::isnan(y)) return INFINITY;
      worst = std::max(worst, std::fabs(x - y) / (atol + rtol * std::fabs(y)));
    }
  }
  return worst;
}

// x[N,16] -> dense 32 -> relu -> dense 10 -> softmax, random weights.
std::unique_ptr<ir::Graph> denseReluSoftmax() {
  auto g = std::make_unique<ir::Graph>();
  ir::Node* x = g->addInput("x", f32({ir::kBatch, 16}));
  ir::Node* w1 = g->addConstant("w1", randomTensor({16, 32}, 1, -0.5, 0.5));
  ir::Node* b1 = g->addConstant("b1", randomTensor({32}, 2, -0.1, 0.1));
  ir::Node* w2 = g->addConstant("w2", randomTensor({32, 10}, 3, -0.5, 0.5));
  ir::Node* b2 = g->addConstant("b2", randomTensor({10}, 4, -0.1, 0.1));
  ir::Node* d1 = add(*g, OpKind::Dense, "dense1", {x, w1, b1});
  ir::Node* h = add(*g, OpKind::Relu, "hidden", {d1});
  ir::Node* d2 = add(*g, OpKind::Dense, "logits", {h, w2, b2});
  g->setOutputs({add(*g, OpKind::Softmax, "probs", {d2})});
  return g;
}

// max over outputs of max|a - b| / max|b|: the error relative to each
// output's scale, for deep graphs where cancellation makes some elements
// small.
double worstNormwise(const std::vector<Tensor>& a, const std::vector<Tensor>& b) {
  double worst = 0;
  for (size_t o = 0; o < a.size() && o < b.size(); ++o) {
    double diff = 0, scale = 0;
    for (int64_t i = 0; i < a[o].numElements(); ++i) {
      diff = std::max(diff, std::fabs(a[o].getAsDouble(i) - b[o].getAsDouble(i)));
      scale = std::max(scale, std::fabs(b[o].getAsDouble(i)));
    }
    worst = std::max(worst, scale > 0 ? diff / scale : diff);
  }
  return worst;
}

// Lowers a clone of `original` and compares both on the reference: element
// by element (rtol, atol), or, with `normwise`, per output scale (rtol).
void expectCloseToF32(const ir::Graph& original, const Precision& p, int64_t batch,
                      uint32_t seed, bool normwise = false) {
  auto lowered = original.clone();
  auto changed = lower(*lowered, p.dtype);
  ASSERT_TRUE(changed.ok()) << changed.status().toString();
  EXPECT_TRUE(*changed);
  std::vector<Tensor> inputs = randomInputs(original, batch, seed);
  auto want = ref::evaluate(original, inputs);
  ASSERT_TRUE(want.ok()) << want.status().toString();
  auto got = ref::evaluate(*lowered, inputs);
  ASSERT_TRUE(got.ok()) << got.status().toString();
  if (normwise) {
    EXPECT_LE(worstNormwise(*got, *want), p.rtol) << ir::dtypeName(p.dtype);
  } else {
    EXPECT_LE(worstCloseness(*got, *want, p.rtol, p.atol), 1.0) << ir::dtypeName(p.dtype);
  }
  // Rounding happened: the lowered results are not bit-identical.
  EXPECT_GT(worstCloseness(*got, *want, 0, 1e-12), 0.0) << ir::dtypeName(p.dtype);
}

TEST(LowerPrecision, DenseReluSoftmaxIsCloseToF32OnTheReference) {
  auto g = denseReluSoftmax();
  for (const Precision& p : {kF16, kBF16}) expectCloseToF32(*g, p, /*batch=*/64, /*seed=*/7);
}

TEST(LowerPrecision, EveryValueBecomesLowButTheSignatureStaysF32) {
  for (DType p : {DType::F16, DType::BF16}) {
    auto g = denseReluSoftmax();
    auto changed = lower(*g, p);
    ASSERT_TRUE(changed.ok()) << changed.status().toString();
    // Inputs and outputs keep their names and f32 types.
    ASSERT_EQ(g->inputs().size(), 1u);
    EXPECT_EQ(g->inputs()[0]->name, "x");
    EXPECT_EQ(g->inputs()[0]->type.dtype, DType::F32);
    ASSERT_EQ(g->outputs().size(), 1u);
    const ir::Node* out = g->outputs()[0];
    EXPECT_EQ(out->name, "probs");
    EXPECT_EQ(out->type, f32({ir::kBatch, 10}));
    ASSERT_EQ(out->op, OpKind::Cast);
    EXPECT_EQ(out->inputs[0]->op, OpKind::Softmax);
    EXPECT_EQ(out->inputs[0]->name, "probs." + std::string(ir::dtypeName(p)));
    EXPECT_EQ(out->inputs[0]->origins, (std::vector<std::string>{"probs"}));
    // Everything in between is the low dtype, constants rounded to nearest even.
    for (const auto& n : g->nodes()) {
      if (n.get() == out || n->op == OpKind::Input) continue;
      EXPECT_EQ(n->type.dtype, p) << n->describe();
    }
    const ir::Node* w1 = g->find("w1");
    auto original = denseReluSoftmax();
    const float* src = original->find("w1")->value.as<float>();
    for (int64_t i = 0; i < w1->value.numElements(); ++i) {
      uint16_t bits = w1->value.as<uint16_t>()[i];
      EXPECT_EQ(bits, p == DType::F16 ? floatToHalf(src[i]) : floatToBf16(src[i]));
    }
    // The input is cast right before its first reader, dense1.
    const ir::Node* cast = g->find("x." + std::string(ir::dtypeName(p)));
    ASSERT_NE(cast, nullptr);
    EXPECT_EQ(cast->op, OpKind::Cast);
    EXPECT_EQ(g->find("dense1")->inputs[0], cast);
    EXPECT_TRUE(cast->origins.empty());
  }
}

TEST(LowerPrecision, RoundsConstantsToNearestEven) {
  ir::Graph g;
  ir::Node* x = g.addInput("x", f32({4}));
  // 1 + 2^-11 is halfway between two f16 values: nearest even is 1.0;
  // 1 + 3 * 2^-11 rounds up to 1 + 2^-9. For bf16 the ties are at 2^-8.
  ir::Node* c = g.addConstant(
      "c", makeTensor({4}, {1.0 + std::ldexp(1.0, -11), 1.0 + 3 * std::ldexp(1.0, -11),
                            1.0 + std::ldexp(1.0, -8), 1.0 + 3 * std::ldexp(1.0, -8)}));
  g.setOutputs({add(g, OpKind::Mul, "y", {x, c})});
  auto f16 = g.clone();
  ASSERT_TRUE(lower(*f16, DType::F16).ok());
  const Tensor& h = f16->find("c")->value;
  ASSERT_EQ(h.dtype(), DType::F16);
  EXPECT_EQ(h.getAsDouble(0), 1.0);
  EXPECT_EQ(h.getAsDouble(1), 1.0 + std::ldexp(1.0, -9));
  auto bf16 = g.clone();
  ASSERT_TRUE(lower(*bf16, DType::BF16).ok());
  const Tensor& b = bf16->find("c")->value;
  ASSERT_EQ(b.dtype(), DType::BF16);
  EXPECT_EQ(b.getAsDouble(2), 1.0);
  EXPECT_EQ(b.getAsDouble(3), 1.0 + std::ldexp(1.0, -6));
  // The original constant's storage (shared by clones) is untouched.
  EXPECT_EQ(g.find("c")->value.dtype(), DType::F32);
  EXPECT_EQ(g.find("c")->value.as<float>()[0], float(1.0 + std::ldexp(1.0, -11)));
}

TEST(LowerPrecision, LeavesIntegersU8AndBoolsAlone) {
  ir::Graph g;
  ir::Node* image = g.addInput("image", {DType::U8, ir::Shape({ir::kBatch, 4})});
  ir::Node* idx = g.addInput("idx", {DType::I32, ir::Shape({ir::kBatch, 4})});
  ir::Node* pixels = add(g, OpKind::Cast, "pixels", {image}, attrs({{"to", std::string("f32")}}));
  ir::Node* half = g.addConstant("half", makeTensor({}, {0.5}));
  ir::Node* scaled = add(g, OpKind::Mul, "scaled", {pixels, half});
  ir::Node* two = g.addConstant("two", makeTensor({}, {2}, DType::I32));
  ir::Node* idx2 = add(g, OpKind::Mul, "idx2", {idx, two});
  ir::Node* asF = add(g, OpKind::Cast, "asf", {idx2}, attrs({{"to", std::string("f32")}}));
  ir::Node* mask = add(g, OpKind::Greater, "mask", {scaled, asF});
  ir::Node* sum = add(g, OpKind::ReduceSum, "isum", {idx2}, attrs({{"axes", int64_t(1)}}));
  ir::Node* back = add(g, OpKind::Cast, "back", {scaled}, attrs({{"to", std::string("i32")}}));
  g.setOutputs({mask, sum, back, idx2});
  auto original = g.clone();

  auto changed = lower(g, DType::BF16);
  ASSERT_TRUE(changed.ok()) << changed.status().toString();
  EXPECT_TRUE(*changed);
  EXPECT_EQ(g.find("pixels")->type.dtype, DType::BF16);
  EXPECT_EQ(g.find("pixels")->inputs[0], image);  // u8 -> bf16 directly
  EXPECT_EQ(g.find("pixels")->attrs.getString("to", ""), "bf16");
  EXPECT_EQ(g.find("two")->value.dtype(), DType::I32);
  EXPECT_EQ(g.find("idx2")->type.dtype, DType::I32);
  EXPECT_EQ(g.find("isum")->type.dtype, DType::I32);
  EXPECT_EQ(g.find("mask")->type.dtype, DType::Bool);
  EXPECT_EQ(g.find("back")->type.dtype, DType::I32);
  EXPECT_EQ(g.find("asf")->type.dtype, DType::BF16);
  // No f32 output, so no cast back; integer inputs get no cast either.
  EXPECT_EQ(g.outputs(), (std::vector<ir::Node*>{mask, sum, back, idx2}));
  EXPECT_EQ(g.find("image.bf16"), nullptr);
  EXPECT_EQ(g.find("idx.bf16"), nullptr);

  // Same results: every value here is exact in bf16 (pixels * 0.5, small ints).
  std::vector<Tensor> inputs = randomInputs(*original, 8, 3);
  auto want = ref::evaluate(*original, inputs);
  auto got = ref::evaluate(g, inputs);
  ASSERT_TRUE(want.ok() && got.ok());
  EXPECT_EQ(worstCloseness(*got, *want, 0, 1e-12), 0.0);
}

TEST(LowerPrecision, ASecondRunChangesNothing) {
  for (DType p : {DType::F16, DType::BF16}) {
    auto g = denseReluSoftmax();
    // Also an f32 input returned as is and a constant output read inside.
    ir::Node* y = g->addInput("y", f32({3}));
    ir::Node* k = g->addConstant("k", makeTensor({3}, {1, 2, 3}));
    ir::Node* yk = add(*g, OpKind::Add, "yk", {y, k});
    g->addOutput(y);
    g->addOutput(k);
    g->addOutput(yk);
    ASSERT_TRUE(lower(*g, p).ok());
    EXPECT_EQ(g->outputs()[1], y);
    EXPECT_EQ(g->outputs()[2], k);
    EXPECT_EQ(k->value.dtype(), DType::F32);  // the output keeps its data
    EXPECT_EQ(g->find("yk." + std::string(ir::dtypeName(p)))->inputs[1]->value.dtype(), p);
    const std::string once = ir::printGraph(*g);
    auto again = lower(*g, p);
    ASSERT_TRUE(again.ok()) << again.status().toString();
    EXPECT_FALSE(*again);
    EXPECT_EQ(ir::printGraph(*g), once);
  }
}

TEST(LowerPrecision, AnOverflowingF16ConstantIsAnErrorNamingIt) {
  ir::Graph g;
  g.sourceFile = "model.json";
  ir::Node* x = g.addInput("x", f32({2}));
  ir::Node* big = g.addConstant("big", makeTensor({2}, {1.0, 70000.0}));
  big->location = "constants[3]";
  g.setOutputs({add(g, OpKind::Add, "y", {x, big})});
  auto f16 = g.clone();
  auto changed = lower(*f16, DType::F16);
  ASSERT_FALSE(changed.ok());
  EXPECT_EQ(changed.status().code(), StatusCode::kInvalidArgument);
  const std::string msg = changed.status().message();
  EXPECT_NE(msg.find("model.json"), std::string::npos) << msg;
  EXPECT_NE(msg.find("\"big\""), std::string::npos) << msg;
  EXPECT_NE(msg.find("70000"), std::string::npos) << msg;
  EXPECT_NE(msg.find("f16"), std::string::npos) << msg;
  // bf16 has f32's range; infinities themselves are values, not overflows.
  EXPECT_TRUE(lower(g, DType::BF16).ok());
  ir::Graph inf;
  ir::Node* xi = inf.addInput("x", f32({1}));
  ir::Node* c = inf.addConstant("c", makeTensor({1}, {-INFINITY}));
  inf.setOutputs({add(inf, OpKind::Maximum, "y", {xi, c})});
  EXPECT_TRUE(lower(inf, DType::F16).ok());
}

TEST(LowerPrecision, RefusesFusedGraphsAndOtherPrecisions) {
  auto g = ir::parseGraph(R"(graph @g(%x: f32[4]) {
    %y = relu(%x) : f32[4]  #k0
    return %y
  })");
  ASSERT_TRUE(g.ok()) << g.status().toString();
  auto fused = createLowerPrecisionPass(DType::F16)->run(**g);
  ASSERT_FALSE(fused.ok());
  EXPECT_EQ(fused.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(fused.status().message().find("before fusion"), std::string::npos);
  auto i32 = createLowerPrecisionPass(DType::I32)->run(**g);
  ASSERT_FALSE(i32.ok());
  EXPECT_EQ(i32.status().code(), StatusCode::kInvalidArgument);
}

TEST(LowerPrecision, IsRegisteredByName) {
  for (const char* name : {"lower-precision-f16", "lower-precision-bf16"}) {
    auto pass = createPass(name);
    ASSERT_TRUE(pass.ok()) << pass.status().toString();
    EXPECT_EQ((*pass)->name(), name);
  }
  EXPECT_EQ(createLowerPrecisionPass(DType::BF16)->name(), "lower-precision-bf16");
}

// tests/data/every_float_op.ir: every op that computes on floats, in one graph.
std::string everyFloatOpText() {
  std::ifstream in(std::string(DLC_SOURCE_DIR) + "/tests/data/every_float_op.ir");
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// Every op that computes on floats, lowered, still verifies and evaluates
// close to f32 on the reference interpreter. About 40 ops deep with
// cancellation (sub, layer_norm), so the error is measured against each
// output's scale (measured: 8e-4 in f16, 7e-3 in bf16).
TEST(LowerPrecision, EveryFloatOpVerifiesAndMatchesTheReference) {
  auto g = ir::parseGraph(everyFloatOpText(), "every-float-op");
  ASSERT_TRUE(g.ok()) << g.status().toString();
  for (const Precision& p : {kF16, kBF16})
    expectCloseToF32(**g, p, /*batch=*/3, /*seed=*/11, /*normwise=*/true);
}

}  // namespace
}  // namespace dlc::passes::testing
