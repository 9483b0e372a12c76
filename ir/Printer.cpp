// Prints a graph in the IR text format (grammar in ir/Printer.h). It prints
// what is stored, valid or not, so it can dump a graph the verifier rejects;
// it does not print origins or locations.
#include "ir/Printer.h"

#include <cctype>
#include <cstdio>
#include <sstream>

namespace dlc::ir {

namespace {

bool isBareName(const std::string& s) {
  if (s.empty()) return false;
  for (char c : s)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '$' ||
          c == '-'))
      return false;
  return true;
}

std::string nameText(const std::string& s) {
  return isBareName(s) ? s : attrToString(AttrValue(s));
}

std::string formatFloat(double d) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.9g", d);
  std::string s = buf;
  if (s.find_first_of(".eEn") == std::string::npos) s += ".0";
  return s;
}

std::string element(const Tensor& t, int64_t i) {
  switch (t.dtype()) {
    case DType::F32:
    case DType::F16:
    case DType::BF16: return formatFloat(t.getAsDouble(i));
    case DType::U8: return std::to_string(t.as<uint8_t>()[i]);
    case DType::I32: return std::to_string(t.as<int32_t>()[i]);
    case DType::I64: return std::to_string(t.as<int64_t>()[i]);
    case DType::Bool: return t.as<uint8_t>()[i] ? "true" : "false";
  }
  return "?";
}

std::string constantText(const Tensor& t, const PrintOptions& options) {
  int64_t n = t.numElements();
  if (options.maxInlineElements >= 0 && n > options.maxInlineElements)
    return strCat("opaque<\"", t.byteSize(), " bytes\">");
  std::string s = "dense<[";
  for (int64_t i = 0; i < n; ++i) {
    if (i) s += ", ";
    s += element(t, i);
  }
  return s + "]>";
}

// " @\"dev\"  #k3" suffix shared by params and nodes.
std::string placement(const Node& n) {
  std::string s;
  if (!n.device.empty()) s += " @" + attrToString(AttrValue(n.device));
  if (n.kernel >= 0) s += strCat("  #k", n.kernel);
  return s;
}

std::string nodeLine(const Node& n, const PrintOptions& options) {
  std::ostringstream os;
  os << "  %" << nameText(n.name) << " = " << opName(n.op) << "(";
  for (size_t i = 0; i < n.inputs.size(); ++i)
    os << (i ? ", " : "") << "%" << (n.inputs[i] ? nameText(n.inputs[i]->name) : "<null>");
  os << ")";
  std::vector<std::string> attrs;
  if (n.op == OpKind::Constant) attrs.push_back("value = " + constantText(n.value, options));
  for (const auto& [key, value] : n.attrs.all())
    attrs.push_back(nameText(key) + " = " + attrToString(value));
  if (!attrs.empty()) {
    os << " {";
    for (size_t i = 0; i < attrs.size(); ++i) os << (i ? ", " : "") << attrs[i];
    os << "}";
  }
  os << " : " << n.type.str() << placement(n);
  return os.str();
}

}  // namespace

std::string printGraph(const Graph& graph, const PrintOptions& options) {
  std::ostringstream os;
  os << "graph @" << nameText(graph.name) << "(";
  for (size_t i = 0; i < graph.inputs().size(); ++i) {
    const Node* in = graph.inputs()[i];
    os << (i ? ", " : "") << "%" << nameText(in->name) << ": " << in->type.str() << placement(*in);
  }
  os << ") {\n";
  for (const auto& n : graph.nodes())
    if (n->op != OpKind::Input) os << nodeLine(*n, options) << "\n";
  if (!graph.outputs().empty()) {
    os << "  return ";
    for (size_t i = 0; i < graph.outputs().size(); ++i)
      os << (i ? ", " : "") << "%"
         << (graph.outputs()[i] ? nameText(graph.outputs()[i]->name) : "<null>");
    os << "\n";
  }
  os << "}\n";
  return os.str();
}

}  // namespace dlc::ir
