#include "frontends/keras/LayerContext.h"

#include "ir/ShapeInference.h"

namespace dlc::keras {

using nlohmann::json;

std::string dimsString(const std::vector<int64_t>& dims) {
  std::string s = "[";
  for (size_t i = 0; i < dims.size(); ++i) s += (i ? "," : "") + std::to_string(dims[i]);
  return s + "]";
}

Status LayerContext::error(StatusCode code, const std::string& message) const {
  return Status(code, strCat(what_, ": layer \"", layer_.name, "\" (", layer_.className, "): ",
                             message));
}

StatusOr<const json*> LayerContext::value(const std::string& key) const {
  auto it = layer_.config.find(key);
  if (it == layer_.config.end() || it->is_null()) return static_cast<const json*>(nullptr);
  return &*it;
}

StatusOr<bool> LayerContext::getBool(const std::string& key, bool def) const {
  DLC_ASSIGN_OR_RETURN(const json* v, value(key));
  if (!v) return def;
  if (!v->is_boolean()) return error(StatusCode::kInvalidArgument, key + " is not a boolean");
  return v->get<bool>();
}

StatusOr<int64_t> LayerContext::getInt(const std::string& key, int64_t def) const {
  DLC_ASSIGN_OR_RETURN(const json* v, value(key));
  if (!v) return def;
  if (!v->is_number_integer()) return error(StatusCode::kInvalidArgument, key + " is not an integer");
  return v->get<int64_t>();
}

StatusOr<double> LayerContext::getFloat(const std::string& key, double def) const {
  DLC_ASSIGN_OR_RETURN(const json* v, value(key));
  if (!v) return def;
  if (!v->is_number()) return error(StatusCode::kInvalidArgument, key + " is not a number");
  return v->get<double>();
}

StatusOr<std::string> LayerContext::getString(const std::string& key,
                                              const std::string& def) const {
  DLC_ASSIGN_OR_RETURN(const json* v, value(key));
  if (!v) return def;
  if (!v->is_string()) return error(StatusCode::kInvalidArgument, key + " is not a string");
  return v->get<std::string>();
}

StatusOr<std::vector<int64_t>> LayerContext::getInts(const std::string& key, size_t n,
                                                     std::vector<int64_t> def) const {
  DLC_ASSIGN_OR_RETURN(const json* v, value(key));
  if (!v) return def;
  if (v->is_number_integer()) return std::vector<int64_t>(n, v->get<int64_t>());
  if (!v->is_array() || v->size() != n)
    return error(StatusCode::kInvalidArgument,
                 strCat(key, " must be an integer or a list of ", n, ", got ", v->dump()));
  std::vector<int64_t> out;
  for (const json& e : *v) {
    if (!e.is_number_integer())
      return error(StatusCode::kInvalidArgument, strCat(key, " holds a non-integer: ", v->dump()));
    out.push_back(e.get<int64_t>());
  }
  return out;
}

StatusOr<std::vector<int64_t>> LayerContext::getAxes(const std::string& key,
                                                     std::vector<int64_t> def) const {
  DLC_ASSIGN_OR_RETURN(const json* v, value(key));
  if (!v) return def;
  if (v->is_number_integer()) return std::vector<int64_t>{v->get<int64_t>()};
  return getInts(key, v->is_array() ? v->size() : 0, def);
}

StatusOr<std::vector<double>> LayerContext::getFloats(const std::string& key) const {
  DLC_ASSIGN_OR_RETURN(const json* v, value(key));
  std::vector<double> out;
  if (!v) return out;
  if (v->is_number()) return std::vector<double>{v->get<double>()};
  if (!v->is_array())
    return error(StatusCode::kInvalidArgument, key + " must be a number or a list of numbers");
  // Nested lists (an explicitly broadcast shape) are read flat.
  std::vector<const json*> stack{v};
  while (!stack.empty()) {
    const json* e = stack.back();
    stack.pop_back();
    if (e->is_array()) {
      for (auto it = e->rbegin(); it != e->rend(); ++it) stack.push_back(&*it);
    } else if (e->is_number()) {
      out.push_back(e->get<double>());
    } else {
      return error(StatusCode::kInvalidArgument, key + " holds a non-number");
    }
  }
  return out;
}

std::string LayerContext::nodeName(std::string_view suffix) const {
  std::string name = layer_.name;
  if (call_ > 0) name += "_call" + std::to_string(call_);
  if (!suffix.empty()) name += "/" + std::string(suffix);
  return name;
}

StatusOr<ir::Node*> LayerContext::emit(ir::OpKind op, std::vector<ir::Node*> inputs,
                                       ir::Attributes attrs, std::string_view suffix) {
  ir::Node* node = graph_.addNode(op, nodeName(suffix), std::move(inputs), std::move(attrs));
  node->origins = {layer_.name};
  node->location = "layers[" + std::to_string(layer_.index) + "]";
  Status typed = ir::inferNodeType(*node);
  if (!typed.ok()) return error(typed.code(), typed.message());
  return node;
}

ir::Node* LayerContext::constant(Tensor value, std::string_view suffix) {
  ir::Node* node = graph_.addConstant(nodeName(suffix), std::move(value));
  node->origins = {layer_.name};
  node->location = "layers[" + std::to_string(layer_.index) + "]";
  return node;
}

ir::Node* LayerContext::scalar(double value, std::string_view suffix) {
  Tensor t(ir::DType::F32, {});
  t.setFromDouble(0, value);
  return constant(std::move(t), suffix);
}

StatusOr<ir::Node*> LayerContext::transpose(ir::Node* x, std::vector<int64_t> perm,
                                            std::string_view suffix) {
  ir::Attributes attrs;
  attrs.set("perm", std::move(perm));
  return emit(ir::OpKind::Transpose, {x}, std::move(attrs), suffix);
}

StatusOr<std::vector<Tensor>> LayerContext::weights(const std::vector<WeightSpec>& specs) {
  std::vector<std::string> paths;
  if (weights_) {
    auto found = weights_->datasetsOf(layer_);
    if (!found.ok()) return found.status();
    paths = std::move(*found);
  }
  if (paths.size() != specs.size()) {
    std::string roles;
    for (const WeightSpec& s : specs) roles += (roles.empty() ? "" : ", ") + s.role;
    std::string file = weights_ ? weights_->file().what() : "the model";
    return error(StatusCode::kInvalidArgument,
                 strCat("has ", paths.size(), " weights in ", file, ", expects ", specs.size(),
                        specs.empty() ? "" : " (" + roles + ")"));
  }
  std::vector<Tensor> out;
  for (size_t i = 0; i < specs.size(); ++i) {
    DLC_ASSIGN_OR_RETURN(std::vector<int64_t> dims, weights_->file().datasetDims(paths[i]));
    if (dims != specs[i].dims)
      return invalidArgument(weights_->file().what(), ": dataset ", paths[i], " has shape ",
                             dimsString(dims), ", layer \"", layer_.name, "\" (",
                             layer_.className, ") expects ", dimsString(specs[i].dims), " for its ",
                             specs[i].role);
    DLC_ASSIGN_OR_RETURN(Tensor t, weights_->file().readFloats(paths[i]));
    out.push_back(std::move(t));
  }
  return out;
}

}  // namespace dlc::keras
