// Group bookkeeping for the Fusion pass (see FusionGroups.h).
#include "passes/FusionGroups.h"

#include <algorithm>
#include <queue>
#include <unordered_set>

namespace dlc::passes {

std::optional<ir::KernelKind> rootKindOf(ir::OpKind op) {
  if (ir::isReduction(op)) return ir::KernelKind::Reduction;
  if (ir::isRowOp(op)) return ir::KernelKind::Row;
  if (ir::isContraction(op)) return ir::KernelKind::Contraction;
  if (ir::isPool(op)) return ir::KernelKind::Pool;
  return std::nullopt;
}

void FusionLog::record(const ir::Node* producer, const ir::Node* consumer,
                       std::string reason) {
  reasons_[{producer, consumer}] = std::move(reason);
}

std::vector<std::string> FusionLog::lines(const ir::Graph& graph) const {
  std::vector<std::string> out;
  for (const auto& owned : graph.nodes()) {
    const ir::Node* consumer = owned.get();
    std::unordered_set<const ir::Node*> seen;
    for (const ir::Node* producer : consumer->inputs) {
      if (ir::isSource(producer->op) || producer->kernel == consumer->kernel ||
          !seen.insert(producer).second)
        continue;
      auto it = reasons_.find({producer, consumer});
      DLC_CHECK(it != reasons_.end(), "fusion left ", producer->name, " -> ", consumer->name,
                " unfused without a reason");
      out.push_back(strCat("no fuse: ", producer->name, " -> ", consumer->name, ": ",
                           it->second));
    }
  }
  return out;
}

FusionGroups::FusionGroups(ir::Graph& graph) : graph_(graph) {
  for (const auto& owned : graph.nodes()) {
    ir::Node* n = owned.get();
    for (ir::Node* in : n->inputs) {
      auto& list = users_[in];
      if (std::find(list.begin(), list.end(), n) == list.end()) list.push_back(n);
    }
    if (ir::isSource(n->op)) continue;
    FusionGroup g;
    g.id = int(groups_.size());
    g.members.push_back(n);
    g.device = n->device;
    if (auto kind = rootKindOf(n->op)) {
      g.kind = *kind;
      g.root = n;
      g.space = ElementCount::of(n->inputs.front()->type);
      roles_[n] = FusionRole::Root;
    } else {
      g.space = ElementCount::of(n->type);
      roles_[n] = FusionRole::Loop;
    }
    groupOf_[n] = g.id;
    groups_.push_back(std::move(g));
  }
}

int FusionGroups::groupOf(const ir::Node* node) const {
  auto it = groupOf_.find(node);
  return it == groupOf_.end() ? -1 : it->second;
}

const std::vector<ir::Node*>& FusionGroups::users(const ir::Node* node) const {
  static const std::vector<ir::Node*> kNone;
  auto it = users_.find(node);
  return it == users_.end() ? kNone : it->second;
}

bool FusionGroups::isSingleton(const ir::Node* node) const {
  int gid = groupOf(node);
  return gid >= 0 && group(gid).members.size() == 1;
}

std::vector<int> FusionGroups::consumerGroups(const ir::Node* node, int except) const {
  std::vector<int> out;
  for (const ir::Node* u : users(node)) {
    int gid = groupOf(u);
    if (gid != except && std::find(out.begin(), out.end(), gid) == out.end()) out.push_back(gid);
  }
  return out;
}

ir::Node* FusionGroups::firstUserIn(const ir::Node* node, int gid) const {
  for (ir::Node* u : users(node))
    if (groupOf(u) == gid) return u;
  return nullptr;
}

int FusionGroups::paramsIfMerged(int gid, int extra, const ir::Node* extraNode) const {
  std::unordered_set<const ir::Node*> members(group(gid).members.begin(),
                                              group(gid).members.end());
  if (extra >= 0) members.insert(group(extra).members.begin(), group(extra).members.end());
  std::vector<const ir::Node*> all(members.begin(), members.end());
  if (extraNode) all.push_back(extraNode);
  std::unordered_set<const ir::Node*> params;
  for (const ir::Node* n : all)
    for (const ir::Node* in : n->inputs)
      if (!members.count(in) && in != extraNode) params.insert(in);
  return int(params.size());
}

bool FusionGroups::reaches(const std::vector<int>& starts, int a, int b) const {
  std::vector<char> seen(groups_.size(), 0);
  std::vector<int> stack = starts;
  while (!stack.empty()) {
    int g = stack.back();
    stack.pop_back();
    if (g == a || g == b) return true;
    if (seen[size_t(g)]) continue;
    seen[size_t(g)] = 1;
    for (const ir::Node* m : group(g).members)
      for (const ir::Node* u : users(m)) {
        int next = groupOf(u);
        if (next != g && !seen[size_t(next)]) stack.push_back(next);
      }
  }
  return false;
}

bool FusionGroups::mergeCreatesCycle(int a, int b) const {
  // Successors of a and b outside both; any path from them back into a or b
  // would run through the merged kernel twice.
  std::vector<int> starts;
  for (int g : {a, b})
    for (const ir::Node* m : group(g).members)
      for (const ir::Node* u : users(m)) {
        int next = groupOf(u);
        if (next != a && next != b) starts.push_back(next);
      }
  return reaches(starts, a, b);
}

bool FusionGroups::dependent(int a, int b) const {
  return reaches({a}, b, b) || reaches({b}, a, a);
}

void FusionGroups::addToGroup(ir::Node* node, int gid, FusionRole role) {
  int old = groupOf(node);
  DLC_CHECK(old >= 0 && old != gid, "node ", node->name, " cannot move to group ", gid);
  auto& members = group(old).members;
  members.erase(std::find(members.begin(), members.end(), node));
  if (members.empty()) group(old).alive = false;
  group(gid).members.push_back(node);
  groupOf_[node] = gid;
  roles_[node] = role;
}

void FusionGroups::mergeGroups(int into, int from) {
  DLC_CHECK(into != from && group(from).alive && !(group(into).root && group(from).root),
            "cannot merge groups ", into, " and ", from);
  if (group(from).root) {
    group(into).kind = group(from).kind;
    group(into).root = group(from).root;
    group(into).space = group(from).space;
  }
  bool rooted = group(into).root != nullptr;
  for (ir::Node* m : group(into).members)
    if (rooted && roles_[m] == FusionRole::Loop) roles_[m] = FusionRole::Producer;
  for (ir::Node* m : group(from).members) {
    if (rooted && roles_[m] == FusionRole::Loop) roles_[m] = FusionRole::Producer;
    group(into).members.push_back(m);
    groupOf_[m] = into;
  }
  group(from).members.clear();
  group(from).alive = false;
}

ir::Node* FusionGroups::cloneIntoGroup(ir::Node* node, int gid, FusionRole role) {
  ir::Node* clone = graph_.addNode(node->op, node->name, node->inputs, node->attrs);
  clone->type = node->type;
  clone->device = node->device;
  clone->location = node->location;
  clone->origins = node->origins;
  std::vector<ir::Node*> moved, kept;
  for (ir::Node* u : users_[node]) (groupOf(u) == gid ? moved : kept).push_back(u);
  for (ir::Node* u : moved)
    for (ir::Node*& in : u->inputs)
      if (in == node) in = clone;
  users_[node] = std::move(kept);
  users_[clone] = std::move(moved);
  for (ir::Node* in : clone->inputs) {
    auto& list = users_[in];
    if (std::find(list.begin(), list.end(), clone) == list.end()) list.push_back(clone);
  }
  group(gid).members.push_back(clone);
  groupOf_[clone] = gid;
  roles_[clone] = role;
  return clone;
}

std::vector<int> FusionGroups::topologicalOrder() const {
  std::vector<int> pending(groups_.size(), 0);
  std::vector<std::vector<int>> next(groups_.size());
  for (const FusionGroup& g : groups_) {
    if (!g.alive) continue;
    std::unordered_set<int> producers;
    for (const ir::Node* m : g.members)
      for (const ir::Node* in : m->inputs) {
        int p = groupOf(in);
        if (p >= 0 && p != g.id) producers.insert(p);
      }
    for (int p : producers) next[size_t(p)].push_back(g.id);
    pending[size_t(g.id)] = int(producers.size());
  }
  std::priority_queue<int, std::vector<int>, std::greater<>> ready;
  for (const FusionGroup& g : groups_)
    if (g.alive && pending[size_t(g.id)] == 0) ready.push(g.id);
  std::vector<int> order;
  while (!ready.empty()) {
    int g = ready.top();
    ready.pop();
    order.push_back(g);
    for (int c : next[size_t(g)])
      if (--pending[size_t(c)] == 0) ready.push(c);
  }
  return order;
}

}  // namespace dlc::passes
