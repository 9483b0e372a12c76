// Every model format dlc reads, behind one call: picks the frontend by the
// file's extension (or --format) and returns the imported ir::Graph.
//
//   .json   dlc's native JSON (docs/format.md), or Keras `model.to_json()`
//           text (recognised by its "class_name"/"config" keys; its weights
//           come from LoadOptions::weights, else "<stem>.weights.h5" beside it)
//   .onnx   ONNX (frontends/onnx)
//   .keras  Keras 3 archive (frontends/keras)
//   .h5     legacy Keras model file
// A compiled artifact (.dlc) or an unknown extension is a clear error that
// lists the formats and the --format option.
//
// What this deliberately does not do: sniff file contents for anything but
// the .json case; convert or write models (see frontends/json/JsonWriter.h).
#pragma once

#include <memory>
#include <string>

#include "ir/Graph.h"
#include "support/Status.h"

namespace dlc::frontends {

enum class ModelFormat { kJson, kOnnx, kKeras, kKerasH5, kKerasJson };

// "json", "onnx", "keras", "h5", "keras-json".
const char* formatName(ModelFormat format);

struct LoadOptions {
  std::string format;   // "" = by extension; else a formatName()
  std::string weights;  // keras-json only: the weights file
};

// The format of `path` for `options.format`.
StatusOr<ModelFormat> detectFormat(const std::string& path, const LoadOptions& options = {});

// Loads `path` with the frontend of its format.
StatusOr<std::unique_ptr<ir::Graph>> loadModel(const std::string& path,
                                               const LoadOptions& options = {});

}  // namespace dlc::frontends
