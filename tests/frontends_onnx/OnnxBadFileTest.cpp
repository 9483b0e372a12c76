// Bad ONNX files: each gets one clear error naming the file and the
// initializer or node, never a crash, and protobuf prints nothing.
#include <gtest/gtest.h>

#include <filesystem>

#include "OnnxTestUtil.h"
#include "frontends/onnx/OnnxModel.h"

namespace dlc::onnxfe {
namespace {

using namespace dlc::onnxfe::testing;

// x [4] + w [4,4] initializer.
::onnx::ModelProto withWeight() {
  auto m = makeModel();
  addInput(m, "x", {4});
  std::vector<float> w(16);
  for (int i = 0; i < 16; ++i) w[size_t(i)] = float(i);
  addInitializer(m, floatTensor("w", {4, 4}, w));
  addNode(m, "Add", {"x", "w"}, {"y"}, "add");
  addOutput(m, "y");
  return m;
}

std::string loadError(const std::string& path) {
  auto g = loadOnnx(path);
  EXPECT_FALSE(g.ok());
  return g.ok() ? "" : g.status().message();
}

TEST(OnnxBadFile, TruncatedProtobufIsAClearErrorAndPrintsNothing) {
  TempDir dir;
  std::string bytes = withWeight().SerializeAsString();
  dir.write("model.onnx", bytes.substr(0, bytes.size() / 2));
  ::testing::internal::CaptureStderr();
  std::string message = loadError(dir.file("model.onnx"));
  EXPECT_EQ(::testing::internal::GetCapturedStderr(), "");
  EXPECT_EQ(message.find(dir.file("model.onnx") + ": not a valid ONNX model"), 0u) << message;
  EXPECT_NE(message.find("truncated or corrupt"), std::string::npos);
}

TEST(OnnxBadFile, NonOnnxFileNamesTheFile) {
  TempDir dir;
  dir.write("model.onnx", "this is a text file, not a model\n");
  std::string message = loadError(dir.file("model.onnx"));
  EXPECT_EQ(message.find(dir.file("model.onnx") + ": not"), 0u) << message;
}

TEST(OnnxBadFile, MissingFileNamesTheFile) {
  TempDir dir;
  std::string message = loadError(dir.file("absent.onnx"));
  EXPECT_NE(message.find(dir.file("absent.onnx")), std::string::npos) << message;
}

TEST(OnnxBadFile, RawDataShorterThanDims) {
  TempDir dir;
  auto m = withWeight();
  m.mutable_graph()->mutable_initializer(0)->set_raw_data(std::string(12, '\0'));
  std::string path = save(dir, m);
  EXPECT_EQ(loadError(path),
            path + ": initializer \"w\": raw_data has 12 bytes, dims [4,4] f32 need 64");
}

void makeExternal(::onnx::ModelProto& m, const std::string& location) {
  auto* w = m.mutable_graph()->mutable_initializer(0);
  w->clear_raw_data();
  w->set_data_location(::onnx::TensorProto::EXTERNAL);
  auto* e = w->add_external_data();
  e->set_key("location");
  e->set_value(location);
}

TEST(OnnxBadFile, ExternalDataWithDotDotIsRefused) {
  TempDir dir;
  dir.write("w.bin", std::string(64, '\0'));
  auto m = withWeight();
  makeExternal(m, "../w.bin");
  std::string path = save(dir, m, "sub/model.onnx");
  std::string message = loadError(path);
  EXPECT_EQ(message.find(path + ": initializer \"w\": external data: "), 0u) << message;
  EXPECT_NE(message.find("'..'"), std::string::npos) << message;
}

TEST(OnnxBadFile, ExternalDataWithAbsolutePathIsRefused) {
  TempDir dir;
  dir.write("w.bin", std::string(64, '\0'));
  auto m = withWeight();
  makeExternal(m, dir.file("w.bin"));
  std::string path = save(dir, m);
  std::string message = loadError(path);
  EXPECT_EQ(message.find(path + ": initializer \"w\": external data: "), 0u) << message;
  EXPECT_NE(message.find("is absolute"), std::string::npos) << message;
}

TEST(OnnxBadFile, ExternalDataThroughSymlinkOutOfTheFolderIsRefused) {
  TempDir outside, dir;
  outside.write("w.bin", std::string(64, '\0'));
  std::filesystem::create_symlink(outside.file("w.bin"), dir.file("w.bin"));
  auto m = withWeight();
  makeExternal(m, "w.bin");
  std::string path = save(dir, m);
  std::string message = loadError(path);
  EXPECT_EQ(message.find(path + ": initializer \"w\": external data: "), 0u) << message;
  EXPECT_NE(message.find("outside the model folder"), std::string::npos) << message;
}

TEST(OnnxBadFile, ExternalDataShorterThanDims) {
  TempDir dir;
  dir.write("w.bin", std::string(40, '\0'));
  auto m = withWeight();
  makeExternal(m, "w.bin");
  std::string path = save(dir, m);
  EXPECT_EQ(loadError(path), path + ": initializer \"w\": external data \"w.bin\" holds 40 "
                                    "bytes, dims [4,4] f32 need 64");
}

TEST(OnnxBadFile, ExternalDataRangePastTheEnd) {
  TempDir dir;
  dir.write("w.bin", std::string(64, '\0'));
  auto m = withWeight();
  makeExternal(m, "w.bin");
  auto* e = m.mutable_graph()->mutable_initializer(0)->add_external_data();
  e->set_key("offset");
  e->set_value("8");
  std::string path = save(dir, m);
  EXPECT_EQ(loadError(path), path + ": initializer \"w\": external data \"w.bin\" holds 56 "
                                    "bytes, dims [4,4] f32 need 64");
  auto* len = m.mutable_graph()->mutable_initializer(0)->add_external_data();
  len->set_key("length");
  len->set_value("64");
  path = save(dir, m);
  EXPECT_EQ(loadError(path), path + ": initializer \"w\": external data \"w.bin\" offset 8 "
                                    "length 64 runs past its end (64 bytes)");
}

TEST(OnnxBadFile, WrongOpsetNamesTheOpsetAndTheRange) {
  for (int64_t opset : {7, 99}) {
    TempDir dir;
    auto m = withWeight();
    m.mutable_opset_import(0)->set_version(opset);
    std::string path = save(dir, m);
    EXPECT_EQ(loadError(path), strCat(path, ": opset ", opset,
                                      " is not supported; dlc imports default-domain (ai.onnx) "
                                      "opsets 11 to 22"));
  }
}

TEST(OnnxBadFile, MissingIrVersion) {
  TempDir dir;
  auto m = withWeight();
  m.clear_ir_version();
  std::string path = save(dir, m);
  EXPECT_EQ(loadError(path), path + ": not an ONNX model (no ir_version)");
}

TEST(OnnxBadFile, UnsupportedDtypeNamesTheInitializer) {
  TempDir dir;
  auto m = withWeight();
  m.mutable_graph()->mutable_initializer(0)->set_data_type(::onnx::TensorProto::DOUBLE);
  std::string path = save(dir, m);
  std::string message = loadError(path);
  EXPECT_EQ(message.find(path + ": initializer \"w\": dtype DOUBLE is not supported"), 0u)
      << message;
}

TEST(OnnxBadFile, OneErrorListsEveryUnsupportedOp) {
  auto m = makeModel();
  addInput(m, "x", {4});
  addNode(m, "StringNormalizer", {"x"}, {"a"}, "norm_0");
  addNode(m, "Relu", {"x"}, {"b"}, "relu");
  addNode(m, "NonMaxSuppression", {"x"}, {"c"}, "nms_1");
  addNode(m, "StringNormalizer", {"x"}, {"d"}, "norm_3");
  addNode(m, "FusedGemm", {"x"}, {"e"}, "fused")->set_domain("com.microsoft");
  addOutput(m, "b");
  TempDir dir;
  std::string path = save(dir, m);
  EXPECT_EQ(loadError(path), path + ": 4 unsupported ops: NonMaxSuppression (nms_1), "
                                    "StringNormalizer (norm_0, norm_3), "
                                    "com.microsoft:FusedGemm (fused)");
}

TEST(OnnxBadFile, ShapeValueWithBatchAsGraphOutput) {
  auto m = makeModel();
  addInput(m, "x", {-1, 3});
  addNode(m, "Shape", {"x"}, {"s"}, "shape");
  addOutput(m, "s");
  TempDir dir;
  std::string path = save(dir, m);
  EXPECT_EQ(loadError(path), path + ": graph output \"s\" is the shape value [N,3], which "
                                    "depends on the batch size N; dlc cannot return it");
}

TEST(OnnxBadFile, BatchArithmeticIsUnsupported) {
  auto m = makeModel();
  addInput(m, "x", {-1, 3});
  addInitializer(m, int64Tensor("two", {1}, {2}));
  addNode(m, "Shape", {"x"}, {"s"}, "shape");
  addNode(m, "Mul", {"s", "two"}, {"s2"}, "double_it");
  addNode(m, "Reshape", {"x", "s2"}, {"y"}, "reshape");
  addOutput(m, "y");
  TempDir dir;
  std::string path = save(dir, m);
  EXPECT_EQ(loadError(path), path + ": node \"double_it\" (Mul): shape arithmetic N * 2 on "
                                    "the batch size N is not supported (dlc's batch extent "
                                    "is exactly N)");
}

}  // namespace
}  // namespace dlc::onnxfe
