// ir::Graph -> dlc model JSON + safetensors. See JsonWriter.h.
//
// Values round-trip exactly: doubles are printed by nlohmann's shortest
// round-trip form (parsed back to the same bits), integers as integers, and a
// constant whose elements JSON cannot hold (NaN, infinities) always goes to
// the weights file, whatever its size. Names the format does not allow
// (empty, over 256 bytes, control characters, invalid UTF-8, or a safetensors
// reserved key) are renamed deterministically, keeping every name unique.
#include "frontends/json/JsonWriter.h"

#include <cmath>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <unordered_map>
#include <unordered_set>

#include "support/SafePath.h"
#include "support/Safetensors.h"

namespace dlc::json {

namespace {

using Json = nlohmann::ordered_json;

constexpr size_t kMaxNameBytes = 256;
constexpr size_t kRenamedPrefixBytes = 240;  // leaves room for a "_<n>" suffix
constexpr const char* kReservedKey = "__metadata__";

// Length of the valid UTF-8 sequence at s[i], or 0 when it is not one
// (overlong forms, surrogates and code points past U+10FFFF are invalid).
size_t utf8SequenceLength(const std::string& s, size_t i) {
  auto byte = [&](size_t k) { return k < s.size() ? uint8_t(s[k]) : uint8_t(0); };
  uint8_t c = byte(i);
  auto cont = [&](size_t k) { return (byte(k) & 0xC0) == 0x80; };
  if (c < 0x80) return 1;
  if (c >= 0xC2 && c <= 0xDF) return cont(i + 1) ? 2 : 0;
  if (c >= 0xE0 && c <= 0xEF) {
    uint8_t c1 = byte(i + 1);
    if ((c == 0xE0 && c1 < 0xA0) || (c == 0xED && c1 > 0x9F)) return 0;
    return cont(i + 1) && cont(i + 2) ? 3 : 0;
  }
  if (c >= 0xF0 && c <= 0xF4) {
    uint8_t c1 = byte(i + 1);
    if ((c == 0xF0 && c1 < 0x90) || (c == 0xF4 && c1 > 0x8F)) return 0;
    return cont(i + 1) && cont(i + 2) && cont(i + 3) ? 4 : 0;
  }
  return 0;
}

bool isControl(uint8_t c) { return c < 0x20 || c == 0x7F; }

bool isValidName(const std::string& name) {
  if (name.empty() || name.size() > kMaxNameBytes || name == kReservedKey) return false;
  for (size_t i = 0; i < name.size();) {
    size_t n = utf8SequenceLength(name, i);
    if (n == 0 || (n == 1 && isControl(uint8_t(name[i])))) return false;
    i += n;
  }
  return true;
}

// `name` with every control character and invalid byte replaced by '_',
// cut to kRenamedPrefixBytes at a character boundary; "tensor" when empty.
std::string sanitizedName(const std::string& name) {
  std::string out;
  for (size_t i = 0; i < name.size();) {
    size_t n = utf8SequenceLength(name, i);
    bool bad = n == 0 || (n == 1 && isControl(uint8_t(name[i])));
    if (bad) n = 1;
    if (out.size() + (bad ? 1 : n) > kRenamedPrefixBytes) break;
    out += bad ? std::string("_") : name.substr(i, n);
    i += n;
  }
  return out.empty() ? "tensor" : out;
}

// The name each node gets in the file. Valid, unique names are kept; the
// others are renamed in node order, so the same graph always maps the same.
class NameTable {
 public:
  explicit NameTable(const ir::Graph& graph) {
    std::vector<const ir::Node*> renamed;
    for (const auto& node : graph.nodes()) {
      if (isValidName(node->name) && used_.insert(node->name).second)
        names_[node.get()] = node->name;
      else
        renamed.push_back(node.get());
    }
    for (const ir::Node* node : renamed) {
      std::string base = sanitizedName(node->name), candidate = base;
      for (int k = 1; candidate == kReservedKey || !used_.insert(candidate).second; ++k)
        candidate = base + "_" + std::to_string(k);
      names_[node] = candidate;
      ++renamedCount_;
    }
  }
  const std::string& operator[](const ir::Node* node) const { return names_.at(node); }
  int64_t renamedCount() const { return renamedCount_; }

