// Random-graph generator (GraphGen.h): elementwise op families. Unary math
// (with domain guards for log/sqrt/rsqrt/reciprocal/exp), binary arithmetic
// with broadcasting (div by values away from 0, pow of positive bases), and
// compare + select on exactly computed values only.
//
// What it deliberately does not do: shape-changing ops (GraphGenNN.cpp,
// GraphGenLayout.cpp) or choosing operand shapes (GraphGenShapes.cpp).
#include "tests/fuzz/GraphGenInternal.h"

#include "ir/ShapeInference.h"

namespace dlc::fuzz::graphgen {

void Generator::unary(const Val& x) {
  switch (rng_.range(0, 12)) {
    case 0: emit(OpKind::Neg, {x.node}, {}, -x.hi, -x.lo, x.exact); break;
    case 1: emit(OpKind::Abs, {x.node}, {}, x.lo >= 0 ? x.lo : 0, x.mag(), x.exact); break;
    case 2:
      if (x.hi <= 8) emit(OpKind::Exp, {x.node}, {}, std::exp(x.lo), std::exp(x.hi), false);
      else emit(OpKind::Tanh, {x.node}, {}, -1, 1, false);
      break;
    case 3: {
      std::optional<Val> p = x.lo >= 0.05 ? std::optional<Val>(x) : positive(x, 0.5);
      if (p) emit(OpKind::Log, {p->node}, {}, std::log(p->lo), std::log(p->hi), false);
      break;
    }
    case 4: {
      // sqrt only of values >= 0.05: near 0 its slope turns a 1e-7 rounding
      // difference into 1e-3 (old seeds 101796, 103952: sqrt(abs(gelu))).
      std::optional<Val> p = x.lo >= 0.05 ? std::optional<Val>(x) : positive(x, 0.05);
      if (p) emit(OpKind::Sqrt, {p->node}, {}, std::sqrt(p->lo), std::sqrt(p->hi), false);
      break;
    }
    case 5: {
      std::optional<Val> p = x.lo >= 0.05 ? std::optional<Val>(x) : positive(x, 0.25);
      if (p)
        emit(rng_.chance(0.5) ? OpKind::Rsqrt : OpKind::Reciprocal, {p->node}, {}, 0,
             1 / std::sqrt(p->lo) + 1 / p->lo, false);
      break;
    }
    case 6: emit(OpKind::Tanh, {x.node}, {}, std::tanh(x.lo), std::tanh(x.hi), false); break;
    case 7: emit(OpKind::Sigmoid, {x.node}, {}, 0, 1, false); break;
    case 8:
      emit(OpKind::Relu, {x.node}, {}, std::max(x.lo, 0.0), std::max(x.hi, 0.0), x.exact);
      break;
    case 9: {
      Attributes a;
      double alpha = rng_.chance(0.5) ? 0.01 : rng_.uniform(0.05, 0.5);
      a.set("alpha", alpha);
      emit(OpKind::LeakyRelu, {x.node}, std::move(a), std::min(x.lo * alpha, 0.0),
           std::max(x.hi, 0.0), false);
      break;
    }
    case 10: {
      Attributes a;
      a.set("approximate", std::string(rng_.chance(0.5) ? "none" : "tanh"));
      emit(OpKind::Gelu, {x.node}, std::move(a), -0.2, std::max(x.hi, 0.0) + 0.01, false);
      break;
    }
    case 11: emit(OpKind::Erf, {x.node}, {}, std::erf(x.lo), std::erf(x.hi), false); break;
    default: {
      auto p = positive(x, 0.1);
      if (p) emit(OpKind::Sqrt, {p->node}, {}, std::sqrt(p->lo), std::sqrt(p->hi), false);
      break;
    }
  }
}

void Generator::binary(const Val& a) {
  int which = int(rng_.range(0, 6));
  if (which == 3) {  // div: a divisor bounded away from zero
    Val b = partner(a);
    std::optional<Val> d = b.lo >= 0.25 ? std::optional<Val>(b) : positive(b, 0.5);
    if (!d) return;
    double m = a.mag() / d->lo;
    if (m <= kMaxMagnitude) emit(OpKind::Div, {a.node, d->node}, {}, -m, m, false);
    return;
  }
  if (which == 4) {  // pow: a positive base, a small exponent
    std::optional<Val> base = a.lo >= 0.1 ? std::optional<Val>(a) : positive(a, 0.5);
    if (!base || base->hi > 20) return;
    Val e = rng_.chance(0.5) ? constScalar(double(rng_.range(-4, 4)) / 2) : partner(*base);
    if (e.mag() > 3) return;
    double corners[] = {std::pow(base->lo, e.lo), std::pow(base->lo, e.hi),
                        std::pow(base->hi, e.lo), std::pow(base->hi, e.hi)};
    double hi = *std::max_element(corners, corners + 4);
    if (hi <= kMaxMagnitude) emit(OpKind::Pow, {base->node, e.node}, {}, 0, hi, false);
    return;
  }
  Val b = partner(a);
  std::vector<Node*> ins = {a.node, b.node};
  if (rng_.chance(0.3)) std::swap(ins[0], ins[1]);
  bool exact = a.exact && b.exact;
  switch (which) {
    case 0: emit(OpKind::Add, ins, {}, a.lo + b.lo, a.hi + b.hi, false); break;
    case 1:
      if (ins[0] == a.node) emit(OpKind::Sub, ins, {}, a.lo - b.hi, a.hi - b.lo, false);
      else emit(OpKind::Sub, ins, {}, b.lo - a.hi, b.hi - a.lo, false);
      break;
    case 2: {
      double c[] = {a.lo * b.lo, a.lo * b.hi, a.hi * b.lo, a.hi * b.hi};
      double lo = *std::min_element(c, c + 4), hi = *std::max_element(c, c + 4);
      if (std::max(-lo, hi) <= kMaxMagnitude) emit(OpKind::Mul, ins, {}, lo, hi, false);
      break;
    }
    case 5:
      emit(OpKind::Maximum, ins, {}, std::max(a.lo, b.lo), std::max(a.hi, b.hi), exact);
      break;
    default:
      emit(OpKind::Minimum, ins, {}, std::min(a.lo, b.lo), std::min(a.hi, b.hi), exact);
      break;
  }
}

void Generator::compareSelect(const Val& x) {
  Val y = partner(x);
  if (!x.exact || !y.exact) {
    // Compare exact values only: pick an exact pool value instead.
    std::vector<Val> exact;
    for (const Val& v : pool_)
      if (v.exact) exact.push_back(v);
    if (exact.empty()) return;
    Val e = rng_.pick(exact);
    return compareSelectOn(e, partner(e), x);
  }
  compareSelectOn(x, y, pickValue());
}

void Generator::compareSelectOn(const Val& x, const Val& y, const Val& a) {
  if (!x.exact || !y.exact) return;
  static const std::vector<OpKind> kCmp = {OpKind::Less,    OpKind::Greater,
                                           OpKind::LessEqual, OpKind::GreaterEqual,
                                           OpKind::Equal,   OpKind::NotEqual};
  auto cond = emit(rng_.pick(kCmp), {x.node, y.node}, {}, 0, 1, true);
  if (!cond) return;
  Val b = partner(a);
  auto s = ir::broadcastShapes(cond->node->type.shape, a.node->type.shape);
  if (!s.ok()) return;
  std::vector<Node*> ins = {cond->node, a.node, b.node};
  if (rng_.chance(0.5)) std::swap(ins[1], ins[2]);
  emit(OpKind::Select, ins, {}, std::min(a.lo, b.lo), std::max(a.hi, b.hi), a.exact && b.exact);
}

}  // namespace dlc::fuzz::graphgen
