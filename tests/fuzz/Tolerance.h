// How close a backend's output must be to the reference interpreter's, per
// output dtype and per op in the output's cone, and the comparison of a
// whole run against the reference under it.
//
// f32 (every backend, CPU and CUDA alike): |got - ref| <= atol + rtol·|ref|,
// atol 1e-5 and rtol 1e-4 unless an op the output depends on needs more
// (the table in Tolerance.cpp, each row with its reason). bool and integer
// outputs are exact. An output whose reference holds NaN or Inf is not
// compared; checkGraph counts it instead.
//
// What this deliberately does not do: run anything, or decide which backends
// are compared (Differential.h).
#pragma once

#include <string>
#include <vector>

#include "ir/Graph.h"
#include "support/Tensor.h"

namespace dlc::fuzz {

struct Tolerance {
  double atol = 1e-5;
  double rtol = 1e-4;
};

// The tolerance of graph output `out`: exact for non-float dtypes; for
// floats the loosest table row among the ops `out` depends on.
Tolerance toleranceFor(const ir::Node* out);

bool allFinite(const Tensor& t);

// "" when every output in `got` matches `ref` (graph.outputs() order) under
// its tolerance, skipping outputs whose reference is not finite; otherwise
// "<backend>, batch B, output i ("name"): <difference>".
std::string compareOutputs(const ir::Graph& graph, const std::vector<Tensor>& got,
                           const std::vector<Tensor>& ref, const std::string& backend,
                           int64_t batch);

}  // namespace dlc::fuzz
