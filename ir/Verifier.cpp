// The IR verifier (ir/Verifier.h). It reports the first broken invariant,
// naming the node; it never repairs the graph. Shape rules themselves live
// in ShapeInference*.cpp: the verifier only checks that stored types agree.
#include "ir/Verifier.h"

#include <unordered_map>
#include <unordered_set>

#include "ir/Kernel.h"
#include "ir/ShapeInference.h"

namespace dlc::ir {

namespace {

Status verifyNode(const Graph& graph, const Node& n,
                  const std::unordered_map<const Node*, size_t>& position, size_t index) {
  std::string who = n.describe();
  const OpInfo& info = opInfo(n.op);
  int arity = int(n.inputs.size());
  if (arity < info.minInputs || arity > info.maxInputs)
    return invalidArgument(who, ": has ", arity, " operands, the op table allows ",
                           info.minInputs, " to ", info.maxInputs);
  for (size_t i = 0; i < n.inputs.size(); ++i) {
    const Node* in = n.inputs[i];
    auto it = position.find(in);
    if (!in || it == position.end())
      return invalidArgument(who, ": operand ", i, " is not a node of the graph");
    if (it->second >= index)
      return invalidArgument(who, ": operand ", i, " \"", in->name,
                             "\" comes later in the node order (not topologically sorted)");
  }
  Status shapeOk = validateShape(n.type.shape);
  if (!shapeOk.ok()) return shapeOk.withContext(who + ": stored type " + n.type.str());
  if (n.kernel < -1) return invalidArgument(who, ": invalid kernel id ", n.kernel);
  if (n.op == OpKind::Input) {
    if (!n.value.empty()) return invalidArgument(who, ": an input carries constant data");
    return Status::OK();
  }
  if (n.op == OpKind::Constant) {
    if (n.value.empty()) return invalidArgument(who, ": constant has no data");
    if (n.value.type() != n.type)
      return invalidArgument(who, ": constant data is ", n.value.type().str(),
                             " but its type is ", n.type.str());
    return Status::OK();
  }
  if (!n.value.empty()) return invalidArgument(who, ": a computed node carries constant data");
  auto inferred = inferType(n);
  if (!inferred.ok()) return inferred.status().withContext(who);
  if (*inferred != n.type)
    return invalidArgument(who, ": stored type ", n.type.str(), " differs from the inferred type ",
                           inferred->str());
  return Status::OK();
}

Status verifyInputsAndOutputs(const Graph& graph,
                              const std::unordered_map<const Node*, size_t>& position) {
  std::unordered_set<const Node*> listed;
  for (const Node* in : graph.inputs()) {
    if (!in || !position.count(in)) return invalidArgument("a graph input is not in the graph");
    if (in->op != OpKind::Input)
      return invalidArgument(in->describe(), ": listed as a graph input but is not an input node");
    if (!listed.insert(in).second)
      return invalidArgument(in->describe(), ": listed twice as a graph input");
  }
  for (const auto& n : graph.nodes())
    if (n->op == OpKind::Input && !listed.count(n.get()))
      return invalidArgument(n->describe(), ": input node is not listed as a graph input");
  for (size_t i = 0; i < graph.outputs().size(); ++i)
    if (!graph.outputs()[i] || !position.count(graph.outputs()[i]))
      return invalidArgument("graph output ", i, " is not a node of the graph");
  return Status::OK();
}

// Either no node is annotated, or every computation is, consistently.
Status verifyKernels(const Graph& graph) {
  const Node* annotated = nullptr;
  for (const auto& n : graph.nodes())
    if (!isSource(n->op) && n->kernel >= 0) annotated = n.get();
  if (!annotated) return Status::OK();
  for (const auto& n : graph.nodes())
    if (!isSource(n->op) && n->kernel < 0)
      return invalidArgument(n->describe(), ": has no kernel annotation but ",
                             annotated->describe(), " has #k", annotated->kernel);
  // buildKernelPlan only reads the graph.
  return buildKernelPlan(const_cast<Graph&>(graph)).status();
}

}  // namespace

Status verify(const Graph& graph) {
  Status st = [&]() -> Status {
    std::unordered_map<const Node*, size_t> position;
    std::unordered_map<std::string, const Node*> names;
    for (size_t i = 0; i < graph.nodes().size(); ++i) {
      const Node* n = graph.nodes()[i].get();
      position[n] = i;
      auto [it, fresh] = names.emplace(n->name, n);
      if (!fresh) return invalidArgument(n->describe(), ": the name is used by two nodes");
      if (n->name.empty()) return invalidArgument("node ", i, " (", opName(n->op), ") has no name");
    }
    for (size_t i = 0; i < graph.nodes().size(); ++i)
      DLC_RETURN_IF_ERROR(verifyNode(graph, *graph.nodes()[i], position, i));
    DLC_RETURN_IF_ERROR(verifyInputsAndOutputs(graph, position));
    return verifyKernels(graph);
  }();
  if (st.ok()) return st;
  return Status(st.code(), strCat(graph.sourceFile.empty() ? "" : graph.sourceFile + ": ",
                                  "verifier: ", st.message()));
}

}  // namespace dlc::ir
