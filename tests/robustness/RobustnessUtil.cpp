#include "tests/robustness/RobustnessUtil.h"

#include <gtest/gtest.h>

#include <cmath>
#include <sstream>

#include "compiler/Compiler.h"
#include "compiler/reference/Interpreter.h"
#include "frontends/json/JsonModel.h"
#include "runtime/src/Model.h"

namespace dlc::robust {

const char* pathName(Path path) {
  switch (path) {
    case Path::Reference: return "reference";
    case Path::CpuFused: return "cpu fused";
    case Path::CpuUnfused: return "cpu unfused";
  }
  return "?";
}

StatusOr<std::unique_ptr<rt::Model>> compileModel(const std::string& modelJson, bool fused) {
  DLC_ASSIGN_OR_RETURN(auto graph, json::parseModel(modelJson, "model.json"));
  BuildOptions options;
  options.fusion = fused;
  DLC_ASSIGN_OR_RETURN(BuildResult built, compileGraph(std::move(graph), options));
  DLC_ASSIGN_OR_RETURN(std::vector<uint8_t> bytes, artifactBytes(built));
  return rt::Model::loadBytes(bytes.data(), bytes.size(), "model.dlc");
}

StatusOr<std::vector<Tensor>> runModel(const std::string& modelJson,
                                       const std::vector<Tensor>& inputs, Path path) {
  if (path == Path::Reference) {
    DLC_ASSIGN_OR_RETURN(auto graph, json::parseModel(modelJson, "model.json"));
    return ref::evaluate(*graph, inputs);
  }
  DLC_ASSIGN_OR_RETURN(auto model, compileModel(modelJson, path == Path::CpuFused));
  return model->run(inputs);
}

Status compileAndRun(const std::string& modelJson, const std::vector<Tensor>& inputs, bool fused) {
  DLC_ASSIGN_OR_RETURN(auto model, compileModel(modelJson, fused));
  return model->run(inputs).status();
}

Tensor f32(std::vector<int64_t> dims, const std::vector<float>& values) {
  Tensor t(ir::DType::F32, std::move(dims));
  EXPECT_EQ(t.numElements(), int64_t(values.size()));
  for (size_t i = 0; i < values.size() && int64_t(i) < t.numElements(); ++i)
    t.as<float>()[i] = values[i];
  return t;
}

Tensor i64(std::vector<int64_t> dims, const std::vector<int64_t>& values) {
  Tensor t(ir::DType::I64, std::move(dims));
  EXPECT_EQ(t.numElements(), int64_t(values.size()));
  for (size_t i = 0; i < values.size() && int64_t(i) < t.numElements(); ++i)
    t.as<int64_t>()[i] = values[i];
  return t;
}

std::string classMismatch(double got, double want, double rtol) {
  std::ostringstream os;
  os << "got " << got << (std::signbit(got) ? " (sign -)" : "") << ", want " << want
     << (std::signbit(want) ? " (sign -)" : "");
  if (std::isnan(want)) return std::isnan(got) ? "" : os.str();
  if (std::isnan(got) || std::isinf(want) || want == 0.0)
    return got == want && std::signbit(got) == std::signbit(want) ? "" : os.str();
  if (std::signbit(got) != std::signbit(want) || std::isinf(got)) return os.str();
  // Subnormal results may be off by 3 of their ulps (1.4e-45 each).
  double tol = std::fabs(want) < 1.17549435e-38 ? 4.3e-45 : rtol * std::fabs(want);
  return std::fabs(got - want) <= tol ? "" : os.str();
}

void expectClasses(const Tensor& got, const std::vector<double>& want, const std::string& what,
                   double rtol) {
  ASSERT_EQ(got.numElements(), int64_t(want.size())) << what;
  for (size_t i = 0; i < want.size(); ++i) {
    std::string m = classMismatch(got.getAsDouble(int64_t(i)), want[i], rtol);
    EXPECT_EQ(m, "") << what << ": element " << i;
  }
}

}  // namespace dlc::robust