 private:
  std::unordered_set<std::string> used_;
  std::unordered_map<const ir::Node*, std::string> names_;
  int64_t renamedCount_ = 0;
};

Json shapeJson(const ir::Shape& shape) {
  Json dims = Json::array();
  for (int64_t d : shape.dims()) dims.push_back(d == ir::kBatch ? Json("N") : Json(d));
  return dims;
}

Json elementJson(const Tensor& t, int64_t i) {
  switch (t.dtype()) {
    case ir::DType::I64:
      return t.as<int64_t>()[i];
    case ir::DType::I32:
      return int64_t(t.as<int32_t>()[i]);
    case ir::DType::U8:
      return int64_t(t.as<uint8_t>()[i]);
    case ir::DType::Bool:
      return t.as<uint8_t>()[i] != 0;
    default:
      return t.getAsDouble(i);  // f32/f16/bf16 widen to double exactly
  }
}

// True when every element is finite (JSON has no NaN or infinity).
bool allFinite(const Tensor& t) {
  if (!ir::isFloat(t.dtype())) return true;
  for (int64_t i = 0; i < t.numElements(); ++i)
    if (!std::isfinite(t.getAsDouble(i))) return false;
  return true;
}

// A scalar for rank 0, else a flat row-major list (docs/format.md).
Json valueJson(const Tensor& t) {
  if (t.rank() == 0) return elementJson(t, 0);
  Json list = Json::array();
  for (int64_t i = 0; i < t.numElements(); ++i) list.push_back(elementJson(t, i));
  return list;
}

StatusOr<Json> attrJson(const ir::AttrValue& value, const std::string& where) {
  auto finite = [&](double d) -> Status {
    if (std::isfinite(d)) return Status::OK();
    return invalidArgument(where, " is ", d, ", which a JSON model cannot hold");
  };
  if (auto* i = std::get_if<int64_t>(&value)) return Json(*i);
  if (auto* d = std::get_if<double>(&value)) {
    DLC_RETURN_IF_ERROR(finite(*d));
    return Json(*d);
  }
  if (auto* s = std::get_if<std::string>(&value)) return Json(*s);
  if (auto* ints = std::get_if<std::vector<int64_t>>(&value)) return Json(*ints);
  const auto& doubles = std::get<std::vector<double>>(value);
  for (double d : doubles) DLC_RETURN_IF_ERROR(finite(d));
  return Json(doubles);
}

Status checkWeightsFile(const std::string& file, const std::string& jsonPath) {
  std::filesystem::path p(file);
  if (p.is_absolute())
    return invalidArgument(jsonPath, ": weights file '", file,
                           "' is absolute; give a path relative to the model's folder");
  for (const auto& part : p)
    if (part == "..")
      return invalidArgument(jsonPath, ": weights file '", file,
                             "' contains '..'; it must stay inside the model's folder");
  if (p.extension() != ".safetensors")
    return invalidArgument(jsonPath, ": weights file '", file, "' must end in .safetensors");
  return Status::OK();
}

// Builds the document and collects the constants bound for the weights file.
class DocumentBuilder {
 public:
  DocumentBuilder(const ir::Graph& graph, const std::string& jsonPath, const WriteOptions& options,
                  std::string weightsFile)
      : graph_(graph),
        file_(jsonPath),
        options_(options),
        weightsFile_(std::move(weightsFile)),
        names_(graph) {}

