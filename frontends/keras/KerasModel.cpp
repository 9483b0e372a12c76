// Keras import: opens the three file forms, then walks the layer graph,
// creating graph inputs for InputLayers and calling each layer's converter
// once per call, in dependency order.
#include "frontends/keras/KerasModel.h"

#include <algorithm>
#include <cstring>
#include <map>

#include "frontends/keras/Hdf5File.h"
#include "frontends/keras/KerasConfig.h"
#include "frontends/keras/KerasWeights.h"
#include "frontends/keras/Layers.h"
#include "ir/ShapeInference.h"
#include "support/SafePath.h"
#include "support/Zip.h"

namespace dlc::keras {

namespace {

using nlohmann::json;

// The dtype policy's name: "float32", "mixed_float16", ... ("" when absent).
std::string policyName(const json& dtype) {
  if (dtype.is_string()) return dtype.get<std::string>();
  if (dtype.is_object() && dtype.contains("config") && dtype["config"].is_object()) {
    const json& name = dtype["config"].contains("name") ? dtype["config"]["name"] : json();
    if (name.is_string()) return name.get<std::string>();
    if (!name.is_null()) return name.dump();  // not a policy name: reported as unsupported
  }
  return "";
}

class Importer {
 public:
  Importer(ir::Graph& graph, const ModelSpec& model, const WeightStore& weights, std::string what)
      : graph_(graph), model_(model), weights_(weights), what_(std::move(what)) {}

  Status run() {
    DLC_RETURN_IF_ERROR(checkLayers());
    for (const LayerSpec& layer : model_.layers) byName_[layer.name] = &layer;
    for (const TensorRef& ref : model_.inputs) DLC_RETURN_IF_ERROR(addInput(ref));
    DLC_RETURN_IF_ERROR(convertAll());
    for (const TensorRef& ref : model_.outputs) {
      DLC_ASSIGN_OR_RETURN(ir::Node* out, lookup(ref, "the model's outputs"));
      graph_.addOutput(out);
    }
    return ir::inferTypes(graph_);
  }

 private:
  // Every unsupported layer and dtype policy, reported together.
  Status checkLayers() const {
    std::string message;
    for (const LayerSpec& layer : model_.layers) {
      if (layer.className == "InputLayer") continue;
      std::string problem;
      if (!findLayerConverter(layer.className)) {
        problem = "is not supported";
      } else {
        std::string policy = policyName(layer.config.value("dtype", json()));
        if (!policy.empty() && policy != "float32")
          problem = "uses dtype policy \"" + policy + "\" (only float32 is supported)";
      }
      if (!problem.empty())
        message += (message.empty() ? "" : "; ") +
                   strCat("layer \"", layer.name, "\" (", layer.className, ") ", problem);
    }
    if (message.empty()) return Status::OK();
    return unsupported(what_, ": ", message);
  }

  Status addInput(const TensorRef& ref) {
    auto it = byName_.find(ref.layer);
    if (it == byName_.end() || it->second->className != "InputLayer")
      return invalidArgument(what_, ": model input \"", ref.layer, "\" is not an InputLayer");
    const LayerSpec& layer = *it->second;
    if (produced_.count({layer.name, 0})) return Status::OK();
    auto fail = [&](const std::string& m) {
      return invalidArgument(what_, ": input \"", layer.name, "\": ", m);
    };
    const json& cfg = layer.config;
    json shape = cfg.contains("batch_shape") ? cfg["batch_shape"] : cfg.value("batch_input_shape", json());
    if (!shape.is_array() || shape.size() < 2) return fail("has no batch_shape of rank >= 2");
    std::vector<int64_t> dims;
    for (size_t i = 0; i < shape.size(); ++i) {
      if (shape[i].is_null() && i == 0) {
        dims.push_back(ir::kBatch);
      } else if (shape[i].is_number_integer() && shape[i].get<int64_t>() > 0) {
        dims.push_back(shape[i].get<int64_t>());
      } else {
        return fail("shape " + shape.dump() +
                    " has an unknown dim past the batch (dlc needs static shapes)");
      }
    }
    std::string dtypeName = policyName(cfg.value("dtype", json("float32")));
    static const std::map<std::string, ir::DType> kDTypes{
        {"float32", ir::DType::F32}, {"float16", ir::DType::F16}, {"bfloat16", ir::DType::BF16},
        {"int32", ir::DType::I32},   {"int64", ir::DType::I64},   {"uint8", ir::DType::U8},
        {"bool", ir::DType::Bool},   {"", ir::DType::F32}};
    auto dt = kDTypes.find(dtypeName);
    if (dt == kDTypes.end()) return fail("dtype \"" + dtypeName + "\" is not supported");
    ir::TensorType type{dt->second, ir::Shape(dims)};
    DLC_RETURN_IF_ERROR(ir::validateShape(type.shape).withContext(what_ + ": input \"" + layer.name + "\""));
    ir::Node* node = graph_.addInput(layer.name, type);
    node->origins = {layer.name};
    if (type.dtype != ir::DType::F32) {  // float32 layers cast their inputs
      LayerContext ctx(graph_, layer, 0, &weights_, what_);
      ir::Attributes attrs;
      attrs.set("to", std::string("f32"));
      DLC_ASSIGN_OR_RETURN(node, ctx.emit(ir::OpKind::Cast, {node}, std::move(attrs), "cast"));
    }
    produced_[{layer.name, 0}] = node;
    return Status::OK();
  }

