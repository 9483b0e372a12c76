// The IR text format: golden printing, parse(print(g)) == print(g) for every
// attribute kind, dtype, device and kernel annotation, splat constants, and
// parser errors with line:col.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <fstream>
#include <limits>
#include <sstream>

#include "IrTestUtil.h"
#include "ir/Parser.h"
#include "ir/Printer.h"
#include "ir/Verifier.h"

namespace dlc::ir {
namespace {

using namespace testing;

std::string readFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

PrintOptions allInline() {
  PrintOptions o;
  o.maxInlineElements = -1;
  return o;
}

// Parses `text`, failing the test on error.
std::unique_ptr<Graph> parseOrDie(const std::string& text) {
  auto g = parseGraph(text, "test.ir");
  EXPECT_TRUE(g.ok()) << g.status().message();
  return g.ok() ? std::move(g).value() : std::make_unique<Graph>();
}

void expectRoundTrip(const Graph& g) {
  std::string printed = printGraph(g, allInline());
  auto parsed = parseGraph(printed, "roundtrip.ir");
  ASSERT_TRUE(parsed.ok()) << parsed.status().message() << "\n" << printed;
  EXPECT_EQ(printGraph(**parsed, allInline()), printed);
  EXPECT_TRUE(verify(**parsed).ok()) << verify(**parsed).message();
}

TEST(TextFormat, GoldenFileRoundTripsExactly) {
  std::string text = readFile(std::string(DLC_TEST_DATA_DIR) + "/data/mlp.ir");
  ASSERT_FALSE(text.empty());
  auto g = parseOrDie(text);
  EXPECT_EQ(printGraph(*g), text);
  EXPECT_TRUE(verify(*g).ok()) << verify(*g).message();
  EXPECT_EQ(g->name, "mlp");
  EXPECT_EQ(g->sourceFile, "test.ir");
  ASSERT_EQ(g->inputs().size(), 1u);
  EXPECT_EQ(g->inputs()[0]->type, (TensorType{DType::U8, {N, 28, 28}}));
  ASSERT_EQ(g->outputs().size(), 2u);
  EXPECT_EQ(g->outputs()[0]->name, "probs");
  EXPECT_EQ(g->outputs()[1]->name, "r");
  Node* h = g->find("h");
  ASSERT_NE(h, nullptr);
  EXPECT_EQ(h->kernel, 1);
  EXPECT_EQ(h->device, "/device:CPU:0");
  EXPECT_EQ(h->origins, std::vector<std::string>{"h"});
  Node* w1 = g->find("w1");
  EXPECT_FLOAT_EQ(float(w1->value.getAsDouble(1)), -0.25f);
}

TEST(TextFormat, PrintsGraphsBuiltInCode) {
  Graph g;
  g.name = "tiny";
  Node* x = g.addInput("x", f32({N, 3}));
  Node* r = g.addNode(OpKind::LeakyRelu, "act", {x}, attrs({{"alpha", 0.5}}));
  g.setOutputs({r});
  ASSERT_TRUE(inferTypes(g).ok());
  EXPECT_EQ(printGraph(g),
            "graph @tiny(%x: f32[N,3]) {\n"
            "  %act = leaky_relu(%x) {alpha = 0.5} : f32[N,3]\n"
            "  return %act\n"
            "}\n");
}

TEST(TextFormat, EveryAttributeKindRoundTrips) {
  Graph g;
  Node* x = g.addInput("x", f32({2}));
  Attributes a = attrs({{"i", int64_t(-7)},
                        {"f", 2.5},
                        {"whole", 3.0},
                        {"tiny", 1e-7},
                        {"big", 1e300},
                        {"inf", std::numeric_limits<double>::infinity()},
                        {"ninf", -std::numeric_limits<double>::infinity()},
                        {"s", std::string("a \"quoted\" \\ string\nline 2")},
                        {"ints", std::vector<int64_t>{1, -2, INT64_MAX, INT64_MIN}},
                        {"floats", std::vector<double>{0.5, -1.0, 3.0}},
                        {"empty", std::vector<int64_t>{}}});
  Node* r = g.addNode(OpKind::Relu, "r", {x}, a);
  g.setOutputs({r});
  ASSERT_TRUE(inferTypes(g).ok());
  expectRoundTrip(g);
  auto parsed = parseOrDie(printGraph(g));
  EXPECT_EQ(parsed->find("r")->attrs, a);
}

TEST(TextFormat, ConstantsOfEveryDTypeRoundTrip) {
  Graph g;
  auto add = [&](const char* name, DType dt, std::vector<double> values) {
    Tensor t(dt, {int64_t(values.size())});
    for (size_t i = 0; i < values.size(); ++i) t.setFromDouble(int64_t(i), values[i]);
    return g.addConstant(name, t);
  };
  add("f32", DType::F32, {0.1, -0.0, 3.0, 1e-30, std::numeric_limits<double>::infinity()});
  add("f16", DType::F16, {0.1, -2.5, 65504.0});
  add("bf16", DType::BF16, {0.1, -2.5, 1e30});
  add("u8", DType::U8, {0, 255});
  add("i32", DType::I32, {-2147483648.0, 2147483647.0});
  add("bool", DType::Bool, {1, 0, 1});
  Tensor big(DType::I64, {2});
  big.as<int64_t>()[0] = INT64_MAX;
  big.as<int64_t>()[1] = INT64_MIN;
  g.addConstant("i64", big);
  Tensor scalar(DType::F32, {});
  scalar.setFromDouble(0, std::nan(""));
  g.addConstant("scalar", scalar);
  g.addConstant("empty", Tensor(DType::F32, {0, 3}));
  g.setOutputs({g.find("f32")});
  expectRoundTrip(g);

  auto parsed = parseOrDie(printGraph(g, allInline()));
  for (const char* name : {"f32", "f16", "bf16", "u8", "i32", "bool", "i64", "empty"}) {
    const Tensor& a = g.find(name)->value;
    const Tensor& b = parsed->find(name)->value;
    ASSERT_EQ(a.type(), b.type()) << name;
    EXPECT_EQ(std::memcmp(a.data(), b.data(), a.byteSize()), 0) << name;
  }
  EXPECT_TRUE(std::isnan(parsed->find("scalar")->value.getAsDouble(0)));
  EXPECT_NE(printGraph(g, allInline()).find("dense<[true, false, true]>"), std::string::npos);
}

TEST(TextFormat, LargeConstantsPrintOpaqueAndDoNotParse) {
  Graph g;
  g.addConstant("w", Tensor(DType::F32, {5, 5}));
  std::string printed = printGraph(g);
  EXPECT_NE(printed.find("%w = constant() {value = opaque<\"100 bytes\">} : f32[5,5]"),
            std::string::npos)
      << printed;
  expectError(parseGraph(printed), {"<ir>:2:28: opaque constant data cannot be parsed"});
}

TEST(TextFormat, DevicesKernelsAndQuotedNamesRoundTrip) {
  Graph g;
  g.name = "my graph";
  Node* x = g.addInput("input:0", f32({N, 4}));
  x->device = "/device:CPU:0";
  Node* n = g.addNode(OpKind::Exp, "conv1/BiasAdd", {x});
  n->device = "/device:CUDA:0";
  n->kernel = 12;
  g.setOutputs({n});
  ASSERT_TRUE(inferTypes(g).ok());
  std::string printed = printGraph(g);
  EXPECT_EQ(printed,
            "graph @\"my graph\"(%\"input:0\": f32[N,4] @\"/device:CPU:0\") {\n"
            "  %\"conv1/BiasAdd\" = exp(%\"input:0\") : f32[N,4] @\"/device:CUDA:0\"  #k12\n"
            "  return %\"conv1/BiasAdd\"\n"
            "}\n");
  expectRoundTrip(g);
}

TEST(TextFormat, SplatConstantsAndComments) {
  auto g = parseOrDie(R"(// a test graph
graph @g(%a: f32[4,4]) {
  %c = constant() {value = splat<1.5>} : f32[4,4]   // all ones and a half
  %b = constant() {value = splat<true>} : bool[2]
  %s = add(%a, %c) : f32[4,4]
  return %s
})");
  const Tensor& c = g->find("c")->value;
  ASSERT_EQ(c.numElements(), 16);
  for (int64_t i = 0; i < 16; ++i) EXPECT_EQ(c.getAsDouble(i), 1.5);
  EXPECT_EQ(g->find("b")->value.getAsDouble(1), 1.0);
  EXPECT_EQ(g->outputs()[0]->type, f32({4, 4}));
}

// splat<v> converts its literal once and copies it by doubling (libFuzzer
// found a 40-byte splat of 1 GiB re-parsing the literal 2^28 times): every
// element of odd-sized shapes holds the value, and the limit is in bytes.
TEST(TextFormat, SplatFillsEveryElementAndIsLimitedInBytes) {
  auto g = parseOrDie(R"(graph @g() {
  %f = constant() {value = splat<-1.25>} : f32[3,1000,7]
  %l = constant() {value = splat<-9223372036854775807>} : i64[5,13]
  %b = constant() {value = splat<true>} : bool[33]
  %z = constant() {value = splat<4>} : i32[0,3]
  return %f, %l, %b, %z
})");
  const Tensor& f = g->find("f")->value;
  ASSERT_EQ(f.numElements(), 21000);
  EXPECT_EQ(std::count(f.as<float>(), f.as<float>() + 21000, -1.25f), 21000);
  const Tensor& l = g->find("l")->value;
  ASSERT_EQ(l.numElements(), 65);
  EXPECT_EQ(std::count(l.as<int64_t>(), l.as<int64_t>() + 65, int64_t(-9223372036854775807)), 65);
  const Tensor& b = g->find("b")->value;
  EXPECT_EQ(std::count(b.as<uint8_t>(), b.as<uint8_t>() + 33, uint8_t(1)), 33);
  EXPECT_EQ(g->find("z")->value.numElements(), 0);

