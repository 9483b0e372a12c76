#include "frontends/json/ModelFields.h"

#include <algorithm>

namespace dlc::json {

using nlohmann::json;

namespace {

const char* jsonTypeName(const json& v) {
  switch (v.type()) {
    case json::value_t::null:
      return "null";
    case json::value_t::object:
      return "an object";
    case json::value_t::array:
      return "an array";
    case json::value_t::string:
      return "a string";
    case json::value_t::boolean:
      return "a boolean";
    case json::value_t::number_integer:
    case json::value_t::number_unsigned:
      return "an integer";
    case json::value_t::number_float:
      return "a number";
    default:
      return "an unsupported JSON value";
  }
}

// An int64 from a JSON integer; fails on floats, strings, and values past int64.
std::optional<int64_t> asInt64(const json& v) {
  if (v.is_number_unsigned()) {
    uint64_t u = v.get<uint64_t>();
    if (u > uint64_t(INT64_MAX)) return std::nullopt;
    return int64_t(u);
  }
  if (v.is_number_integer()) return v.get<int64_t>();
  return std::nullopt;
}

size_t editDistance(const std::string& a, const std::string& b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diag = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diag = up;
    }
  }
  return row[b.size()];
}

StatusOr<ir::AttrValue> attrFromList(const json& list, bool batchSymbolAllowed,
                                     const Where& where) {
  bool anyFloat = false;
  for (size_t i = 0; i < list.size(); ++i) {
    const json& e = list[i];
    if (e.is_number_float())
      anyFloat = true;
    else if (e.is_string() && batchSymbolAllowed && e.get<std::string>() == "N")
      continue;
    else if (e.is_string() && e.get<std::string>() == "N")
      return where.index(i).error(
          "\"N\" is only allowed in the \"shape\" of reshape and "
          "broadcast_to");
    else if (!e.is_number() && !e.is_boolean())
      return where.index(i).error("attribute lists hold numbers only, got ", jsonTypeName(e),
                                  batchSymbolAllowed ? " (the only string allowed is \"N\")" : "");
    else if (e.is_number() && !e.is_number_float() && !asInt64(e))
      return where.index(i).error("integer does not fit in int64");
  }
  if (anyFloat) {
    std::vector<double> out;
    for (size_t i = 0; i < list.size(); ++i) {
      if (list[i].is_string())
        return where.index(i).error("\"N\" cannot appear in a list of floats");
      out.push_back(list[i].is_boolean() ? double(list[i].get<bool>()) : list[i].get<double>());
    }
    return ir::AttrValue(std::move(out));
  }
  std::vector<int64_t> out;
  for (const json& e : list) {
    if (e.is_string())
      out.push_back(ir::kBatch);
    else if (e.is_boolean())
      out.push_back(e.get<bool>() ? 1 : 0);
    else
      out.push_back(*asInt64(e));
  }
  return ir::AttrValue(std::move(out));
}

}  // namespace

Status checkFields(const json& obj, std::initializer_list<const char*> allowed,
                   const Where& where) {
  for (auto it = obj.begin(); it != obj.end(); ++it) {
    bool known =
        std::any_of(allowed.begin(), allowed.end(), [&](const char* k) { return it.key() == k; });
    if (known) continue;
    std::string expected;
    for (const char* k : allowed) expected += std::string(expected.empty() ? "" : ", ") + k;
    return where.error("unknown field \"", it.key(), "\" (expected: ", expected, ")");
  }
  return Status::OK();
}

StatusOr<std::string> requireString(const json& obj, const char* key, const Where& where) {
  auto it = obj.find(key);
  if (it == obj.end()) return where.error("missing field \"", key, "\"");
  if (!it->is_string()) return where.field(key).error("must be a string, got ", jsonTypeName(*it));
  return it->get<std::string>();
}

StatusOr<const json*> requireArray(const json& obj, const char* key, const Where& where) {
  auto it = obj.find(key);
  if (it == obj.end()) return where.error("missing field \"", key, "\"");
  if (!it->is_array()) return where.field(key).error("must be an array, got ", jsonTypeName(*it));
  return &*it;
}

StatusOr<const json*> optionalArray(const json& obj, const char* key, const Where& where) {
  auto it = obj.find(key);
  if (it == obj.end()) return static_cast<const json*>(nullptr);
  if (!it->is_array()) return where.field(key).error("must be an array, got ", jsonTypeName(*it));
  return &*it;
}

StatusOr<const json*> optionalObject(const json& obj, const char* key, const Where& where) {
  auto it = obj.find(key);
  if (it == obj.end()) return static_cast<const json*>(nullptr);
  if (!it->is_object()) return where.field(key).error("must be an object, got ", jsonTypeName(*it));
  return &*it;
}

