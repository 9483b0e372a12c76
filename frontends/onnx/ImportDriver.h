// The ONNX import driver: one parsed ModelProto -> ir::Graph.
//
// In order: checks ir_version and the default-domain opset; turns
// initializers into constants and the other graph inputs into `input` nodes
// (a symbolic first dimension becomes N); lists every node whose op type
// has no converter in one error; orders the nodes topologically (file order
// when it already is); converts each node (BuiltinOps first, then the
// converter table) through a NodeContext; binds the graph outputs, removes
// what no output reads, names each computed output after its ONNX tensor
// and records the ONNX nodes folded away in graph.foldedOrigins.
//
// What this deliberately does not do: read files (OnnxModel.cpp does),
// control flow subgraphs, functions, or symbolic dimensions besides N.
#pragma once

#include <memory>
#include <string>

#include "ir/Graph.h"
#include "support/Status.h"

namespace onnx {
class ModelProto;
}

namespace dlc::onnxfe {

// Imports `model`. `file` names the model in errors; external data is
// resolved against `modelDir`.
StatusOr<std::unique_ptr<ir::Graph>> importModel(const ::onnx::ModelProto& model,
                                                 const std::string& file,
                                                 const std::string& modelDir);

}  // namespace dlc::onnxfe
