#include "frontends/json/JsonModel.h"

#include <unordered_map>

#include "frontends/json/Constants.h"
#include "frontends/json/JsonDocument.h"
#include "frontends/json/ModelFields.h"
#include "ir/ShapeInference.h"
#include "support/SafePath.h"

namespace dlc::json {

using nlohmann::json;

namespace {

constexpr const char* kFormatName = "dlc.model";
constexpr int64_t kFormatVersion = 1;

// Builds the graph from a parsed document, one section at a time.
class ModelBuilder {
 public:
  ModelBuilder(const json& doc, std::string file)
      : doc_(doc), file_(std::move(file)), top_(file_), weights_(parentFolder(file_)) {}

  StatusOr<std::unique_ptr<ir::Graph>> build() {
    graph_ = std::make_unique<ir::Graph>();
    graph_->sourceFile = file_;
    DLC_RETURN_IF_ERROR(readHeader());
    DLC_RETURN_IF_ERROR(readInputs());
    DLC_RETURN_IF_ERROR(readConstants());
    DLC_RETURN_IF_ERROR(readNodes());
    DLC_RETURN_IF_ERROR(resolveNodeInputs());
    DLC_RETURN_IF_ERROR(readOutputs());
    Status sorted = graph_->topoSort();
    if (!sorted.ok()) return sorted.withContext(file_);
    DLC_RETURN_IF_ERROR(ir::inferTypes(*graph_));
    return std::move(graph_);
  }

 private:
  Status readHeader() {
    if (!doc_.is_object()) return top_.error("a model must be a JSON object");
    DLC_RETURN_IF_ERROR(checkFields(doc_,
                                    {"format", "version", "name", "description", "metadata",
                                     "inputs", "constants", "nodes", "outputs"},
                                    top_));
    DLC_ASSIGN_OR_RETURN(std::string format, requireString(doc_, "format", top_));
    if (format != kFormatName)
      return top_.field("format").error("expected \"", kFormatName, "\", got \"", format, "\"");
    auto version = doc_.find("version");
    if (version == doc_.end()) return top_.error("missing field \"version\"");
    if (!version->is_number_integer() || version->get<int64_t>() != kFormatVersion)
      return top_.field("version").error("unsupported format version ", version->dump(),
                                         " (this dlc reads version ", kFormatVersion, ")");
    if (doc_.contains("name")) {
      DLC_ASSIGN_OR_RETURN(graph_->name, requireString(doc_, "name", top_));
    } else {
      std::string stem = file_.substr(file_.find_last_of('/') + 1);
      graph_->name = stem.substr(0, stem.find('.'));
    }
    if (doc_.contains("description"))
      DLC_RETURN_IF_ERROR(requireString(doc_, "description", top_).status());
    DLC_RETURN_IF_ERROR(optionalObject(doc_, "metadata", top_).status());
    return Status::OK();
  }

  // Records `name` as defined at `where`; a second definition is an error.
  Status define(const std::string& name, const Where& where) {
    auto [it, inserted] = definedAt_.emplace(name, where.path());
    if (!inserted)
      return where.field("name").error("duplicate name \"", name, "\" (first defined at ",
                                       it->second, ")");
    return Status::OK();
  }

  Status readInputs() {
    DLC_ASSIGN_OR_RETURN(const json* inputs, requireArray(doc_, "inputs", top_));
    for (size_t i = 0; i < inputs->size(); ++i) {
      const json& entry = (*inputs)[i];
      Where at = top_.field("inputs").index(i);
      if (!entry.is_object()) return at.error("an input must be an object");
      DLC_RETURN_IF_ERROR(checkFields(entry, {"name", "dtype", "shape"}, at));
      DLC_ASSIGN_OR_RETURN(std::string name, requireName(entry, at));
      DLC_RETURN_IF_ERROR(define(name, at));
      if (!entry.contains("dtype")) return at.error("missing field \"dtype\"");
      if (!entry.contains("shape")) return at.error("missing field \"shape\"");
      DLC_ASSIGN_OR_RETURN(ir::DType dtype, parseDTypeValue(entry["dtype"], at.field("dtype")));
      DLC_ASSIGN_OR_RETURN(ir::Shape shape,
                           parseShapeValue(entry["shape"], at.field("shape"), /*allowBatch=*/true));
      ir::Node* node = graph_->addInput(name, {dtype, std::move(shape)});
      node->location = at.path();
    }
    return Status::OK();
  }

  Status readConstants() {
    DLC_ASSIGN_OR_RETURN(const json* constants, optionalArray(doc_, "constants", top_));
    if (!constants) return Status::OK();
    for (size_t i = 0; i < constants->size(); ++i) {
      Where at = top_.field("constants").index(i);
      DLC_ASSIGN_OR_RETURN(ConstantEntry c, readConstant((*constants)[i], weights_, at));
      DLC_RETURN_IF_ERROR(define(c.name, at));
      ir::Node* node = graph_->addConstant(c.name, std::move(c.value));
      node->location = at.path();
    }
    return Status::OK();
  }

  Status readNodes() {
    DLC_ASSIGN_OR_RETURN(const json* nodes, requireArray(doc_, "nodes", top_));
    if (nodes->size() > kMaxNodes)
      return top_.field("nodes").error("the model has ", nodes->size(),
                                       " nodes, over the limit of ", kMaxNodes);
    for (size_t i = 0; i < nodes->size(); ++i) DLC_RETURN_IF_ERROR(readNode((*nodes)[i], i));
    return Status::OK();
  }

