// Helpers for the ONNX import tests: ONNX models built in C++ with the
// generated protobuf classes and written to a temporary folder.
#pragma once

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "onnx.pb.h"

namespace dlc::onnxfe::testing {

// A fresh temporary folder, removed with everything in it.
class TempDir {
 public:
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "dlc-onnx-XXXXXX").string();
    path_ = ::mkdtemp(pattern.data()) ? pattern : "";
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  const std::string& path() const { return path_; }
  std::string file(const std::string& name) const { return path_ + "/" + name; }
  void write(const std::string& name, const std::string& bytes) const {
    std::filesystem::create_directories(std::filesystem::path(file(name)).parent_path());
    std::ofstream out(file(name), std::ios::binary);
    out << bytes;
  }

 private:
  std::string path_;
};

inline ::onnx::ModelProto makeModel(int64_t opset = 17) {
  ::onnx::ModelProto m;
  m.set_ir_version(8);
  m.set_producer_name("dlc-test");
  auto* op = m.add_opset_import();
  op->set_domain("");
  op->set_version(opset);
  m.mutable_graph()->set_name("test");
  return m;
}

// dims: >= 0 static, -1 a dim_param "N", -2 a dim with no value.
inline void addInput(::onnx::ModelProto& m, const std::string& name, std::vector<int64_t> dims,
                     int elemType = ::onnx::TensorProto::FLOAT) {
  auto* in = m.mutable_graph()->add_input();
  in->set_name(name);
  auto* tt = in->mutable_type()->mutable_tensor_type();
  tt->set_elem_type(elemType);
  auto* shape = tt->mutable_shape();
  for (int64_t d : dims) {
    auto* dim = shape->add_dim();
    if (d >= 0) dim->set_dim_value(d);
    if (d == -1) dim->set_dim_param("N");
  }
}

inline void addOutput(::onnx::ModelProto& m, const std::string& name) {
  m.mutable_graph()->add_output()->set_name(name);
}

inline ::onnx::TensorProto floatTensor(const std::string& name, std::vector<int64_t> dims,
                                       const std::vector<float>& values) {
  ::onnx::TensorProto t;
  t.set_name(name);
  t.set_data_type(::onnx::TensorProto::FLOAT);
  for (int64_t d : dims) t.add_dims(d);
  t.set_raw_data(std::string(reinterpret_cast<const char*>(values.data()),
                             values.size() * sizeof(float)));
  return t;
}

inline ::onnx::TensorProto int64Tensor(const std::string& name, std::vector<int64_t> dims,
                                       const std::vector<int64_t>& values) {
  ::onnx::TensorProto t;
  t.set_name(name);
  t.set_data_type(::onnx::TensorProto::INT64);
  for (int64_t d : dims) t.add_dims(d);
  for (int64_t v : values) t.add_int64_data(v);
  return t;
}

inline void addInitializer(::onnx::ModelProto& m, const ::onnx::TensorProto& t) {
  *m.mutable_graph()->add_initializer() = t;
}

inline ::onnx::NodeProto* addNode(::onnx::ModelProto& m, const std::string& op,
                                  std::vector<std::string> inputs,
                                  std::vector<std::string> outputs, const std::string& name) {
  auto* n = m.mutable_graph()->add_node();
  n->set_op_type(op);
  n->set_name(name);
  for (auto& i : inputs) n->add_input(i);
  for (auto& o : outputs) n->add_output(o);
  return n;
}

inline void setInt(::onnx::NodeProto* n, const std::string& name, int64_t v) {
  auto* a = n->add_attribute();
  a->set_name(name);
  a->set_type(::onnx::AttributeProto::INT);
  a->set_i(v);
}
inline void setFloat(::onnx::NodeProto* n, const std::string& name, float v) {
  auto* a = n->add_attribute();
  a->set_name(name);
  a->set_type(::onnx::AttributeProto::FLOAT);
  a->set_f(v);
}
inline void setInts(::onnx::NodeProto* n, const std::string& name, std::vector<int64_t> v) {
  auto* a = n->add_attribute();
  a->set_name(name);
  a->set_type(::onnx::AttributeProto::INTS);
  for (int64_t x : v) a->add_ints(x);
}
inline void setTensor(::onnx::NodeProto* n, const std::string& name,
                      const ::onnx::TensorProto& t) {
  auto* a = n->add_attribute();
  a->set_name(name);
  a->set_type(::onnx::AttributeProto::TENSOR);
  *a->mutable_t() = t;
}

// Writes `m` as `name` in `dir`; returns the path.
inline std::string save(const TempDir& dir, const ::onnx::ModelProto& m,
                        const std::string& name = "model.onnx") {
  dir.write(name, m.SerializeAsString());
  return dir.file(name);
}

}  // namespace dlc::onnxfe::testing
