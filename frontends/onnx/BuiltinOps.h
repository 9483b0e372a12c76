// The ONNX ops the import driver converts itself, before the converter
// table: Constant, ConstantOfShape and Shape, and the shape-value forms of
// Gather, Concat, Unsqueeze, Squeeze, Slice, Cast, Identity and
// Add/Sub/Mul/Div (when an input is a tracked shape value, ShapeValues.h).
//
// What this deliberately does not do: convert these ops on ordinary data
// (Gather of a weight, Concat of activations): those go to the converters.
#pragma once

#include <string_view>

#include "frontends/onnx/NodeContext.h"

namespace dlc::onnxfe {

// Constant, ConstantOfShape, Shape: always converted here.
bool isBuiltinOp(std::string_view opType);

// Converts the node when it is a builtin, or a shape op on a shape value.
// Returns false (and changes nothing) when the converter table should run.
StatusOr<bool> convertBuiltin(NodeContext& ctx);

}  // namespace dlc::onnxfe
