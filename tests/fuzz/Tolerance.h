// How close a backend's output must be to the reference interpreter's, per
// output dtype and per op in the output's cone, and the comparison of a
// whole run against the reference under it.
//
// f32 (every backend, CPU and CUDA alike): |got - ref| <= atol + rtol·|ref|,
// atol 1e-5 and rtol 1e-4 unless an op the output depends on needs more
// (the table in Tolerance.cpp, each row with its reason). An f32 value
// carries the rounding of the largest values it was computed from, so an
// output that cancels large intermediates (a sum of exps near 600 fed
// through two dense layers into a subtraction that leaves 0.016) gets
// atol >= kCancellationUlps · 2^-24 · M, M the largest |value| of any float
// node in its cone in the reference run (plain NumPy f32 misses the fixed
// atol there by more than dlc does: dlc-fuzz seed 1057806). bool and
// integer outputs are exact. An output whose reference holds NaN or Inf is not
// compared; checkGraph counts it instead.
//
// What this deliberately does not do: run anything, or decide which backends
// are compared (Differential.h).
#pragma once

#include <string>
#include <vector>

#include "ir/Graph.h"
#include "support/Status.h"
#include "support/Tensor.h"

namespace dlc::fuzz {

struct Tolerance {
  double atol = 1e-5;
  double rtol = 1e-4;
};

// The tolerance of graph output `out`: exact for non-float dtypes; for
// floats the loosest table row among the ops `out` depends on.
Tolerance toleranceFor(const ir::Node* out);
// The same, with atol raised for cancellation of values up to `coneMagnitude`.
Tolerance toleranceFor(const ir::Node* out, double coneMagnitude);
constexpr double kCancellationUlps = 64;

// Per graph output, the largest finite |value| of any float node (inputs and
// constants included) that the output depends on, for `inputs`; evaluates
// every node of a copy of `graph` with the reference interpreter.
StatusOr<std::vector<double>> coneMagnitudes(const ir::Graph& graph,
                                             const std::vector<Tensor>& inputs);

bool allFinite(const Tensor& t);

// "" when every output in `got` matches `ref` (graph.outputs() order) under
// its tolerance, skipping outputs whose reference is not finite; otherwise
// "<backend>, batch B, output i ("name"): <difference>".
// `coneMagnitude` (per output, may be empty: no cancellation allowance) as
// in InputSet.
std::string compareOutputs(const ir::Graph& graph, const std::vector<Tensor>& got,
                           const std::vector<Tensor>& ref, const std::string& backend,
                           int64_t batch, const std::vector<double>& coneMagnitude = {});

}  // namespace dlc::fuzz
