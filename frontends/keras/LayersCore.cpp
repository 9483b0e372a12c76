// Core Keras layers: Dense, Flatten, Reshape, identities (Dropout, Identity)
// and the merge layers (Add, Subtract, Multiply, Average, Maximum, Minimum,
// Concatenate).
//
// What this deliberately does not do: Dense on inputs whose last dim is the
// batch, or Reshape targets with more than one -1.
#include "frontends/keras/Layers.h"

namespace dlc::keras {

using ir::Node;
using ir::OpKind;

StatusOr<Node*> convertDense(LayerContext& ctx, const Inputs& inputs) {
  DLC_RETURN_IF_ERROR(expectInputs(ctx, inputs, 1));
  Node* x = inputs[0];
  if (rankOf(x) < 1 || dimsOf(x).back() == ir::kBatch)
    return ctx.error(StatusCode::kInvalidArgument,
                     "expects an input with a static last dim, got " + x->type.str());
  DLC_ASSIGN_OR_RETURN(int64_t units, ctx.getInt("units", 0));
  if (units <= 0) return ctx.error(StatusCode::kInvalidArgument, "units must be positive");
  DLC_ASSIGN_OR_RETURN(bool useBias, ctx.getBool("use_bias", true));
  int64_t in = dimsOf(x).back();
  std::vector<WeightSpec> specs{{"kernel", {in, units}}};
  if (useBias) specs.push_back({"bias", {units}});
  DLC_ASSIGN_OR_RETURN(std::vector<Tensor> w, ctx.weights(specs));
  nlohmann::json activation = ctx.config().value("activation", nlohmann::json());
  bool linear = isLinearActivation(activation);
  Inputs operands{x, ctx.constant(std::move(w[0]), "kernel")};
  if (useBias) operands.push_back(ctx.constant(std::move(w[1]), "bias"));
  DLC_ASSIGN_OR_RETURN(Node* y, ctx.emit(OpKind::Dense, operands, {}, linear ? "" : "dense"));
  return applyActivation(ctx, y, activation, "");
}

StatusOr<Node*> convertFlatten(LayerContext& ctx, const Inputs& inputs) {
  DLC_RETURN_IF_ERROR(expectInputs(ctx, inputs, 1));
  Node* x = inputs[0];
  DLC_ASSIGN_OR_RETURN(std::string format, ctx.getString("data_format", "channels_last"));
  if (format == "channels_first" && rankOf(x) >= 3) {
    // Keras flattens channels_first tensors in channels_last order.
    std::vector<int64_t> perm{0};
    for (int i = 2; i < rankOf(x); ++i) perm.push_back(i);
    perm.push_back(1);
    DLC_ASSIGN_OR_RETURN(x, ctx.transpose(x, perm, "to_channels_last"));
  }
  ir::Attributes attrs;
  attrs.set("axis", int64_t(1));
  return ctx.emit(OpKind::Flatten, {x}, std::move(attrs));
}

StatusOr<Node*> convertReshape(LayerContext& ctx, const Inputs& inputs) {
  DLC_RETURN_IF_ERROR(expectInputs(ctx, inputs, 1));
  Node* x = inputs[0];
  const auto& cfg = ctx.config();
  if (!cfg.contains("target_shape") || !cfg["target_shape"].is_array())
    return ctx.error(StatusCode::kInvalidArgument, "target_shape is missing");
  DLC_ASSIGN_OR_RETURN(std::vector<int64_t> target,
                       ctx.getInts("target_shape", cfg["target_shape"].size(), {}));
  if (rankOf(x) < 1) return ctx.error(StatusCode::kInvalidArgument, "expects a batched input");
  int64_t batch = dimsOf(x)[0];
  int64_t elements = 1;
  for (int i = 1; i < rankOf(x); ++i) {
    if (dimsOf(x)[size_t(i)] == ir::kBatch)
      return ctx.error(StatusCode::kInvalidArgument, "input " + x->type.str() +
                                                         " has the batch symbol past dim 0");
    elements *= dimsOf(x)[size_t(i)];
  }
  int64_t known = 1, unknownAt = -1;
  for (size_t i = 0; i < target.size(); ++i) {
    if (target[i] == -1 && unknownAt < 0) {
      unknownAt = int64_t(i);
    } else if (target[i] <= 0 || target[i] > elements / known) {
      // (the second test also keeps `known` from overflowing)
      return ctx.error(StatusCode::kInvalidArgument,
                       "cannot reshape " + x->type.str() + " to " + dimsString(target));
    } else {
      known *= target[i];
    }
  }
  if (unknownAt >= 0) {
    if (elements % known != 0)
      return ctx.error(StatusCode::kInvalidArgument, "cannot reshape " + x->type.str() + " to " +
                                                         dimsString(target));
    target[size_t(unknownAt)] = elements / known;
  } else if (known != elements) {
    return ctx.error(StatusCode::kInvalidArgument,
                     "cannot reshape " + x->type.str() + " to " + dimsString(target));
  }
  std::vector<int64_t> shape{batch == ir::kBatch ? -1 : batch};
  shape.insert(shape.end(), target.begin(), target.end());
  ir::Attributes attrs;
  attrs.set("shape", shape);
  return ctx.emit(OpKind::Reshape, {x}, std::move(attrs));
}

StatusOr<Node*> convertIdentity(LayerContext& ctx, const Inputs& inputs) {
  DLC_RETURN_IF_ERROR(expectInputs(ctx, inputs, 1));
  return inputs[0];
}

namespace {

// Folds `inputs` left to right with the binary `op`.
StatusOr<Node*> foldInputs(LayerContext& ctx, const Inputs& inputs, OpKind op, bool isLast) {
  if (inputs.empty()) return ctx.error(StatusCode::kInvalidArgument, "has no inputs");
  Node* acc = inputs[0];
  for (size_t i = 1; i < inputs.size(); ++i) {
    bool final = isLast && i + 1 == inputs.size();
    DLC_ASSIGN_OR_RETURN(acc, ctx.emit(op, {acc, inputs[i]}, {},
                                       final ? "" : "acc" + std::to_string(i)));
  }
  return acc;
}

}  // namespace

StatusOr<Node*> convertAdd(LayerContext& ctx, const Inputs& inputs) {
  return foldInputs(ctx, inputs, OpKind::Add, /*isLast=*/true);
}

StatusOr<Node*> convertSubtract(LayerContext& ctx, const Inputs& inputs) {
  DLC_RETURN_IF_ERROR(expectInputs(ctx, inputs, 2));
  return ctx.emit(OpKind::Sub, {inputs[0], inputs[1]});
}

StatusOr<Node*> convertMultiply(LayerContext& ctx, const Inputs& inputs) {
  return foldInputs(ctx, inputs, OpKind::Mul, /*isLast=*/true);
}

StatusOr<Node*> convertMaximum(LayerContext& ctx, const Inputs& inputs) {
  return foldInputs(ctx, inputs, OpKind::Maximum, /*isLast=*/true);
}

StatusOr<Node*> convertMinimum(LayerContext& ctx, const Inputs& inputs) {
  return foldInputs(ctx, inputs, OpKind::Minimum, /*isLast=*/true);
}

StatusOr<Node*> convertAverage(LayerContext& ctx, const Inputs& inputs) {
  DLC_ASSIGN_OR_RETURN(Node* sum, foldInputs(ctx, inputs, OpKind::Add, /*isLast=*/false));
  Node* n = ctx.scalar(double(inputs.size()), "count");
  return ctx.emit(OpKind::Div, {sum, n});
}

StatusOr<Node*> convertConcatenate(LayerContext& ctx, const Inputs& inputs) {
  if (inputs.empty()) return ctx.error(StatusCode::kInvalidArgument, "has no inputs");
  DLC_ASSIGN_OR_RETURN(int64_t axis, ctx.getInt("axis", -1));
  if (axis < 0) axis += rankOf(inputs[0]);
  ir::Attributes attrs;
  attrs.set("axis", axis);
  return ctx.emit(OpKind::Concat, inputs, std::move(attrs));
}

}  // namespace dlc::keras
