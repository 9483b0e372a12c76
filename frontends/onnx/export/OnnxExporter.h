// ONNX export: an ir::Graph -> a serialized ONNX ModelProto (docs/onnx-export.md).
//
// The inverse of the importer (OnnxModel.h), for the graph as a frontend
// returns it (typed, sorted, unoptimised), so that ONNX Runtime, OpenVINO or
// TVM compute exactly the model dlc computes, with the same weights:
//  - the default-domain opset is options.opset (kMinExportOpset..kMaxExportOpset),
//    the IR version the one that opset was released with, producer "dlc";
//  - graph inputs and outputs keep their names, dtypes and shapes; the batch
//    symbol N becomes dim_param "N", static dims stay static;
//  - constants become initializers (raw_data, little-endian) named after
//    their nodes;
//  - every other node is written by its writer in the writer table
//    (export/Writers.h): one or a few ONNX nodes, the last one named exactly
//    like the dlc node and producing the value of that name.
// Errors are Status values naming the model file, the node and the op or
// attribute ONNX cannot express at the chosen opset.
//
// What this deliberately does not do: optimise, fold or fuse anything;
// write external data (the whole model is one file, below protobuf's 2 GiB
// limit); write dlc's device placement or kernel annotations.
#pragma once

#include <cstdint>
#include <string>

#include "ir/Graph.h"
#include "support/Status.h"

namespace dlc::onnxfe {

constexpr int64_t kMinExportOpset = 17;
constexpr int64_t kMaxExportOpset = 22;
constexpr int64_t kDefaultExportOpset = 17;

struct ExportOptions {
  int64_t opset = kDefaultExportOpset;
};

// What an export wrote, for the CLI's summary line.
struct ExportSummary {
  int64_t opset = 0;
  int64_t irVersion = 0;
  int64_t inputs = 0;
  int64_t outputs = 0;
  int64_t nodes = 0;         // dlc nodes written (inputs and constants excluded)
  int64_t onnxNodes = 0;     // ONNX nodes they became
  int64_t initializers = 0;  // weights plus the writers' helper tensors
  int64_t weightBytes = 0;   // raw_data bytes of every initializer
};

// The IR version ONNX released `opset` with (17, 18 -> 8; 19, 20 -> 9; 21, 22 -> 10).
int64_t irVersionForOpset(int64_t opset);

// Serialized ModelProto bytes of `graph`.
StatusOr<std::string> exportOnnx(const ir::Graph& graph, const ExportOptions& options = {},
                                 ExportSummary* summary = nullptr);

// exportOnnx, written to `path` through a temporary file beside it that is
// renamed into place: on any error no file (and no partial file) is left.
Status exportOnnxFile(const ir::Graph& graph, const std::string& path,
                      const ExportOptions& options = {}, ExportSummary* summary = nullptr);

}  // namespace dlc::onnxfe
