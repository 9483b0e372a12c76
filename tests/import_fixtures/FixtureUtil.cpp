#include "tests/import_fixtures/FixtureUtil.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <iostream>
#include <sstream>

#include "compiler/Compiler.h"
#include "support/Npy.h"

namespace dlc::test {

std::string fixturePath(const std::string& relative) {
  return std::string(DLC_SOURCE_DIR) + "/tests/fixtures/" + relative;
}

Tensor fixtureNpy(const std::string& relative) {
  auto t = readNpy(fixturePath(relative));
  EXPECT_TRUE(t.ok()) << t.status().message();
  return t.ok() ? std::move(*t) : Tensor();
}

std::unique_ptr<rt::Model> importAndLoad(const GraphLoader& load, bool fused,
                                         const std::string& what,
                                         std::vector<ir::TensorType>* inputTypes) {
  const std::string label = what + (fused ? " (fused)" : " (unfused)");
  auto graph = load();
  EXPECT_TRUE(graph.ok()) << label << ": import failed: " << graph.status().message();
  if (!graph.ok()) return nullptr;
  if (inputTypes) {
    inputTypes->clear();
    for (const ir::Node* in : (*graph)->inputs()) inputTypes->push_back(in->type);
  }
  BuildOptions options;
  options.fusion = fused;
  auto built = compileGraph(std::move(*graph), options);
  EXPECT_TRUE(built.ok()) << label << ": build failed: " << built.status().message();
  if (!built.ok()) return nullptr;
  auto bytes = artifactBytes(*built);
  EXPECT_TRUE(bytes.ok()) << label << ": " << bytes.status().message();
  if (!bytes.ok()) return nullptr;
  auto model = rt::Model::loadBytes(bytes->data(), bytes->size(), what);
  EXPECT_TRUE(model.ok()) << label << ": load failed: " << model.status().message();
  return model.ok() ? std::move(*model) : nullptr;
}

std::vector<Tensor> runModel(rt::Model& model, const std::vector<Tensor>& inputs,
                             const std::string& what) {
  auto out = model.run(inputs);
  EXPECT_TRUE(out.ok()) << what << ": run failed: " << out.status().message();
  return out.ok() ? std::move(*out) : std::vector<Tensor>{};
}

void expectClose(const Tensor& got, const Tensor& want, double rtol, double atol,
                 const std::string& what) {
  ASSERT_EQ(got.dims(), want.dims()) << what;
  ASSERT_EQ(got.dtype(), want.dtype()) << what;
  int64_t worst = -1, bad = 0;
  double worstExcess = 0, maxAbs = 0;
  for (int64_t i = 0; i < want.numElements(); ++i) {
    double x = got.getAsDouble(i), y = want.getAsDouble(i);
    maxAbs = std::max(maxAbs, std::fabs(x - y));
    double excess =
        std::isnan(x) || std::isnan(y) ? INFINITY : std::fabs(x - y) / (atol + rtol * std::fabs(y));
    if (excess > 1) ++bad;
    if (worst < 0 || excess > worstExcess) worst = i, worstExcess = excess;
  }
  std::cout << "  " << what << ": max |dlc - framework| = " << maxAbs << "\n";
  EXPECT_EQ(bad, 0) << what << ": " << bad << " of " << want.numElements()
                    << " elements differ beyond atol " << atol << " rtol " << rtol
                    << "; worst at flat index " << worst << ": dlc " << got.getAsDouble(worst)
                    << " vs framework " << want.getAsDouble(worst);
}

Tensor firstRows(const Tensor& t, int64_t count) {
  std::vector<int64_t> dims = t.dims();
  Tensor out(t.dtype(), [&] {
    std::vector<int64_t> d = dims;
    d[0] = count;
    return d;
  }());
  std::memcpy(out.data(), t.data(), out.byteSize());
  return out;
}

namespace {
std::string withoutSpaces(std::string s) {
  s.erase(std::remove(s.begin(), s.end(), ' '), s.end());
  return s;
}
}  // namespace

void expectErrorMentions(const Status& status, const std::vector<std::string>& needles,
                         const std::string& what) {
  ASSERT_FALSE(status.ok()) << what << ": expected an error, the import succeeded";
  std::cout << "  " << what << ": " << status.message() << "\n";  // the message, for reviewers
  const std::string message = withoutSpaces(status.message());
  for (const std::string& needle : needles)
    EXPECT_NE(message.find(withoutSpaces(needle)), std::string::npos)
        << what << ": the error does not mention \"" << needle << "\": " << status.message();
}

}  // namespace dlc::test