  StatusOr<ir::Node*> lookup(const TensorRef& ref, const std::string& reader) const {
    auto it = produced_.find({ref.layer, ref.node});
    if (it == produced_.end())
      return invalidArgument(what_, ": ", reader, " read layer \"", ref.layer, "\" call ", ref.node,
                             ", which the model never computes");
    if (ref.tensor != 0)
      return unsupported(what_, ": ", reader, " read output ", ref.tensor, " of layer \"",
                         ref.layer, "\" (layers have one output)");
    return it->second;
  }

  bool ready(const std::vector<TensorRef>& call) const {
    for (const TensorRef& ref : call)
      if (!produced_.count({ref.layer, ref.node}) && byName_.count(ref.layer)) return false;
    return true;
  }

  // Converts every layer call whose inputs exist, until none is left.
  Status convertAll() {
    std::vector<std::pair<const LayerSpec*, int>> pending;
    for (const LayerSpec& layer : model_.layers)
      if (layer.className != "InputLayer")
        for (size_t c = 0; c < layer.calls.size(); ++c) pending.emplace_back(&layer, int(c));
    while (!pending.empty()) {
      size_t before = pending.size();
      std::vector<std::pair<const LayerSpec*, int>> next;
      for (const auto& [layer, call] : pending) {
        if (!ready(layer->calls[size_t(call)])) {
          next.emplace_back(layer, call);
          continue;
        }
        DLC_RETURN_IF_ERROR(convertCall(*layer, call));
      }
      pending = std::move(next);
      if (pending.size() == before)
        return invalidArgument(what_, ": layer \"", pending[0].first->name,
                               "\" depends on itself through its inputs");
    }
    return Status::OK();
  }

  Status convertCall(const LayerSpec& layer, int call) {
    Inputs inputs;
    std::string reader = "layer \"" + layer.name + "\"";
    for (const TensorRef& ref : layer.calls[size_t(call)]) {
      DLC_ASSIGN_OR_RETURN(ir::Node* in, lookup(ref, reader));
      inputs.push_back(in);
    }
    LayerContext ctx(graph_, layer, call, &weights_, what_);
    DLC_ASSIGN_OR_RETURN(ir::Node* out, findLayerConverter(layer.className)(ctx, inputs));
    produced_[{layer.name, call}] = out;
    return Status::OK();
  }

