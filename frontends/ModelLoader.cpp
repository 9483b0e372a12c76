// Format detection and dispatch to the frontends. See ModelLoader.h.
#include "frontends/ModelLoader.h"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "frontends/json/JsonModel.h"
#if DLC_WITH_IMPORTERS
#include "frontends/keras/KerasModel.h"
#include "frontends/onnx/OnnxModel.h"
#endif
#include "support/SafePath.h"

namespace dlc::frontends {

namespace {

constexpr ModelFormat kAllFormats[] = {ModelFormat::kJson, ModelFormat::kOnnx, ModelFormat::kKeras,
                                       ModelFormat::kKerasH5, ModelFormat::kKerasJson};

// The help every "which format?" error ends with.
constexpr const char* kFormatsHelp =
    "dlc reads .json (dlc's format, or Keras model.to_json() with --weights), .onnx, "
    ".keras and .h5 models; --format json|onnx|keras|h5|keras-json names the format of a "
    "file with another extension";

std::string lowerExtension(const std::string& path) {
  std::string ext = std::filesystem::path(path).extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(),
                 [](unsigned char c) { return char(std::tolower(c)); });
  return ext;
}

// Records which top-level keys a JSON document has, without building it.
// Stops at the first syntax error (the JSON frontend reports it properly).
class TopLevelKeys : public nlohmann::json_sax<nlohmann::json> {
 public:
  bool isObject = false;
  bool hasClassName = false, hasConfig = false, hasNodes = false, hasFormat = false;

  bool null() override { return true; }
  bool boolean(bool) override { return true; }
  bool number_integer(number_integer_t) override { return true; }
  bool number_unsigned(number_unsigned_t) override { return true; }
  bool number_float(number_float_t, const string_t&) override { return true; }
  bool string(string_t&) override { return true; }
  bool binary(binary_t&) override { return true; }
  bool start_object(std::size_t) override {
    if (depth_ == 0) isObject = true;
    ++depth_;
    return true;
  }
  bool end_object() override { return --depth_, true; }
  bool start_array(std::size_t) override { return ++depth_, true; }
  bool end_array() override { return --depth_, true; }
  bool key(string_t& k) override {
    if (depth_ != 1) return true;
    hasClassName |= k == "class_name";
    hasConfig |= k == "config";
    hasNodes |= k == "nodes";
    hasFormat |= k == "format";
    return true;
  }
  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception&) override {
    return false;
  }

 private:
  int depth_ = 0;
};

// Keras model.to_json() text: an object with "class_name" and "config" at the
// top, and none of dlc's own "format"/"nodes".
bool looksLikeKerasJson(const std::string& text) {
  TopLevelKeys keys;
  try {
    nlohmann::json::sax_parse(text, &keys, nlohmann::json::input_format_t::json,
                              /*strict=*/false);
  } catch (const nlohmann::json::exception&) {
    return false;
  }
  return keys.isObject && keys.hasClassName && keys.hasConfig && !keys.hasNodes && !keys.hasFormat;
}

// "model.json" -> "model.weights.h5" in the same folder.
std::string defaultKerasWeights(const std::string& jsonPath) {
  std::filesystem::path p(jsonPath);
  return (p.parent_path() / (p.stem().string() + ".weights.h5")).string();
}

// The importers, or (in a build with -DDLC_IMPORTERS=OFF, such as the
// carried GPU build) one clear error.
#if DLC_WITH_IMPORTERS
StatusOr<std::unique_ptr<ir::Graph>> importOnnx(const std::string& path) {
  return onnxfe::loadOnnx(path);
}
StatusOr<std::unique_ptr<ir::Graph>> importKeras(const std::string& path) {
  return keras::loadKeras(path);
}
StatusOr<std::unique_ptr<ir::Graph>> importKerasJson(const std::string& path,
                                                     const std::string& weights) {
  return keras::loadKerasJson(path, weights);
}
#else
Status noImporters(const std::string& path) {
  return unavailable(path, ": this dlc was built without the ONNX and Keras importers "
                           "(cmake -DDLC_IMPORTERS=OFF); rebuild with -DDLC_IMPORTERS=ON, or "
                           "convert the model with `dlc import` where they are built");
}
StatusOr<std::unique_ptr<ir::Graph>> importOnnx(const std::string& path) {
  return noImporters(path);
}
StatusOr<std::unique_ptr<ir::Graph>> importKeras(const std::string& path) {
  return noImporters(path);
}
StatusOr<std::unique_ptr<ir::Graph>> importKerasJson(const std::string& path,
                                                     const std::string&) {
  return noImporters(path);
}
#endif

