// Random-graph generator (GraphGen.h): data-movement op families. reshape,
// flatten, transpose, slice (negative starts and steps), pad, concat,
// broadcast_to and gather with constant indices; each keeps its operand's
// interval and exactness, since it only moves values.
//
// What it deliberately does not do: any arithmetic (GraphGenElementwise.cpp,
// GraphGenNN.cpp) or runtime gather indices.
#include "tests/fuzz/GraphGenInternal.h"

#include <numeric>

namespace dlc::fuzz::graphgen {

void Generator::reshape(const Val& x) {
  const Dims& d = dimsOf(x);
  int64_t stat = 1;
  for (int64_t v : d) stat *= v == kBatch ? 1 : v;
  Dims shape = factorize(stat);
  if (hasN(d)) shape.insert(shape.begin(), -1);
  else if (rng_.chance(0.3)) shape[size_t(rng_.range(0, int64_t(shape.size()) - 1))] = -1;
  Attributes a;
  a.set("shape", shape);
  emit(OpKind::Reshape, {x.node}, std::move(a), x.lo, x.hi, x.exact);
}

void Generator::flatten(const Val& x) {
  const Dims& d = dimsOf(x);
  Attributes a;
  int64_t axis = hasN(d) ? 1 : rng_.range(0, int64_t(d.size()));
  if (hasN(d) && d[0] != kBatch) return;
  a.set("axis", axis);
  emit(OpKind::Flatten, {x.node}, std::move(a), x.lo, x.hi, x.exact);
}

void Generator::transpose(const Val& x) {
  const Dims& d = dimsOf(x);
  if (d.size() < 2) return;
  Dims perm(d.size());
  std::iota(perm.begin(), perm.end(), 0);
  for (size_t i = perm.size() - 1; i > 0; --i)
    std::swap(perm[i], perm[size_t(rng_.range(0, int64_t(i)))]);
  Attributes a;
  if (!rng_.chance(0.15)) a.set("perm", perm);
  emit(OpKind::Transpose, {x.node}, std::move(a), x.lo, x.hi, x.exact);
}

void Generator::slice(const Val& x) {
  const Dims& d = dimsOf(x);
  Dims starts, ends, axes, steps;
  bool anyStep = false;
  for (int64_t i = 0; i < int64_t(d.size()); ++i) {
    int64_t n = d[size_t(i)];
    if (n == kBatch || n < 2 || !rng_.chance(0.6)) continue;
    int64_t step = rng_.pick(Dims{1, 1, 1, 2, 3, -1, -2});
    int64_t s, e;
    if (step > 0) {
      s = rng_.range(0, n - 1);
      e = rng_.range(s + 1, n);
      if (e == n && rng_.chance(0.3)) e = 1000;
      if (rng_.chance(0.3)) s -= n;
    } else {
      s = rng_.range(0, n - 1);
      e = rng_.range(-1, s - 1);
      if (e == -1) e = -n - 1;
    }
    anyStep |= step != 1;
    starts.push_back(s);
    ends.push_back(e);
    axes.push_back(i);
    steps.push_back(step);
  }
  if (axes.empty()) return;
  Attributes a;
  a.set("starts", starts);
  a.set("ends", ends);
  a.set("axes", axes);
  if (anyStep) a.set("steps", steps);
  emit(OpKind::Slice, {x.node}, std::move(a), x.lo, x.hi, x.exact);
}

void Generator::pad(const Val& x) {
  const Dims& d = dimsOf(x);
  if (d.empty()) return;
  Dims pads(d.size() * 2, 0);
  for (size_t i = 0; i < d.size(); ++i) {
    if (d[i] == kBatch) continue;
    pads[i] = rng_.range(0, 2);
    pads[i + d.size()] = rng_.range(0, 2);
  }
  Attributes a;
  a.set("pads", pads);
  double value = rng_.chance(0.5) ? 0.0 : double(rng_.range(-4, 4)) / 4;
  if (value != 0) a.set("value", value);
  emit(OpKind::Pad, {x.node}, std::move(a), std::min(x.lo, value), std::max(x.hi, value),
       x.exact);
}

void Generator::concat(const Val& x) {
  const Dims& d = dimsOf(x);
  if (d.empty()) return;
  int64_t axis = rng_.range(0, int64_t(d.size()) - 1);
  if (d[size_t(axis)] == kBatch) return;
  std::vector<Node*> ins = {x.node};
  double lo = x.lo, hi = x.hi;
  bool exact = x.exact;
  for (int64_t k = rng_.range(1, 2); k > 0; --k) {
    Val other = x;
    if (!hasN(d) && rng_.chance(0.6)) {
      Dims od = d;
      od[size_t(axis)] = rng_.range(1, 4);
      other = newConstant(od, -2, 2);
    } else {
      for (const Val& v : pool_)
        if (v.node != x.node && dimsOf(v) == d && v.mag() < 100 && rng_.chance(0.5)) other = v;
    }
    ins.push_back(other.node);
    lo = std::min(lo, other.lo);
    hi = std::max(hi, other.hi);
    exact &= other.exact;
  }
  if (rng_.chance(0.5)) std::swap(ins[0], ins[1]);
  Attributes a;
  a.set("axis", rng_.chance(0.3) ? axis - int64_t(d.size()) : axis);
  emit(OpKind::Concat, ins, std::move(a), lo, hi, exact);
}

void Generator::broadcastTo(const Val& x) {
  Dims t = dimsOf(x);
  for (int64_t& v : t)
    if (v == 1 && rng_.chance(0.6)) v = rng_.range(2, 5);
  if (!hasN(t) && t.size() < size_t(ir::kMaxRank) && rng_.chance(0.4))
    t.insert(t.begin(), rng_.range(1, 4));
  if (elementsAt3(t) > kMaxTensorElements) return;
  Attributes a;
  a.set("shape", t);
  emit(OpKind::BroadcastTo, {x.node}, std::move(a), x.lo, x.hi, x.exact);
}

void Generator::gather(const Val& x) {
  const Dims& d = dimsOf(x);
  if (d.empty()) return;
  int64_t axis = rng_.range(0, int64_t(d.size()) - 1);
  int64_t n = d[size_t(axis)];
  if (n == kBatch) return;
  Dims idims;
  for (int64_t r = rng_.range(0, 2); r > 0; --r) idims.push_back(rng_.range(1, 4));
  ir::DType it = rng_.chance(0.5) ? ir::DType::I64 : ir::DType::I32;
  Tensor idx(it, idims);
  for (int64_t i = 0; i < idx.numElements(); ++i) idx.setFromDouble(i, double(rng_.range(-n, n - 1)));
  Node* ic = graph_->addConstant(graph_->uniqueName("idx"), std::move(idx));
  Attributes a;
  a.set("axis", rng_.chance(0.3) ? axis - int64_t(d.size()) : axis);
  emit(OpKind::Gather, {x.node, ic}, std::move(a), x.lo, x.hi, x.exact);
}

}  // namespace dlc::fuzz::graphgen
