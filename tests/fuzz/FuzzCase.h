// A differential-fuzzing case: one random valid graph plus its input values
// at every batch size it runs at, all derived from one seed.
//
// The generator (GraphGen.h) makes them; the runner (Differential.h) checks
// them; the shrinker (Shrink.h) makes smaller ones that still fail. This
// header holds only the data and a tiny deterministic RNG (splitmix64), so a
// seed means the same graph on every platform and standard library.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "ir/Graph.h"
#include "support/Tensor.h"

namespace dlc::fuzz {

// splitmix64: small, fast, and fully specified (unlike std:: distributions).
class Rng {
 public:
  // The seed is hashed first: adjacent seeds would otherwise give the same
  // sequence shifted by one draw.
  explicit Rng(uint64_t seed) : state_(seed) { state_ = next(); }
  uint64_t next() {
    uint64_t z = (state_ += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  // Uniform integer in [lo, hi].
  int64_t range(int64_t lo, int64_t hi) {
    return lo + int64_t(next() % uint64_t(hi - lo + 1));
  }
  // Uniform double in [lo, hi).
  double uniform(double lo, double hi) {
    return lo + (hi - lo) * double(next() >> 11) * (1.0 / 9007199254740992.0);
  }
  bool chance(double p) { return uniform(0, 1) < p; }
  template <typename T> const T& pick(const std::vector<T>& v) {
    return v[size_t(range(0, int64_t(v.size()) - 1))];
  }

 private:
  uint64_t state_;
};

// Input values for one run: one tensor per graph input, in graph.inputs()
// order, all at batch size `batch` (1 when the graph has no batch symbol).
struct InputSet {
  int64_t batch = 1;
  std::vector<Tensor> values;
  // Per graph output, the largest finite |value| of any float node it
  // depends on in the reference run (Tolerance.h); filled by checkGraph.
  std::vector<double> coneMagnitude;
};

struct FuzzCase {
  uint64_t seed = 0;
  std::unique_ptr<ir::Graph> graph;  // topologically sorted, types inferred
  std::vector<InputSet> runs;        // batch 1 and 3 for graphs with N
};

}  // namespace dlc::fuzz
