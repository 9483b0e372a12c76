// Graphviz export (see GraphDot.h).
#include "compiler/GraphDot.h"

#include <sstream>
#include <unordered_map>
#include <unordered_set>

namespace dlc {

namespace {

// Escapes quotes and backslashes for a DOT double-quoted string.
std::string escape(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out;
}

std::string quote(const std::string& text) {
  std::string out(1, '"');
  out += escape(text);
  out += '"';
  return out;
}

}  // namespace

std::string graphToDot(const ir::Graph& graph, const ir::KernelPlan* plan) {
  std::unordered_map<const ir::Node*, int> id;
  for (const auto& n : graph.nodes()) id[n.get()] = int(id.size());
  auto ref = [&](const ir::Node* n) { return strCat("n", id.at(n)); };
  auto emitNode = [&](std::ostringstream& os, const ir::Node& n, const char* indent) {
    os << indent << ref(&n) << " [label=\"" << escape(n.name) << "\\n" << ir::opName(n.op)
       << "\\n" << n.type.str() << "\"";
    if (ir::isSource(n.op)) os << ", shape=box";
    if (graph.isOutput(&n)) os << ", style=bold";
    os << "];\n";
  };

  std::ostringstream os;
  os << "digraph " << quote(graph.name) << " {\n";
  os << "  rankdir=TB;\n  node [shape=ellipse, fontsize=10];\n";
  std::unordered_set<const ir::Node*> clustered;
  if (plan) {
    for (const ir::Kernel& k : plan->kernels) {
      os << "  subgraph cluster_k" << k.id << " {\n";
      os << "    label=" << quote(strCat("k", k.id, " ", ir::kernelKindName(k.kind), ": ",
                                          k.label()))
         << ";\n    style=rounded;\n";
      for (const ir::Node* n : k.nodes) {
        emitNode(os, *n, "    ");
        clustered.insert(n);
      }
      os << "  }\n";
    }
  }
  for (const auto& n : graph.nodes())
    if (!clustered.count(n.get())) emitNode(os, *n, "  ");
  for (const auto& n : graph.nodes())
    for (const ir::Node* in : n->inputs) os << "  " << ref(in) << " -> " << ref(n.get()) << ";\n";
  os << "}\n";
  return os.str();
}

}  // namespace dlc
