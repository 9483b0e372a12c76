// Where each layer's weights live in a Keras HDF5 weights file.
//
// Two layouts exist:
//   Keras 3 (model.weights.h5 in a .keras zip, or model.save_weights):
//     /layers/<key>/vars/0, 1, ... in the layer's weight order. <key> is a
//     snake_case class name made unique by a counter ("dense", "dense_1");
//     the vars group's "name" attribute holds the layer name. Keras 2.13-2.15
//     wrote the same under /_layer_checkpoint_dependencies/<layer name>.
//   legacy (a Keras 2 or Keras 3 .h5 model, or Keras 2 save_weights):
//     [/model_weights]/<layer name>/<weight name> for each name in the layer
//     group's "weight_names" attribute, in weight order.
//
// What this deliberately does not do: check shapes (the layer converters
// know what a config implies), or read optimizer state.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "frontends/keras/Hdf5File.h"
#include "frontends/keras/KerasConfig.h"

namespace dlc::keras {

class WeightStore {
 public:
  // Detects the layout of `file` and maps the layers of `model` to groups.
  static StatusOr<WeightStore> create(Hdf5File file, const ModelSpec& model);

  // The dataset paths of `layer`'s weights in Keras' weight order; empty when
  // the file holds no weights for it.
  StatusOr<std::vector<std::string>> datasetsOf(const LayerSpec& layer) const;

  const Hdf5File& file() const { return file_; }

 private:
  explicit WeightStore(Hdf5File file) : file_(std::move(file)) {}

  Hdf5File file_;
  bool legacy_ = false;
  std::string legacyBase_;                   // "/model_weights" or ""
  std::map<std::string, std::string> vars_;  // Keras 3: layer name -> its vars group
};

// "Conv2D" -> "conv2d", "BatchNormalization" -> "batch_normalization":
// Keras' to_snake_case of a class name.
std::string snakeCase(const std::string& className);

}  // namespace dlc::keras
