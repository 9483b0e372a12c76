// Keras activations (the `activation` of Dense/Conv layers and the Activation
// layer) and the activation layers ReLU, LeakyReLU, ELU and Softmax, built
// from core elementwise and row ops with Keras' exact formulas
// (keras/src/activations/activations.py).
//
// What this deliberately does not do: hard_sigmoid / hard_silu, whose
// formula differs between Keras 2 and Keras 3 (an unsupported error rather
// than a silently different result), and parametric activations (PReLU).
#include <cmath>

#include "frontends/keras/Layers.h"

namespace dlc::keras {

using ir::Node;
using ir::OpKind;
using nlohmann::json;

namespace {

// Emits a chain of nodes: helpers are "<layer>/<base>_<i>", the last one gets
// `finalSuffix`.
class Chain {
 public:
  Chain(LayerContext& ctx, std::string base, std::string_view finalSuffix)
      : ctx_(ctx), base_(std::move(base)), final_(finalSuffix) {}
  StatusOr<Node*> op(OpKind k, std::vector<Node*> in, ir::Attributes a = {}) {
    return ctx_.emit(k, std::move(in), std::move(a), base_ + "_" + std::to_string(n_++));
  }
  StatusOr<Node*> last(OpKind k, std::vector<Node*> in, ir::Attributes a = {}) {
    return ctx_.emit(k, std::move(in), std::move(a), final_);
  }
  Node* scalar(double v) { return ctx_.scalar(v, base_ + "_c" + std::to_string(n_++)); }