  StatusOr<std::string> build(WriteSummary& summary) {
    Json inputs = Json::array(), constants = Json::array(), nodes = Json::array(),
         outputs = Json::array();
    for (const ir::Node* in : graph_.inputs()) {
      inputs.push_back(Json{{"name", names_[in]},
                            {"dtype", std::string(ir::dtypeName(in->type.dtype))},
                            {"shape", shapeJson(in->type.shape)}});
    }
    for (const auto& node : graph_.nodes()) {
      if (node->op == ir::OpKind::Input) continue;
      if (node->op == ir::OpKind::Constant) {
        DLC_ASSIGN_OR_RETURN(Json c, constantJson(*node, summary));
        constants.push_back(std::move(c));
        continue;
      }
      DLC_ASSIGN_OR_RETURN(Json n, nodeJson(*node));
      nodes.push_back(std::move(n));
      ++summary.nodes;
    }
    for (const ir::Node* out : graph_.outputs()) {
      for (const auto& seen : outputs)
        if (seen == names_[out])
          return invalidArgument(file_, ": graph output \"", out->name,
                                 "\" is listed twice, which a dlc model cannot express");
      outputs.push_back(names_[out]);
    }
    summary.inputs = int64_t(graph_.inputs().size());
    summary.renamed = names_.renamedCount();

    Json metadata = {{"generator", "dlc import"}};
    if (!graph_.sourceFile.empty())
      metadata["source"] = std::filesystem::path(graph_.sourceFile).filename().string();
    std::string text = "{\n";
    auto field = [&](const char* key, const Json& v, bool last = false) {
      text += "  \"" + std::string(key) + "\": " + v.dump() + (last ? "\n" : ",\n");
    };
    auto listField = [&](const char* key, const Json& list, bool last = false) {
      text += "  \"" + std::string(key) + "\": [";
      for (size_t i = 0; i < list.size(); ++i) text += (i ? ",\n    " : "\n    ") + list[i].dump();
      text += list.empty() ? "]" : "\n  ]";
      text += last ? "\n" : ",\n";
    };
    field("format", "dlc.model");
    field("version", 1);
    field("name", graph_.name);
    field("metadata", metadata);
    listField("inputs", inputs);
    listField("constants", constants);
    listField("nodes", nodes);
    field("outputs", outputs, /*last=*/true);
    return text + "}\n";
  }

  std::vector<std::pair<std::string, Tensor>>& weights() { return weights_; }

 private:
  StatusOr<Json> constantJson(const ir::Node& node, WriteSummary& summary) {
    const Tensor& value = node.value;
    if (value.empty()) return invalidArgument(file_, ": constant \"", node.name, "\" has no value");
    Json c = {{"name", names_[&node]},
              {"dtype", std::string(ir::dtypeName(value.dtype()))},
              {"shape", shapeJson(ir::Shape(value.dims()))}};
    ++summary.constants;
    if (value.numElements() <= options_.inlineLimit && allFinite(value)) {
      c["value"] = valueJson(value);
      ++summary.inlineConstants;
      return c;
    }
    c["file"] = weightsFile_;
    weights_.emplace_back(names_[&node], value);
    summary.weightBytes += int64_t(value.byteSize());
    return c;
  }

  StatusOr<Json> nodeJson(const ir::Node& node) {
    Json inputs = Json::array();
    for (const ir::Node* in : node.inputs) inputs.push_back(names_[in]);
    Json n = {
        {"name", names_[&node]}, {"op", std::string(ir::opName(node.op))}, {"inputs", inputs}};
    if (!node.attrs.empty()) {
      Json attrs = Json::object();
      for (const auto& [key, value] : node.attrs.all()) {
        DLC_ASSIGN_OR_RETURN(attrs[key], attrJson(value, strCat(file_, ": node \"", node.name,
                                                                "\": attribute ", key)));
      }
      n["attrs"] = std::move(attrs);
    }
    if (!node.device.empty()) n["device"] = node.device;
    return n;
  }

  const ir::Graph& graph_;
  std::string file_;
  const WriteOptions& options_;
  std::string weightsFile_;
  NameTable names_;
  std::vector<std::pair<std::string, Tensor>> weights_;
};

}  // namespace

Status writeModel(const ir::Graph& graph, const std::string& jsonPath, const WriteOptions& options,
                  WriteSummary* summary) {
  std::string weightsFile = options.weightsFile;
  if (weightsFile.empty())
    weightsFile = std::filesystem::path(jsonPath).stem().string() + ".safetensors";
  DLC_RETURN_IF_ERROR(checkWeightsFile(weightsFile, jsonPath));
  WriteSummary local;
  WriteSummary& s = summary ? *summary : local;
  s = WriteSummary{};

  DocumentBuilder builder(graph, jsonPath, options, weightsFile);
  std::string text;
  try {
    DLC_ASSIGN_OR_RETURN(text, builder.build(s));
  } catch (const nlohmann::json::exception& e) {
    // type_error 316: a string (attribute, device, graph name) that is not UTF-8.
    return invalidArgument(jsonPath, ": cannot write the model as JSON: ", e.what());
  }
  if (!builder.weights().empty()) {
    s.weightsPath = (std::filesystem::path(jsonPath).parent_path() / weightsFile).string();
    DLC_RETURN_IF_ERROR(writeSafetensors(s.weightsPath, builder.weights()));
  }
  return writeFileBytes(jsonPath, text);
}

}  // namespace dlc::json
