// How one dlc node becomes ONNX nodes: the context a writer works through.
//
// A writer (export/Writers.h) reads its dlc node (operands, attributes,
// types) and appends ONNX nodes to the graph being written. Values are named
// by the dlc node that produces them, so operand i is simply in(i); the last
// ONNX node a writer adds produces out() (the dlc node's own name) and is
// itself named like the dlc node, so ONNX Runtime's errors and profiles name
// the dlc node. Helper values and nodes get "<node>/<suffix>" names, made
// unique across the whole graph. Helper tensors (shapes, axes, scalars)
// become initializers.
//
// What this deliberately does not do: decide how an op is written (the
// writers do), add graph inputs or outputs (the driver owns those).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "ir/Graph.h"
#include "onnx.pb.h"
#include "support/Status.h"
#include "support/Tensor.h"

namespace dlc::onnxfe {

// The ONNX TensorProto.DataType of an IR dtype.
int32_t onnxElemType(ir::DType dtype);

// Graph-wide state shared by the contexts of every node: the names in use and
// the run-time batch extent, computed once.
struct ExportState {
  ::onnx::GraphProto* graph = nullptr;
  const ir::Graph* source = nullptr;
  int64_t opset = 0;
  std::unordered_set<std::string> names;  // value, node and initializer names in use
  std::string batchValue;                 // int64[1] holding N at run time; "" until needed
  // A name not in use yet, derived from `base`; marks it used.
  std::string uniqueName(const std::string& base);
};

class ExportContext {
 public:
  ExportContext(ExportState& state, const ir::Node& node) : state_(state), node_(node) {}

  const ir::Node& node() const { return node_; }
  int64_t opset() const { return state_.opset; }
  int numInputs() const { return int(node_.inputs.size()); }
  // The ONNX value of operand i and its type.
  const std::string& in(int i) const { return node_.inputs[size_t(i)]->name; }
  const ir::TensorType& inType(int i) const { return node_.inputs[size_t(i)]->type; }
  // The ONNX value this node must produce (its name) and its type.
  const std::string& out() const { return node_.name; }
  const ir::TensorType& outType() const { return node_.type; }

  // Appends an ONNX node of `opType` in the default domain reading `inputs`
  // and producing `output` (out() or a tmp()). Returns it for attributes.
  ::onnx::NodeProto* add(std::string_view opType, const std::vector<std::string>& inputs,
                         const std::string& output);
  // A fresh intermediate value name: "<node>/<suffix>".
  std::string tmp(std::string_view suffix);

  // Initializers: a tensor, a rank-0 scalar of `dtype`, an int64 1-D list.
  std::string tensor(const Tensor& value, std::string_view suffix);
  std::string scalar(ir::DType dtype, double value, std::string_view suffix);
  std::string ints(const std::vector<int64_t>& values, std::string_view suffix);
  // An int64 1-D value holding `dims`, where entries equal to ir::kBatch are
  // the batch size at run time (read with Shape/Gather from a graph input
  // holding N); a plain initializer when there are none.
  StatusOr<std::string> shapeValue(const std::vector<int64_t>& dims, std::string_view suffix);

  // Operand i cast to `dtype` (a Cast node), or in(i) when it has it already.
  std::string castInput(int i, ir::DType dtype, std::string_view suffix);

  // "model.json: nodes[3] \"x\" (conv2d): <message>".
  Status error(StatusCode code, const std::string& message) const;

 private:
  ExportState& state_;
  const ir::Node& node_;
};

// Attribute setters on an ONNX node.
void setAttr(::onnx::NodeProto* node, const std::string& name, int64_t value);
void setAttr(::onnx::NodeProto* node, const std::string& name, float value);
void setAttr(::onnx::NodeProto* node, const std::string& name, const std::string& value);
void setAttr(::onnx::NodeProto* node, const std::string& name, const std::vector<int64_t>& value);

// Serialises `value` as an initializer named `name` (raw_data, little-endian).
void fillTensorProto(const Tensor& value, const std::string& name, ::onnx::TensorProto* proto);

}  // namespace dlc::onnxfe
