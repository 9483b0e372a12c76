// The table of Keras layer converters, by class name.
#include "frontends/keras/Layers.h"

#include <algorithm>
#include <utility>

namespace dlc::keras {

namespace {

constexpr std::pair<std::string_view, LayerConverter> kConverters[] = {
    {"Activation", convertActivation},
    {"Add", convertAdd},
    {"Average", convertAverage},
    {"AveragePooling2D", convertAveragePooling2D},
    {"BatchNormalization", convertBatchNormalization},
    {"Concatenate", convertConcatenate},
    {"Conv2D", convertConv2D},
    {"Dense", convertDense},
    {"DepthwiseConv2D", convertDepthwiseConv2D},
    {"Dropout", convertIdentity},
    {"ELU", convertELU},
    {"Flatten", convertFlatten},
    {"GlobalAveragePooling2D", convertGlobalAveragePooling2D},
    {"GlobalMaxPooling2D", convertGlobalMaxPooling2D},
    {"Identity", convertIdentity},
    {"LayerNormalization", convertLayerNormalization},
    {"LeakyReLU", convertLeakyReLU},
    {"MaxPooling2D", convertMaxPooling2D},
    {"Maximum", convertMaximum},
    {"Minimum", convertMinimum},
    {"Multiply", convertMultiply},
    {"Normalization", convertNormalization},
    {"ReLU", convertReLU},
    {"Rescaling", convertRescaling},
    {"Reshape", convertReshape},
    {"Softmax", convertSoftmax},
    {"Subtract", convertSubtract},
};

}  // namespace

LayerConverter findLayerConverter(std::string_view className) {
  for (const auto& [name, fn] : kConverters)
    if (name == className) return fn;
  return nullptr;
}

std::vector<std::string> supportedLayers() {
  std::vector<std::string> names{"InputLayer"};
  for (const auto& entry : kConverters) names.emplace_back(entry.first);
  std::sort(names.begin(), names.end());
  return names;
}

Status expectInputs(LayerContext& ctx, const Inputs& inputs, size_t count) {
  if (inputs.size() == count) return Status::OK();
  return ctx.error(StatusCode::kInvalidArgument,
                   strCat("expects ", count, " input", count == 1 ? "" : "s", ", got ",
                          inputs.size()));
}

}  // namespace dlc::keras
