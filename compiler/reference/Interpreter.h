// The reference interpreter: evaluates an ir::Graph on host tensors exactly
// as docs/ops.md defines every op.
//
// It is the oracle every backend, pass and fusion test compares against, so
// it favours plain loops over speed: naive loops for matmul and conv, sums
// and dot products accumulated in double, f16/bf16 rounded only on store.
// It does not optimise, fuse, thread or vectorise anything, and it never
// trusts a node's stored type blindly: the result dims it computes from the
// operands must agree with the type, or it reports an error.
#pragma once

#include <vector>

#include "ir/Graph.h"
#include "support/Status.h"
#include "support/Tensor.h"

namespace dlc::ref {

// Evaluates `graph` (topologically sorted, types inferred) on `inputs`, given
// in graph.inputs() order. The batch size is read from the inputs whose
// declared type holds N; all of them must agree. Each input's dtype and dims
// are checked against its declared type; the error names the input. Returns
// the values of graph.outputs() in order. Nodes no output depends on are not
// evaluated; every value is freed after its last use.
StatusOr<std::vector<Tensor>> evaluate(const ir::Graph& graph,
                                       const std::vector<Tensor>& inputs);

// Evaluates one node on `operands` (one per node.inputs(), in order). The
// batch size is read from operands whose producer's type holds N (1 if none
// does). For single-op tests and for checking one kernel at a time.
StatusOr<Tensor> evaluateNode(const ir::Node& node,
                              const std::vector<const Tensor*>& operands);

}  // namespace dlc::ref
