// The ImportContext of one ONNX node (Converter.h), plus the import state
// every node shares: the graph, the ONNX value of every tensor name, and the
// model's file, folder and opset.
//
// emit() names a node "<onnx node>/<suffix>", sets its location
// ("graph.node[i]") and origins ({onnx node}), infers its type and folds it
// with the reference interpreter when every operand is a constant (results
// holding N or above passes::kMaxFoldedElements stay computed). Every error
// is prefixed "model.onnx: node \"conv1\" (Conv): ".
//
// What this deliberately does not do: decide which converter runs (the
// import driver does), or touch graph inputs and outputs.
#pragma once

#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>

#include "frontends/onnx/Converter.h"
#include "frontends/onnx/OnnxAttributes.h"
#include "frontends/onnx/ShapeValues.h"

namespace onnx {
class NodeProto;
}

namespace dlc::onnxfe {

// What an ONNX tensor name is bound to: an IR node, and/or a shape value.
// A shape value holding N has no node.
struct OnnxValue {
  ir::Node* node = nullptr;
  std::optional<ShapeValue> shape;
};

struct ImportState {
  ir::Graph* graph = nullptr;
  std::string file;      // the model file, as named in errors
  std::string modelDir;  // where external data is resolved
  int64_t opset = 0;
  std::unordered_map<std::string, OnnxValue> values;
  std::unordered_set<std::string> used;  // tensor names some node or output reads
};

class NodeContext final : public ImportContext {
 public:
  NodeContext(ImportState& state, const ::onnx::NodeProto& node, int index);

  const std::string& opType() const override { return opType_; }
  const std::string& nodeName() const override { return name_; }
  int64_t opset() const override { return state_.opset; }

  int numInputs() const override;
  bool hasInput(int i) const override;
  StatusOr<ir::Node*> input(int i) override;
  const Tensor* constantInput(int i) override;
  StatusOr<std::vector<int64_t>> intsInput(int i) override;
  StatusOr<std::vector<int64_t>> shapeInput(int i) override;

  int numOutputs() const override;
  bool outputUsed(int i) const override;

  bool hasAttr(std::string_view name) const override { return attrs_.has(name); }
  StatusOr<int64_t> attrInt(std::string_view name, int64_t def) const override;
  StatusOr<float> attrFloat(std::string_view name, float def) const override;
  StatusOr<std::string> attrString(std::string_view name, const std::string& def) const override;
  StatusOr<std::vector<int64_t>> attrInts(std::string_view name,
                                          const std::vector<int64_t>& def) const override;
  StatusOr<std::vector<float>> attrFloats(std::string_view name,
                                          const std::vector<float>& def) const override;
  StatusOr<Tensor> attrTensor(std::string_view name) const override;

  StatusOr<ir::Node*> emit(ir::OpKind op, std::vector<ir::Node*> inputs, ir::Attributes attrs,
                           std::string_view suffix) override;
  ir::Node* constant(Tensor value, std::string_view suffix) override;
  ir::Node* scalar(ir::DType dtype, double value, std::string_view suffix) override;
  Status setOutput(int i, ir::Node* node) override;

  Status error(StatusCode code, const std::string& message) const override;

  // Driver-side extras.
  // The value bound to input i, or nullptr when absent.
  const OnnxValue* value(int i) const;
  const std::string& inputName(int i) const;
  const std::string& outputName(int i) const;
  // Input i as a shape value: a tracked one, or a small integer constant;
  // nullopt when it is neither.
  std::optional<ShapeValue> shapeValueInput(int i);
  // Binds output i to `v` (a constant node too when it holds no N).
  Status setShapeOutput(int i, const ShapeValue& v);
  // `s` with this node's prefix (OK stays OK).
  Status withNode(const Status& s) const;
  // Whether output i was bound.
  bool outputBound(int i) const;

 private:
  std::string irName(std::string_view suffix) const;

  ImportState& state_;
  const ::onnx::NodeProto& node_;
  int index_;
  std::string opType_;
  std::string name_;
  NodeAttributes attrs_;
};

}  // namespace dlc::onnxfe
