// ONNX TensorProto decoding: dtypes, raw_data, typed fields, .pb files.
#include <gtest/gtest.h>

#include "OnnxTestUtil.h"
#include "frontends/onnx/OnnxTensor.h"

namespace dlc::onnxfe {
namespace {

using namespace dlc::onnxfe::testing;

TEST(OnnxTensor, DtypesMapToIr) {
  EXPECT_EQ(*dtypeFromOnnx(::onnx::TensorProto::FLOAT, "t"), ir::DType::F32);
  EXPECT_EQ(*dtypeFromOnnx(::onnx::TensorProto::UINT8, "t"), ir::DType::U8);
  EXPECT_EQ(*dtypeFromOnnx(::onnx::TensorProto::INT32, "t"), ir::DType::I32);
  EXPECT_EQ(*dtypeFromOnnx(::onnx::TensorProto::INT64, "t"), ir::DType::I64);
  EXPECT_EQ(*dtypeFromOnnx(::onnx::TensorProto::BOOL, "t"), ir::DType::Bool);
  EXPECT_EQ(*dtypeFromOnnx(::onnx::TensorProto::FLOAT16, "t"), ir::DType::F16);
  EXPECT_EQ(*dtypeFromOnnx(::onnx::TensorProto::BFLOAT16, "t"), ir::DType::BF16);
  auto d = dtypeFromOnnx(::onnx::TensorProto::STRING, "m.onnx: initializer \"s\"");
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.status().code(), StatusCode::kUnsupported);
  EXPECT_EQ(d.status().message().find("m.onnx: initializer \"s\": dtype STRING is not supported"),
            0u);
  EXPECT_EQ(onnxDTypeName(11), "DOUBLE");
  EXPECT_EQ(onnxDTypeName(17), "FLOAT8E4M3FN");
  EXPECT_EQ(onnxDTypeName(99), "data type 99");
}

TEST(OnnxTensor, RawDataFloat) {
  auto t = tensorFromProto(floatTensor("w", {2, 2}, {1, 2, 3, -4}), "", "w");
  ASSERT_TRUE(t.ok()) << t.status().toString();
  EXPECT_EQ(t->type().str(), "f32[2,2]");
  EXPECT_EQ(t->as<float>()[3], -4.0f);
}

TEST(OnnxTensor, TypedFields) {
  ::onnx::TensorProto p;
  p.set_data_type(::onnx::TensorProto::INT64);
  p.add_dims(3);
  for (int64_t v : {int64_t(5), int64_t(-6), int64_t(1) << 40}) p.add_int64_data(v);
  auto t = tensorFromProto(p, "", "t");
  ASSERT_TRUE(t.ok()) << t.status().toString();
  EXPECT_EQ(t->as<int64_t>()[2], int64_t(1) << 40);

  ::onnx::TensorProto h;  // f16 bit patterns in int32_data
  h.set_data_type(::onnx::TensorProto::FLOAT16);
  h.add_dims(2);
  h.add_int32_data(floatToHalf(1.5f));
  h.add_int32_data(floatToHalf(-2.0f));
  auto ht = tensorFromProto(h, "", "h");
  ASSERT_TRUE(ht.ok()) << ht.status().toString();
  EXPECT_EQ(ht->getAsDouble(0), 1.5);
  EXPECT_EQ(ht->getAsDouble(1), -2.0);

  ::onnx::TensorProto b;  // a bool scalar
  b.set_data_type(::onnx::TensorProto::BOOL);
  b.add_int32_data(1);
  auto bt = tensorFromProto(b, "", "b");
  ASSERT_TRUE(bt.ok()) << bt.status().toString();
  EXPECT_EQ(bt->type().str(), "bool[]");
  EXPECT_EQ(bt->getAsDouble(0), 1.0);

  ::onnx::TensorProto f;
  f.set_data_type(::onnx::TensorProto::FLOAT);
  f.add_dims(2);
  f.add_float_data(0.25f);
  f.add_float_data(8.0f);
  auto ft = tensorFromProto(f, "", "f");
  ASSERT_TRUE(ft.ok());
  EXPECT_EQ(ft->as<float>()[1], 8.0f);
}

TEST(OnnxTensor, TypedFieldCountMismatch) {
  ::onnx::TensorProto p;
  p.set_data_type(::onnx::TensorProto::FLOAT);
  p.add_dims(4);
  p.add_float_data(1);
  auto t = tensorFromProto(p, "", "m.onnx: initializer \"w\"");
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.status().message(),
            "m.onnx: initializer \"w\": float_data has 1 values, dims [4] need 4");
}

TEST(OnnxTensor, HostileDimsAreAnErrorNotAnAllocation) {
  ::onnx::TensorProto p;
  p.set_data_type(::onnx::TensorProto::FLOAT);
  p.add_dims(int64_t(1) << 40);
  p.add_dims(int64_t(1) << 40);
  auto t = tensorFromProto(p, "", "w");
  ASSERT_FALSE(t.ok());
  p.clear_dims();
  p.add_dims(-3);
  EXPECT_FALSE(tensorFromProto(p, "", "w").ok());
}

TEST(OnnxTensor, ExternalDataNotAllowedWithoutAFolder) {
  ::onnx::TensorProto p = floatTensor("w", {1}, {1});
  p.set_data_location(::onnx::TensorProto::EXTERNAL);
  auto t = tensorFromProto(p, "", "w");
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.status().message(), "w: external data is not allowed here");
}

TEST(OnnxTensor, ReadTensorFile) {
  TempDir dir;
  dir.write("input_0.pb", floatTensor("x", {3}, {1, 2, 3}).SerializeAsString());
  auto t = readTensorFile(dir.file("input_0.pb"));
  ASSERT_TRUE(t.ok()) << t.status().toString();
  EXPECT_EQ(t->type().str(), "f32[3]");
  EXPECT_EQ(t->as<float>()[2], 3.0f);

  std::string bytes = floatTensor("x", {64}, std::vector<float>(64, 1.0f)).SerializeAsString();
  dir.write("bad.pb", bytes.substr(0, bytes.size() - 10));
  auto bad = readTensorFile(dir.file("bad.pb"));
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().message().find(dir.file("bad.pb")), 0u) << bad.status().message();
}

TEST(OnnxTensor, BackendTestDataFileWhenInstalled) {
  std::string path = "/usr/share/libonnx-testdata/data/node/test_relu/test_data_set_0/input_0.pb";
  if (!std::filesystem::exists(path)) GTEST_SKIP() << "libonnx-testdata not installed";
  auto t = readTensorFile(path);
  ASSERT_TRUE(t.ok()) << t.status().toString();
  EXPECT_EQ(t->type().str(), "f32[3,4,5]");
}

}  // namespace
}  // namespace dlc::onnxfe
