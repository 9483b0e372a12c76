// Builds the kernel plan from Node::kernel annotations (ir/Kernel.h).
//
// It reads annotations only: it never decides what to fuse (passes/Fusion
// does) and never records refusals. It rejects annotations no backend could
// compile: a kernel with two roots, members on different devices, or
// kernels that depend on each other in a cycle.
#include "ir/Kernel.h"

#include <algorithm>
#include <map>
#include <queue>
#include <unordered_map>
#include <unordered_set>

namespace dlc::ir {

std::string_view kernelKindName(KernelKind kind) {
  switch (kind) {
    case KernelKind::Loop: return "loop";
    case KernelKind::Reduction: return "reduction";
    case KernelKind::Row: return "row";
    case KernelKind::Contraction: return "contraction";
    case KernelKind::Pool: return "pool";
  }
  return "unknown";
}

std::string Kernel::label() const {
  std::string s;
  for (const Node* n : nodes) {
    if (!s.empty()) s += '+';
    s += opName(n->op);
  }
  return s;
}

namespace {

std::optional<KernelKind> rootKind(OpKind op) {
  if (isReduction(op)) return KernelKind::Reduction;
  if (isRowOp(op)) return KernelKind::Row;
  if (isContraction(op)) return KernelKind::Contraction;
  if (isPool(op)) return KernelKind::Pool;
  return std::nullopt;
}

std::string kernelName(const Kernel& k) { return strCat("k", k.id, " (", k.label(), ")"); }

// Fills root/kind/device/params/outputs of a kernel whose nodes are set.
Status completeKernel(const Graph& graph, Kernel& k,
                      const std::unordered_map<const Node*, std::vector<Node*>>& users) {
  std::unordered_set<const Node*> members(k.nodes.begin(), k.nodes.end());
  std::unordered_set<const Node*> paramSet;
  k.device = k.nodes.front()->device;
  for (Node* n : k.nodes) {
    if (auto kind = rootKind(n->op)) {
      if (k.root)
        return invalidArgument("kernel ", kernelName(k), " has two roots: ", k.root->describe(),
                               " and ", n->describe());
      k.root = n;
      k.kind = *kind;
    }
    if (n->device != k.device)
      return invalidArgument("kernel ", kernelName(k), " mixes devices: ",
                             k.nodes.front()->describe(), " on \"", k.device, "\" and ",
                             n->describe(), " on \"", n->device, "\"");
    for (Node* in : n->inputs)
      if (!members.count(in) && paramSet.insert(in).second) k.params.push_back(in);
  }
  for (Node* n : k.nodes) {
    bool escapes = graph.isOutput(n);
    auto it = users.find(n);
    if (it != users.end())
      for (const Node* u : it->second) escapes = escapes || !members.count(u);
    if (escapes) k.outputs.push_back(n);
  }
  return Status::OK();
}

// Orders kernels so each runs after the kernels producing its params,
// keeping the order of first appearance where the dependencies allow.
StatusOr<std::vector<Kernel>> orderKernels(std::vector<Kernel> kernels) {
  std::unordered_map<int, size_t> index;
  for (size_t i = 0; i < kernels.size(); ++i) index[kernels[i].id] = i;
  std::vector<std::vector<size_t>> consumers(kernels.size());
  std::vector<int> pending(kernels.size(), 0);
  for (size_t i = 0; i < kernels.size(); ++i) {
    std::unordered_set<size_t> producers;
    for (const Node* p : kernels[i].params) {
      if (isSource(p->op)) continue;
      auto it = index.find(p->kernel);
      if (it == index.end() || it->second == i)
        return invalidArgument("kernel ", kernelName(kernels[i]), " reads ", p->describe(),
                               ", which belongs to no other kernel of the graph");
      producers.insert(it->second);
    }
    for (size_t p : producers) {
      consumers[p].push_back(i);
      ++pending[i];
    }
  }
  std::priority_queue<size_t, std::vector<size_t>, std::greater<>> ready;
  for (size_t i = 0; i < kernels.size(); ++i)
    if (pending[i] == 0) ready.push(i);
  std::vector<size_t> order;
  while (!ready.empty()) {
    size_t i = ready.top();
    ready.pop();
    order.push_back(i);
    for (size_t c : consumers[i])
      if (--pending[c] == 0) ready.push(c);
  }
  if (order.size() != kernels.size()) {
    std::string names;
    for (size_t i = 0; i < kernels.size(); ++i)
      if (pending[i] > 0) names += (names.empty() ? "" : ", ") + kernelName(kernels[i]);
    return invalidArgument("kernels depend on each other in a cycle: ", names);
  }
  std::vector<Kernel> sorted;
  for (size_t i : order) sorted.push_back(std::move(kernels[i]));
  return sorted;
}

}  // namespace

StatusOr<KernelPlan> buildKernelPlan(Graph& graph) {
  std::map<int, size_t> slot;  // kernel id -> index in `kernels`
  std::vector<Kernel> kernels;
  for (const auto& n : graph.nodes()) {
    if (isSource(n->op)) continue;
    if (n->kernel < 0)
      return invalidArgument(n->describe(), ": has no kernel annotation (run fusion first)");
    auto [it, fresh] = slot.emplace(n->kernel, kernels.size());
    if (fresh) {
      kernels.emplace_back();
      kernels.back().id = n->kernel;
    }
    kernels[it->second].nodes.push_back(n.get());
  }
  auto users = graph.computeUsers();
  for (Kernel& k : kernels) DLC_RETURN_IF_ERROR(completeKernel(graph, k, users));
  KernelPlan plan;
  DLC_ASSIGN_OR_RETURN(plan.kernels, orderKernels(std::move(kernels)));
  return plan;
}

}  // namespace dlc::ir
