// AlgebraicSimplify: removes computations that do nothing and collapses
// chains of layout ops.
//
//   x*1, 1*x, x+0, 0+x, x-0, x/1  ->  x   (the 0/1 is a constant splat, and
//                                          only when the result type equals
//                                          x's: no broadcast widening)
//   transpose(transpose(x, p1), p2) -> transpose(x, p1∘p2); identity -> x
//   reshape(reshape|flatten(x))     -> reshape(x)
//   reshape / flatten / broadcast_to / cast to x's own type -> x
//
// The node that replaces another inherits its origins (to
// graph.foldedOrigins when the replacement is a graph input or constant).
// Rewrites made in place are re-checked with shape inference and dropped if
// the type would change.
//
// It deliberately does not: fold constants (ConstantFold), merge duplicates
// (CSE), remove the bypassed nodes (DCE), touch flatten's own form (it stays
// a flatten), or apply rewrites that can change a result (no reassociation,
// no x*0 -> 0, which is wrong for NaN and inf); the one bit-level difference
// it allows is x+0 keeping a -0 that the add would have made +0. A graph
// output is never replaced by a graph input, a constant or another output.
#pragma once

#include "passes/Pass.h"

namespace dlc::passes {

class AlgebraicSimplify : public Pass {
 public:
  std::string_view name() const override { return "algebraic-simplify"; }
  StatusOr<bool> run(ir::Graph& graph) override;
};

}  // namespace dlc::passes
