// Keras import: Keras 3 `.keras` archives, legacy single-file `.h5`, and
// `model.to_json()` text with a separate weights file -> ir::Graph.
//
// A `.keras` file is a zip (support/Zip.h) holding `config.json` and
// `model.weights.h5`; a legacy `.h5` holds the model config in the root
// attribute `model_config` and the weights under `model_weights`. HDF5 is
// read with Debian's libhdf5. Sequential and Functional models are imported
// layer by layer (docs/format.md lists the layers); Keras' channels_last
// layout is honoured: image tensors stay NHWC at the model's edges, and
// convolutions and pools run on NCHW views with transposes the optimizer
// cancels between adjacent layers. Every weight is checked against the
// shape the layer config implies.
//
// Errors name the file and the layer: "model.keras: layer \"conv2d_3\"
// (Conv2D): ...", "model.keras: member model.weights.h5 is missing",
// "model.h5: dataset /model_weights/dense/dense/kernel:0 has shape
// [784,64], expected [784,128]". An unsupported layer is one error naming
// the layer, its class and the file.
//
// What this deliberately does not do: training configuration, custom
// layers, recurrent layers, or data_format="channels_first" layers inside
// a channels_last model (channels_first is honoured per layer).
#pragma once

#include <memory>
#include <string>

#include "ir/Graph.h"
#include "support/Status.h"

namespace dlc::keras {

// A `.keras` archive or a legacy `.h5` model file (by content, not name).
StatusOr<std::unique_ptr<ir::Graph>> loadKeras(const std::string& path);

// `model.to_json()` text in `jsonPath` with the weights in `weightsPath`
// (a `.weights.h5` file from model.save_weights, or a legacy weights .h5).
StatusOr<std::unique_ptr<ir::Graph>> loadKerasJson(const std::string& jsonPath,
                                                   const std::string& weightsPath);

}  // namespace dlc::keras
