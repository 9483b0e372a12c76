// Keras normalisation and preprocessing layers: BatchNormalization
// (inference, folded to x * a + b with Keras' own arithmetic),
// LayerNormalization (core layer_norm over trailing axes), Rescaling and
// Normalization ((x - mean) / max(sqrt(var), 1e-7), statistics from the
// config or the weights).
//
// What this deliberately does not do: LayerNormalization over non-trailing
// axes or with rms_scaling, or BatchNormalization over several axes.
#include <algorithm>
#include <cmath>

#include "frontends/keras/Layers.h"

namespace dlc::keras {

using ir::Node;
using ir::OpKind;

namespace {

// Normalises `axes` against `rank`, sorted and deduplicated.
StatusOr<std::vector<int64_t>> normalizeAxes(LayerContext& ctx, std::vector<int64_t> axes, int rank) {
  for (int64_t& a : axes) {
    if (a < 0) a += rank;
    if (a < 0 || a >= rank)
      return ctx.error(StatusCode::kInvalidArgument,
                       strCat("axis ", a, " is out of range for a rank-", rank, " input"));
  }
  std::sort(axes.begin(), axes.end());
  axes.erase(std::unique(axes.begin(), axes.end()), axes.end());
  return axes;
}

// A constant of `values` shaped to broadcast along `axes` of a rank-`rank`
// input with `dims` (size-1 everywhere else, leading ones dropped).
Tensor alongAxes(const std::vector<float>& values, const std::vector<int64_t>& axes,
                 const std::vector<int64_t>& dims, int rank) {
  std::vector<int64_t> shape;
  for (int i = axes.empty() ? rank : int(axes.front()); i < rank; ++i)
    shape.push_back(std::find(axes.begin(), axes.end(), i) != axes.end() ? dims[size_t(i)] : 1);
  Tensor t(ir::DType::F32, shape);
  std::copy(values.begin(), values.end(), t.as<float>());
  return t;
}

std::vector<float> floats(const Tensor& t) {
  return std::vector<float>(t.as<float>(), t.as<float>() + t.numElements());
}

Status staticAxes(LayerContext& ctx, Node* x, const std::vector<int64_t>& axes) {
  for (int64_t a : axes)
    if (dimsOf(x)[size_t(a)] == ir::kBatch)
      return ctx.error(StatusCode::kInvalidArgument, "cannot normalise over the batch axis");
  return Status::OK();
}

}  // namespace

StatusOr<Node*> convertBatchNormalization(LayerContext& ctx, const Inputs& inputs) {
  DLC_RETURN_IF_ERROR(expectInputs(ctx, inputs, 1));
  Node* x = inputs[0];
  DLC_ASSIGN_OR_RETURN(std::vector<int64_t> axes, ctx.getAxes("axis", {-1}));
  DLC_ASSIGN_OR_RETURN(axes, normalizeAxes(ctx, axes, rankOf(x)));
  if (axes.size() != 1) return ctx.unsupportedValue("batch normalisation over several axes");
  DLC_RETURN_IF_ERROR(staticAxes(ctx, x, axes));
  DLC_ASSIGN_OR_RETURN(double epsilon, ctx.getFloat("epsilon", 1e-3));
  DLC_ASSIGN_OR_RETURN(bool center, ctx.getBool("center", true));
  DLC_ASSIGN_OR_RETURN(bool scale, ctx.getBool("scale", true));
  int64_t c = dimsOf(x)[size_t(axes[0])];
  std::vector<WeightSpec> specs;
  if (scale) specs.push_back({"gamma", {c}});
  if (center) specs.push_back({"beta", {c}});
  specs.push_back({"moving_mean", {c}});
  specs.push_back({"moving_variance", {c}});
  DLC_ASSIGN_OR_RETURN(std::vector<Tensor> w, ctx.weights(specs));
  const float* gamma = scale ? w[0].as<float>() : nullptr;
  const float* beta = center ? w[scale ? 1 : 0].as<float>() : nullptr;
  const float* mean = w[w.size() - 2].as<float>();
  const float* var = w[w.size() - 1].as<float>();
  // keras.backend.jax.nn.batch_normalization, in f32.
  std::vector<float> inv(static_cast<size_t>(c)), res(static_cast<size_t>(c));
  for (int64_t i = 0; i < c; ++i) {
    float v = 1.0f / std::sqrt(var[i] + float(epsilon));
    if (gamma) v *= gamma[i];
    inv[size_t(i)] = v;
    res[size_t(i)] = -mean[i] * v + (beta ? beta[i] : 0.0f);
  }
  Node* a = ctx.constant(alongAxes(inv, axes, dimsOf(x), rankOf(x)), "inv");
  Node* b = ctx.constant(alongAxes(res, axes, dimsOf(x), rankOf(x)), "offset");
  DLC_ASSIGN_OR_RETURN(Node* y, ctx.emit(OpKind::Mul, {x, a}, {}, "scale"));
  return ctx.emit(OpKind::Add, {y, b});
}

StatusOr<Node*> convertLayerNormalization(LayerContext& ctx, const Inputs& inputs) {
  DLC_RETURN_IF_ERROR(expectInputs(ctx, inputs, 1));
  Node* x = inputs[0];
  int rank = rankOf(x);
  DLC_ASSIGN_OR_RETURN(std::vector<int64_t> axes, ctx.getAxes("axis", {-1}));
  DLC_ASSIGN_OR_RETURN(axes, normalizeAxes(ctx, axes, rank));
  if (axes.empty() || axes.back() != rank - 1 || axes.back() - axes.front() + 1 != int64_t(axes.size()))
    return ctx.unsupportedValue("layer normalisation over axes " + dimsString(axes) +
                                " (only trailing axes are supported)");
  DLC_RETURN_IF_ERROR(staticAxes(ctx, x, axes));
  DLC_ASSIGN_OR_RETURN(bool rms, ctx.getBool("rms_scaling", false));
  if (rms) return ctx.unsupportedValue("rms_scaling");
  DLC_ASSIGN_OR_RETURN(double epsilon, ctx.getFloat("epsilon", 1e-3));
  DLC_ASSIGN_OR_RETURN(bool center, ctx.getBool("center", true));
  DLC_ASSIGN_OR_RETURN(bool scale, ctx.getBool("scale", true));
  std::vector<int64_t> shape(dimsOf(x).begin() + axes.front(), dimsOf(x).end());
  std::vector<WeightSpec> specs;
  if (scale) specs.push_back({"gamma", shape});
  if (center) specs.push_back({"beta", shape});
  DLC_ASSIGN_OR_RETURN(std::vector<Tensor> w, ctx.weights(specs));
  Inputs operands{x};
  if (scale) {
    operands.push_back(ctx.constant(std::move(w[0]), "gamma"));
  } else if (center) {
    Tensor ones(ir::DType::F32, shape);
    std::fill(ones.as<float>(), ones.as<float>() + ones.numElements(), 1.0f);
    operands.push_back(ctx.constant(std::move(ones), "gamma"));
  }
  if (center) operands.push_back(ctx.constant(std::move(w.back()), "beta"));
  ir::Attributes attrs;
  attrs.set("axis", axes.front());
  attrs.set("epsilon", epsilon);
  return ctx.emit(OpKind::LayerNorm, std::move(operands), std::move(attrs));
}

StatusOr<Node*> convertRescaling(LayerContext& ctx, const Inputs& inputs) {
  DLC_RETURN_IF_ERROR(expectInputs(ctx, inputs, 1));
  Node* x = inputs[0];
  DLC_ASSIGN_OR_RETURN(std::vector<double> scale, ctx.getFloats("scale"));
  DLC_ASSIGN_OR_RETURN(std::vector<double> offset, ctx.getFloats("offset"));
  if (scale.empty()) scale = {1.0};
  auto constantOf = [&](const std::vector<double>& v, const char* name) {
    Tensor t(ir::DType::F32, v.size() == 1 ? std::vector<int64_t>{} : std::vector<int64_t>{int64_t(v.size())});
    for (size_t i = 0; i < v.size(); ++i) t.setFromDouble(int64_t(i), v[i]);
    return ctx.constant(std::move(t), name);
  };
  bool hasOffset = std::any_of(offset.begin(), offset.end(), [](double v) { return v != 0.0; });
  DLC_ASSIGN_OR_RETURN(Node* y, ctx.emit(OpKind::Mul, {x, constantOf(scale, "scale_value")}, {},
                                         hasOffset ? "scale" : ""));
  if (!hasOffset) return y;
  return ctx.emit(OpKind::Add, {y, constantOf(offset, "offset_value")});
}

StatusOr<Node*> convertNormalization(LayerContext& ctx, const Inputs& inputs) {
  DLC_RETURN_IF_ERROR(expectInputs(ctx, inputs, 1));
  Node* x = inputs[0];
  int rank = rankOf(x);
  DLC_ASSIGN_OR_RETURN(std::vector<int64_t> axes, ctx.getAxes("axis", {}));
  DLC_ASSIGN_OR_RETURN(axes, normalizeAxes(ctx, axes, rank));
  DLC_RETURN_IF_ERROR(staticAxes(ctx, x, axes));
  DLC_ASSIGN_OR_RETURN(bool invert, ctx.getBool("invert", false));
  std::vector<int64_t> statShape;
  int64_t count = 1;
  for (int64_t a : axes) {
    statShape.push_back(dimsOf(x)[size_t(a)]);
    count *= statShape.back();
  }
  std::vector<float> mean, var;
  DLC_ASSIGN_OR_RETURN(std::vector<double> cfgMean, ctx.getFloats("mean"));
  DLC_ASSIGN_OR_RETURN(std::vector<double> cfgVar, ctx.getFloats("variance"));
  if (!cfgMean.empty() || !cfgVar.empty()) {
    DLC_RETURN_IF_ERROR(ctx.weights({}).status());
    auto expand = [&](const std::vector<double>& v, const char* key) -> StatusOr<std::vector<float>> {
      if (v.size() == 1) return std::vector<float>(size_t(count), float(v[0]));
      if (int64_t(v.size()) != count)
        return ctx.error(StatusCode::kInvalidArgument,
                         strCat(key, " has ", v.size(), " values, the input's axes ",
                                dimsString(axes), " hold ", count));
      return std::vector<float>(v.begin(), v.end());
    };
    DLC_ASSIGN_OR_RETURN(mean, expand(cfgMean, "mean"));
    DLC_ASSIGN_OR_RETURN(var, expand(cfgVar, "variance"));
  } else {
    DLC_ASSIGN_OR_RETURN(std::vector<Tensor> w, ctx.weights({{"mean", statShape},
                                                             {"variance", statShape},
                                                             {"count", {}}}));
    mean = floats(w[0]);
    var = floats(w[1]);
  }
  std::vector<float> denom(var.size());
  for (size_t i = 0; i < var.size(); ++i) denom[i] = std::max(std::sqrt(var[i]), 1e-7f);
  Node* m = ctx.constant(alongAxes(mean, axes, dimsOf(x), rank), "mean");
  Node* d = ctx.constant(alongAxes(denom, axes, dimsOf(x), rank), "stddev");
  if (invert) {
    DLC_ASSIGN_OR_RETURN(Node* y, ctx.emit(OpKind::Mul, {x, d}, {}, "scaled"));
    return ctx.emit(OpKind::Add, {y, m});
  }
  DLC_ASSIGN_OR_RETURN(Node* y, ctx.emit(OpKind::Sub, {x, m}, {}, "centered"));
  return ctx.emit(OpKind::Div, {y, d});
}

}  // namespace dlc::keras
