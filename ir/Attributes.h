// Node attributes: a small ordered map from name to a typed value.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace dlc::ir {

using AttrValue = std::variant<int64_t, double, std::string,
                               std::vector<int64_t>, std::vector<double>>;

class Attributes {
 public:
  bool has(const std::string& name) const { return map_.count(name) != 0; }
  void set(const std::string& name, AttrValue v) { map_[name] = std::move(v); }
  void erase(const std::string& name) { map_.erase(name); }
  const std::map<std::string, AttrValue>& all() const { return map_; }
  bool empty() const { return map_.empty(); }

  // Typed getters with defaults. An int attribute reads as a float too.
  int64_t getInt(const std::string& name, int64_t def) const;
  double getFloat(const std::string& name, double def) const;
  std::string getString(const std::string& name, const std::string& def) const;
  std::vector<int64_t> getInts(const std::string& name,
                               const std::vector<int64_t>& def) const;
  const AttrValue* find(const std::string& name) const;

  bool operator==(const Attributes& o) const { return map_ == o.map_; }
  bool operator<(const Attributes& o) const { return map_ < o.map_; }

 private:
  std::map<std::string, AttrValue> map_;
};

// "1", "2.5", "\"tanh\"", "[1,2]" — the IR text form of a value.
std::string attrToString(const AttrValue& v);

}  // namespace dlc::ir
