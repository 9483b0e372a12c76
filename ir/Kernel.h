// Kernels: the fusion groups the Fusion pass forms and backends compile.
//
// A kernel is a set of graph nodes that runs as one piece of machine code:
// it reads its params once and writes its outputs once; values inside it
// never touch memory. Node::kernel holds the kernel id of every non-source
// node after fusion.
#pragma once

#include <string>
#include <vector>

#include "ir/Graph.h"

namespace dlc::ir {

enum class KernelKind {
  Loop,         // elementwise + broadcast + index remaps: one loop nest over the output
  Reduction,    // reduce op with input-fused producers and an elementwise epilogue
  Row,          // softmax / log_softmax / layer_norm rows, producers and epilogue fused
  Contraction,  // matmul / dense / conv2d with a fused elementwise epilogue
  Pool,         // max/avg/global pooling, producers and epilogue fused
};

std::string_view kernelKindName(KernelKind kind);

struct Kernel {
  int id = -1;
  KernelKind kind = KernelKind::Loop;
  // Member nodes in topological order.
  std::vector<Node*> nodes;
  // The op that defines the iteration space (the reduction, row op,
  // contraction or pool); nullptr for Loop kernels.
  Node* root = nullptr;
  // Values read from outside the kernel (graph inputs, constants, other
  // kernels' outputs), in a fixed order: the kernel's first arguments.
  std::vector<Node*> params;
  // Member values used outside the kernel or as graph outputs, in order:
  // the arguments after params. Several outputs = a multi-output fusion.
  std::vector<Node*> outputs;
  // Device of every member ("/device:CPU:0").
  std::string device;
  // Short human-readable description: "dense+add+relu".
  std::string label() const;
};

// The fused program: the graph plus its kernels in execution order.
struct KernelPlan {
  std::vector<Kernel> kernels;
  // One line per fusion decision that refused to fuse, with its reason:
  // "no fuse: exp.3 -> add.4 (k1): expensive producer with 2 consumers".
  std::vector<std::string> refusals;
};

// Recomputes params/outputs/root/kind of each kernel from Node::kernel
// annotations and orders kernels topologically. Used after fusion and by
// the IR parser, so a plan can be rebuilt from text.
StatusOr<KernelPlan> buildKernelPlan(Graph& graph);

}  // namespace dlc::ir
