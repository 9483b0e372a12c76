#include "frontends/keras/KerasConfig.h"

#include <algorithm>
#include <set>

namespace dlc::keras {

namespace {

using nlohmann::json;

StatusOr<TensorRef> parseHistory(const json& h, const std::string& where, const std::string& what) {
  if (!h.is_array() || h.size() < 3 || !h[0].is_string() || !h[1].is_number_integer() ||
      !h[2].is_number_integer())
    return invalidArgument(what, ": ", where, ": expected [layer, node_index, tensor_index], got ",
                           h.dump());
  return TensorRef{h[0].get<std::string>(), h[1].get<int>(), h[2].get<int>()};
}

// How deep call arguments may nest (Keras writes two or three levels); the
// bound keeps a hostile config from exhausting the stack.
constexpr int kMaxArgsDepth = 64;

// Keras 3: every {"class_name": "__keras_tensor__"} inside `args`, in order.
Status collectKerasTensors(const json& v, std::vector<TensorRef>& out, const std::string& where,
                           const std::string& what, int depth = 0) {
  if (depth > kMaxArgsDepth)
    return invalidArgument(what, ": ", where, ": call arguments nest deeper than ",
                           kMaxArgsDepth, " levels");
  if (v.is_array()) {
    for (const json& e : v)
      DLC_RETURN_IF_ERROR(collectKerasTensors(e, out, where, what, depth + 1));
  } else if (v.is_object() && v.contains("class_name") && v["class_name"] == "__keras_tensor__") {
    const json& cfg = v.at("config");
    DLC_ASSIGN_OR_RETURN(TensorRef ref, parseHistory(cfg.at("keras_history"), where, what));
    out.push_back(std::move(ref));
  }
  return Status::OK();
}

Status parseInboundNodes(const json& nodes, LayerSpec& layer, const std::string& what) {
  if (nodes.is_null()) return Status::OK();
  if (!nodes.is_array())
    return invalidArgument(what, ": layer \"", layer.name, "\": inbound_nodes is not a list");
  for (size_t i = 0; i < nodes.size(); ++i) {
    std::string where = "layer \"" + layer.name + "\" inbound_nodes[" + std::to_string(i) + "]";
    std::vector<TensorRef> call;
    const json& node = nodes[i];
    if (node.is_object()) {  // Keras 3
      DLC_RETURN_IF_ERROR(collectKerasTensors(node.value("args", json::array()), call, where, what));
    } else if (node.is_array()) {  // Keras 2: [["layer", node, tensor, {kwargs}], ...]
      for (const json& entry : node) {
        DLC_ASSIGN_OR_RETURN(TensorRef ref, parseHistory(entry, where, what));
        call.push_back(std::move(ref));
      }
    } else {
      return invalidArgument(what, ": ", where, " is neither a list nor an object");
    }
    layer.calls.push_back(std::move(call));
  }
  return Status::OK();
}

// input_layers / output_layers: one [name, node, tensor] or a list of them.
StatusOr<std::vector<TensorRef>> parseEndpoints(const json& v, const std::string& key,
                                                const std::string& what) {
  std::vector<TensorRef> refs;
  if (v.is_array() && v.size() == 3 && v[0].is_string()) {
    DLC_ASSIGN_OR_RETURN(TensorRef ref, parseHistory(v, key, what));
    refs.push_back(std::move(ref));
    return refs;
  }
  if (!v.is_array() || v.empty()) return invalidArgument(what, ": model config has no ", key);
  for (const json& e : v) {
    DLC_ASSIGN_OR_RETURN(TensorRef ref, parseHistory(e, key, what));
    refs.push_back(std::move(ref));
  }
  return refs;
}

StatusOr<LayerSpec> parseLayer(const json& entry, int index, const std::string& what) {
  std::string where = "layers[" + std::to_string(index) + "]";
  if (!entry.is_object() || !entry.contains("class_name") || !entry["class_name"].is_string())
    return invalidArgument(what, ": ", where, " has no class_name");
  LayerSpec layer;
  layer.className = entry["class_name"].get<std::string>();
  layer.index = index;
  layer.config = entry.value("config", json::object());
  if (!layer.config.is_object())
    return invalidArgument(what, ": ", where, " (", layer.className, "): config is not an object");
  if (entry.contains("name") && entry["name"].is_string())
    layer.name = entry["name"].get<std::string>();
  else if (layer.config.contains("name") && layer.config["name"].is_string())
    layer.name = layer.config["name"].get<std::string>();
  else
    return invalidArgument(what, ": ", where, " (", layer.className, ") has no name");
  return layer;
}

// The input shape of a Sequential model whose config lists no InputLayer.
StatusOr<json> sequentialInputShape(const json& root, const json& cfg, const LayerSpec& first,
                                    const std::string& what) {
  for (const char* key : {"batch_input_shape", "batch_shape"})
    if (first.config.contains(key) && first.config[key].is_array()) return first.config[key];
  if (cfg.is_object() && cfg.contains("build_input_shape") && cfg["build_input_shape"].is_array())
    return cfg["build_input_shape"];
  if (root.contains("build_config") && root["build_config"].is_object() &&
      root["build_config"].contains("input_shape") && root["build_config"]["input_shape"].is_array())
    return root["build_config"]["input_shape"];
  return invalidArgument(what, ": the Sequential model has no input shape (build it, or start "
                         "it with keras.Input, before saving)");
}

Status chainSequential(const json& root, const json& cfg, ModelSpec& model,
                       const std::string& what) {
  if (model.layers.empty()) return invalidArgument(what, ": the Sequential model has no layers");
  if (model.layers[0].className != "InputLayer") {
    const LayerSpec& first = model.layers[0];
    DLC_ASSIGN_OR_RETURN(json shape, sequentialInputShape(root, cfg, first, what));
    LayerSpec input;
    input.className = "InputLayer";
    input.name = first.name + "_input";
    input.synthetic = true;
    input.index = -1;
    input.config = {{"batch_shape", shape}, {"name", input.name}};
    if (first.config.contains("dtype") && first.config["dtype"].is_string())
      input.config["dtype"] = first.config["dtype"];
    model.layers.insert(model.layers.begin(), std::move(input));
  }
  for (size_t i = 1; i < model.layers.size(); ++i)
    model.layers[i].calls = {{TensorRef{model.layers[i - 1].name, 0, 0}}};
  model.inputs = {TensorRef{model.layers.front().name, 0, 0}};
  model.outputs = {TensorRef{model.layers.back().name, 0, 0}};
  return Status::OK();
}

StatusOr<ModelSpec> parseModelConfigImpl(const json& root, const std::string& what) {
  if (!root.is_object() || !root.contains("class_name") || !root["class_name"].is_string())
    return invalidArgument(what, ": not a Keras model config (no class_name)");
  ModelSpec model;
  model.className = root["class_name"].get<std::string>();
  model.sequential = model.className == "Sequential";
  if (!model.sequential && model.className != "Functional" && model.className != "Model")
    return unsupported(what, ": model class \"", model.className,
                       "\" is not supported (Sequential and Functional models are)");
  const json& cfg = root.contains("config") ? root["config"] : json();
  // Keras 2.0-era Sequential configs are a bare layer list.
  const json& list = cfg.is_array() ? cfg : (cfg.is_object() ? cfg.value("layers", json()) : json());
  if (!list.is_array()) return invalidArgument(what, ": model config has no layer list");
  if (cfg.is_object() && cfg.contains("name") && cfg["name"].is_string())
    model.name = cfg["name"].get<std::string>();
  std::set<std::string> names;
  for (size_t i = 0; i < list.size(); ++i) {
    DLC_ASSIGN_OR_RETURN(LayerSpec layer, parseLayer(list[i], int(i), what));
    if (!names.insert(layer.name).second)
      return invalidArgument(what, ": two layers are named \"", layer.name, "\"");
    if (!model.sequential)
      DLC_RETURN_IF_ERROR(parseInboundNodes(list[i].value("inbound_nodes", json()), layer, what));
    model.layers.push_back(std::move(layer));
  }
  if (model.sequential) {
    DLC_RETURN_IF_ERROR(chainSequential(root, cfg, model, what));
    return model;
  }
  DLC_ASSIGN_OR_RETURN(model.inputs, parseEndpoints(cfg.value("input_layers", json()),
                                                    "input_layers", what));
  DLC_ASSIGN_OR_RETURN(model.outputs, parseEndpoints(cfg.value("output_layers", json()),
                                                     "output_layers", what));
  return model;
}

// The deepest nesting of lists and objects in JSON `text` (brackets inside
// strings do not count). nlohmann parses iteratively, but copying or walking
// a parsed value recurses, so a hostile depth is refused before parsing.
size_t nestingDepth(const std::string& text) {
  size_t depth = 0, deepest = 0;
  bool inString = false, escaped = false;
  for (char c : text) {
    if (inString) {
      if (escaped) escaped = false;
      else if (c == '\\') escaped = true;
      else if (c == '"') inString = false;
    } else if (c == '"') {
      inString = true;
    } else if (c == '[' || c == '{') {
      deepest = std::max(deepest, ++depth);
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    }
  }
  return deepest;
}

constexpr size_t kMaxConfigDepth = 256;

}  // namespace

StatusOr<ModelSpec> parseModelConfig(const nlohmann::json& root, const std::string& what) {
  try {
    return parseModelConfigImpl(root, what);
  } catch (const nlohmann::json::exception& e) {
    return invalidArgument(what, ": malformed model config: ", e.what());
  }
}

StatusOr<ModelSpec> parseModelConfigText(const std::string& text, const std::string& what) {
  if (size_t depth = nestingDepth(text); depth > kMaxConfigDepth)
    return invalidArgument(what, ": the model config nests ", depth, " levels deep (at most ",
                           kMaxConfigDepth, " are accepted)");
  json root = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (root.is_discarded()) return invalidArgument(what, ": malformed JSON in the model config");
  return parseModelConfig(root, what);
}

}  // namespace dlc::keras
