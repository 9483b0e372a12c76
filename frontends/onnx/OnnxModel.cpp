// ONNX files -> ir::Graph: reading and parsing the ModelProto (see
// OnnxModel.h); the import itself is ImportDriver.cpp.
#include "frontends/onnx/OnnxModel.h"

#include <climits>

#include "frontends/onnx/ImportDriver.h"
#include "onnx.pb.h"
#include "support/SafePath.h"

namespace dlc::onnxfe {

StatusOr<std::unique_ptr<ir::Graph>> loadOnnx(const std::string& path) {
  auto bytes = readFileBytes(path, kMaxModelFileBytes);
  if (!bytes.ok()) return bytes.status().withContext(path);
  return parseOnnx(*bytes, path);
}

StatusOr<std::unique_ptr<ir::Graph>> parseOnnx(std::string_view bytes,
                                               const std::string& sourcePath) {
  if (bytes.size() > size_t(INT_MAX))
    return outOfRange(sourcePath, ": ", bytes.size(), " bytes is too large for an ONNX model");
  // ParsePartial: ONNX declares no required fields, and the partial parser
  // never logs to stderr; a malformed or truncated file is simply `false`.
  ::onnx::ModelProto model;
  if (bytes.empty() || !model.ParsePartialFromArray(bytes.data(), int(bytes.size())))
    return invalidArgument(sourcePath, ": not a valid ONNX model: the protobuf data is "
                           "truncated or corrupt (", bytes.size(), " bytes)");
  return importModel(model, sourcePath, parentFolder(sourcePath));
}

}  // namespace dlc::onnxfe
