// What the pieces of the random-graph generator (GraphGen.h) share: the
// value-with-interval type Val, the size helpers, and the Generator class,
// whose members are defined across
//   GraphGen.cpp            the driver: run, value pool, emit, op dispatch, outputs
//   GraphGenShapes.cpp      shapes, broadcast partners and safe-range helpers
//   GraphGenElementwise.cpp unary / binary math and compare + select
//   GraphGenNN.cpp          reductions, matmul / dense, conv / pool, row ops, batch_norm
//   GraphGenLayout.cpp      reshape / flatten / transpose / slice / pad / concat /
//                           broadcast_to / gather
//
// Internal to tests/fuzz: nothing outside the generator includes it. Which
// file a member lives in does not matter to the output; the order of Rng
// draws inside each member does (a seed must always give the same graph).
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "ir/Graph.h"
#include "tests/fuzz/FuzzCase.h"
#include "tests/fuzz/GraphGen.h"

namespace dlc::fuzz::graphgen {

using ir::Attributes;
using ir::kBatch;
using ir::Node;
using ir::OpKind;
using Dims = std::vector<int64_t>;

// The largest magnitude a value may reach; bigger candidates are refused so
// that f32 rounding stays within the comparison tolerance.
constexpr double kMaxMagnitude = 1e4;

struct Val {
  Node* node = nullptr;
  double lo = -2, hi = 2;
  bool exact = true;  // computed without rounding (inputs, constants, moves)
  double mag() const { return std::max(std::fabs(lo), std::fabs(hi)); }
};

inline int64_t elementsAt3(const Dims& d) {
  int64_t n = 1;
  for (int64_t x : d) n *= x == kBatch ? 3 : x;
  return n;
}

inline bool hasN(const Dims& d) { return std::find(d.begin(), d.end(), kBatch) != d.end(); }

class Generator {
 public:
  explicit Generator(uint64_t seed) : rng_(seed), graph_(std::make_unique<ir::Graph>()) {}

  FuzzCase run(uint64_t seed, int* rejected);

 private:
  Rng rng_;
  std::unique_ptr<ir::Graph> graph_;
  std::vector<Val> pool_;
  bool batch_ = false;
  int computations_ = 0;
  int rejected_ = 0;

  // ---- the value pool and graph assembly (GraphGen.cpp) -------------------
  Val newInput(const Dims& dims);
  Val newConstant(Dims dims, double lo, double hi);
  Val constScalar(double x);
  std::optional<Val> emit(OpKind op, std::vector<Node*> ins, Attributes attrs, double lo,
                          double hi, bool exact);
  const Dims& dimsOf(const Val& v) { return v.node->type.shape.dims(); }
  Val& anyValue() { return pool_[size_t(rng_.range(0, int64_t(pool_.size()) - 1))]; }
  Val pickValue();
  void step();
  void chooseOutputs();

  // ---- shapes and safe ranges (GraphGenShapes.cpp) -------------------------
  Dims randomShape(bool batchDim);
  Dims partnerShape(const Dims& d, bool allowN);
  Val partner(const Val& a, double lo = -2, double hi = 2);
  std::optional<Val> positive(const Val& x, double c);
  Dims factorize(int64_t n);

  // ---- elementwise ops (GraphGenElementwise.cpp) ---------------------------
  void unary(const Val& x);
  void binary(const Val& a);
  void compareSelect(const Val& x);
  void compareSelectOn(const Val& x, const Val& y, const Val& a);

  // ---- reductions, contractions, conv / pool, row ops (GraphGenNN.cpp) -----
  void reduction(const Val& x);
  void matmul(const Val& x);
  std::optional<Val> nchw(const Val& x);
  void conv(const Val& x0);
  void pool(const Val& x, int64_t h, int64_t w);
  void rowOp(const Val& x);
  void batchNorm(const Val& x);

  // ---- data movement (GraphGenLayout.cpp) ----------------------------------
  void reshape(const Val& x);
  void flatten(const Val& x);
  void transpose(const Val& x);
  void slice(const Val& x);
  void pad(const Val& x);
  void concat(const Val& x);
  void broadcastTo(const Val& x);
  void gather(const Val& x);
};

}  // namespace dlc::fuzz::graphgen