  ir::Graph& graph_;
  const ModelSpec& model_;
  const WeightStore& weights_;
  std::string what_;
  std::map<std::string, const LayerSpec*> byName_;
  std::map<std::pair<std::string, int>, ir::Node*> produced_;
};

StatusOr<std::unique_ptr<ir::Graph>> importModelImpl(const ModelSpec& model, Hdf5File weightsFile,
                                                     const std::string& what) {
  DLC_ASSIGN_OR_RETURN(WeightStore weights, WeightStore::create(std::move(weightsFile), model));
  auto graph = std::make_unique<ir::Graph>();
  graph->name = model.name.empty() ? "keras_model" : model.name;
  graph->sourceFile = what;
  Importer importer(*graph, model, weights, what);
  DLC_RETURN_IF_ERROR(importer.run());
  return graph;
}

// Converters read the config with nlohmann's typed accessors; a value of an
// unexpected JSON type that one of them missed is still an error, not an
// exception out of the module.
StatusOr<std::unique_ptr<ir::Graph>> importModel(const ModelSpec& model, Hdf5File weightsFile,
                                                 const std::string& what) {
  try {
    return importModelImpl(model, std::move(weightsFile), what);
  } catch (const nlohmann::json::exception& e) {
    return invalidArgument(what, ": malformed model config: ", e.what());
  }
}

const ZipMember* findMember(const std::vector<ZipMember>& members, const std::string& name) {
  for (const ZipMember& m : members)
    if (m.name == name) return &m;
  return nullptr;
}

StatusOr<std::unique_ptr<ir::Graph>> loadKerasArchive(const std::string& bytes,
                                                      const std::string& path) {
  // Keras stores its members uncompressed; a deflated member may expand at
  // most kMaxInflation times the archive's size (and never past 64 MiB
  // otherwise), so a zip bomb is refused before anything is allocated.
  constexpr uint64_t kMaxInflation = 64, kSmallArchiveBytes = uint64_t(64) << 20;
  uint64_t budget = std::min<uint64_t>(
      kMaxWeightFileBytes, std::max<uint64_t>(kSmallArchiveBytes, bytes.size() * kMaxInflation));
  DLC_ASSIGN_OR_RETURN(std::vector<ZipMember> members, readZip(bytes, path, budget));
  for (const char* name : {"config.json", "model.weights.h5"})
    if (!findMember(members, name)) return dataLoss(path, ": member ", name, " is missing");
  DLC_ASSIGN_OR_RETURN(ModelSpec model,
                       parseModelConfigText(findMember(members, "config.json")->data, path));
  DLC_ASSIGN_OR_RETURN(Hdf5File weights,
                       Hdf5File::openImage(findMember(members, "model.weights.h5")->data,
                                           path + ": model.weights.h5"));
  return importModel(model, std::move(weights), path);
}

StatusOr<std::unique_ptr<ir::Graph>> loadKerasH5(const std::string& path) {
  DLC_ASSIGN_OR_RETURN(Hdf5File file, Hdf5File::open(path, path));
  DLC_ASSIGN_OR_RETURN(auto config, file.stringAttr("/", "model_config"));
  if (!config || config->size() != 1)
    return invalidArgument(path, ": holds no model_config attribute (a weights-only file? load "
                           "it together with the model's to_json() text)");
  DLC_ASSIGN_OR_RETURN(ModelSpec model, parseModelConfigText(config->front(), path));
  return importModel(model, std::move(file), path);
}

}  // namespace

StatusOr<std::unique_ptr<ir::Graph>> loadKeras(const std::string& path) {
  DLC_ASSIGN_OR_RETURN(std::string bytes, readFileBytes(path, kMaxWeightFileBytes));
  if (bytes.size() >= 4 && std::memcmp(bytes.data(), "PK", 2) == 0)
    return loadKerasArchive(bytes, path);
  if (bytes.size() >= 8 && std::memcmp(bytes.data(), "\x89HDF\r\n\x1a\n", 8) == 0)
    return loadKerasH5(path);
  return dataLoss(path, ": not a Keras model (neither a .keras zip archive nor an HDF5 file)");
}

StatusOr<std::unique_ptr<ir::Graph>> loadKerasJson(const std::string& jsonPath,
                                                   const std::string& weightsPath) {
  DLC_ASSIGN_OR_RETURN(std::string text, readFileBytes(jsonPath, kMaxModelFileBytes));
  DLC_ASSIGN_OR_RETURN(ModelSpec model, parseModelConfigText(text, jsonPath));
  DLC_ASSIGN_OR_RETURN(Hdf5File weights, Hdf5File::open(weightsPath, weightsPath));
  return importModel(model, std::move(weights), jsonPath);
}

}  // namespace dlc::keras
