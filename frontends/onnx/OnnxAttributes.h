// Typed, checked access to the attributes of one ONNX NodeProto.
//
// Each getter returns the default when the attribute is absent and an error
// naming the attribute when it holds another ONNX type ("attribute \"axis\"
// is a FLOAT, expected an INT"). A float getter accepts an INT attribute
// (exporters write `alpha: 1` for floats); nothing else is converted.
// Errors carry no file or node prefix: ImportContext::error adds it.
//
// What this deliberately does not do: graph, sparse tensor and type-proto
// attributes (control flow and training ops are not imported), or
// attribute references inside functions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "support/Status.h"
#include "support/Tensor.h"

namespace onnx {
class AttributeProto;
class NodeProto;
}  // namespace onnx

namespace dlc::onnxfe {

class NodeAttributes {
 public:
  // `modelDir` is where a TENSOR attribute's external data is resolved.
  NodeAttributes(const ::onnx::NodeProto& node, std::string modelDir)
      : node_(node), modelDir_(std::move(modelDir)) {}

  // The attribute named `name`, or nullptr.
  const ::onnx::AttributeProto* find(std::string_view name) const;
  bool has(std::string_view name) const { return find(name) != nullptr; }

  StatusOr<int64_t> getInt(std::string_view name, int64_t def) const;
  StatusOr<float> getFloat(std::string_view name, float def) const;
  StatusOr<std::string> getString(std::string_view name, const std::string& def) const;
  StatusOr<std::vector<int64_t>> getInts(std::string_view name,
                                         const std::vector<int64_t>& def) const;
  StatusOr<std::vector<float>> getFloats(std::string_view name,
                                         const std::vector<float>& def) const;
  // A TENSOR attribute; an error when absent.
  StatusOr<Tensor> getTensor(std::string_view name) const;

 private:
  const ::onnx::NodeProto& node_;
  std::string modelDir_;
};

// The ONNX name of an AttributeProto type ("INT", "FLOATS", ...).
std::string onnxAttrTypeName(int type);

}  // namespace dlc::onnxfe
