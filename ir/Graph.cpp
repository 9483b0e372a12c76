#include "ir/Graph.h"

#include <algorithm>
#include <unordered_set>

namespace dlc::ir {

std::string Node::describe() const {
  std::string s;
  if (!location.empty()) s = location + " ";
  return s + "\"" + name + "\" (" + std::string(opName(op)) + ")";
}

Node* Graph::addInput(const std::string& name, TensorType type) {
  Node* n = addNode(OpKind::Input, name, {});
  n->type = std::move(type);
  inputs_.push_back(n);
  return n;
}

Node* Graph::addConstant(const std::string& name, Tensor value) {
  Node* n = addNode(OpKind::Constant, name, {});
  n->type = value.type();
  n->value = std::move(value);
  return n;
}

Node* Graph::addNode(OpKind op, const std::string& name, std::vector<Node*> inputs,
                     Attributes attrs) {
  auto node = std::make_unique<Node>();
  node->op = op;
  node->name = name.empty() || byName_.count(name) ? uniqueName(name.empty() ? "t" : name) : name;
  node->inputs = std::move(inputs);
  node->attrs = std::move(attrs);
  if (!isSource(op)) node->origins.push_back(node->name);
  Node* raw = node.get();
  byName_[raw->name] = raw;
  nodes_.push_back(std::move(node));
  return raw;
}

Node* Graph::find(const std::string& name) const {
  auto it = byName_.find(name);
  return it == byName_.end() ? nullptr : it->second;
}

std::string Graph::uniqueName(const std::string& base) const {
  for (;;) {
    std::string candidate = base + "." + std::to_string(nameCounter_++);
    if (!byName_.count(candidate)) return candidate;
  }
}

void Graph::replaceAllUsesWith(Node* from, Node* to) {
  for (auto& n : nodes_)
    if (n.get() != to)
      for (auto& in : n->inputs)
        if (in == from) in = to;
  for (auto& o : outputs_)
    if (o == from) o = to;
}

std::unordered_set<const Node*> Graph::liveNodes() const {
  std::unordered_set<const Node*> live;
  std::vector<const Node*> stack(outputs_.begin(), outputs_.end());
  while (!stack.empty()) {
    const Node* n = stack.back();
    stack.pop_back();
    if (!live.insert(n).second) continue;
    for (Node* in : n->inputs) stack.push_back(in);
  }
  for (Node* in : inputs_) live.insert(in);
  return live;
}

void Graph::addFoldedOrigin(const std::string& origin) {
  if (std::find(foldedOrigins.begin(), foldedOrigins.end(), origin) == foldedOrigins.end())
    foldedOrigins.push_back(origin);
}

int Graph::removeDeadNodes() {
  std::unordered_set<const Node*> live = liveNodes();
  int removed = 0;
  std::vector<std::unique_ptr<Node>> kept;
  for (auto& n : nodes_) {
    if (live.count(n.get())) {
      kept.push_back(std::move(n));
    } else {
      byName_.erase(n->name);
      ++removed;
    }
  }
  nodes_ = std::move(kept);
  return removed;
}

Status Graph::topoSort() {
  std::unordered_map<const Node*, int> state;  // 0 new, 1 visiting, 2 done
  std::unordered_map<const Node*, size_t> index;
  for (size_t i = 0; i < nodes_.size(); ++i) index[nodes_[i].get()] = i;
  std::vector<std::unique_ptr<Node>> order;
  order.reserve(nodes_.size());
  std::vector<std::unique_ptr<Node>*> slots;
  for (auto& n : nodes_) slots.push_back(&n);
  // Iterative DFS keeping the original order where possible.
  for (size_t root = 0; root < nodes_.size(); ++root) {
    if (!nodes_[root] || state[nodes_[root].get()] == 2) continue;
    std::vector<std::pair<Node*, size_t>> stack{{nodes_[root].get(), 0}};
    state[nodes_[root].get()] = 1;
    while (!stack.empty()) {
      auto& [n, next] = stack.back();
      if (next < n->inputs.size()) {
        Node* in = n->inputs[next++];
        if (!index.count(in))
          return internalError("node \"", n->name, "\" reads a node that is not in the graph");
        int s = state[in];
        if (s == 1)
          return invalidArgument("cycle: node ", in->describe(), " depends on itself through ",
                                 n->describe());
        if (s == 0) {
          state[in] = 1;
          stack.push_back({in, 0});
        }
        continue;
      }
      state[n] = 2;
      order.push_back(std::move(nodes_[index[n]]));
      stack.pop_back();
    }
  }
  nodes_ = std::move(order);
  return Status::OK();
}

void Graph::moveBefore(Node* node, Node* before) {
  auto it = std::find_if(nodes_.begin(), nodes_.end(), [&](auto& p) { return p.get() == node; });
  DLC_CHECK(it != nodes_.end());
  std::unique_ptr<Node> owned = std::move(*it);
  nodes_.erase(it);
  auto pos = std::find_if(nodes_.begin(), nodes_.end(), [&](auto& p) { return p.get() == before; });
  nodes_.insert(pos, std::move(owned));
}

std::unordered_map<const Node*, std::vector<Node*>> Graph::computeUsers() const {
  std::unordered_map<const Node*, std::vector<Node*>> users;
  for (auto& n : nodes_)
    for (Node* in : n->inputs) users[in].push_back(n.get());
  return users;
}

bool Graph::isOutput(const Node* n) const {
  return std::find(outputs_.begin(), outputs_.end(), n) != outputs_.end();
}

std::unique_ptr<Graph> Graph::clone() const {
  auto g = std::make_unique<Graph>();
  g->name = name;
  g->sourceFile = sourceFile;
  g->foldedOrigins = foldedOrigins;
  g->nameCounter_ = nameCounter_;
  std::unordered_map<const Node*, Node*> map;
  for (auto& n : nodes_) {
    auto copy = std::make_unique<Node>(*n);
    for (auto& in : copy->inputs) in = map.at(in);
    map[n.get()] = copy.get();
    g->byName_[copy->name] = copy.get();
    g->nodes_.push_back(std::move(copy));
  }
  for (Node* in : inputs_) g->inputs_.push_back(map.at(in));
  for (Node* out : outputs_) g->outputs_.push_back(map.at(out));
  return g;
}

}  // namespace dlc::ir
