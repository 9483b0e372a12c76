#include "ir/Attributes.h"

#include <cstdio>

namespace dlc::ir {

const AttrValue* Attributes::find(const std::string& name) const {
  auto it = map_.find(name);
  return it == map_.end() ? nullptr : &it->second;
}

int64_t Attributes::getInt(const std::string& name, int64_t def) const {
  const AttrValue* v = find(name);
  if (!v) return def;
  if (auto* i = std::get_if<int64_t>(v)) return *i;
  if (auto* d = std::get_if<double>(v)) return int64_t(*d);
  return def;
}

double Attributes::getFloat(const std::string& name, double def) const {
  const AttrValue* v = find(name);
  if (!v) return def;
  if (auto* d = std::get_if<double>(v)) return *d;
  if (auto* i = std::get_if<int64_t>(v)) return double(*i);
  return def;
}

std::string Attributes::getString(const std::string& name, const std::string& def) const {
  const AttrValue* v = find(name);
  if (!v) return def;
  if (auto* s = std::get_if<std::string>(v)) return *s;
  return def;
}

std::vector<int64_t> Attributes::getInts(const std::string& name,
                                         const std::vector<int64_t>& def) const {
  const AttrValue* v = find(name);
  if (!v) return def;
  if (auto* l = std::get_if<std::vector<int64_t>>(v)) return *l;
  if (auto* i = std::get_if<int64_t>(v)) return {*i};
  return def;
}

static std::string formatDouble(double d) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.9g", d);
  std::string s = buf;
  if (s.find_first_of(".eEn") == std::string::npos) s += ".0";
  return s;
}

std::string attrToString(const AttrValue& v) {
  struct Visitor {
    std::string operator()(int64_t i) const { return std::to_string(i); }
    std::string operator()(double d) const { return formatDouble(d); }
    std::string operator()(const std::string& s) const {
      std::string out = "\"";
      for (char c : s) {
        if (c == '"' || c == '\\') out += '\\';
        out += c;
      }
      return out + "\"";
    }
    std::string operator()(const std::vector<int64_t>& l) const {
      std::string out = "[";
      for (size_t i = 0; i < l.size(); ++i) out += (i ? "," : "") + std::to_string(l[i]);
      return out + "]";
    }
    std::string operator()(const std::vector<double>& l) const {
      std::string out = "[";
      for (size_t i = 0; i < l.size(); ++i) out += (i ? "," : "") + formatDouble(l[i]);
      return out + "]";
    }
  };
  return std::visit(Visitor{}, v);
}

}  // namespace dlc::ir
