// CSE: merges nodes that compute the same value.
//
// Two nodes merge when they have the same op, operands, attributes, type,
// device and fusion group; constants merge when their bytes are equal too.
// Commutative ops (the op table's Commutative trait) also match with their
// two operands swapped. The earlier node survives and gains the removed
// node's origins; the removed node is left dead for DCE.
//
// It deliberately does not: merge graph inputs (distinct by definition),
// look at dead nodes (DCE's job, and it keeps reruns from re-merging the
// same pair), merge two graph outputs into one node (each output keeps its
// own producer), or reason about algebra (a+b vs b+a is the only identity).
#pragma once

#include "passes/Pass.h"

namespace dlc::passes {

class CSE : public Pass {
 public:
  std::string_view name() const override { return "cse"; }
  StatusOr<bool> run(ir::Graph& graph) override;
};

}  // namespace dlc::passes
