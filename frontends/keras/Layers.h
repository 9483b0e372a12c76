// The Keras layer converters: one function per layer class, grouped by
// family (Activations.cpp, LayersCore.cpp, LayersConv.cpp, LayersNorm.cpp),
// and the table that finds them by class name (Layers.cpp).
//
// A converter reads its config and weights through LayerContext, emits core
// ops (ir/Ops.def) on its input nodes and returns the node holding the
// layer's output. channels_last image tensors stay NHWC between layers;
// convolutions and pools transpose to NCHW and back around the core op.
//
// What this deliberately does not do: training-only behaviour (Dropout is the
// identity, BatchNormalization uses its moving statistics), masking, or
// layers with more than one output.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "frontends/keras/LayerContext.h"

namespace dlc::keras {

using Inputs = std::vector<ir::Node*>;
using LayerConverter = StatusOr<ir::Node*> (*)(LayerContext& ctx, const Inputs& inputs);

// The converter for `className`, or nullptr when the layer is not supported.
LayerConverter findLayerConverter(std::string_view className);
// Every supported layer class (InputLayer included), sorted.
std::vector<std::string> supportedLayers();

// Applies a Keras activation (a name such as "relu", or its serialized
// {"class_name": "function", "config": "relu"} form) to `x`. The last node it
// emits gets `finalSuffix`; "linear" emits nothing and returns x.
StatusOr<ir::Node*> applyActivation(LayerContext& ctx, ir::Node* x,
                                    const nlohmann::json& activation,
                                    std::string_view finalSuffix);
// True for "linear", null and absent activations.
bool isLinearActivation(const nlohmann::json& activation);

// Checks that the layer got `count` inputs.
Status expectInputs(LayerContext& ctx, const Inputs& inputs, size_t count);
// The rank and dims of a node's (inferred) type.
inline const std::vector<int64_t>& dimsOf(const ir::Node* n) { return n->type.shape.dims(); }
inline int rankOf(const ir::Node* n) { return n->type.shape.rank(); }

// Activations.cpp
StatusOr<ir::Node*> convertActivation(LayerContext& ctx, const Inputs& inputs);
StatusOr<ir::Node*> convertReLU(LayerContext& ctx, const Inputs& inputs);
StatusOr<ir::Node*> convertLeakyReLU(LayerContext& ctx, const Inputs& inputs);
StatusOr<ir::Node*> convertELU(LayerContext& ctx, const Inputs& inputs);
StatusOr<ir::Node*> convertSoftmax(LayerContext& ctx, const Inputs& inputs);

// LayersCore.cpp
StatusOr<ir::Node*> convertDense(LayerContext& ctx, const Inputs& inputs);
StatusOr<ir::Node*> convertFlatten(LayerContext& ctx, const Inputs& inputs);
StatusOr<ir::Node*> convertReshape(LayerContext& ctx, const Inputs& inputs);
StatusOr<ir::Node*> convertIdentity(LayerContext& ctx, const Inputs& inputs);
StatusOr<ir::Node*> convertAdd(LayerContext& ctx, const Inputs& inputs);
StatusOr<ir::Node*> convertSubtract(LayerContext& ctx, const Inputs& inputs);
StatusOr<ir::Node*> convertMultiply(LayerContext& ctx, const Inputs& inputs);
StatusOr<ir::Node*> convertAverage(LayerContext& ctx, const Inputs& inputs);
StatusOr<ir::Node*> convertMaximum(LayerContext& ctx, const Inputs& inputs);
StatusOr<ir::Node*> convertMinimum(LayerContext& ctx, const Inputs& inputs);
StatusOr<ir::Node*> convertConcatenate(LayerContext& ctx, const Inputs& inputs);

// LayersConv.cpp
StatusOr<ir::Node*> convertConv2D(LayerContext& ctx, const Inputs& inputs);
StatusOr<ir::Node*> convertDepthwiseConv2D(LayerContext& ctx, const Inputs& inputs);
StatusOr<ir::Node*> convertMaxPooling2D(LayerContext& ctx, const Inputs& inputs);
StatusOr<ir::Node*> convertAveragePooling2D(LayerContext& ctx, const Inputs& inputs);
StatusOr<ir::Node*> convertGlobalAveragePooling2D(LayerContext& ctx, const Inputs& inputs);
StatusOr<ir::Node*> convertGlobalMaxPooling2D(LayerContext& ctx, const Inputs& inputs);

// LayersNorm.cpp
StatusOr<ir::Node*> convertBatchNormalization(LayerContext& ctx, const Inputs& inputs);
StatusOr<ir::Node*> convertLayerNormalization(LayerContext& ctx, const Inputs& inputs);
StatusOr<ir::Node*> convertRescaling(LayerContext& ctx, const Inputs& inputs);
StatusOr<ir::Node*> convertNormalization(LayerContext& ctx, const Inputs& inputs);

}  // namespace dlc::keras