 private:
  LayerContext& ctx_;
  std::string base_;
  std::string_view final_;
  int n_ = 0;
};

ir::Attributes floatAttr(const char* name, double v) {
  ir::Attributes a;
  a.set(name, v);
  return a;
}

// select(x > 0, x, alpha * (exp(x) - 1)), times `scale` when it is not 1.
StatusOr<Node*> elu(Chain& c, Node* x, double alpha, double scale) {
  DLC_ASSIGN_OR_RETURN(Node* pos, c.op(OpKind::Greater, {x, c.scalar(0.0)}));
  DLC_ASSIGN_OR_RETURN(Node* ex, c.op(OpKind::Exp, {x}));
  DLC_ASSIGN_OR_RETURN(Node* em1, c.op(OpKind::Sub, {ex, c.scalar(1.0)}));
  if (alpha != 1.0) {
    DLC_ASSIGN_OR_RETURN(em1, c.op(OpKind::Mul, {em1, c.scalar(alpha)}));
  }
  if (scale == 1.0) return c.last(OpKind::Select, {pos, x, em1});
  DLC_ASSIGN_OR_RETURN(Node* sel, c.op(OpKind::Select, {pos, x, em1}));
  return c.last(OpKind::Mul, {sel, c.scalar(scale)});
}

// log(1 + exp(x)) computed stably as relu(x) + log(1 + exp(-|x|)).
StatusOr<Node*> softplus(Chain& c, Node* x, bool isLast) {
  DLC_ASSIGN_OR_RETURN(Node* r, c.op(OpKind::Relu, {x}));
  DLC_ASSIGN_OR_RETURN(Node* a, c.op(OpKind::Abs, {x}));
  DLC_ASSIGN_OR_RETURN(Node* na, c.op(OpKind::Neg, {a}));
  DLC_ASSIGN_OR_RETURN(Node* e, c.op(OpKind::Exp, {na}));
  DLC_ASSIGN_OR_RETURN(Node* e1, c.op(OpKind::Add, {e, c.scalar(1.0)}));
  DLC_ASSIGN_OR_RETURN(Node* l, c.op(OpKind::Log, {e1}));
  return isLast ? c.last(OpKind::Add, {r, l}) : c.op(OpKind::Add, {r, l});
}

// {"class_name": "function", "config": "<name>"} (how Keras 3 serializes a
// built-in activation); false for anything else, whatever its JSON types.
bool isFunctionObject(const json& activation) {
  if (!activation.is_object()) return false;
  auto cls = activation.find("class_name");
  auto cfg = activation.find("config");
  return cls != activation.end() && cls->is_string() && *cls == "function" &&
         cfg != activation.end() && cfg->is_string();
}

StatusOr<std::string> activationName(LayerContext& ctx, const json& activation) {
  if (activation.is_null()) return std::string("linear");
  if (activation.is_string()) return activation.get<std::string>();
  if (isFunctionObject(activation)) return activation["config"].get<std::string>();
  return ctx.unsupportedValue("activation " + activation.dump() + " is not supported");
}

}  // namespace

bool isLinearActivation(const json& activation) {
  if (activation.is_null()) return true;
  if (activation.is_string()) return activation.get<std::string>() == "linear";
  return isFunctionObject(activation) && activation["config"] == "linear";
}

StatusOr<Node*> applyActivation(LayerContext& ctx, Node* x, const json& activation,
                                std::string_view finalSuffix) {
  DLC_ASSIGN_OR_RETURN(std::string name, activationName(ctx, activation));
  Chain c(ctx, name, finalSuffix);
  if (name == "linear") return x;
  if (name == "relu") return c.last(OpKind::Relu, {x});
  if (name == "sigmoid") return c.last(OpKind::Sigmoid, {x});
  if (name == "tanh") return c.last(OpKind::Tanh, {x});
  if (name == "exponential") return c.last(OpKind::Exp, {x});
  if (name == "softmax") return c.last(OpKind::Softmax, {x});
  if (name == "log_softmax") return c.last(OpKind::LogSoftmax, {x});
  if (name == "gelu") return c.last(OpKind::Gelu, {x});
  if (name == "leaky_relu") return c.last(OpKind::LeakyRelu, {x}, floatAttr("alpha", 0.2));
  if (name == "elu") return elu(c, x, 1.0, 1.0);
  if (name == "selu") return elu(c, x, 1.6732632423543772848170429916717, 1.0507009873554804934193349852946);
  if (name == "softplus") return softplus(c, x, /*isLast=*/true);
  if (name == "relu6") {
    DLC_ASSIGN_OR_RETURN(Node* r, c.op(OpKind::Relu, {x}));
    return c.last(OpKind::Minimum, {r, c.scalar(6.0)});
  }
  if (name == "swish" || name == "silu") {
    DLC_ASSIGN_OR_RETURN(Node* s, c.op(OpKind::Sigmoid, {x}));
    return c.last(OpKind::Mul, {x, s});
  }
  if (name == "softsign") {
    DLC_ASSIGN_OR_RETURN(Node* a, c.op(OpKind::Abs, {x}));
    DLC_ASSIGN_OR_RETURN(Node* d, c.op(OpKind::Add, {a, c.scalar(1.0)}));
    return c.last(OpKind::Div, {x, d});
  }
  if (name == "mish") {
    DLC_ASSIGN_OR_RETURN(Node* sp, softplus(c, x, /*isLast=*/false));
    DLC_ASSIGN_OR_RETURN(Node* t, c.op(OpKind::Tanh, {sp}));
    return c.last(OpKind::Mul, {x, t});
  }
  if (name == "tanh_shrink") {
    DLC_ASSIGN_OR_RETURN(Node* t, c.op(OpKind::Tanh, {x}));
    return c.last(OpKind::Sub, {x, t});
  }
  return ctx.unsupportedValue("activation \"" + name + "\" is not supported");
}

StatusOr<Node*> convertActivation(LayerContext& ctx, const Inputs& inputs) {
  DLC_RETURN_IF_ERROR(expectInputs(ctx, inputs, 1));
  json activation = ctx.config().value("activation", json("linear"));
  return applyActivation(ctx, inputs[0], activation, "");
}

// Keras' relu(x, negative_slope, max_value, threshold) (ReLU.static_call).
StatusOr<Node*> convertReLU(LayerContext& ctx, const Inputs& inputs) {
  DLC_RETURN_IF_ERROR(expectInputs(ctx, inputs, 1));
  Node* x = inputs[0];
  DLC_ASSIGN_OR_RETURN(double slope, ctx.getFloat("negative_slope", 0.0));
  DLC_ASSIGN_OR_RETURN(double threshold, ctx.getFloat("threshold", 0.0));
  bool clip = ctx.config().contains("max_value") && !ctx.config()["max_value"].is_null();
  DLC_ASSIGN_OR_RETURN(double maxValue, ctx.getFloat("max_value", 0.0));
  Chain c(ctx, "relu", "");
  if (slope != 0.0 && !clip && threshold == 0.0)
    return c.last(OpKind::LeakyRelu, {x}, floatAttr("alpha", slope));
  bool more = clip || slope != 0.0;  // nodes after the positive part
  Node* pos;
  if (threshold != 0.0) {
    DLC_ASSIGN_OR_RETURN(Node* above, c.op(OpKind::Greater, {x, c.scalar(threshold)}));
    Node* zero = c.scalar(0.0);
    if (clip) {  // clip's lower bound 0 also applies to a negative threshold
      DLC_ASSIGN_OR_RETURN(Node* sel, c.op(OpKind::Select, {above, x, zero}));
      DLC_ASSIGN_OR_RETURN(pos, c.op(OpKind::Maximum, {sel, c.scalar(0.0)}));
    } else {
      DLC_ASSIGN_OR_RETURN(pos, more ? c.op(OpKind::Select, {above, x, zero})
                                     : c.last(OpKind::Select, {above, x, zero}));
    }
  } else {
    DLC_ASSIGN_OR_RETURN(pos, more ? c.op(OpKind::Relu, {x}) : c.last(OpKind::Relu, {x}));
  }
  if (clip) {
    Node* top = c.scalar(maxValue);
    DLC_ASSIGN_OR_RETURN(pos, slope != 0.0 ? c.op(OpKind::Minimum, {pos, top})
                                           : c.last(OpKind::Minimum, {pos, top}));
  }
  if (slope == 0.0) return pos;
  // x -= slope * relu(threshold - x)
  DLC_ASSIGN_OR_RETURN(Node* below, c.op(OpKind::Sub, {c.scalar(threshold), x}));
  DLC_ASSIGN_OR_RETURN(Node* neg, c.op(OpKind::Relu, {below}));
  DLC_ASSIGN_OR_RETURN(Node* scaled, c.op(OpKind::Mul, {neg, c.scalar(slope)}));
  return c.last(OpKind::Sub, {pos, scaled});
}

StatusOr<Node*> convertLeakyReLU(LayerContext& ctx, const Inputs& inputs) {
  DLC_RETURN_IF_ERROR(expectInputs(ctx, inputs, 1));
  // Keras 3 calls it negative_slope, Keras 2 alpha; both default to 0.3.
  DLC_ASSIGN_OR_RETURN(double alpha, ctx.getFloat("alpha", 0.3));
  DLC_ASSIGN_OR_RETURN(double slope, ctx.getFloat("negative_slope", alpha));
  return ctx.emit(OpKind::LeakyRelu, {inputs[0]}, floatAttr("alpha", slope));
}

StatusOr<Node*> convertELU(LayerContext& ctx, const Inputs& inputs) {
  DLC_RETURN_IF_ERROR(expectInputs(ctx, inputs, 1));
  DLC_ASSIGN_OR_RETURN(double alpha, ctx.getFloat("alpha", 1.0));
  Chain c(ctx, "elu", "");
  return elu(c, inputs[0], alpha, 1.0);
}

StatusOr<Node*> convertSoftmax(LayerContext& ctx, const Inputs& inputs) {
  if (inputs.size() == 2)
    return ctx.unsupportedValue("a softmax mask input is not supported");
  DLC_RETURN_IF_ERROR(expectInputs(ctx, inputs, 1));
  DLC_ASSIGN_OR_RETURN(std::vector<int64_t> axes, ctx.getAxes("axis", {-1}));
  if (axes.size() != 1)
    return ctx.unsupportedValue("softmax over " + dimsString(axes) + " (several axes)");
  ir::Attributes attrs;
  attrs.set("axis", axes[0]);
  return ctx.emit(OpKind::Softmax, {inputs[0]}, std::move(attrs));
}

}  // namespace dlc::keras
