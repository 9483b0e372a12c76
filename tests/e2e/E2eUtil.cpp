#include "tests/e2e/E2eUtil.h"

#include <gtest/gtest.h>

#include <array>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <random>
#include <sys/wait.h>
#include <unistd.h>

namespace dlc::test {

std::string examplePath(const std::string& file) {
  return std::string(DLC_SOURCE_DIR) + "/examples/" + file;
}

Compiled compileAndLoad(const std::string& modelPath, bool fused) {
  Compiled c;
  BuildOptions options;
  options.fusion = fused;
  auto built = buildModel(modelPath, options);
  EXPECT_TRUE(built.ok()) << built.status().message();
  if (!built.ok()) return c;
  c.build = std::move(*built);
  auto bytes = artifactBytes(c.build);
  EXPECT_TRUE(bytes.ok()) << bytes.status().message();
  if (!bytes.ok()) return c;
  c.artifact = std::move(*bytes);
  auto model = rt::Model::loadBytes(c.artifact.data(), c.artifact.size(), modelPath);
  EXPECT_TRUE(model.ok()) << model.status().message();
  if (model.ok()) c.model = std::move(*model);
  return c;
}

std::string freshTempDir(const std::string& prefix, const std::string& name) {
  std::filesystem::path dir = std::filesystem::temp_directory_path() /
                              (prefix + "_" + std::to_string(::getpid()) + "_" + name);
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir.string();
}

std::vector<Tensor> randomInputs(const ir::Graph& graph, int64_t batch, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> uniform(-1.0, 1.0);
  std::vector<Tensor> out;
  for (const ir::Node* in : graph.inputs()) {
    Tensor t(in->type.dtype, in->type.shape.bind(batch));
    for (int64_t i = 0; i < t.numElements(); ++i) {
      double v = uniform(rng);
      if (in->type.dtype == ir::DType::U8) v = std::floor((v + 1) * 128);
      t.setFromDouble(i, v);
    }
    out.push_back(std::move(t));
  }
  return out;
}

double closeness(const Tensor& a, const Tensor& b, double rtol, double atol) {
  EXPECT_EQ(a.dims(), b.dims());
  EXPECT_EQ(a.dtype(), b.dtype());
  if (a.dims() != b.dims()) return INFINITY;
  double worst = 0;
  for (int64_t i = 0; i < a.numElements(); ++i) {
    double x = a.getAsDouble(i), y = b.getAsDouble(i);
    if (std::isnan(x) || std::isnan(y)) {
      if (std::isnan(x) != std::isnan(y)) return INFINITY;
      continue;
    }
    worst = std::max(worst, std::fabs(x - y) / (atol + rtol * std::fabs(y)));
  }
  return worst;
}

int runCommand(const std::string& command, std::string* out) {
  FILE* pipe = popen((command + " 2>&1").c_str(), "r");
  if (!pipe) return -1;
  std::array<char, 4096> buf;
  size_t n;
  while ((n = fread(buf.data(), 1, buf.size(), pipe)) > 0)
    if (out) out->append(buf.data(), n);
  int status = pclose(pipe);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

}  // namespace dlc::test