StatusOr<std::unique_ptr<ir::Graph>> loadKerasJsonFile(const std::string& path,
                                                       const LoadOptions& options) {
  std::string weights = options.weights;
  if (weights.empty()) {
    weights = defaultKerasWeights(path);
    std::error_code ec;
    if (!std::filesystem::exists(weights, ec))
      return notFound(path, ": a Keras model.to_json() file needs its weights: no ", weights,
                      " beside it; give the weights file with --weights FILE");
  }
  return importKerasJson(path, weights);
}

}  // namespace

const char* formatName(ModelFormat format) {
  switch (format) {
    case ModelFormat::kJson:
      return "json";
    case ModelFormat::kOnnx:
      return "onnx";
    case ModelFormat::kKeras:
      return "keras";
    case ModelFormat::kKerasH5:
      return "h5";
    case ModelFormat::kKerasJson:
      return "keras-json";
  }
  return "json";
}

StatusOr<ModelFormat> detectFormat(const std::string& path, const LoadOptions& options) {
  if (!options.format.empty()) {
    for (ModelFormat f : kAllFormats)
      if (options.format == formatName(f)) return f;
    return invalidArgument("unknown --format \"", options.format,
                           "\" (expected one of: json, onnx, keras, h5, keras-json)");
  }
  std::string ext = lowerExtension(path);
  if (ext == ".json") return ModelFormat::kJson;  // keras-json is sniffed by loadModel
  if (ext == ".onnx") return ModelFormat::kOnnx;
  if (ext == ".keras") return ModelFormat::kKeras;
  if (ext == ".h5" || ext == ".hdf5") return ModelFormat::kKerasH5;
  if (ext == ".dlc")
    return invalidArgument(path, ": this is a compiled artifact, not a model; ", kFormatsHelp);
  if (ext.empty())
    return unsupported(path, ": the file has no extension, so its model format is unknown; ",
                       kFormatsHelp);
  return unsupported(path, ": unknown model format \"", ext, "\"; ", kFormatsHelp);
}

StatusOr<std::unique_ptr<ir::Graph>> loadModel(const std::string& path,
                                               const LoadOptions& options) {
  DLC_ASSIGN_OR_RETURN(ModelFormat format, detectFormat(path, options));
  if (!options.weights.empty() && format != ModelFormat::kJson && format != ModelFormat::kKerasJson)
    return invalidArgument(path, ": --weights applies to Keras model.to_json() files only; a ",
                           formatName(format), " model holds its own weights");
  switch (format) {
    case ModelFormat::kOnnx:
      return importOnnx(path);
    case ModelFormat::kKeras:
    case ModelFormat::kKerasH5:
      return importKeras(path);
    case ModelFormat::kKerasJson:
      return loadKerasJsonFile(path, options);
    case ModelFormat::kJson:
      break;
  }
  DLC_ASSIGN_OR_RETURN(std::string text, readFileBytes(path, kMaxModelFileBytes));
  // By extension, a .json file may be either; `--format json` means dlc's own.
  if (options.format.empty() && looksLikeKerasJson(text)) return loadKerasJsonFile(path, options);
  if (!options.weights.empty())
    return invalidArgument(path,
                           ": --weights applies to Keras model.to_json() files only; "
                           "a dlc model names its weight files itself");
  return json::parseModel(text, path);
}

}  // namespace dlc::frontends
