// `dlc import` and the model formats through the command line (the CLI
// binary, as tests/e2e/CliTest.cpp runs it): an imported model runs to the
// same bits as its source; build, run and compare take .onnx, .keras and .h5
// by extension (and anything with --format); errors name the file.
#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>
#include <fstream>

#include "frontends/ModelLoader.h"
#include "onnx.pb.h"
#include "support/Npy.h"
#include "tests/e2e/E2eUtil.h"

namespace dlc::test {
namespace {

namespace fs = std::filesystem;

std::string cli() { return DLC_CLI; }

std::string tempDir(const std::string& name) { return freshTempDir("dlc_import_cli", name); }

std::string kerasFixture(const std::string& file) {
  return std::string(DLC_SOURCE_DIR) + "/tests/fixtures/keras/" + file;
}

bool sameBits(const Tensor& a, const Tensor& b) {
  return a.dtype() == b.dtype() && a.dims() == b.dims() &&
         std::memcmp(a.data(), b.data(), a.byteSize()) == 0;
}

// `dlc run MODEL ARGS --output-dir DIR`, then DIR/OUTPUT.npy.
Tensor runAndRead(const std::string& model, const std::string& args, const std::string& dir,
                  const std::string& output) {
  std::string out;
  EXPECT_EQ(0, runCommand(cli() + " run " + model + " " + args + " --output-dir " + dir, &out))
      << out;
  auto t = readNpy(dir + "/" + output + ".npy");
  EXPECT_TRUE(t.ok()) << t.status().message();
  return t.ok() ? std::move(t).value() : Tensor();
}

// y = relu(x @ W + B) as an ONNX Gemm + Relu, x: f32[batch, 4] (batch is
// the symbolic "N"), W: f32[4,3], B: f32[3]; opset 13.
std::string writeTinyOnnx(const std::string& path) {
  onnx::ModelProto model;
  model.set_ir_version(8);
  model.set_producer_name("dlc ImportCliTest");
  model.add_opset_import()->set_version(13);
  onnx::GraphProto* graph = model.mutable_graph();
  graph->set_name("tiny_gemm");
  auto addValue = [](onnx::ValueInfoProto* v, const char* name, bool batch, int64_t width) {
    v->set_name(name);
    auto* tensor = v->mutable_type()->mutable_tensor_type();
    tensor->set_elem_type(onnx::TensorProto::FLOAT);
    auto* shape = tensor->mutable_shape();
    if (batch) shape->add_dim()->set_dim_param("batch");
    shape->add_dim()->set_dim_value(width);
  };
  addValue(graph->add_input(), "x", true, 4);
  addValue(graph->add_output(), "y", true, 3);
  onnx::TensorProto* w = graph->add_initializer();
  w->set_name("W");
  w->set_data_type(onnx::TensorProto::FLOAT);
  w->add_dims(4);
  w->add_dims(3);
  for (int i = 0; i < 12; ++i) w->add_float_data(0.25f * float(i) - 1.0f);
  onnx::TensorProto* b = graph->add_initializer();
  b->set_name("B");
  b->set_data_type(onnx::TensorProto::FLOAT);
  b->add_dims(3);
  for (float v : {0.5f, -0.25f, 0.125f}) b->add_float_data(v);
  onnx::NodeProto* gemm = graph->add_node();
  gemm->set_op_type("Gemm");
  gemm->set_name("/layer/Gemm");
  for (const char* in : {"x", "W", "B"}) gemm->add_input(in);
  gemm->add_output("/layer/Gemm_output_0");
  onnx::NodeProto* relu = graph->add_node();
  relu->set_op_type("Relu");
  relu->set_name("/layer/Relu");
  relu->add_input("/layer/Gemm_output_0");
  relu->add_output("y");
  std::ofstream(path, std::ios::binary) << model.SerializeAsString();
  return path;
}

TEST(ImportCli, ImportedJsonRunsToTheSameBits) {
  std::string dir = tempDir("mlp");
  std::string out;
  ASSERT_EQ(0, runCommand(cli() + " import " + examplePath("fashion_mnist_mlp.json") + " -o " +
                              dir + "/out.json",
                          &out))
      << out;
  EXPECT_NE(out.find("7 nodes"), std::string::npos) << out;
  EXPECT_NE(out.find("5 constants"), std::string::npos) << out;
  EXPECT_NE(out.find("weight bytes in"), std::string::npos) << out;
  EXPECT_TRUE(fs::exists(dir + "/out.safetensors"));
  Tensor want = runAndRead(examplePath("fashion_mnist_mlp.json"), "--batch 5", dir + "/a", "probs");
  Tensor got = runAndRead(dir + "/out.json", "--batch 5", dir + "/b", "probs");
  EXPECT_TRUE(sameBits(want, got));
  ASSERT_EQ(0, runCommand(cli() + " compare " + dir + "/out.json --batch 4 --iterations 1", &out))
      << out;
  fs::remove_all(dir);
}

TEST(ImportCli, ErrorsNameTheFile) {
  std::string dir = tempDir("errors");
  std::string out;
  EXPECT_EQ(1, runCommand(cli() + " import " + dir + "/missing.onnx -o " + dir + "/m.json", &out));
  EXPECT_NE(out.find("missing.onnx"), std::string::npos) << out;
  EXPECT_EQ(1, runCommand(cli() + " import " + examplePath("cnn.json"), &out));
  EXPECT_NE(out.find("-o OUT.json"), std::string::npos) << out;
  EXPECT_EQ(
      1, runCommand(cli() + " import " + examplePath("cnn.json") + " -o " + dir + "/m.txt", &out));
  EXPECT_NE(out.find("m.txt"), std::string::npos) << out;
  EXPECT_EQ(1, runCommand(cli() + " build " + dir + "/model.tflite", &out));
  EXPECT_NE(out.find("model.tflite"), std::string::npos) << out;
  EXPECT_NE(out.find("--format"), std::string::npos) << out;
  EXPECT_EQ(0, runCommand(cli() + " import --help", &out));
  EXPECT_NE(out.find("usage: dlc import"), std::string::npos) << out;
  EXPECT_EQ(0, runCommand(cli() + " --help", &out));
  EXPECT_NE(out.find("import"), std::string::npos) << out;
  fs::remove_all(dir);
}

TEST(ImportCli, OnnxByExtensionFormatAndImport) {
  std::string dir = tempDir("onnx");
  std::string model = writeTinyOnnx(dir + "/tiny.onnx");
  Tensor x(ir::DType::F32, {2, 4});
  for (int i = 0; i < 8; ++i) x.as<float>()[i] = 0.5f * float(i) - 2.0f;
  ASSERT_TRUE(writeNpy(dir + "/x.npy", x).ok());
  std::string input = "--input x=" + dir + "/x.npy";

  Tensor y = runAndRead(model, input, dir + "/run", "y");
  ASSERT_EQ(y.dims(), (std::vector<int64_t>{2, 3}));
  for (int r = 0; r < 2; ++r)
    for (int c = 0; c < 3; ++c) {
      double sum = std::vector<double>{0.5, -0.25, 0.125}[c];
      for (int k = 0; k < 4; ++k) sum += x.as<float>()[r * 4 + k] * (0.25 * (k * 3 + c) - 1.0);
      EXPECT_NEAR(y.as<float>()[r * 3 + c], std::max(sum, 0.0), 1e-5) << r << "," << c;
    }

  std::string out;
  ASSERT_EQ(0, runCommand(cli() + " build " + model + " -o " + dir + "/tiny.dlc", &out)) << out;
  EXPECT_TRUE(fs::exists(dir + "/tiny.dlc"));
  ASSERT_EQ(0, runCommand(cli() + " compare " + model + " --iterations 1", &out)) << out;
  fs::copy_file(model, dir + "/tiny.bin");
  EXPECT_TRUE(sameBits(y, runAndRead(dir + "/tiny.bin --format onnx", input, dir + "/bin", "y")));

  ASSERT_EQ(0, runCommand(cli() + " import " + model + " -o " + dir + "/tiny.json", &out)) << out;
  EXPECT_NE(out.find("1 inputs"), std::string::npos) << out;
  EXPECT_NE(out.find("2 constants (2 inline)"), std::string::npos) << out;
  EXPECT_TRUE(sameBits(y, runAndRead(dir + "/tiny.json", input, dir + "/json", "y")));
  fs::remove_all(dir);
}

TEST(ImportCli, KerasFilesByExtensionAndImport) {
  auto inputs = readNpy(kerasFixture("tiny_mlp_inputs.npy"));
  auto expected = readNpy(kerasFixture("tiny_mlp_outputs.npy"));
  ASSERT_TRUE(inputs.ok() && expected.ok());
  auto graph = frontends::loadModel(kerasFixture("tiny_mlp.keras"));
  ASSERT_TRUE(graph.ok()) << graph.status().message();
  std::string inputName = (*graph)->inputs()[0]->name;
  std::string outputName = (*graph)->outputs()[0]->name;
  std::string input = "--input " + inputName + "=" + kerasFixture("tiny_mlp_inputs.npy");

  std::string dir = tempDir("keras");
  Tensor fromKeras;
  for (const char* file : {"tiny_mlp.keras", "tiny_mlp.h5", "tiny_mlp.json"}) {
    SCOPED_TRACE(file);
    Tensor y = runAndRead(kerasFixture(file), input, dir + "/" + file, outputName);
    EXPECT_LE(closeness(y, *expected, 1e-5, 1e-6), 1.0);
    if (fromKeras.empty()) fromKeras = y;
  }
  std::string out;
  ASSERT_EQ(0,
            runCommand(cli() + " build " + kerasFixture("tiny_mlp.h5") + " -o " + dir + "/tiny.dlc",
                       &out))
      << out;
  ASSERT_EQ(
      0, runCommand(cli() + " compare " + kerasFixture("tiny_mlp.keras") + " --iterations 1", &out))
      << out;
  ASSERT_EQ(0, runCommand(cli() + " import " + kerasFixture("tiny_mlp.keras") + " -o " + dir +
                              "/imported.json",
                          &out))
      << out;
  EXPECT_TRUE(
      sameBits(fromKeras, runAndRead(dir + "/imported.json", input, dir + "/imp", outputName)));
  fs::remove_all(dir);
}

}  // namespace
}  // namespace dlc::test
