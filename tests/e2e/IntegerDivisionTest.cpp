// Integer division is total (docs/ops.md): x / 0 = 0 and INT_MIN / -1 wraps
// to INT_MIN, identically in compiled code, in the reference interpreter and
// in constant folding (a constant division by zero builds, folded to 0).
#include <gtest/gtest.h>

#include <climits>
#include <filesystem>
#include <fstream>

#include "compiler/reference/Interpreter.h"
#include "tests/e2e/E2eUtil.h"

namespace dlc::test {
namespace {

std::string writeModel(const std::string& name, const std::string& text) {
  auto path = std::filesystem::temp_directory_path() /
              ("dlc_intdiv_" + std::to_string(::getpid()) + "_" + name + ".json");
  std::ofstream(path) << text;
  return path.string();
}

TEST(IntegerDivision, CompiledCodeAndReferenceAgree) {
  for (const char* dtype : {"i32", "i64"}) {
    SCOPED_TRACE(dtype);
    std::string path = writeModel(dtype, std::string(R"({"format": "dlc.model", "version": 1,
      "name": "div", "inputs": [{"name": "x", "dtype": ")") + dtype +
                                            R"(", "shape": ["N", 6]},
                 {"name": "y", "dtype": ")" + dtype + R"(", "shape": ["N", 6]}],
      "nodes": [{"name": "q", "op": "div", "inputs": ["x", "y"]}], "outputs": ["q"]})");
    Compiled c = compileAndLoad(path, /*fused=*/true);
    ASSERT_TRUE(c.model);
    ir::DType t = std::string(dtype) == "i32" ? ir::DType::I32 : ir::DType::I64;
    const double minValue = t == ir::DType::I32 ? double(INT32_MIN) : double(INT64_MIN);
    Tensor x(t, {2, 6}), y(t, {2, 6});
    const double xs[12] = {7, -7, 0, minValue, 9, -9, 5, 100, -100, 1, minValue, 3};
    const double ys[12] = {0, 0, 0, -1, 2, 2, -1, 7, -7, 0, 1, -2};
    for (int i = 0; i < 12; ++i) {
      x.setFromDouble(i, xs[i]);
      y.setFromDouble(i, ys[i]);
    }
    if (t == ir::DType::I64) {  // exactly INT64_MIN (double rounding aside)
      x.as<int64_t>()[3] = INT64_MIN;
      x.as<int64_t>()[10] = INT64_MIN;
    }
    auto out = c.model->run({x, y});
    ASSERT_TRUE(out.ok()) << out.status().message();
    auto expected = ref::evaluate(*c.build.graph, {x, y});
    ASSERT_TRUE(expected.ok()) << expected.status().message();
    const Tensor& q = (*out)[0];
    for (int i = 0; i < 12; ++i) EXPECT_EQ(q.getAsDouble(i), (*expected)[0].getAsDouble(i)) << i;
    EXPECT_EQ(q.getAsDouble(0), 0);         // 7 / 0
    EXPECT_EQ(q.getAsDouble(1), 0);         // -7 / 0
    if (t == ir::DType::I64)
      EXPECT_EQ(q.as<int64_t>()[3], INT64_MIN);  // MIN / -1 wraps
    else
      EXPECT_EQ(q.as<int32_t>()[3], INT32_MIN);
    EXPECT_EQ(q.getAsDouble(5), -4);        // truncates toward zero
    std::filesystem::remove(path);
  }
}

TEST(IntegerDivision, ConstantDivisionByZeroBuilds) {
  std::string path = writeModel("const", R"({"format": "dlc.model", "version": 1, "name": "c",
    "inputs": [{"name": "x", "dtype": "i32", "shape": ["N", 2]}],
    "constants": [{"name": "a", "dtype": "i32", "shape": [2], "value": [5, -5]},
                  {"name": "z", "dtype": "i32", "shape": [2], "value": [0, 0]}],
    "nodes": [{"name": "q", "op": "div", "inputs": ["a", "z"]},
              {"name": "s", "op": "add", "inputs": ["x", "q"]}],
    "outputs": ["s"]})");
  Compiled c = compileAndLoad(path, /*fused=*/true);
  ASSERT_TRUE(c.model);
  Tensor x(ir::DType::I32, {1, 2});
  x.setFromDouble(0, 3);
  x.setFromDouble(1, 4);
  auto out = c.model->run({x});
  ASSERT_TRUE(out.ok()) << out.status().message();
  EXPECT_EQ((*out)[0].getAsDouble(0), 3);
  EXPECT_EQ((*out)[0].getAsDouble(1), 4);
  std::filesystem::remove(path);
}

}  // namespace
}  // namespace dlc::test
