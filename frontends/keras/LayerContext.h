// What a Keras layer converter sees: the layer's config, its input nodes, a
// way to emit core ops (typed at once), and its weights checked against the
// shapes the config implies.
//
// Node names: the node that ends a layer is named after the layer (emit with
// no suffix); helper nodes are "<layer>/<suffix>". Every node remembers the
// layer as its origin. Errors read
//   model.keras: layer "conv2d_3" (Conv2D): <message>
//   model.h5: dataset /model_weights/dense/dense/kernel:0 has shape [784,64],
//     layer "dense" (Dense) expects [784,128]
//
// What this deliberately does not do: know any particular layer (the
// Layers*.cpp converters do), or fold constants.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "frontends/keras/KerasConfig.h"
#include "frontends/keras/KerasWeights.h"
#include "ir/Graph.h"

namespace dlc::keras {

// One weight a layer expects: its role ("kernel") and shape.
struct WeightSpec {
  std::string role;
  std::vector<int64_t> dims;
};

class LayerContext {
 public:
  LayerContext(ir::Graph& graph, const LayerSpec& layer, int call, const WeightStore* weights,
               std::string what)
      : graph_(graph), layer_(layer), call_(call), weights_(weights), what_(std::move(what)) {}

  const LayerSpec& layer() const { return layer_; }
  const nlohmann::json& config() const { return layer_.config; }
  ir::Graph& graph() { return graph_; }

  // Config values with defaults (a null value reads as the default). A value
  // of the wrong type is an error naming the key.
  StatusOr<bool> getBool(const std::string& key, bool def) const;
  StatusOr<int64_t> getInt(const std::string& key, int64_t def) const;
  StatusOr<double> getFloat(const std::string& key, double def) const;
  StatusOr<std::string> getString(const std::string& key, const std::string& def) const;
  // A list of `n` ints; a single number is repeated n times.
  StatusOr<std::vector<int64_t>> getInts(const std::string& key, size_t n,
                                         std::vector<int64_t> def) const;
  // Axis list: an int or a list of ints.
  StatusOr<std::vector<int64_t>> getAxes(const std::string& key, std::vector<int64_t> def) const;
  // A number or a list of numbers (Rescaling's scale, Normalization's mean).
  StatusOr<std::vector<double>> getFloats(const std::string& key) const;

  // Emits a core op; its type is inferred at once.
  StatusOr<ir::Node*> emit(ir::OpKind op, std::vector<ir::Node*> inputs,
                           ir::Attributes attrs = {}, std::string_view suffix = "");
  ir::Node* constant(Tensor value, std::string_view suffix);
  ir::Node* scalar(double value, std::string_view suffix);
  // A transpose; `perm` as ints.
  StatusOr<ir::Node*> transpose(ir::Node* x, std::vector<int64_t> perm, std::string_view suffix);

  // The layer's weights, checked in number and shape against `specs`.
  StatusOr<std::vector<Tensor>> weights(const std::vector<WeightSpec>& specs);

  // "what: layer "name" (Class): message".
  Status error(StatusCode code, const std::string& message) const;
  Status unsupportedValue(const std::string& message) const {
    return error(StatusCode::kUnsupported, message);
  }

 private:
  std::string nodeName(std::string_view suffix) const;
  StatusOr<const nlohmann::json*> value(const std::string& key) const;

  ir::Graph& graph_;
  const LayerSpec& layer_;
  int call_;
  const WeightStore* weights_;
  std::string what_;
};

// "[784,128]".
std::string dimsString(const std::vector<int64_t>& dims);

}  // namespace dlc::keras
