// FusionGroups: the mutable kernel grouping the Fusion pass builds.
//
// Every non-source node belongs to exactly one group; a group becomes one
// kernel. The bookkeeping here answers the structural questions the pass
// asks before each step (which groups read a node, how many params a merged
// group would read, would merging two groups create a cycle between kernels)
// and performs the steps (move a node into a group, clone a node into a
// group, merge two groups). It decides nothing itself: policy and rules live
// in FusionPolicy and Fusion.cpp.
#pragma once

#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "ir/Graph.h"
#include "ir/Kernel.h"

namespace dlc::passes {

// How a member relates to its group's root.
enum class FusionRole {
  Loop,      // member of a Loop kernel (no root)
  Root,      // the reduction / row / contraction / pool op
  Producer,  // computed before the root, feeding it
  Epilogue,  // computed after the root, in the root's output shape
};

// The number of elements of a type, symbolically in the batch.
struct ElementCount {
  int64_t fixed = 0;
  bool batch = false;
  static ElementCount of(const ir::TensorType& type) {
    return {type.shape.staticElements(), type.shape.hasBatch()};
  }
  bool operator==(const ElementCount& o) const { return fixed == o.fixed && batch == o.batch; }
  std::string str() const { return batch ? strCat(fixed, "*N") : strCat(fixed); }
};

struct FusionGroup {
  int id = -1;
  ir::KernelKind kind = ir::KernelKind::Loop;
  ir::Node* root = nullptr;
  std::vector<ir::Node*> members;  // in the order they joined
  std::string device;
  // Element count every output written in the producer-side index space
  // must have: a Loop kernel's iteration space, or the root's input.
  ElementCount space;
  bool alive = true;
};

// The reason behind every producer -> consumer edge left between kernels.
// A later record for the same edge replaces an earlier one.
class FusionLog {
 public:
  void record(const ir::Node* producer, const ir::Node* consumer, std::string reason);
  // "no fuse: <producer> -> <consumer>: <reason>" for every edge whose ends
  // are in different kernels (Node::kernel), in graph order.
  std::vector<std::string> lines(const ir::Graph& graph) const;

 private:
  struct EdgeHash {
    size_t operator()(const std::pair<const ir::Node*, const ir::Node*>& e) const {
      return std::hash<const void*>()(e.first) * 31 + std::hash<const void*>()(e.second);
    }
  };
  std::unordered_map<std::pair<const ir::Node*, const ir::Node*>, std::string, EdgeHash>
      reasons_;
};

// The kind of kernel a node roots, if any.
std::optional<ir::KernelKind> rootKindOf(ir::OpKind op);

class FusionGroups {
 public:
  // One group per non-source node of `graph`, which must be topologically
  // sorted.
  explicit FusionGroups(ir::Graph& graph);

  int groupOf(const ir::Node* node) const;  // -1 for graph inputs and constants
  FusionGroup& group(int id) { return groups_[size_t(id)]; }
  const FusionGroup& group(int id) const { return groups_[size_t(id)]; }
  FusionRole role(const ir::Node* node) const { return roles_.at(node); }
  const std::vector<ir::Node*>& users(const ir::Node* node) const;
  bool isSingleton(const ir::Node* node) const;

  // Distinct groups of the users of `node`, in user order, except `except`.
  std::vector<int> consumerGroups(const ir::Node* node, int except = -1) const;
  // First user of `node` inside group `gid`.
  ir::Node* firstUserIn(const ir::Node* node, int gid) const;
  // Distinct params of group `gid` with `extra`'s members added (-1: none),
  // and with a clone of `extraNode` taking its place as the group's operand
  // (null: none).
  int paramsIfMerged(int gid, int extra, const ir::Node* extraNode = nullptr) const;
  // True when merging groups a and b would make kernels depend on each
  // other in a cycle (a path from one to the other leaves both).
  bool mergeCreatesCycle(int a, int b) const;
  // True when some path leads from group a to group b (or back).
  bool dependent(int a, int b) const;

  // Moves the (singleton) node into group `gid` with `role`.
  void addToGroup(ir::Node* node, int gid, FusionRole role);
  // Moves every member of `from` into `into`; `from` dies.
  void mergeGroups(int into, int from);
  // Clones `node` into group `gid`: the users of `node` in `gid` read the
  // clone, which keeps the origins. Returns the clone.
  ir::Node* cloneIntoGroup(ir::Node* node, int gid, FusionRole role);

  // Alive groups in an order where every group follows the groups it reads.
  std::vector<int> topologicalOrder() const;

 private:
  bool reaches(const std::vector<int>& starts, int a, int b) const;

  ir::Graph& graph_;
  std::vector<FusionGroup> groups_;
  std::unordered_map<const ir::Node*, int> groupOf_;
  std::unordered_map<const ir::Node*, FusionRole> roles_;
  std::unordered_map<const ir::Node*, std::vector<ir::Node*>> users_;
};

}  // namespace dlc::passes
