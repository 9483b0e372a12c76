// Random-graph generator (GraphGen.h): shapes and safe ranges. Random input
// shapes, shapes that broadcast against a given one (NumPy rules), the
// second operand of an elementwise op, abs(x)+c to keep a domain-sensitive
// operand positive, and random factorisations for reshape.
//
// What it deliberately does not do: choose which op to build (GraphGen.cpp)
// or build any op other than the abs/add of positive().
#include "tests/fuzz/GraphGenInternal.h"

#include "ir/ShapeInference.h"

namespace dlc::fuzz::graphgen {

Dims Generator::randomShape(bool batchDim) {
  static const std::vector<int64_t> kExtents = {1, 1, 2, 3, 4, 5, 6, 7, 8, 9, 12, 16, 17, 32};
  int rank = int(rng_.range(1, 4));
  if (rng_.chance(0.15)) rank = 4;
  Dims d;
  for (int i = 0; i < rank; ++i) d.push_back(rng_.pick(kExtents));
  if (rank == 4 && rng_.chance(0.6)) {  // conv-friendly NCHW
    d = {rng_.range(1, 2), rng_.range(1, 4), rng_.range(3, 10), rng_.range(3, 10)};
  }
  if (batchDim) d[0] = kBatch;
  while (elementsAt3(d) > kMaxTensorElements / 4) d[size_t(rng_.range(0, rank - 1))] = 1;
  return d;
}

// A shape that broadcasts against `d` (NumPy rules): lower rank, size-1
// dims, a scalar, higher rank with new leading dims, or expanded 1-dims.
Dims Generator::partnerShape(const Dims& d, bool allowN) {
  Dims p = d;
  switch (rng_.range(0, 6)) {
    case 0: break;
    case 1: p.erase(p.begin(), p.begin() + rng_.range(0, int64_t(p.size()))); break;
    case 2:
      for (int64_t& x : p)
        if (rng_.chance(0.5)) x = 1;
      break;
    case 3: p.clear(); break;
    case 4:
      if (!hasN(d))  // (never past ir::kMaxRank: seed 1005588 made a rank-9 input)
        for (int64_t k = rng_.range(1, 2); k > 0 && p.size() < size_t(ir::kMaxRank); --k)
          p.insert(p.begin(), rng_.range(1, 3));
      break;
    case 5:
      for (int64_t& x : p)
        if (x == 1 && rng_.chance(0.7)) x = rng_.range(2, 4);
      break;
    default:
      if (!p.empty()) p[0] = 1;
      if (p.size() > 1 && rng_.chance(0.5)) p.erase(p.begin());
      break;
  }
  if (!allowN)
    for (int64_t& x : p) x = x == kBatch ? 1 : x;
  return p;
}

// A second operand for an elementwise op on `a`: a pool value whose shape
// broadcasts, a new constant, or a new input.
Val Generator::partner(const Val& a, double lo, double hi) {
  const Dims& d = dimsOf(a);
  if (rng_.chance(0.35)) {
    for (int tries = 0; tries < 6; ++tries) {
      const Val& b = anyValue();
      if (lo == -2 && hi == 2 && b.mag() > 100) continue;
      auto s = ir::broadcastShapes(ir::Shape(d), b.node->type.shape);
      if (s.ok() && elementsAt3(s->dims()) <= kMaxTensorElements) return b;
    }
  }
  bool input = graph_->inputs().size() < 4 && rng_.chance(0.25);
  Dims p = partnerShape(d, /*allowN=*/input);
  if (elementsAt3(p) > kMaxTensorElements) p = d;
  if (input && lo == -2 && hi == 2) return newInput(p);
  return newConstant(p, lo, hi);
}

// abs(x) + c: a positive version of x with minimum c.
std::optional<Val> Generator::positive(const Val& x, double c) {
  auto a = emit(OpKind::Abs, {x.node}, {}, 0, x.mag(), x.exact);
  if (!a) return std::nullopt;
  Val k = constScalar(c);
  return emit(OpKind::Add, {a->node, k.node}, {}, c, a->hi + c, false);
}

// Splits `n` into 1..4 random factors (in random order).
Dims Generator::factorize(int64_t n) {
  Dims primes;
  for (int64_t p = 2; p * p <= n; ++p)
    while (n % p == 0) primes.push_back(p), n /= p;
  if (n > 1) primes.push_back(n);
  Dims out(size_t(rng_.range(1, 4)), 1);
  for (int64_t p : primes) out[size_t(rng_.range(0, int64_t(out.size()) - 1))] *= p;
  return out;
}

}  // namespace dlc::fuzz::graphgen