  Status readNode(const json& entry, size_t i) {
    Where at = top_.field("nodes").index(i);
    if (!entry.is_object()) return at.error("a node must be an object");
    DLC_ASSIGN_OR_RETURN(std::string name, requireName(entry, at));
    DLC_RETURN_IF_ERROR(define(name, at));
    Where named(file_ + ": " + at.path() + " \"" + name + "\"");
    DLC_RETURN_IF_ERROR(checkFields(entry, {"name", "op", "inputs", "attrs", "device"}, named));
    DLC_ASSIGN_OR_RETURN(std::string opText, requireString(entry, "op", named));
    auto op = ir::opFromName(opText);
    if (!op) {
      std::vector<std::string> names;
      for (int k = 0; k < ir::numOpKinds(); ++k)
        if (!ir::isSource(ir::OpKind(k))) names.emplace_back(ir::opName(ir::OpKind(k)));
      std::string guess = closestName(opText, names);
      return named.error("unknown op \"", opText, "\"",
                         guess.empty() ? std::string() : " (did you mean \"" + guess + "\"?)");
    }
    if (ir::isSource(*op))
      return named.error("op \"", opText, "\" cannot appear in \"nodes\"; declare it under \"",
                         *op == ir::OpKind::Input ? "inputs" : "constants", "\"");
    Where where(named.str() + " (" + std::string(ir::opName(*op)) + ")");

    DLC_ASSIGN_OR_RETURN(const json* inputs, requireArray(entry, "inputs", where));
    const ir::OpInfo& info = ir::opInfo(*op);
    if (int64_t(inputs->size()) < info.minInputs || int64_t(inputs->size()) > info.maxInputs) {
      std::string expected = info.minInputs == info.maxInputs
                                 ? std::to_string(info.minInputs)
                                 : strCat(info.minInputs, " to ", info.maxInputs);
      return where.field("inputs").error(info.name, " takes ", expected, " inputs, got ",
                                         inputs->size());
    }
    std::vector<std::string> inputNames;
    for (size_t k = 0; k < inputs->size(); ++k) {
      if (!(*inputs)[k].is_string())
        return where.field("inputs").index(k).error("an input must be a tensor name (a string)");
      inputNames.push_back((*inputs)[k].get<std::string>());
    }
    ir::Attributes attrs;
    DLC_ASSIGN_OR_RETURN(const json* attrJson, optionalObject(entry, "attrs", where));
    if (attrJson) {
      DLC_ASSIGN_OR_RETURN(attrs, parseAttributes(*attrJson, *op, where.field("attrs")));
    }
    std::string device;
    if (entry.contains("device")) {
      DLC_ASSIGN_OR_RETURN(device, requireString(entry, "device", where));
    }

    ir::Node* node = graph_->addNode(*op, name, {}, std::move(attrs));
    node->location = at.path();
    node->device = std::move(device);
    pending_.push_back({node, std::move(inputNames), where});
    return Status::OK();
  }

  // Inputs may name nodes defined later in the file; cycles are found by topoSort.
  Status resolveNodeInputs() {
    for (PendingNode& p : pending_) {
      for (size_t k = 0; k < p.inputNames.size(); ++k) {
        ir::Node* in = graph_->find(p.inputNames[k]);
        if (!in) return unknownName(p.inputNames[k], p.where.field("inputs").index(k));
        p.node->inputs.push_back(in);
      }
    }
    return Status::OK();
  }

  Status unknownName(const std::string& name, const Where& where) const {
    std::vector<std::string> names;
    names.reserve(definedAt_.size());
    for (const auto& entry : definedAt_) names.push_back(entry.first);
    std::string guess = closestName(name, names);
    return where.error("unknown tensor \"", name, "\"",
                       guess.empty() ? std::string() : " (did you mean \"" + guess + "\"?)");
  }

  Status readOutputs() {
    DLC_ASSIGN_OR_RETURN(const json* outputs, requireArray(doc_, "outputs", top_));
    if (outputs->empty()) return top_.field("outputs").error("a model needs at least one output");
    std::vector<ir::Node*> nodes;
    for (size_t i = 0; i < outputs->size(); ++i) {
      Where at = top_.field("outputs").index(i);
      if (!(*outputs)[i].is_string()) return at.error("an output must be a tensor name (a string)");
      std::string name = (*outputs)[i].get<std::string>();
      ir::Node* node = graph_->find(name);
      if (!node) return unknownName(name, at);
      for (ir::Node* seen : nodes)
        if (seen == node) return at.error("output \"", name, "\" is listed twice");
      nodes.push_back(node);
    }
    graph_->setOutputs(std::move(nodes));
    return Status::OK();
  }

  struct PendingNode {
    ir::Node* node;
    std::vector<std::string> inputNames;
    Where where;
  };

  const json& doc_;
  std::string file_;
  Where top_;
  WeightStore weights_;
  std::unique_ptr<ir::Graph> graph_;
  std::unordered_map<std::string, std::string> definedAt_;
  std::vector<PendingNode> pending_;
};

}  // namespace

StatusOr<std::unique_ptr<ir::Graph>> parseModel(const std::string& text,
                                                const std::string& sourcePath) {
  std::string file = sourcePath.empty() ? "<model>" : sourcePath;
  if (text.size() > kMaxModelFileBytes)
    return outOfRange(file, ": model JSON is ", text.size(), " bytes, over the limit of ",
                      kMaxModelFileBytes);
  try {
    DLC_ASSIGN_OR_RETURN(json doc, parseJsonText(text, file));
    return ModelBuilder(doc, file).build();
  } catch (const json::exception& e) {
    return invalidArgument(file, ": ", e.what());
  } catch (const std::bad_alloc&) {
    return outOfRange(file, ": out of memory loading the model");
  }
}

StatusOr<std::unique_ptr<ir::Graph>> loadModel(const std::string& path) {
  DLC_ASSIGN_OR_RETURN(std::string text, readFileBytes(path, kMaxModelFileBytes));
  return parseModel(text, path);
}

}  // namespace dlc::json
