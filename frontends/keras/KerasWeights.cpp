#include "frontends/keras/KerasWeights.h"

#include <algorithm>
#include <cstdlib>
#include <regex>

namespace dlc::keras {

std::string snakeCase(const std::string& className) {
  static const std::regex nonWord("\\W+"), capWord("(.)([A-Z][a-z]+)"), lowerUpper("([a-z])([A-Z])");
  std::string s = std::regex_replace(className, nonWord, "");
  s = std::regex_replace(s, capWord, "$1_$2");
  s = std::regex_replace(s, lowerUpper, "$1_$2");
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return char(std::tolower(c)); });
  return s;
}

namespace {

// Keras 3: maps layer names to "<root>/<key>/vars" groups. The vars group's
// "name" attribute names the layer; files without it are matched the way
// Keras named the groups: by class, in model.layers order.
StatusOr<std::map<std::string, std::string>> mapVarsGroups(const Hdf5File& file,
                                                           const std::string& root,
                                                           const ModelSpec& model) {
  std::map<std::string, std::string> vars;
  DLC_ASSIGN_OR_RETURN(std::vector<std::string> keys, file.children(root));
  bool named = false;
  for (const std::string& key : keys) {
    std::string group = root + "/" + key + "/vars";
    if (!file.isGroup(group)) continue;
    DLC_ASSIGN_OR_RETURN(auto name, file.stringAttr(group, "name"));
    if (name && name->size() == 1) {
      if (!vars.emplace(name->front(), group).second)
        return dataLoss(file.what(), ": groups ", vars[name->front()], " and ", group,
                        " both hold the weights of layer \"", name->front(), "\"");
      named = true;
    }
  }
  if (named) return vars;
  bool byLayerName = root == "/_layer_checkpoint_dependencies";
  std::map<std::string, int> used;
  for (const LayerSpec& layer : model.layers) {
    // Sequential.layers leaves its InputLayer out; Functional.layers has them.
    if (model.sequential && layer.className == "InputLayer") continue;
    std::string key = snakeCase(layer.className);
    auto [it, fresh] = used.emplace(key, 0);
    if (!fresh) key += "_" + std::to_string(++it->second);
    if (byLayerName) key = layer.name;
    std::string group = root + "/" + key + "/vars";
    if (file.isGroup(group)) vars[layer.name] = group;
  }
  return vars;
}

bool isIndex(const std::string& s) {
  return !s.empty() && s.size() < 10 && std::all_of(s.begin(), s.end(), ::isdigit);
}

}  // namespace

StatusOr<WeightStore> WeightStore::create(Hdf5File file, const ModelSpec& model) {
  WeightStore store(std::move(file));
  const Hdf5File& f = store.file_;
  for (const char* root : {"/layers", "/_layer_checkpoint_dependencies"}) {
    if (!f.isGroup(root)) continue;
    DLC_ASSIGN_OR_RETURN(store.vars_, mapVarsGroups(f, root, model));
    return store;
  }
  if (f.isGroup("/model_weights")) {
    store.legacy_ = true;
    store.legacyBase_ = "/model_weights";
    return store;
  }
  DLC_ASSIGN_OR_RETURN(auto layerNames, f.stringAttr("/", "layer_names"));
  if (layerNames) {
    store.legacy_ = true;
    return store;
  }
  return invalidArgument(f.what(), ": holds no Keras weights (no /layers, /model_weights or "
                         "layer_names)");
}

StatusOr<std::vector<std::string>> WeightStore::datasetsOf(const LayerSpec& layer) const {
  std::vector<std::string> paths;
  if (legacy_) {
    std::string group = legacyBase_ + "/" + layer.name;
    if (!file_.isGroup(group)) return paths;
    DLC_ASSIGN_OR_RETURN(auto names, file_.stringAttr(group, "weight_names"));
    if (!names) return paths;
    for (const std::string& name : *names) {
      std::string path = group + "/" + name;
      if (!file_.isDataset(path))
        return dataLoss(file_.what(), ": dataset ", path, " (listed in the weight_names of ",
                        group, ") is missing");
      paths.push_back(path);
    }
    return paths;
  }
  auto it = vars_.find(layer.name);
  if (it == vars_.end()) return paths;
  DLC_ASSIGN_OR_RETURN(std::vector<std::string> keys, file_.children(it->second));
  std::vector<std::pair<long, std::string>> ordered;
  for (const std::string& key : keys) {
    if (!isIndex(key))
      return dataLoss(file_.what(), ": unexpected entry ", it->second, "/", key,
                      " (weights are named 0, 1, ...)");
    ordered.emplace_back(std::strtol(key.c_str(), nullptr, 10), it->second + "/" + key);
  }
  std::sort(ordered.begin(), ordered.end());
  for (size_t i = 0; i < ordered.size(); ++i) {
    if (ordered[i].first != long(i))
      return dataLoss(file_.what(), ": ", it->second, " lacks weight ", i);
    if (!file_.isDataset(ordered[i].second))
      return dataLoss(file_.what(), ": ", ordered[i].second, " is not a dataset");
    paths.push_back(ordered[i].second);
  }
  return paths;
}

}  // namespace dlc::keras
