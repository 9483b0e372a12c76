// ONNX import: a ModelProto file -> ir::Graph (docs/format.md, "Importing models").
//
// The file is parsed with protobuf from the schema in Debian's libonnx-dev
// (onnx.proto, package `onnx`); nothing here parses protobuf by hand. Import:
//  - checks the default-domain opset is within [kMinOpset, kMaxOpset];
//  - turns graph inputs that are not initializers into `input` nodes: the
//    first dimension becomes the batch symbol N when it is symbolic (a
//    dim_param, or no value), any other symbolic dimension is an error that
//    names the input and the dimension;
//  - decodes initializers (raw_data, typed fields and external data, with
//    the weight path rules of support/SafePath.h) into constants;
//  - folds shape-computing subgraphs (Shape -> Gather -> Concat -> Reshape)
//    to constants, including shapes holding the batch symbol;
//  - converts every node through the converter table (Converter.h). Nodes
//    with no converter are collected, and one error lists every
//    unsupported op type with the names of its nodes.
// The returned graph is topologically sorted and fully typed, like the JSON
// frontend's; nodes carry `location` ("graph.node[12]") and `origins` (the
// ONNX node name).
//
// What this deliberately does not do: training-only ops, sequence/map/
// optional types, custom domains (other than the default ""/"ai.onnx"),
// control flow (If, Loop, Scan), or symbolic dimensions other than the batch.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "ir/Graph.h"
#include "support/Status.h"

namespace dlc::onnxfe {

// The default-domain opsets dlc imports.
constexpr int64_t kMinOpset = 11;
constexpr int64_t kMaxOpset = 22;

// Reads and imports the ONNX file at `path` (at most kMaxModelFileBytes;
// external data is resolved relative to its folder).
StatusOr<std::unique_ptr<ir::Graph>> loadOnnx(const std::string& path);

// Imports serialized ModelProto `bytes`. `sourcePath` names the file in
// errors and its folder is where external data files are looked up.
StatusOr<std::unique_ptr<ir::Graph>> parseOnnx(std::string_view bytes,
                                               const std::string& sourcePath);

}  // namespace dlc::onnxfe
