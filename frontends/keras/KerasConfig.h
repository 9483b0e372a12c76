// The layer graph of a Keras model config (config.json, an .h5 file's
// model_config attribute, or model.to_json() text), parsed with nlohmann.
//
// Sequential and Functional models come out in one form: a list of layers,
// each with the calls made on it (one call per inbound node) and the tensors
// each call reads, plus the model's input and output tensors. A Sequential
// model is chained layer to layer, with an InputLayer synthesised from
// `batch_input_shape` / `build_input_shape` when the config has none.
// Inbound nodes are read in both the Keras 3 form ({"args": [keras tensors]})
// and the Keras 2 form ([[["layer", node, tensor, {}]]]).
//
// What this deliberately does not do: interpret layer configs (the layer
// converters do), nested models, or shared-layer kwargs.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "support/Status.h"

namespace dlc::keras {

// Output `tensor` of call `node` of layer `layer`.
struct TensorRef {
  std::string layer;
  int node = 0;
  int tensor = 0;
};

struct LayerSpec {
  std::string className;
  std::string name;
  nlohmann::json config;                      // the layer's "config" object
  std::vector<std::vector<TensorRef>> calls;  // per call: the tensors it reads
  int index = 0;           // position in the config's layer list
  bool synthetic = false;  // an InputLayer made for a Sequential model
};

struct ModelSpec {
  std::string className;  // "Sequential", "Functional", "Model"
  std::string name;
  bool sequential = false;
  std::vector<LayerSpec> layers;
  std::vector<TensorRef> inputs;
  std::vector<TensorRef> outputs;
};

// Parses a model config (the whole {"class_name", "config"} object). `what`
// names the file in errors.
StatusOr<ModelSpec> parseModelConfig(const nlohmann::json& root, const std::string& what);

// Parses JSON text, then the model config in it.
StatusOr<ModelSpec> parseModelConfigText(const std::string& text, const std::string& what);

}  // namespace dlc::keras
