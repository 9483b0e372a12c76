// How one ONNX node becomes dlc IR: the converter interface and its table.
//
// A converter reads one ONNX node through an ImportContext (its inputs as IR
// nodes, its attributes, the opset) and emits core ops (ir/Ops.def) for it:
// Gemm becomes transpose/matmul/mul/add, HardSigmoid becomes
// mul/add/maximum/minimum, and so on. The context gives every emitted node a
// name derived from the ONNX node, its origins and location, and infers its
// type at once, so a converter can branch on operand types and shape
// inference errors name the ONNX node. When every operand of an emitted
// node is a constant, emit() folds it on the spot with the reference
// interpreter, so constant subgraphs never reach the compiler.
//
// Shape values: an int64 tensor computed from shapes (Shape, and Gather,
// Concat, Slice, Squeeze, Unsqueeze, Cast on it) is tracked symbolically by
// the import driver, entry by entry, with ir::kBatch standing for N.
// shapeInput() reads such a value, or a constant, as a list of extents.
//
// The converter table (ConverterTable.cpp) is the single list of ONNX op
// types dlc imports; docs/onnx-support.md is generated from it and from the
// backend node tests.
//
// What this deliberately does not do: converters never see protobuf types;
// they never add graph inputs or outputs (the driver owns those).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "ir/Graph.h"
#include "support/Status.h"
#include "support/Tensor.h"

namespace dlc::onnxfe {

class ImportContext {
 public:
  virtual ~ImportContext() = default;

  // The ONNX node: op type, name ("" when unnamed; the context then uses
  // "<OpType>_<index>"), and the default-domain opset of the model.
  virtual const std::string& opType() const = 0;
  virtual const std::string& nodeName() const = 0;
  virtual int64_t opset() const = 0;

  // Inputs. An optional input left out ("" in ONNX) is absent: hasInput is
  // false and input() returns nullptr.
  virtual int numInputs() const = 0;
  virtual bool hasInput(int i) const = 0;
  // The IR node of input i. A shape value holding N used as data is an
  // error (shape values are only readable through shapeInput).
  virtual StatusOr<ir::Node*> input(int i) = 0;
  // The data of input i when it is known at import time (an initializer, a
  // Constant, a folded subgraph, or a shape value without N); else nullptr.
  virtual const Tensor* constantInput(int i) = 0;
  // Input i as integers (i32/i64 constant, or a shape value without N):
  // axes, pads, starts... Error naming the node and the input otherwise.
  virtual StatusOr<std::vector<int64_t>> intsInput(int i) = 0;
  // Input i as a list of extents (a constant or a shape value); entries
  // equal to ir::kBatch stand for N.
  virtual StatusOr<std::vector<int64_t>> shapeInput(int i) = 0;

  // Outputs: how many the ONNX node declares, and whether output i is used
  // (named and read by another node or a graph output).
  virtual int numOutputs() const = 0;
  virtual bool outputUsed(int i) const = 0;

  // Attributes, with defaults. Reading an attribute of the wrong ONNX type
  // is an error (checked by the driver: converters call the getter that
  // matches the ONNX spec).
  virtual bool hasAttr(std::string_view name) const = 0;
  virtual StatusOr<int64_t> attrInt(std::string_view name, int64_t def) const = 0;
  virtual StatusOr<float> attrFloat(std::string_view name, float def) const = 0;
  virtual StatusOr<std::string> attrString(std::string_view name, const std::string& def) const = 0;
  virtual StatusOr<std::vector<int64_t>> attrInts(std::string_view name,
                                                  const std::vector<int64_t>& def) const = 0;
  virtual StatusOr<std::vector<float>> attrFloats(std::string_view name,
                                                  const std::vector<float>& def) const = 0;
  // A TENSOR attribute (Constant's value, ConstantOfShape's value).
  virtual StatusOr<Tensor> attrTensor(std::string_view name) const = 0;

  // Emits a core op on `inputs` with `attrs`; its type is inferred at once
  // (an error names the ONNX node). All-constant operands fold to a
  // constant. `suffix` makes the IR name ("<node>/<suffix>").
  virtual StatusOr<ir::Node*> emit(ir::OpKind op, std::vector<ir::Node*> inputs,
                                   ir::Attributes attrs = {}, std::string_view suffix = "") = 0;
  // A constant node holding `value`.
  virtual ir::Node* constant(Tensor value, std::string_view suffix = "") = 0;
  // A scalar constant of `dtype` (f32/f16/bf16/i32/i64/bool/u8).
  virtual ir::Node* scalar(ir::DType dtype, double value, std::string_view suffix = "") = 0;
  // Binds ONNX output i to `node`.
  virtual Status setOutput(int i, ir::Node* node) = 0;

  // An error that names the model file and the ONNX node:
  // "model.onnx: node \"conv1\" (Conv): <message>". Use for unsupported
  // attribute values too (code kUnsupported).
  virtual Status error(StatusCode code, const std::string& message) const = 0;
};

using Converter = Status (*)(ImportContext& ctx);

// The converter for `opType` in the default domain, or nullptr.
Converter findConverter(std::string_view opType);
// Every ONNX op type with a converter, sorted.
std::vector<std::string> supportedOpTypes();

}  // namespace dlc::onnxfe
