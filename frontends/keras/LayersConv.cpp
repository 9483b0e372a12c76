// Keras convolution and pooling layers: Conv2D, DepthwiseConv2D,
// MaxPooling2D, AveragePooling2D, GlobalAveragePooling2D, GlobalMaxPooling2D.
//
// The core conv2d and pools are NCHW/OIHW; a channels_last layer transposes
// its NHWC input to NCHW, runs the op (and its activation), and transposes
// back (the optimizer cancels the transposes between adjacent layers).
// Kernels are re-laid out at import: Conv2D HWIO -> OIHW, DepthwiseConv2D
// [kh,kw,C,mult] -> [C*mult,1,kh,kw] with groups = C. 'same' padding follows
// TensorFlow: total = max((ceil(in/stride)-1)*stride + (k-1)*dil + 1 - in, 0),
// the odd pixel at the bottom/right.
//
// What this deliberately does not do: 'causal' padding, 1-D/3-D layers, or
// transposed convolutions.
#include "frontends/keras/Layers.h"

namespace dlc::keras {

using ir::Node;
using ir::OpKind;

namespace {

struct Spatial {
  bool channelsLast = true;
  Node* nchw = nullptr;        // the input as NCHW
  int64_t channels = 0, height = 0, width = 0;
};

// Checks the 4-D input and brings it to NCHW.
StatusOr<Spatial> toNchw(LayerContext& ctx, const Inputs& inputs) {
  DLC_RETURN_IF_ERROR(expectInputs(ctx, inputs, 1));
  Node* x = inputs[0];
  DLC_ASSIGN_OR_RETURN(std::string format, ctx.getString("data_format", "channels_last"));
  if (format != "channels_last" && format != "channels_first")
    return ctx.unsupportedValue("data_format \"" + format + "\"");
  if (rankOf(x) != 4)
    return ctx.error(StatusCode::kInvalidArgument, "expects a 4-D input, got " + x->type.str());
  Spatial s;
  s.channelsLast = format == "channels_last";
  const auto& d = dimsOf(x);
  s.channels = s.channelsLast ? d[3] : d[1];
  s.height = s.channelsLast ? d[1] : d[2];
  s.width = s.channelsLast ? d[2] : d[3];
  if (s.channels < 0 || s.height < 0 || s.width < 0)
    return ctx.error(StatusCode::kInvalidArgument,
                     "expects static channels, height and width, got " + x->type.str());
  s.nchw = x;
  if (s.channelsLast) {
    DLC_ASSIGN_OR_RETURN(s.nchw, ctx.transpose(x, {0, 3, 1, 2}, "to_nchw"));
  }
  return s;
}

// Brings an NCHW result back to the layer's layout; the last node is the
// layer's output.
StatusOr<Node*> fromNchw(LayerContext& ctx, const Spatial& s, Node* y) {
  if (!s.channelsLast) return y;
  return ctx.transpose(y, {0, 2, 3, 1}, "");
}

// [top, left, bottom, right] for `padding` ("valid" | "same").
StatusOr<std::vector<int64_t>> pads(LayerContext& ctx, const Spatial& s,
                                    const std::vector<int64_t>& kernel,
                                    const std::vector<int64_t>& strides,
                                    const std::vector<int64_t>& dilations) {
  DLC_ASSIGN_OR_RETURN(std::string padding, ctx.getString("padding", "valid"));
  if (padding == "valid") return std::vector<int64_t>{0, 0, 0, 0};
  if (padding != "same") return ctx.unsupportedValue("padding \"" + padding + "\"");
  std::vector<int64_t> in{s.height, s.width}, before(2), after(2);
  for (size_t i = 0; i < 2; ++i) {
    if (strides[i] <= 0 || dilations[i] <= 0 || kernel[i] <= 0)
      return ctx.error(StatusCode::kInvalidArgument, "kernel, strides and dilations must be positive");
    int64_t out = (in[i] + strides[i] - 1) / strides[i];
    int64_t total = std::max<int64_t>((out - 1) * strides[i] + (kernel[i] - 1) * dilations[i] + 1 - in[i], 0);
    before[i] = total / 2;
    after[i] = total - before[i];
  }
  return std::vector<int64_t>{before[0], before[1], after[0], after[1]};
}

// Emits conv2d + activation + the transpose back.
StatusOr<Node*> finishConv(LayerContext& ctx, const Spatial& s, Inputs operands,
                           ir::Attributes attrs) {
  nlohmann::json activation = ctx.config().value("activation", nlohmann::json());
  bool linear = isLinearActivation(activation);
  std::string_view convName = !s.channelsLast && linear ? "" : "conv";
  DLC_ASSIGN_OR_RETURN(Node* y, ctx.emit(OpKind::Conv2D, std::move(operands), std::move(attrs),
                                         convName));
  DLC_ASSIGN_OR_RETURN(y, applyActivation(ctx, y, activation, s.channelsLast ? "act" : ""));
  return fromNchw(ctx, s, y);
}

ir::Attributes convAttrs(const std::vector<int64_t>& strides, std::vector<int64_t> padding,
                         const std::vector<int64_t>& dilations, int64_t groups) {
  ir::Attributes attrs;
  attrs.set("strides", strides);
  attrs.set("pads", std::move(padding));
  attrs.set("dilations", dilations);
  attrs.set("groups", groups);
  return attrs;
}

StatusOr<Node*> pool(LayerContext& ctx, const Inputs& inputs, OpKind op) {
  DLC_ASSIGN_OR_RETURN(Spatial s, toNchw(ctx, inputs));
  DLC_ASSIGN_OR_RETURN(std::vector<int64_t> kernel, ctx.getInts("pool_size", 2, {2, 2}));
  DLC_ASSIGN_OR_RETURN(std::vector<int64_t> strides, ctx.getInts("strides", 2, kernel));
  DLC_ASSIGN_OR_RETURN(std::vector<int64_t> padding, pads(ctx, s, kernel, strides, {1, 1}));
  ir::Attributes attrs;
  attrs.set("kernel", kernel);
  attrs.set("strides", strides);
  attrs.set("pads", padding);
  DLC_ASSIGN_OR_RETURN(Node* y, ctx.emit(op, {s.nchw}, std::move(attrs), s.channelsLast ? "pool" : ""));
  return fromNchw(ctx, s, y);
}

StatusOr<Node*> globalPool(LayerContext& ctx, const Inputs& inputs, OpKind op) {
  DLC_RETURN_IF_ERROR(expectInputs(ctx, inputs, 1));
  if (rankOf(inputs[0]) != 4)
    return ctx.error(StatusCode::kInvalidArgument, "expects a 4-D input, got " + inputs[0]->type.str());
  DLC_ASSIGN_OR_RETURN(std::string format, ctx.getString("data_format", "channels_last"));
  DLC_ASSIGN_OR_RETURN(bool keepdims, ctx.getBool("keepdims", false));
  ir::Attributes attrs;
  attrs.set("axes", format == "channels_first" ? std::vector<int64_t>{2, 3}
                                               : std::vector<int64_t>{1, 2});
  attrs.set("keepdims", int64_t(keepdims));
  return ctx.emit(op, {inputs[0]}, std::move(attrs));
}

}  // namespace

StatusOr<Node*> convertConv2D(LayerContext& ctx, const Inputs& inputs) {
  DLC_ASSIGN_OR_RETURN(Spatial s, toNchw(ctx, inputs));
  DLC_ASSIGN_OR_RETURN(int64_t filters, ctx.getInt("filters", 0));
  DLC_ASSIGN_OR_RETURN(std::vector<int64_t> k, ctx.getInts("kernel_size", 2, {}));
  DLC_ASSIGN_OR_RETURN(std::vector<int64_t> strides, ctx.getInts("strides", 2, {1, 1}));
  DLC_ASSIGN_OR_RETURN(std::vector<int64_t> dil, ctx.getInts("dilation_rate", 2, {1, 1}));
  DLC_ASSIGN_OR_RETURN(int64_t groups, ctx.getInt("groups", 1));
  DLC_ASSIGN_OR_RETURN(bool useBias, ctx.getBool("use_bias", true));
  if (k.size() != 2 || filters <= 0 || groups <= 0 || s.channels % groups != 0 ||
      filters % groups != 0)
    return ctx.error(StatusCode::kInvalidArgument,
                     strCat("filters ", filters, ", kernel_size ", dimsString(k), ", groups ", groups,
                            " do not fit ", s.channels, " input channels"));
  int64_t cin = s.channels / groups;
  std::vector<WeightSpec> specs{{"kernel", {k[0], k[1], cin, filters}}};
  if (useBias) specs.push_back({"bias", {filters}});
  DLC_ASSIGN_OR_RETURN(std::vector<Tensor> w, ctx.weights(specs));
  // HWIO -> OIHW.
  Tensor oihw(ir::DType::F32, {filters, cin, k[0], k[1]});
  const float* src = w[0].as<float>();
  float* dst = oihw.as<float>();
  for (int64_t h = 0; h < k[0]; ++h)
    for (int64_t x = 0; x < k[1]; ++x)
      for (int64_t i = 0; i < cin; ++i)
        for (int64_t o = 0; o < filters; ++o)
          dst[((o * cin + i) * k[0] + h) * k[1] + x] = src[((h * k[1] + x) * cin + i) * filters + o];
  DLC_ASSIGN_OR_RETURN(std::vector<int64_t> padding, pads(ctx, s, k, strides, dil));
  Inputs operands{s.nchw, ctx.constant(std::move(oihw), "kernel")};
  if (useBias) operands.push_back(ctx.constant(std::move(w[1]), "bias"));
  return finishConv(ctx, s, std::move(operands), convAttrs(strides, padding, dil, groups));
}

StatusOr<Node*> convertDepthwiseConv2D(LayerContext& ctx, const Inputs& inputs) {
  DLC_ASSIGN_OR_RETURN(Spatial s, toNchw(ctx, inputs));
  DLC_ASSIGN_OR_RETURN(std::vector<int64_t> k, ctx.getInts("kernel_size", 2, {}));
  DLC_ASSIGN_OR_RETURN(std::vector<int64_t> strides, ctx.getInts("strides", 2, {1, 1}));
  DLC_ASSIGN_OR_RETURN(std::vector<int64_t> dil, ctx.getInts("dilation_rate", 2, {1, 1}));
  DLC_ASSIGN_OR_RETURN(int64_t mult, ctx.getInt("depth_multiplier", 1));
  DLC_ASSIGN_OR_RETURN(bool useBias, ctx.getBool("use_bias", true));
  if (k.size() != 2 || mult <= 0)
    return ctx.error(StatusCode::kInvalidArgument, "kernel_size and depth_multiplier are not valid");
  int64_t c = s.channels, out = c * mult;
  std::vector<WeightSpec> specs{{"kernel", {k[0], k[1], c, mult}}};
  if (useBias) specs.push_back({"bias", {out}});
  DLC_ASSIGN_OR_RETURN(std::vector<Tensor> w, ctx.weights(specs));
  // [kh,kw,C,mult] -> [C*mult,1,kh,kw]: output channel c*mult+m reads channel c.
  Tensor oihw(ir::DType::F32, {out, 1, k[0], k[1]});
  const float* src = w[0].as<float>();
  float* dst = oihw.as<float>();
  for (int64_t h = 0; h < k[0]; ++h)
    for (int64_t x = 0; x < k[1]; ++x)
      for (int64_t ci = 0; ci < c; ++ci)
        for (int64_t m = 0; m < mult; ++m)
          dst[((ci * mult + m) * k[0] + h) * k[1] + x] = src[((h * k[1] + x) * c + ci) * mult + m];
  DLC_ASSIGN_OR_RETURN(std::vector<int64_t> padding, pads(ctx, s, k, strides, dil));
  Inputs operands{s.nchw, ctx.constant(std::move(oihw), "kernel")};
  if (useBias) operands.push_back(ctx.constant(std::move(w[1]), "bias"));
  return finishConv(ctx, s, std::move(operands), convAttrs(strides, padding, dil, c));
}

StatusOr<Node*> convertMaxPooling2D(LayerContext& ctx, const Inputs& inputs) {
  return pool(ctx, inputs, OpKind::MaxPool2D);
}

StatusOr<Node*> convertAveragePooling2D(LayerContext& ctx, const Inputs& inputs) {
  return pool(ctx, inputs, OpKind::AvgPool2D);
}

StatusOr<Node*> convertGlobalAveragePooling2D(LayerContext& ctx, const Inputs& inputs) {
  return globalPool(ctx, inputs, OpKind::ReduceMean);
}

StatusOr<Node*> convertGlobalMaxPooling2D(LayerContext& ctx, const Inputs& inputs) {
  return globalPool(ctx, inputs, OpKind::ReduceMax);
}

}  // namespace dlc::keras
