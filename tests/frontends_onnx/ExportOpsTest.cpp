// ONNX export, op by op: every op of ir/Ops.def (but input and constant) is
// exported from a small IR-text graph, imported again with dlc's ONNX
// importer, and both graphs run on the reference interpreter with the same
// random inputs at batch 1 and 3, at opsets 17, 18, 20 and 22. Outputs are
// bit-exact where the ONNX form is the same computation, else within
// 1e-6 relative (rsqrt, gelu's formula, layer_norm/batch_norm's float
// epsilon, dense as Gemm/MatMul+Add). A table drives it; one test checks
// that the table covers every op.
#include <gtest/gtest.h>

#include <set>

#include "frontends/onnx/export/Writers.h"
#include "ir/Parser.h"
#include "onnx.pb.h"
#include "tests/frontends_onnx/ExportTestUtil.h"

namespace dlc::onnxfe::testing {
namespace {

struct OpCase {
  const char* name;
  std::string ir;  // an IR-text graph whose output node is %y
  bool exact;
};

std::string unary(const char* op, const char* attrs = "", const char* type = "f32") {
  return strCat("graph @g(%x: ", type, "[N,2,3]) {\n  %y = ", op, "(%x) ", attrs, " : ", type,
                "[N,2,3]\n  return %y\n}");
}

std::string binary(const char* op, const char* type = "f32", const char* outType = nullptr) {
  return strCat("graph @g(%a: ", type, "[N,2,3], %b: ", type, "[3]) {\n  %y = ", op,
                "(%a, %b) : ", outType ? outType : type, "[N,2,3]\n  return %y\n}");
}

std::string cast(const char* from, const char* to, const char* scale = nullptr) {
  if (!scale)
    return strCat("graph @g(%x: ", from, "[N,4]) {\n  %y = cast(%x) {to = \"", to, "\"} : ", to,
                  "[N,4]\n  return %y\n}");
  // x scaled so that the cast saturates at both ends.
  return strCat("graph @g(%x: ", from, "[N,4]) {\n  %s = constant() {value = splat<", scale,
                ">} : ", from, "[]\n  %m = mul(%x, %s) : ", from, "[N,4]\n  %y = cast(%m) {to = \"",
                to, "\"} : ", to, "[N,4]\n  return %y\n}");
}

const std::vector<OpCase>& cases() {
  static const std::vector<OpCase> kCases = {
      // Elementwise unary.
      {"neg", unary("neg"), true},
      {"neg_i32", unary("neg", "", "i32"), true},
      {"abs", unary("abs"), true},
      {"abs_i64", unary("abs", "", "i64"), true},
      {"exp", unary("exp"), true},
      {"log", unary("log"), true},
      {"sqrt", unary("sqrt"), true},
      {"rsqrt", unary("rsqrt"), false},
      {"reciprocal", unary("reciprocal"), true},
      {"tanh", unary("tanh"), true},
      {"sigmoid", unary("sigmoid"), true},
      {"relu", unary("relu"), true},
      {"leaky_relu", unary("leaky_relu", "{alpha = 0.25}"), true},
      {"leaky_relu_default", unary("leaky_relu"), false},
      {"gelu_none", unary("gelu", "{approximate = \"none\"}"), false},
      {"gelu_tanh", unary("gelu", "{approximate = \"tanh\"}"), false},
      {"erf", unary("erf"), true},
      {"floor", unary("floor"), true},
      {"ceil", unary("ceil"), true},
      {"logical_not", unary("logical_not", "", "bool"), true},
      {"cast_u8_f32", cast("u8", "f32"), true},
      {"cast_f32_i32", cast("f32", "i32"), true},
      {"cast_f32_u8_saturating", cast("f32", "u8", "300.0"), true},
      {"cast_f32_i32_saturating", cast("f32", "i32", "3e9"), true},
      {"cast_f32_bool", cast("f32", "bool"), true},
      {"cast_i64_u8_wraps", cast("i64", "u8", "100"), true},
      {"cast_bool_f16", cast("bool", "f16"), true},
      // Elementwise binary, broadcasting [N,2,3] with [3].
      {"add", binary("add"), true},
      {"add_i32", binary("add", "i32"), true},
      {"sub", binary("sub"), true},
      {"sub_i64", binary("sub", "i64"), true},
      {"mul", binary("mul"), true},
      {"div", binary("div"), true},
      {"div_i32_by_zero_and_minus_one", binary("div", "i32"), true},
      {"div_i64", binary("div", "i64"), true},
      {"pow", binary("pow"), true},
      {"maximum", binary("maximum"), true},
      {"maximum_i32", binary("maximum", "i32"), true},
      {"minimum", binary("minimum"), true},
      {"logical_and", binary("logical_and", "bool"), true},
      {"logical_or", binary("logical_or", "bool"), true},
      {"equal", binary("equal", "i32", "bool"), true},
      {"not_equal", binary("not_equal", "f32", "bool"), true},
      {"less", binary("less", "f32", "bool"), true},
      {"less_bool", binary("less", "bool", "bool"), true},
      {"less_equal", binary("less_equal", "i64", "bool"), true},
      {"greater", binary("greater", "f32", "bool"), true},
      {"greater_equal", binary("greater_equal", "f32", "bool"), true},
      {"greater_equal_bool", binary("greater_equal", "bool", "bool"), true},
      {"select",
       "graph @g(%c: bool[N,3], %a: f32[N,3], %b: f32[3]) {\n"
       "  %y = select(%c, %a, %b) : f32[N,3]\n  return %y\n}",
       true},
      // Shape ops.
      {"reshape_copy_dims",
       "graph @g(%x: f32[N,2,6]) {\n  %y = reshape(%x) {shape = [0,3,4]} : f32[N,3,4]\n"
       "  return %y\n}",
       true},
      {"reshape_infer_batch",
       "graph @g(%x: f32[N,3,4]) {\n  %y = reshape(%x) {shape = [-1,12]} : f32[N,12]\n"
       "  return %y\n}",
       true},
      {"reshape_static",
       "graph @g(%x: f32[2,3]) {\n  %y = reshape(%x) {shape = [3,-1]} : f32[3,2]\n"
       "  return %y\n}",
       true},
      {"flatten",
       "graph @g(%x: f32[N,2,3,4]) {\n  %y = flatten(%x) : f32[N,24]\n  return %y\n}", true},
      {"flatten_axis_2",
       "graph @g(%x: f32[2,3,4]) {\n  %y = flatten(%x) {axis = 2} : f32[6,4]\n  return %y\n}",
       true},
      {"transpose_default",
       "graph @g(%x: f32[N,2,3]) {\n  %y = transpose(%x) : f32[3,2,N]\n  return %y\n}", true},
      {"transpose_perm",
       "graph @g(%x: f32[N,2,3]) {\n  %y = transpose(%x) {perm = [0,2,1]} : f32[N,3,2]\n"
       "  return %y\n}",
       true},
      {"broadcast_to",
       "graph @g(%x: f32[N,1,3]) {\n  %y = broadcast_to(%x) {shape = [-1,2,3]} : f32[N,2,3]\n"
       "  return %y\n}",
       true},
      {"broadcast_to_runtime_batch",
       "graph @g(%x: f32[N,3]) {\n"
       "  %c = constant() {value = dense<[1.0, 2.0, 3.0]>} : f32[3]\n"
       "  %b = broadcast_to(%c) {shape = [-1,3]} : f32[N,3]\n"
       "  %y = add(%b, %x) : f32[N,3]\n  return %y, %b\n}",
       true},
      {"concat",
       "graph @g(%a: f32[N,2,3], %b: f32[N,1,3]) {\n"
       "  %y = concat(%a, %b, %a) {axis = 1} : f32[N,5,3]\n  return %y\n}",
       true},
      {"concat_negative_axis",
       "graph @g(%a: f32[N,2,3], %b: f32[N,2,1]) {\n"
       "  %y = concat(%a, %b) {axis = -1} : f32[N,2,4]\n  return %y\n}",
       true},
      {"slice",
       "graph @g(%x: f32[N,6,5]) {\n"
       "  %y = slice(%x) {axes = [1,2], ends = [5,100], starts = [1,-4], steps = [2,1]} "
       ": f32[N,2,4]\n  return %y\n}",
       true},
      {"slice_negative_step",
       "graph @g(%x: f32[N,6]) {\n"
       "  %y = slice(%x) {axes = [1], ends = [0], starts = [4], steps = [-1]} : f32[N,4]\n"
       "  return %y\n}",
       true},
      {"pad",
       "graph @g(%x: f32[N,2,3]) {\n"
       "  %y = pad(%x) {pads = [0,1,0,0,2,1], value = 1.5} : f32[N,5,4]\n  return %y\n}",
       true},
      {"pad_i32",
       "graph @g(%x: i32[N,3]) {\n  %y = pad(%x) {pads = [0,2,0,1]} : i32[N,6]\n  return %y\n}",
       true},
      {"gather_constant_indices",
       "graph @g(%x: f32[N,5]) {\n"
       "  %i = constant() {value = dense<[4, -1, 0]>} : i64[3]\n"
       "  %y = gather(%x, %i) {axis = 1} : f32[N,3]\n  return %y\n}",
       true},
      {"gather_runtime_indices_clamped",
       "graph @g(%t: f32[5,3], %i: i32[N,4]) {\n"
       "  %y = gather(%t, %i) : f32[N,4,3]\n  return %y\n}",
       true},
      // Reductions.
      {"reduce_sum",
       "graph @g(%x: f32[N,3,4]) {\n  %y = reduce_sum(%x) {axes = [1]} : f32[N,4]\n"
       "  return %y\n}",
       true},
      {"reduce_sum_i32_all",
       "graph @g(%x: i32[3,4]) {\n  %y = reduce_sum(%x) : i32[]\n  return %y\n}", true},
      {"reduce_mean_keepdims_negative_axis",
       "graph @g(%x: f32[N,3,4]) {\n"
       "  %y = reduce_mean(%x) {axes = [-1], keepdims = 1} : f32[N,3,1]\n  return %y\n}",
       true},
      {"reduce_max_all",
       "graph @g(%x: f32[N,3,4]) {\n  %y = reduce_max(%x) : f32[]\n  return %y\n}", true},
      {"reduce_min_i64",
       "graph @g(%x: i64[N,3,4]) {\n  %y = reduce_min(%x) {axes = [2,1]} : i64[N]\n"
       "  return %y\n}",
       true},
      // Rows and normalisations.
      {"softmax", "graph @g(%x: f32[N,3,4]) {\n  %y = softmax(%x) : f32[N,3,4]\n  return %y\n}",
       true},
      {"log_softmax_axis_1",
       "graph @g(%x: f32[N,3,4]) {\n  %y = log_softmax(%x) {axis = 1} : f32[N,3,4]\n"
       "  return %y\n}",
       true},
      {"layer_norm",
       "graph @g(%x: f32[N,3,4], %g: f32[4], %b: f32[4]) {\n"
       "  %y = layer_norm(%x, %g, %b) {epsilon = 1e-05} : f32[N,3,4]\n  return %y\n}",
       false},
      {"layer_norm_no_gamma_axis_1",
       "graph @g(%x: f32[N,3,4]) {\n  %y = layer_norm(%x) {axis = 1, epsilon = 0.25} "
       ": f32[N,3,4]\n  return %y\n}",
       false},
      {"layer_norm_over_batch",
       "graph @g(%x: f32[N,4]) {\n  %y = layer_norm(%x) {axis = 0} : f32[N,4]\n  return %y\n}",
       false},
      {"batch_norm",
       "graph @g(%x: f32[N,3,2,2]) {\n"
       "  %s = constant() {value = dense<[1.5, -0.5, 2.0]>} : f32[3]\n"
       "  %o = constant() {value = dense<[0.1, 0.2, -0.3]>} : f32[3]\n"
       "  %m = constant() {value = dense<[0.2, -0.1, 0.0]>} : f32[3]\n"
       "  %v = constant() {value = dense<[0.5, 1.0, 2.0]>} : f32[3]\n"
       "  %y = batch_norm(%x, %s, %o, %m, %v) : f32[N,3,2,2]\n  return %y\n}",
       false},
      // Contractions.
      {"matmul",
       "graph @g(%a: f32[N,2,3], %b: f32[3,4]) {\n  %y = matmul(%a, %b) : f32[N,2,4]\n"
       "  return %y\n}",
       true},
      {"matmul_transpose_b_batched",
       "graph @g(%a: f32[N,4,2,8], %b: f32[N,4,5,8]) {\n"
       "  %y = matmul(%a, %b) {transpose_b = 1} : f32[N,4,2,5]\n  return %y\n}",
       true},
      {"matmul_transpose_a",
       "graph @g(%a: f32[3,2], %b: f32[3,4]) {\n"
       "  %y = matmul(%a, %b) {transpose_a = 1} : f32[2,4]\n  return %y\n}",
       true},
      {"dense_gemm",
       "graph @g(%x: f32[N,4], %w: f32[4,3], %b: f32[3]) {\n"
       "  %y = dense(%x, %w, %b) : f32[N,3]\n  return %y\n}",
       false},
      {"dense_rank3",
       "graph @g(%x: f32[N,2,4], %w: f32[4,3], %b: f32[3]) {\n"
       "  %y = dense(%x, %w, %b) : f32[N,2,3]\n  return %y\n}",
       false},
      {"dense_no_bias",
       "graph @g(%x: f32[N,2,4], %w: f32[4,3]) {\n  %y = dense(%x, %w) : f32[N,2,3]\n"
       "  return %y\n}",
       false},
      {"conv2d",
       "graph @g(%x: f32[N,4,7,7], %w: f32[6,2,3,3], %b: f32[6]) {\n"
       "  %y = conv2d(%x, %w, %b) {dilations = [1,2], groups = 2, pads = [1,0,1,2], "
       "strides = [2,1]} : f32[N,6,4,5]\n  return %y\n}",
       true},
      {"conv2d_defaults",
       "graph @g(%x: f32[N,2,5,5], %w: f32[3,2,3,3]) {\n"
       "  %y = conv2d(%x, %w) : f32[N,3,3,3]\n  return %y\n}",
       true},
      // Pooling.
      {"max_pool2d",
       "graph @g(%x: f32[N,2,6,5]) {\n"
       "  %y = max_pool2d(%x) {kernel = [3,2], pads = [1,0,1,1], strides = [2,1]} "
       ": f32[N,2,3,5]\n  return %y\n}",
       true},
      {"avg_pool2d",
       "graph @g(%x: f32[N,2,5,5]) {\n"
       "  %y = avg_pool2d(%x) {kernel = [2,2], pads = [1,1,0,0]} : f32[N,2,3,3]\n"
       "  return %y\n}",
       true},
      {"avg_pool2d_count_include_pad",
       "graph @g(%x: f32[N,2,5,5]) {\n"
       "  %y = avg_pool2d(%x) {count_include_pad = 1, kernel = [2,2], pads = [1,1,0,0]} "
       ": f32[N,2,3,3]\n  return %y\n}",
       true},
      {"global_avg_pool",
       "graph @g(%x: f32[N,3,4,5]) {\n  %y = global_avg_pool(%x) : f32[N,3,1,1]\n"
       "  return %y\n}",
       true},
  };
  return kCases;
}

std::unique_ptr<ir::Graph> parseCase(const OpCase& c) {
  auto g = ir::parseGraph(c.ir, strCat(c.name, ".ir"));
  EXPECT_TRUE(g.ok()) << c.name << ": " << g.status().message();
  return g.ok() ? std::move(g).value() : nullptr;
}

class ExportOp : public ::testing::TestWithParam<std::tuple<size_t, int64_t>> {};

TEST_P(ExportOp, RoundTripComputesTheSameFunction) {
  const OpCase& c = cases()[std::get<0>(GetParam())];
  int64_t opset = std::get<1>(GetParam());
  auto graph = parseCase(c);
  ASSERT_TRUE(graph);
  auto back = roundTrip(*graph, opset);
  ASSERT_TRUE(back);
  for (int64_t batch : {1, 3}) {
    double diff = expectSameFunction(*graph, *back, batch, c.exact);
    RecordProperty(strCat("max_abs_diff_batch_", batch), strCat(diff));
  }
  // The node computing %y is named "y" and produces the value "y".
  auto bytes = exportOnnx(*graph, ExportOptions{opset});
  ASSERT_TRUE(bytes.ok());
  ::onnx::ModelProto model;
  ASSERT_TRUE(model.ParseFromString(*bytes));
  int named = 0;
  for (const auto& n : model.graph().node())
    if (n.name() == "y") named += n.output_size() == 1 && n.output(0) == "y";
  EXPECT_EQ(named, 1);
  EXPECT_EQ(model.graph().output(0).name(), "y");
}

std::string caseName(const ::testing::TestParamInfo<std::tuple<size_t, int64_t>>& info) {
  return strCat(cases()[std::get<0>(info.param)].name, "_opset", std::get<1>(info.param));
}

INSTANTIATE_TEST_SUITE_P(AllOps, ExportOp,
                         ::testing::Combine(::testing::Range(size_t(0), cases().size()),
                                            ::testing::Values(int64_t(17), int64_t(18),
                                                              int64_t(20), int64_t(22))),
                         caseName);

TEST(ExportOps, TheTableCoversEveryOp) {
  std::set<ir::OpKind> covered;
  for (const OpCase& c : cases()) {
    auto g = parseCase(c);
    ASSERT_TRUE(g) << c.name;
    for (const auto& n : g->nodes()) covered.insert(n->op);
  }
  int written = 0;
  for (int k = 0; k < ir::numOpKinds(); ++k) {
    auto op = ir::OpKind(k);
    if (ir::isSource(op)) {
      EXPECT_EQ(findWriter(op), nullptr) << ir::opName(op);
      continue;
    }
    EXPECT_NE(findWriter(op), nullptr) << ir::opName(op) << " has no ONNX writer";
    EXPECT_TRUE(covered.count(op)) << ir::opName(op) << " has no export test case";
    ++written;
  }
  EXPECT_EQ(written, 55);
}

}  // namespace
}  // namespace dlc::onnxfe::testing