StatusOr<std::string> requireName(const json& obj, const Where& where) {
  DLC_ASSIGN_OR_RETURN(std::string name, requireString(obj, "name", where));
  if (name.empty()) return where.field("name").error("must not be empty");
  if (name.size() > 256) return where.field("name").error("is longer than 256 bytes");
  for (char c : name)
    if (uint8_t(c) < 0x20 || c == 0x7f)
      return where.field("name").error("contains a control character");
  return name;
}

StatusOr<ir::DType> parseDTypeValue(const json& v, const Where& where) {
  if (!v.is_string()) return where.error("dtype must be a string, got ", jsonTypeName(v));
  std::string name = v.get<std::string>();
  auto dtype = ir::parseDType(name);
  if (!dtype) {
    std::string known;
    for (int i = 0; i < ir::kNumDTypes; ++i)
      known += std::string(i ? " " : "") + std::string(ir::dtypeName(ir::DType(i)));
    return where.error("unknown dtype \"", name, "\" (expected one of: ", known, ")");
  }
  return *dtype;
}

StatusOr<ir::Shape> parseShapeValue(const json& v, const Where& where, bool allowBatch) {
  if (!v.is_array()) return where.error("shape must be an array, got ", jsonTypeName(v));
  if (v.size() > size_t(ir::kMaxRank))
    return where.error("rank ", v.size(), " exceeds the limit of ", ir::kMaxRank);
  std::vector<int64_t> dims;
  bool seenBatch = false;
  for (size_t i = 0; i < v.size(); ++i) {
    const json& d = v[i];
    if (d.is_string() && d.get<std::string>() == "N") {
      if (!allowBatch)
        return where.index(i).error("the batch symbol \"N\" is only allowed in graph inputs");
      if (seenBatch) return where.index(i).error("the batch symbol \"N\" may appear only once");
      seenBatch = true;
      dims.push_back(ir::kBatch);
      continue;
    }
    auto n = asInt64(d);
    if (!n || *n < 0)
      return where.index(i).error("a dimension must be an integer >= 0",
                                  allowBatch ? " or \"N\"" : "", ", got ",
                                  d.is_number() || d.is_string() ? d.dump() : jsonTypeName(d));
    if (*n > ir::kMaxElements)
      return where.index(i).error("dimension ", *n, " exceeds the element limit 2^40");
    dims.push_back(*n);
  }
  ir::Shape shape(std::move(dims));
  DLC_RETURN_IF_ERROR(where.wrap(ir::validateShape(shape)));
  return shape;
}

StatusOr<ir::Attributes> parseAttributes(const json& attrs, ir::OpKind op, const Where& where) {
  ir::Attributes out;
  for (auto it = attrs.begin(); it != attrs.end(); ++it) {
    const json& v = it.value();
    Where at = where.field(it.key());
    if (it.key().empty()) return where.error("attribute names must not be empty");
    if (!ir::opTakesAttribute(op, it.key())) {
      // A misspelt attribute would otherwise be ignored and its default used.
      std::vector<std::string> known = ir::opAttributeNames(op);
      if (known.empty())
        return at.error("unknown attribute: ", ir::opName(op), " takes no attributes");
      std::string list;
      for (const std::string& k : known) list += (list.empty() ? "" : ", ") + k;
      std::string guess = closestName(it.key(), known);
      return at.error("unknown attribute for ", ir::opName(op), " (it takes: ", list, ")",
                      guess.empty() ? "" : "; did you mean \"" + guess + "\"?");
    }
    if (v.is_boolean()) {
      out.set(it.key(), int64_t(v.get<bool>() ? 1 : 0));
    } else if (v.is_number_float()) {
      out.set(it.key(), v.get<double>());
    } else if (v.is_number()) {
      auto n = asInt64(v);
      if (!n) return at.error("integer ", v.dump(), " does not fit in int64");
      out.set(it.key(), *n);
    } else if (v.is_string()) {
      out.set(it.key(), v.get<std::string>());
    } else if (v.is_array()) {
      bool batchSymbol =
          it.key() == "shape" && (op == ir::OpKind::Reshape || op == ir::OpKind::BroadcastTo);
      DLC_ASSIGN_OR_RETURN(ir::AttrValue list, attrFromList(v, batchSymbol, at));
      out.set(it.key(), std::move(list));
    } else {
      return at.error(
          "attribute values must be numbers, strings, booleans or lists of "
          "numbers, got ",
          jsonTypeName(v));
    }
  }
  return out;
}

std::string closestName(const std::string& name, const std::vector<std::string>& candidates) {
  std::string best;
  if (candidates.size() > 20000 || name.size() > 128) return best;  // keep errors fast
  size_t bestDistance = std::max<size_t>(2, name.size() / 3) + 1;
  for (const std::string& c : candidates) {
    size_t d = editDistance(name, c);
    if (d < bestDistance) {
      bestDistance = d;
      best = c;
    }
  }
  return best;
}

}  // namespace dlc::json
