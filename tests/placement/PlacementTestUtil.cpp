#include "tests/placement/PlacementTestUtil.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "compiler/reference/Interpreter.h"
#include "tests/e2e/E2eUtil.h"

namespace dlc::test {

std::string writePlacementModel(const std::string& tag,
                                const std::map<std::string, std::string>& devices) {
  auto path = std::filesystem::temp_directory_path() /
              ("dlc_placement_" + std::to_string(::getpid()) + "_" + tag + ".json");
  std::string w, b;
  for (int i = 0; i < 32; ++i) w += (i ? ", " : "") + std::to_string(0.125 * ((i * 7) % 11) - 0.5);
  for (int i = 0; i < 4; ++i) b += (i ? ", " : "") + std::to_string(0.25 * i - 0.3);
  auto node = [&](const std::string& name, const std::string& op, const std::string& inputs) {
    std::string text = R"({"name": ")" + name + R"(", "op": ")" + op + R"(", "inputs": [)" +
                       inputs + "]";
    if (auto it = devices.find(name); it != devices.end())
      text += R"(, "device": ")" + it->second + "\"";
    return text + "}";
  };
  std::ofstream(path) << R"({"format": "dlc.model", "version": 1, "name": "placement",
    "inputs": [{"name": "x", "dtype": "f32", "shape": ["N", 8]}],
    "constants": [{"name": "w", "dtype": "f32", "shape": [8, 4], "value": [)" + w + R"(]},
                  {"name": "b", "dtype": "f32", "shape": [4], "value": [)" + b + R"(]},
                  {"name": "c", "dtype": "f32", "shape": [], "value": 0.5}],
    "nodes": [)" + node("h", "dense", R"("x", "w", "b")") + ",\n" +
                         node("a", "tanh", R"("h")") + ",\n" +
                         node("s", "mul", R"("a", "c")") + ",\n" +
                         node("g", "mul", R"("h", "c")") + ",\n" +
                         node("y", "add", R"("s", "g")") + ",\n" +
                         node("m", "mul", R"("x", "x")") + R"(],
    "outputs": ["y", "m"]})";
  return path.string();
}

Built buildAndLoad(const std::string& path, const BuildOptions& options,
                   const rt::ModelOptions& modelOptions) {
  Built b;
  auto built = buildModel(path, options);
  EXPECT_TRUE(built.ok()) << built.status().message();
  if (!built.ok()) return b;
  b.build = std::move(*built);
  auto bytes = artifactBytes(b.build);
  EXPECT_TRUE(bytes.ok()) << bytes.status().message();
  if (!bytes.ok()) return b;
  b.artifact = std::move(*bytes);
  auto model = rt::Model::loadBytes(b.artifact.data(), b.artifact.size(), path, modelOptions);
  EXPECT_TRUE(model.ok()) << model.status().message();
  if (model.ok()) b.model = std::move(*model);
  return b;
}

std::vector<Tensor> runAgainstReference(rt::Model& model, const std::string& graphPath,
                                        int64_t batch) {
  auto graph = loadModelFile(graphPath);
  EXPECT_TRUE(graph.ok()) << graph.status().message();
  if (!graph.ok()) return {};
  std::vector<Tensor> inputs = randomInputs(**graph, batch, /*seed=*/11 + uint64_t(batch));
  auto expected = ref::evaluate(**graph, inputs);
  EXPECT_TRUE(expected.ok()) << expected.status().message();
  auto got = model.run(inputs);
  EXPECT_TRUE(got.ok()) << got.status().message();
  if (!expected.ok() || !got.ok()) return {};
  EXPECT_EQ(got->size(), expected->size());
  for (size_t i = 0; i < got->size() && i < expected->size(); ++i)
    EXPECT_LE(closeness((*got)[i], (*expected)[i], 1e-4, 1e-5), 1.0) << "output " << i;
  return std::move(*got);
}

std::vector<const rt::KernelDesc*> transfersOf(const rt::Manifest& manifest) {
  std::vector<const rt::KernelDesc*> out;
  for (const rt::KernelDesc& k : manifest.kernels)
    if (k.kind == "transfer") out.push_back(&k);
  return out;
}

}  // namespace dlc::test
