// Reading the typed fields of a dlc model JSON: names, dtypes, shapes and
// node attributes, each error naming the file and the JSON path.
//
// `Where` carries the error context: a head ("model.json" or
// "model.json: nodes[3] \"h1\" (dense)") and a JSON path below it
// ("inputs[0].shape[1]"). Every helper here checks the JSON type before it
// reads a value, so no nlohmann type_error can escape.
//
// What this deliberately does not do: know op semantics. Attribute values are
// converted by JSON type only; their meaning is checked by shape inference.
#pragma once

#include <initializer_list>
#include <nlohmann/json.hpp>
#include <string>

#include "ir/Attributes.h"
#include "ir/Op.h"
#include "ir/Types.h"
#include "support/Status.h"

namespace dlc::json {

class Where {
 public:
  Where(std::string head, std::string path = "") : head_(std::move(head)), path_(std::move(path)) {}
  Where field(const std::string& key) const {
    return Where(head_, path_.empty() ? key : path_ + "." + key);
  }
  Where index(size_t i) const { return Where(head_, path_ + "[" + std::to_string(i) + "]"); }
  const std::string& path() const { return path_; }
  std::string str() const { return path_.empty() ? head_ : head_ + ": " + path_; }

  template <typename... Args>
  Status error(Args&&... args) const {
    return invalidArgument(str(), ": ", std::forward<Args>(args)...);
  }
  // Prefixes an error from elsewhere (e.g. a weights reader) with this place.
  Status wrap(const Status& s) const { return s.ok() ? s : s.withContext(str()); }

 private:
  std::string head_;
  std::string path_;
};

// Fails on any key of `obj` outside `allowed` ("unknown field \"x\"").
Status checkFields(const nlohmann::json& obj, std::initializer_list<const char*> allowed,
                   const Where& where);

// A required member of `obj` that must be a string / array / object.
StatusOr<std::string> requireString(const nlohmann::json& obj, const char* key, const Where& where);
StatusOr<const nlohmann::json*> requireArray(const nlohmann::json& obj, const char* key,
                                             const Where& where);
// An optional member: null when absent, an error when present with another type.
StatusOr<const nlohmann::json*> optionalArray(const nlohmann::json& obj, const char* key,
                                              const Where& where);
StatusOr<const nlohmann::json*> optionalObject(const nlohmann::json& obj, const char* key,
                                               const Where& where);

// A tensor or node name: non-empty, at most 256 bytes, no control characters.
StatusOr<std::string> requireName(const nlohmann::json& obj, const Where& where);

// "f32", "u8", ... (also "float32", "uint8", ...).
StatusOr<ir::DType> parseDTypeValue(const nlohmann::json& v, const Where& where);

// [N, 28, 28]: extents >= 0, and "N" (the batch symbol) when `allowBatch`, at
// most once. Rank and element-count limits are checked.
StatusOr<ir::Shape> parseShapeValue(const nlohmann::json& v, const Where& where, bool allowBatch);

// JSON attrs -> Attributes: integer -> int64, float -> double, string ->
// string, bool -> 0/1, list of ints -> ints, list with any float -> doubles.
// In the `shape` attribute of reshape / broadcast_to, "N" means -1.
StatusOr<ir::Attributes> parseAttributes(const nlohmann::json& attrs, ir::OpKind op,
                                         const Where& where);

// The closest name in `candidates` to `name`, or "" when none is close.
std::string closestName(const std::string& name, const std::vector<std::string>& candidates);

}  // namespace dlc::json
