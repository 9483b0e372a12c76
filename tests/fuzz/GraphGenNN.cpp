// Random-graph generator (GraphGen.h): the compute-heavy op families.
// Reductions with keepdims, dense and matmul (transposes, batched and
// broadcast right-hand sides), conv2d and its NCHW view, max / avg / global
// pooling, softmax / log_softmax / layer_norm, and batch_norm; weights are
// constants scaled so outputs stay within kMaxMagnitude.
//
// What it deliberately does not do: elementwise math (GraphGenElementwise.cpp)
// or pure data movement (GraphGenLayout.cpp).
#include "tests/fuzz/GraphGenInternal.h"

namespace dlc::fuzz::graphgen {

void Generator::reduction(const Val& x) {
  const Dims& d = dimsOf(x);
  if (d.empty()) return;
  Dims axes;
  int64_t count = 1;
  for (int64_t i = 0; i < int64_t(d.size()); ++i) {
    if (d[size_t(i)] == kBatch && !rng_.chance(0.15)) continue;
    if (rng_.chance(0.5)) {
      axes.push_back(rng_.chance(0.3) ? i - int64_t(d.size()) : i);
      count *= d[size_t(i)] == kBatch ? 3 : d[size_t(i)];
    }
  }
  if (axes.empty()) return;
  Attributes a;
  a.set("axes", axes);
  if (rng_.chance(0.5)) a.set("keepdims", int64_t(1));
  static const std::vector<OpKind> kOps = {OpKind::ReduceSum, OpKind::ReduceMean,
                                           OpKind::ReduceMax, OpKind::ReduceMin};
  OpKind op = rng_.pick(kOps);
  if (op == OpKind::ReduceSum) {
    double m = x.mag() * double(count);
    if (m > kMaxMagnitude) op = OpKind::ReduceMean;
    else return void(emit(op, {x.node}, std::move(a), -m, m, false));
  }
  emit(op, {x.node}, std::move(a), x.lo, x.hi, op != OpKind::ReduceMean && x.exact);
}

void Generator::matmul(const Val& x) {
  const Dims& d = dimsOf(x);
  if (d.empty()) return;
  int64_t k = d.back();
  if (k == kBatch) return;
  double scale = 1.0 / std::sqrt(double(k));
  if (d.size() == 1 || rng_.chance(0.4)) {  // dense(x, w, b?)
    int64_t out = rng_.range(1, 24);
    Val w = newConstant({k, out}, -scale, scale);
    std::vector<Node*> ins = {x.node, w.node};
    double m = x.mag() * std::sqrt(double(k)) + 1;
    if (rng_.chance(0.5)) ins.push_back(newConstant({out}, -1, 1).node);
    emit(OpKind::Dense, ins, {}, -m, m, false);
    return;
  }
  // matmul(a, b) with a constant or pool b, optional transposes.
  Attributes at;
  int64_t m = d[d.size() - 2];
  bool ta = m != kBatch && rng_.chance(0.25);
  if (ta) {
    std::swap(k, m);
    at.set("transpose_a", int64_t(1));
  }
  if (k == kBatch) return;
  int64_t n = rng_.range(1, 20);
  bool tb = rng_.chance(0.3);
  if (tb) at.set("transpose_b", int64_t(1));
  Dims bd = tb ? Dims{n, k} : Dims{k, n};
  if (d.size() > 2 && rng_.chance(0.4)) {  // batched b, maybe broadcast
    Dims lead(d.begin(), d.end() - 2);
    for (int64_t& v : lead) v = (v == kBatch || rng_.chance(0.4)) ? 1 : v;
    if (rng_.chance(0.3)) lead.erase(lead.begin());
    bd.insert(bd.begin(), lead.begin(), lead.end());
  }
  Val b = newConstant(bd, -1, 1);
  std::vector<Node*> ins = {x.node, b.node};
  double mg = x.mag() * double(k);
  if (mg <= kMaxMagnitude) emit(OpKind::MatMul, ins, std::move(at), -mg, mg, false);
}

// An NCHW view of `x` for conv/pool: itself when rank 4, another rank-4
// value, or a reshape of x to [n, C, H, W] (H, W >= 2).
std::optional<Val> Generator::nchw(const Val& x) {
  if (dimsOf(x).size() == 4) return x;
  for (const Val& v : pool_)
    if (dimsOf(v).size() == 4 && rng_.chance(0.5)) return v;
  const Dims& d = dimsOf(x);
  int64_t stat = 1;
  for (int64_t v : d) stat *= v == kBatch ? 1 : v;
  for (int tries = 0; tries < 8; ++tries) {
    int64_t c = rng_.range(1, 4), h = rng_.range(2, 12);
    if (stat % (c * h) != 0 || stat / (c * h) < 2) continue;
    Attributes a;
    a.set("shape", Dims{hasN(d) ? -1 : 1, c, h, stat / (c * h)});
    return emit(OpKind::Reshape, {x.node}, std::move(a), x.lo, x.hi, x.exact);
  }
  return std::nullopt;
}

void Generator::conv(const Val& x0) {
  std::optional<Val> view = nchw(x0);
  if (!view) return;
  const Val x = *view;
  const Dims& d = dimsOf(x);
  if (d.size() != 4 || d[1] == kBatch || d[1] > 16 || d[2] == kBatch || d[3] == kBatch) return;
  int64_t c = d[1], h = d[2], w = d[3];
  if (rng_.chance(0.35)) return pool(x, h, w);
  int64_t groups = (c > 1 && rng_.chance(0.3)) ? c : 1;
  int64_t o = groups > 1 ? c * rng_.range(1, 2) : rng_.range(1, 8);
  int64_t kh = rng_.range(1, 3), kw = rng_.range(1, 3);
  int64_t sh = rng_.range(1, 2), sw = rng_.range(1, 2);
  int64_t dh = rng_.chance(0.2) ? 2 : 1, dw = rng_.chance(0.2) ? 2 : 1;
  Dims pads = {rng_.range(0, 1), rng_.range(0, 1), rng_.range(0, 1), rng_.range(0, 1)};
  if (h + pads[0] + pads[2] < dh * (kh - 1) + 1 || w + pads[1] + pads[3] < dw * (kw - 1) + 1)
    return;
  double scale = 1.0 / std::sqrt(double(c / groups * kh * kw));
  Val wt = newConstant({o, c / groups, kh, kw}, -scale, scale);
  std::vector<Node*> ins = {x.node, wt.node};
  if (rng_.chance(0.5)) ins.push_back(newConstant({o}, -1, 1).node);
  Attributes a;
  a.set("strides", Dims{sh, sw});
  a.set("pads", pads);
  a.set("dilations", Dims{dh, dw});
  if (groups > 1) a.set("groups", groups);
  double m = x.mag() * std::sqrt(double(c / groups * kh * kw)) + 1;
  emit(OpKind::Conv2D, ins, std::move(a), -m, m, false);
}

// max_pool2d / avg_pool2d / global_avg_pool on NCHW `x` of H x W.
void Generator::pool(const Val& x, int64_t h, int64_t w) {
  if (rng_.chance(0.2))
    return void(emit(OpKind::GlobalAvgPool, {x.node}, {}, x.lo, x.hi, false));
  int64_t kh = rng_.range(1, std::min<int64_t>(h, 3)), kw = rng_.range(1, std::min<int64_t>(w, 3));
  Dims pads = {rng_.range(0, kh - 1), rng_.range(0, kw - 1), rng_.range(0, kh - 1),
               rng_.range(0, kw - 1)};
  Attributes a;
  a.set("kernel", Dims{kh, kw});
  if (rng_.chance(0.6)) a.set("strides", Dims{rng_.range(1, 2), rng_.range(1, 2)});
  if (rng_.chance(0.5)) a.set("pads", pads);
  if (rng_.chance(0.5)) return void(emit(OpKind::MaxPool2D, {x.node}, std::move(a), x.lo, x.hi, x.exact));
  bool includePad = rng_.chance(0.5);
  if (includePad) a.set("count_include_pad", int64_t(1));
  emit(OpKind::AvgPool2D, {x.node}, std::move(a), includePad ? std::min(x.lo, 0.0) : x.lo,
       includePad ? std::max(x.hi, 0.0) : x.hi, false);
}

void Generator::rowOp(const Val& x) {
  const Dims& d = dimsOf(x);
  if (d.empty()) return;
  int64_t rank = int64_t(d.size());
  int64_t first = d[0] == kBatch ? 1 : 0;
  if (first >= rank) return;
  int64_t axis = rng_.range(first, rank - 1);
  Attributes a;
  if (rng_.chance(0.5)) a.set("axis", rng_.chance(0.5) ? axis : axis - rank);
  switch (rng_.range(0, 2)) {
    case 0: emit(OpKind::Softmax, {x.node}, std::move(a), 0, 1, false); break;
    case 1: {
      double span = x.hi - x.lo + std::log(double(elementsAt3(d)));
      emit(OpKind::LogSoftmax, {x.node}, std::move(a), -span, 0, false);
      break;
    }
    default: {
      Dims tail(d.begin() + axis, d.end());
      std::vector<Node*> ins = {x.node};
      if (rng_.chance(0.6)) {
        ins.push_back(newConstant(tail, -2, 2).node);
        if (rng_.chance(0.6)) ins.push_back(newConstant(tail, -1, 1).node);
      }
      if (rng_.chance(0.3)) a.set("epsilon", rng_.chance(0.5) ? 1e-3 : 1e-5);
      double m = 2 * std::sqrt(double(elementsAt3(tail))) + 1;
      emit(OpKind::LayerNorm, ins, std::move(a), -m, m, false);
      break;
    }
  }
}

void Generator::batchNorm(const Val& x) {
  const Dims& d = dimsOf(x);
  if (d.size() < 2 || d[1] == kBatch) return;
  int64_t c = d[1];
  Val s = newConstant({c}, -2, 2), b = newConstant({c}, -1, 1);
  Val mean = newConstant({c}, -1, 1), var = newConstant({c}, 0.5, 2);
  double m = (x.mag() + 1) / std::sqrt(0.5) * 2 + 1;
  emit(OpKind::BatchNorm, {x.node, s.node, b.node, mean.node, var.node}, {}, -m, m, false);
}

}  // namespace dlc::fuzz::graphgen
