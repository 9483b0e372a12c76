// The dlc graph IR: single-output nodes in topological order.
//
// Every node produces exactly one tensor: graph inputs and constants are
// nodes too (ops `input` and `constant`), so an operand is simply a Node*.
// A node remembers the names of the source-model nodes it implements
// (`origins`), so the placement report can map every original node to the
// kernel it ended up in, through CSE, folding and fusion.
#pragma once

#include <memory>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "ir/Attributes.h"
#include "ir/Op.h"
#include "ir/Types.h"
#include "support/Status.h"
#include "support/Tensor.h"

namespace dlc::ir {

struct Node {
  OpKind op;
  std::string name;
  std::vector<Node*> inputs;
  Attributes attrs;
  TensorType type;
  std::string device;    // "" = the target's default device
  Tensor value;          // data of a `constant`; empty otherwise
  std::string location;  // where the user wrote it: "nodes[12]"
  std::vector<std::string> origins;  // source-model nodes it implements
  int kernel = -1;       // fusion group id, -1 before fusion

  // "nodes[12] \"conv1\"" style prefix for user-facing messages.
  std::string describe() const;
};

class Graph {
 public:
  Graph() = default;
  Graph(const Graph&) = delete;
  Graph& operator=(const Graph&) = delete;
  Graph(Graph&&) = default;
  Graph& operator=(Graph&&) = default;

  std::string name = "graph";
  std::string sourceFile;  // the model file, for error messages

  Node* addInput(const std::string& name, TensorType type);
  Node* addConstant(const std::string& name, Tensor value);
  // Appends a node; its type is left for inferTypes()/inferNodeType().
  Node* addNode(OpKind op, const std::string& name, std::vector<Node*> inputs,
                Attributes attrs = {});

  const std::vector<std::unique_ptr<Node>>& nodes() const { return nodes_; }
  const std::vector<Node*>& inputs() const { return inputs_; }
  const std::vector<Node*>& outputs() const { return outputs_; }
  void setOutputs(std::vector<Node*> outs) { outputs_ = std::move(outs); }
  void addOutput(Node* n) { outputs_.push_back(n); }

  Node* find(const std::string& name) const;
  // A name not yet used in this graph, derived from `base`.
  std::string uniqueName(const std::string& base) const;

  // Replaces every use of `from` (operands and graph outputs) with `to`.
  void replaceAllUsesWith(Node* from, Node* to);
  // Nodes some graph output depends on, plus the graph inputs (which are
  // live even when unused: they are part of the model's signature).
  std::unordered_set<const Node*> liveNodes() const;
  // Removes the nodes liveNodes() leaves out. Returns how many.
  int removeDeadNodes();
  // Re-orders nodes topologically; reports a cycle by node name.
  Status topoSort();
  // Moves `node` (just appended) to sit right before `before`.
  void moveBefore(Node* node, Node* before);

  // users[n] = nodes that read n (a node reading n twice appears twice).
  std::unordered_map<const Node*, std::vector<Node*>> computeUsers() const;
  bool isOutput(const Node* n) const;

  // Names of source-model nodes folded away at compile time.
  std::vector<std::string> foldedOrigins;
  // Appends `origin` to foldedOrigins unless it is there already.
  void addFoldedOrigin(const std::string& origin);

  // Deep copy (constants share their storage).
  std::unique_ptr<Graph> clone() const;

 private:
  std::vector<std::unique_ptr<Node>> nodes_;
  std::vector<Node*> inputs_;
  std::vector<Node*> outputs_;
  std::unordered_map<std::string, Node*> byName_;
  mutable int nameCounter_ = 0;
};

}  // namespace dlc::ir