  auto big = parseGraph(
      "graph @g() {\n  %c = constant() {value = splat<1>} : i64[1024,1024,256]\n}", "t.ir");
  ASSERT_FALSE(big.ok());
  EXPECT_EQ(big.status().message(),
            "t.ir:2:28: splat constant i64[1024,1024,256] is larger than 1073741824 bytes");
  auto bad = parseGraph("graph @g() {\n  %c = constant() {value = splat<x>} : f32[2]\n}", "t.ir");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().message(), "t.ir:2:34: expected a number, got 'x'");
}

TEST(TextFormat, ParserRunsShapeInferenceOnEveryNode) {
  auto g = parseOrDie(R"(graph @g(%x: f32[N,8]) {
  %w = constant() {value = splat<0.0>} : f32[8,3]
  %y = dense(%x, %w) : f32[N,3]
})");
  EXPECT_EQ(g->find("y")->type, f32({N, 3}));
  EXPECT_TRUE(g->outputs().empty());
}

struct ParseErrorCase {
  const char* text;
  const char* expected;
};

TEST(TextFormat, ParserErrorsGiveLineAndColumn) {
  const ParseErrorCase cases[] = {
      {"graph @g(%x: f32[2]) {\n  %y = relu(%z) : f32[2]\n}",
       "t.ir:2:13: use of undefined value %z"},
      {"graph @g(%x: f32[2]) {\n  %y = frobnicate(%x) : f32[2]\n}",
       "t.ir:2:8: unknown op 'frobnicate'"},
      {"graph @g(%x: f32[2]) {\n  %y = relu(%x) : f32[3]\n}",
       "t.ir:2:19: %y is written as f32[3] but its inferred type is f32[2]"},
      {"graph @g(%x: f32[N,784]) {\n  %w = constant() {value = splat<1.0>} : f32[100,128]\n"
       "  %d = dense(%x, %w) : f32[N,128]\n}",
       "t.ir:3:3: \"d\" (dense): dense expects w of shape [784,out], got [100,128]"},
      {"graph @g() {\n  %c = constant() {value = dense<[1.0, 2.0]>} : f32[3]\n}",
       "t.ir:2:28: dense data has 2 elements but the type f32[3] has 3"},
      {"graph @g(%x: f32[2]) {\n  %x = relu(%x) : f32[2]\n}", "t.ir:2:3: redefinition of %x"},
      {"graph @g(%x: f32[2]) {\n  %y = relu(%x) : f33[2]\n}",
       "t.ir:2:19: expected a dtype (f32, i64, bool, ...), got 'f33'"},
      {"graph @g(%x: f32[2]) {\n  %y = relu(%x) {a = 1.2.3} : f32[2]\n}",
       "t.ir:2:22: malformed number"},
      {"graph @g(%x: f32[2]) {\n  %y = relu(%x) : f32[2]\n  return %y\n  %z = relu(%y) : f32[2]\n}",
       "t.ir:4:3: expected '}' after the return statement"},
      {"graph @g(%x: f32[2]) {\n  %y = relu(%x) : f32[2] #q\n}",
       "t.ir:2:26: expected a kernel tag #k<id>"},
      {"graph @g(%x: f32[2]) {\n  %c = constant() {value = dense<[300]>} : u8[1]\n}",
       "t.ir:2:35: 300 is out of range for u8"},
      {"graph @g() {\n  %c = constant() {value = splat<1.0>} : f32[N]\n}",
       "t.ir:2:28: a constant cannot have the batch dimension N"},
      {"graph @g(%x: f32[2]) {\n  %y = relu(%x) {a = 1, a = 2} : f32[2]\n}",
       "t.ir:2:25: duplicate attribute 'a'"},
      {"graph @g(%x: f32[2]) {\n  %y = relu(%x) : f32[2]\n", "t.ir:3:1: expected '}', got the end of input"},
      {"graph @g(%x: f32[N,N]) {\n}", "t.ir:1:14: shape [N,N] uses the batch symbol N more than once"},
      {"graph @g(%x: f32[2]) {\n  %y = input() : f32[2]\n}",
       "t.ir:2:8: inputs are declared in the graph signature"},
      {"graph @g(%x: f32[2]) {\n  %y = relu(%x) {s = \"open} : f32[2]\n}",
       "t.ir:2:22: unterminated string"},
  };
  for (const auto& c : cases) {
    auto g = parseGraph(c.text, "t.ir");
    ASSERT_FALSE(g.ok()) << c.text;
    EXPECT_NE(g.status().message().find(c.expected), std::string::npos)
        << "got:      " << g.status().message() << "\nexpected: " << c.expected;
  }
}

// Truncated and corrupted text never crashes the parser; every error has a position.
TEST(TextFormat, ParserSurvivesTruncationAndCorruption) {
  std::string text = readFile(std::string(DLC_TEST_DATA_DIR) + "/data/mlp.ir");
  ASSERT_FALSE(text.empty());
  int failures = 0;
  auto check = [&](const std::string& t) {
    auto g = parseGraph(t, "fuzz.ir");
    if (g.ok()) return;
    ++failures;
    EXPECT_EQ(g.status().message().rfind("fuzz.ir:", 0), 0u) << g.status().message();
  };
  for (size_t len = 0; len + 2 < text.size(); ++len) check(text.substr(0, len));
  for (size_t i = 0; i < text.size(); i += 3)
    for (char c : {'%', '"', '[', '9', '-', 'N', '}', '#', '<'}) {
      std::string t = text;
      t[i] = c;
      check(t);
    }
  EXPECT_GT(failures, int(text.size()));
}

}  // namespace
}  // namespace dlc::ir
