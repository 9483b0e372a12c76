// Hostile ONNX models: attribute values and extents out of range, huge
// shapes and constants. Each must import to a clear error that names the
// file, the node and the attribute or input, never a crash, an abort or a
// huge allocation. Several of these came from mutating the ONNX node suite's
// models (bit flips, extents of 2^31, attributes set to 0 or INT64_MAX).
#include <gtest/gtest.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmath>
#include <cstdint>
#include <limits>

#include "OnnxTestUtil.h"
#include "frontends/onnx/OnnxModel.h"
#include "tests/common/Sanitizers.h"

namespace dlc::onnxfe {
namespace {

using namespace dlc::onnxfe::testing;

constexpr int64_t kHuge = int64_t(1) << 40;
constexpr int64_t kI64Max = std::numeric_limits<int64_t>::max();

// The import error of `m`; fails the test when it imports.
std::vector<float> iota6() { return {0, 1, 2, 3, 4, 5}; }

// A model whose only node reads initializer `t` ("w").
::onnx::ModelProto withInitializer(const ::onnx::TensorProto& t) {
  auto m = makeModel();
  addInitializer(m, t);
  addNode(m, "Identity", {"w"}, {"y"}, "n");
  addOutput(m, "y");
  return m;
}

std::string importError(const ::onnx::ModelProto& m) {
  auto g = parseOnnx(m.SerializeAsString(), "hostile.onnx");
  EXPECT_FALSE(g.ok()) << "imported a hostile model: "
                       << (g.ok() ? (*g)->outputs()[0]->type.str() : "");
  if (g.ok())
    for (const auto& n : m.graph().node()) ADD_FAILURE() << n.op_type();
  return g.ok() ? "" : g.status().message();
}

// Expects an error mentioning the file, node "n" and every one of `parts`.
void expectError(const ::onnx::ModelProto& m, std::vector<std::string> parts) {
  std::string message = importError(m);
  EXPECT_NE(message.find("hostile.onnx"), std::string::npos) << message;
  EXPECT_NE(message.find("\"n\""), std::string::npos) << message;
  for (const auto& p : parts) EXPECT_NE(message.find(p), std::string::npos) << message;
}

// One node "n" of `op` over input x of `dims`, output y.
::onnx::ModelProto oneNode(const std::string& op, std::vector<int64_t> dims,
                           std::vector<std::string> inputs = {"x"}, int opset = 17) {
  auto m = makeModel(opset);
  addInput(m, "x", dims);
  addNode(m, op, inputs, {"y"}, "n");
  addOutput(m, "y");
  return m;
}

TEST(OnnxHostile, ArgMaxOverAHugeAxisIsAnErrorNotAnAllocation) {
  auto m = oneNode("ArgMax", {1, int64_t(1) << 31});
  setInt(m.mutable_graph()->mutable_node(0), "axis", 1);
  expectError(m, {"ArgMax", "more than"});
}

TEST(OnnxHostile, HardmaxOverTheBatchAxisIsUnsupported) {
  // Was iota(N = -1): an abort allocating 2^64 bytes.
  auto m = oneNode("Hardmax", {-1, 4});
  setInt(m.mutable_graph()->mutable_node(0), "axis", 0);
  expectError(m, {"batch axis N"});
}

TEST(OnnxHostile, OneHotWithAHugeDepthIsAnError) {
  auto m = makeModel();
  addInput(m, "x", {3}, ::onnx::TensorProto::INT64);
  addInitializer(m, int64Tensor("depth", {}, {kHuge}));
  addInitializer(m, floatTensor("values", {2}, {0, 1}));
  addNode(m, "OneHot", {"x", "depth", "values"}, {"y"}, "n");
  addOutput(m, "y");
  expectError(m, {"depth"});
}

TEST(OnnxHostile, TriluAndCumSumTablesAreBounded) {
  auto t = oneNode("Trilu", {int64_t(1) << 31, 5});
  expectError(t, {"Trilu mask", "more than"});
  auto m = makeModel();
  addInput(m, "x", {1, int64_t(1) << 20});
  addInitializer(m, int64Tensor("axis", {}, {1}));
  addNode(m, "CumSum", {"x", "axis"}, {"y"}, "n");
  addOutput(m, "y");
  expectError(m, {"CumSum triangle", "more than"});
}

TEST(OnnxHostile, LossClassCountIsBounded) {
  auto m = makeModel();
  addInput(m, "x", {1, int64_t(1) << 31});
  addInput(m, "t", {1}, ::onnx::TensorProto::INT64);
  addNode(m, "SoftmaxCrossEntropyLoss", {"x", "t"}, {"y"}, "n");
  addOutput(m, "y");
  expectError(m, {"class index constant"});
}

TEST(OnnxHostile, DepthToSpaceHugeBlocksizeIsAnErrorNotSigfpe) {
  // blocksize^2 overflowed to 0 and C % 0 raised SIGFPE.
  auto m = oneNode("DepthToSpace", {1, 8, 2, 3});
  setInt(m.mutable_graph()->mutable_node(0), "blocksize", kHuge);
  expectError(m, {"'blocksize'"});
  auto s = oneNode("SpaceToDepth", {1, 8, 2, 3});
  setInt(s.mutable_graph()->mutable_node(0), "blocksize", int64_t(1) << 32);
  expectError(s, {"'blocksize'"});
}

TEST(OnnxHostile, PoolingStridesZeroIsAnErrorNotSigfpe) {
  for (const char* autoPad : {"NOTSET", "SAME_UPPER"}) {
    auto m = oneNode("AveragePool", {1, 1, 5, 5});
    auto* n = m.mutable_graph()->mutable_node(0);
    setInts(n, "kernel_shape", {2, 2});
    setInts(n, "strides", {0, 1});
    auto* a = n->add_attribute();
    a->set_name("auto_pad");
    a->set_type(::onnx::AttributeProto::STRING);
    a->set_s(autoPad);
    setInt(n, "ceil_mode", 1);
    expectError(m, {"'strides' = 0"});
  }
}

TEST(OnnxHostile, PoolingKernelZeroAndNegativePadsAreErrors) {
  auto m = oneNode("MaxPool", {1, 1, 5, 5});
  setInts(m.mutable_graph()->mutable_node(0), "kernel_shape", {0, 2});
  expectError(m, {"'kernel_shape' = 0"});
  auto p = oneNode("MaxPool", {1, 1, 5, 5});
  setInts(p.mutable_graph()->mutable_node(0), "kernel_shape", {2, 2});
  setInts(p.mutable_graph()->mutable_node(0), "pads", {0, -1, 0, 0});
  expectError(p, {"'pads' = -1"});
}

::onnx::ModelProto conv(std::vector<int64_t> wDims) {
  auto m = makeModel();
  addInput(m, "x", {1, 4, 5, 5});
  int64_t count = 1;
  for (int64_t d : wDims) count *= d;
  addInitializer(m, floatTensor("w", wDims, std::vector<float>(size_t(count), 1.f)));
  addNode(m, "Conv", {"x", "w"}, {"y"}, "n");
  addOutput(m, "y");
  return m;
}

TEST(OnnxHostile, ConvStridesDilationsAndPadsOutOfRangeAreErrors) {
  auto s = conv({2, 4, 3, 3});
  setInts(s.mutable_graph()->mutable_node(0), "strides", {1, 0});
  expectError(s, {"'strides' = 0"});
  auto d = conv({2, 4, 3, 3});
  setInts(d.mutable_graph()->mutable_node(0), "dilations", {-2, 1});
  expectError(d, {"'dilations' = -2"});
  auto p = conv({2, 4, 3, 3});
  setInts(p.mutable_graph()->mutable_node(0), "pads", {kI64Max, 0, 0, 0});
  expectError(p, {"'pads'"});
}

TEST(OnnxHostile, ConvGroupZeroOrNotDividingChannelsIsAnError) {
  for (int64_t group : {int64_t(0), int64_t(-1), int64_t(3), kI64Max}) {
    auto m = conv({2, 4, 3, 3});
    setInt(m.mutable_graph()->mutable_node(0), "group", group);
    importError(m);
  }
}

TEST(OnnxHostile, RangeWithZeroDeltaOrHugeCountIsAnError) {
  auto range = [](float start, float limit, float delta) {
    auto m = makeModel();
    addInitializer(m, floatTensor("s", {}, {start}));
    addInitializer(m, floatTensor("l", {}, {limit}));
    addInitializer(m, floatTensor("d", {}, {delta}));
    addNode(m, "Range", {"s", "l", "d"}, {"y"}, "n");
    addOutput(m, "y");
    return m;
  };
  expectError(range(0, 10, 0), {"delta is 0"});
  expectError(range(0, 1e12f, 1), {"Range", "more than"});
  importError(range(0, INFINITY, 1));
  importError(range(0, NAN, 1));
}

TEST(OnnxHostile, TileWithHugeOrNegativeRepeatsIsAnError) {
  auto tile = [](std::vector<int64_t> repeats) {
    auto m = makeModel();
    addInput(m, "x", {2, 3});
    addInitializer(m, int64Tensor("r", {2}, repeats));
    addNode(m, "Tile", {"x", "r"}, {"y"}, "n");
    addOutput(m, "y");
    return m;
  };
  expectError(tile({kI64Max, 1}), {"'repeats'"});
  expectError(tile({kHuge, kHuge}), {"'repeats'"});
  expectError(tile({-1, 1}), {"'repeats'"});
}

TEST(OnnxHostile, SplitSizesThatOverflowOrDoNotSumAreErrors) {
  auto split = [](std::vector<int64_t> sizes) {
    auto m = makeModel();
    addInput(m, "x", {6});
    addInitializer(m, int64Tensor("s", {2}, sizes));
    addNode(m, "Split", {"x", "s"}, {"a", "b"}, "n");
    addOutput(m, "a");
    addOutput(m, "b");
    return m;
  };
  expectError(split({kI64Max, kI64Max}), {"'split'"});
  expectError(split({2, 3}), {"'split'"});
  expectError(split({4, 3}), {"'split'"});
}

TEST(OnnxHostile, ExpandAndConstantOfShapeToAGiantShapeAreErrors) {
  auto m = makeModel();
  addInput(m, "x", {1, 1});
  addInitializer(m, int64Tensor("s", {2}, {kHuge, kHuge}));
  addNode(m, "Expand", {"x", "s"}, {"y"}, "n");
  addOutput(m, "y");
  importError(m);
  auto c = makeModel();
  addInitializer(c, int64Tensor("s", {3}, {kHuge, kHuge, kHuge}));
  addNode(c, "ConstantOfShape", {"s"}, {"y"}, "n");
  addOutput(c, "y");
  importError(c);
  auto neg = makeModel();
  addInitializer(neg, int64Tensor("s", {2}, {3, -5}));
  addNode(neg, "ConstantOfShape", {"s"}, {"y"}, "n");
  addOutput(neg, "y");
  expectError(neg, {"negative"});
}

TEST(OnnxHostile, ReshapeWithTwoInferredOrGiantExtentsIsAnError) {
  auto reshape = [](std::vector<int64_t> shape) {
    auto m = makeModel();
    addInput(m, "x", {2, 3, 4});
    addInitializer(m, int64Tensor("s", {int64_t(shape.size())}, shape));
    addNode(m, "Reshape", {"x", "s"}, {"y"}, "n");
    addOutput(m, "y");
    return m;
  };
  importError(reshape({-1, -1}));
  importError(reshape({kHuge, kHuge}));
  importError(reshape({-1, 0, 0, 0, 0}));
  importError(reshape({-7, 24}));
  importError(reshape({5, -1}));
}

TEST(OnnxHostile, TransposePermNotAPermutationIsAnError) {
  for (std::vector<int64_t> perm :
       {std::vector<int64_t>{0, 0, 1}, {0, 1}, {0, 1, 3}, {-1, 0, 1}, {kI64Max, 0, 1}}) {
    auto m = oneNode("Transpose", {2, 3, 4});
    setInts(m.mutable_graph()->mutable_node(0), "perm", perm);
    importError(m);
  }
}

TEST(OnnxHostile, AxesFarOutOfRangeAreErrors) {
  for (const char* op : {"Softmax", "LogSoftmax", "Flatten", "Concat", "Gather", "ArgMax",
                         "Hardmax", "CumSum", "Split"}) {
    for (int64_t axis :
         {int64_t(-100), int64_t(100), kI64Max, std::numeric_limits<int64_t>::min()}) {
      auto m = makeModel();
      addInput(m, "x", {2, 3});
      addInitializer(m, int64Tensor("i", {}, {0}));
      std::string op2 = op;
      std::vector<std::string> ins = {"x"};
      if (op2 == "Gather" || op2 == "CumSum") ins.push_back("i");
      auto* n = addNode(m, op, ins, {"y"}, "n");
      if (op2 == "CumSum")
        m.mutable_graph()->mutable_initializer(0)->set_int64_data(0, axis);
      else
        setInt(n, "axis", axis);
      addOutput(m, "y");
      importError(m);
    }
  }
}

TEST(OnnxHostile, ReduceSqueezeUnsqueezeAxesOutOfRangeAreErrors) {
  for (const char* op : {"ReduceSum", "ReduceMean", "ReduceMax", "Squeeze", "Unsqueeze"}) {
    for (std::vector<int64_t> axes : {std::vector<int64_t>{5}, {-9}, {kI64Max}}) {
      auto m = makeModel(18);  // axes is an input of every reduction from opset 18
      addInput(m, "x", {1, 3});
      addInitializer(m, int64Tensor("a", {int64_t(axes.size())}, axes));
      addNode(m, op, {"x", "a"}, {"y"}, "n");
      addOutput(m, "y");
      expectError(m, {"axes"});
    }
  }
}

TEST(OnnxHostile, SliceWithZeroStepIsAnError) {
  auto m = makeModel();
  addInput(m, "x", {6});
  addInitializer(m, int64Tensor("s", {1}, {0}));
  addInitializer(m, int64Tensor("e", {1}, {6}));
  addInitializer(m, int64Tensor("a", {1}, {0}));
  addInitializer(m, int64Tensor("t", {1}, {0}));
  addNode(m, "Slice", {"x", "s", "e", "a", "t"}, {"y"}, "n");
  addOutput(m, "y");
  importError(m);
}

::onnx::ModelProto pad(std::vector<int64_t> pads) {
  auto m = makeModel();
  addInput(m, "x", {2, 3});
  addInitializer(m, int64Tensor("p", {4}, pads));
  addNode(m, "Pad", {"x", "p"}, {"y"}, "n");
  addOutput(m, "y");
  return m;
}

TEST(OnnxHostile, PadWithHugePadsIsAnError) { importError(pad({0, kHuge, 0, kHuge})); }

TEST(OnnxHostile, PadCroppingAnAxisToNothingIsAnError) {
  // Was imported as an empty f32[2,0].
  expectError(pad({0, -5, 0, 0}), {"'pads'", "to nothing"});
  expectError(pad({0, -2, 0, -1}), {"'pads'", "to nothing"});
  expectError(pad({0, 0, 0, std::numeric_limits<int64_t>::min()}), {"'pads'"});
  auto ok = parseOnnx(pad({0, -2, 0, 0}).SerializeAsString(), "ok.onnx");
  ASSERT_TRUE(ok.ok()) << ok.status().toString();
  EXPECT_EQ((*ok)->outputs()[0]->type.str(), "f32[2,1]");
}

TEST(OnnxHostile, InputExtentsOutOfRangeAreErrors) {
  for (int64_t d : {kHuge * 4, kI64Max}) {
    auto m = oneNode("Relu", {2, d});
    importError(m);
  }
}

TEST(OnnxHostile, GemmBiasThatWouldWidenTheResultIsAnError) {
  // C [3,2,2] was broadcast up, giving a [3,2,2] "Gemm" result.
  for (std::vector<int64_t> cDims : {std::vector<int64_t>{3, 2, 2}, {2, 3}, {4, 1}}) {
    int64_t count = 1;
    for (int64_t d : cDims) count *= d;
    auto m = makeModel();
    addInput(m, "a", {2, 3});
    addInitializer(m, floatTensor("b", {3, 2}, iota6()));
    addInitializer(m, floatTensor("c", cDims, std::vector<float>(size_t(count), 1.f)));
    addNode(m, "Gemm", {"a", "b", "c"}, {"y"}, "n");
    addOutput(m, "y");
    expectError(m, {"input C", "does not broadcast"});
  }
}

TEST(OnnxHostile, ConstantWithTwoValueAttributesIsAnError) {
  auto m = makeModel();
  auto* n = addNode(m, "Constant", {}, {"y"}, "n");
  setInt(n, "value_int", 1);
  setFloat(n, "value_float", 2);
  addOutput(m, "y");
  expectError(m, {"exactly one"});
}

TEST(OnnxHostile, SliceOfAShapeWithAHugeStepDoesNotOverflow) {
  // Shape [2,3,4][2::INT64_MAX-1] is [4]; i += step overflowed and read
  // entries far outside the shape (it gave 3 entries).
  for (int64_t step : {kI64Max - 1, kI64Max}) {
    for (int64_t start : {0, 1, 2}) {
      auto m = makeModel();
      addInput(m, "x", {2, 3, 4});
      addNode(m, "Shape", {"x"}, {"s"}, "shape");
      addInitializer(m, int64Tensor("st", {1}, {start}));
      addInitializer(m, int64Tensor("en", {1}, {kI64Max}));
      addInitializer(m, int64Tensor("ax", {1}, {0}));
      addInitializer(m, int64Tensor("sp", {1}, {step}));
      addNode(m, "Slice", {"s", "st", "en", "ax", "sp"}, {"y"}, "n");
      addOutput(m, "y");
      auto g = parseOnnx(m.SerializeAsString(), "slice.onnx");
      ASSERT_TRUE(g.ok()) << g.status().toString();
      const ir::Node* y = (*g)->outputs()[0];
      ASSERT_EQ(y->type.str(), "i64[1]");
      ASSERT_EQ(y->op, ir::OpKind::Constant);
      EXPECT_EQ(y->value.as<int64_t>()[0], (std::vector<int64_t>{2, 3, 4})[size_t(start)]);
    }
  }
  // And backwards: [2,3,4][2::INT64_MIN] is [4].
  auto m = makeModel();
  addInput(m, "x", {2, 3, 4});
  addNode(m, "Shape", {"x"}, {"s"}, "shape");
  addInitializer(m, int64Tensor("st", {1}, {2}));
  addInitializer(m, int64Tensor("en", {1}, {std::numeric_limits<int64_t>::min()}));
  addInitializer(m, int64Tensor("ax", {1}, {0}));
  addInitializer(m, int64Tensor("sp", {1}, {std::numeric_limits<int64_t>::min()}));
  addNode(m, "Slice", {"s", "st", "en", "ax", "sp"}, {"y"}, "n");
  addOutput(m, "y");
  auto g = parseOnnx(m.SerializeAsString(), "slice.onnx");
  ASSERT_TRUE(g.ok()) << g.status().toString();
  EXPECT_EQ((*g)->outputs()[0]->type.str(), "i64[1]");
}

TEST(OnnxHostile, EyeLikeWithAHugeDiagonalOffsetIsAllZeros) {
  // i + k overflowed for k near INT64_MAX.
  for (int64_t k : {kI64Max, std::numeric_limits<int64_t>::min(), int64_t(3), int64_t(-2)}) {
    auto m = makeModel();
    addInitializer(m, floatTensor("x", {2, 3}, iota6()));
    setInt(addNode(m, "EyeLike", {"x"}, {"y"}, "n"), "k", k);
    addOutput(m, "y");
    auto g = parseOnnx(m.SerializeAsString(), "eye.onnx");
    ASSERT_TRUE(g.ok()) << g.status().toString();
    const ir::Node* y = (*g)->outputs()[0];
    ASSERT_EQ(y->op, ir::OpKind::Constant);
    for (int64_t i = 0; i < 6; ++i) EXPECT_EQ(y->value.as<float>()[i], 0.f) << "k " << k;
  }
}

TEST(OnnxHostile, RangeChecksItsScalarsAndIsExactForInt64) {
  auto range = [](::onnx::TensorProto s, ::onnx::TensorProto l, ::onnx::TensorProto d) {
    auto m = makeModel();
    s.set_name("s");
    l.set_name("l");
    d.set_name("d");
    addInitializer(m, s);
    addInitializer(m, l);
    addInitializer(m, d);
    addNode(m, "Range", {"s", "l", "d"}, {"y"}, "n");
    addOutput(m, "y");
    return m;
  };
  // An empty start used to be read at element 0.
  expectError(range(int64Tensor("", {0}, {}), int64Tensor("", {}, {5}), int64Tensor("", {}, {1})),
              {"scalars"});
  expectError(range(int64Tensor("", {}, {0}), floatTensor("", {}, {5}), int64Tensor("", {}, {1})),
              {"one dtype"});
  // 2^60 + {0, 3, 6}: a double cannot hold these; they were rounded.
  int64_t big = int64_t(1) << 60;
  auto m =
      range(int64Tensor("", {}, {big}), int64Tensor("", {}, {big + 7}), int64Tensor("", {}, {3}));
  auto g = parseOnnx(m.SerializeAsString(), "range.onnx");
  ASSERT_TRUE(g.ok()) << g.status().toString();
  const ir::Node* y = (*g)->outputs()[0];
  ASSERT_EQ(y->type.str(), "i64[3]");
  ASSERT_EQ(y->op, ir::OpKind::Constant);
  EXPECT_EQ(y->value.as<int64_t>()[0], big);
  EXPECT_EQ(y->value.as<int64_t>()[1], big + 3);
  EXPECT_EQ(y->value.as<int64_t>()[2], big + 6);
  // Backwards, and extreme int64 bounds without overflow.
  auto back = range(int64Tensor("", {}, {10}), int64Tensor("", {}, {4}), int64Tensor("", {}, {-3}));
  auto gb = parseOnnx(back.SerializeAsString(), "range.onnx");
  ASSERT_TRUE(gb.ok()) << gb.status().toString();
  ASSERT_EQ((*gb)->outputs()[0]->type.str(), "i64[2]");
  EXPECT_EQ((*gb)->outputs()[0]->value.as<int64_t>()[1], 7);
  expectError(range(int64Tensor("", {}, {std::numeric_limits<int64_t>::min()}),
                    int64Tensor("", {}, {kI64Max}), int64Tensor("", {}, {1})),
              {"more than"});
}

// Imports `m` in a child process limited to 1 GiB of address space; true
// when the import fails with a message holding `part` (and does not crash).
bool failsWithinOneGiB(const ::onnx::ModelProto& m, const std::string& part) {
  std::string bytes = m.SerializeAsString();
  pid_t pid = ::fork();
  if (pid == 0) {
    test::capAddressSpaceUnlessAsan(uint64_t(1) << 30);
    auto g = parseOnnx(bytes, "hostile.onnx");
    bool ok = !g.ok() && g.status().message().find(part) != std::string::npos;
    ::_exit(ok ? 0 : 1);
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

TEST(OnnxHostile, InitializerDimsAreCheckedAgainstItsDataBeforeAllocating) {
  // A few bytes of protobuf claiming f32[2^31] (8 GiB) used to allocate and
  // zero 8 GiB before noticing that raw_data holds 4 bytes.
  auto raw = withInitializer(floatTensor("w", {int64_t(1) << 31}, {1.f}));
  EXPECT_TRUE(failsWithinOneGiB(raw, "raw_data has 4 bytes, dims [2147483648] f32 need"));
  auto typed = floatTensor("w", {int64_t(1) << 31}, {});
  typed.clear_raw_data();
  typed.add_float_data(1.f);
  EXPECT_TRUE(failsWithinOneGiB(withInitializer(typed), "float_data has 1 values"));
  auto ints = int64Tensor("w", {int64_t(1) << 30}, {1, 2});
  EXPECT_TRUE(failsWithinOneGiB(withInitializer(ints), "int64_data has 2 values"));
}

}  // namespace
}  // namespace dlc::onnxfe
