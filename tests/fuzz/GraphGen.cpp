// Random valid graphs (GraphGen.h): a pool of f32 values, each with a
// conservative interval, grown one op (or a short composite) at a time.
#include "tests/fuzz/GraphGen.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <numeric>

#include "ir/ShapeInference.h"

namespace dlc::fuzz {

using ir::Attributes;
using ir::kBatch;
using ir::Node;
using ir::OpKind;
using Dims = std::vector<int64_t>;

namespace {

// The largest magnitude a value may reach; bigger candidates are refused so
// that f32 rounding stays within the comparison tolerance.
constexpr double kMaxMagnitude = 1e4;

struct Val {
  Node* node = nullptr;
  double lo = -2, hi = 2;
  bool exact = true;  // computed without rounding (inputs, constants, moves)
  double mag() const { return std::max(std::fabs(lo), std::fabs(hi)); }
};

int64_t elementsAt3(const Dims& d) {
  int64_t n = 1;
  for (int64_t x : d) n *= x == kBatch ? 3 : x;
  return n;
}

bool hasN(const Dims& d) { return std::find(d.begin(), d.end(), kBatch) != d.end(); }

class Generator {
 public:
  explicit Generator(uint64_t seed) : rng_(seed), graph_(std::make_unique<ir::Graph>()) {}

  FuzzCase run(uint64_t seed, int* rejected) {
    graph_->name = "fuzz_" + std::to_string(seed);
    batch_ = rng_.chance(0.3);
    int numInputs = int(rng_.range(1, 3));
    for (int i = 0; i < numInputs; ++i) newInput(randomShape(/*batchDim=*/batch_ && i == 0));
    int target = int(rng_.range(kMinNodes, kMaxNodes));
    for (int attempt = 0; computations_ < target && attempt < 400; ++attempt) step();
    if (computations_ == 0) unary(pool_[0]);
    chooseOutputs();
    graph_->removeDeadNodes();
    if (rejected) *rejected = rejected_;
    FuzzCase c;
    c.seed = seed;
    c.graph = std::move(graph_);
    bool anyN = false;
    for (Node* in : c.graph->inputs()) anyN |= in->type.shape.hasBatch();
    for (int64_t b : anyN ? std::vector<int64_t>{1, 3} : std::vector<int64_t>{1})
      c.runs.push_back(makeInputs(*c.graph, b, seed * 31 + uint64_t(b)));
    return c;
  }

 private:
  Rng rng_;
  std::unique_ptr<ir::Graph> graph_;
  std::vector<Val> pool_;
  bool batch_ = false;
  int computations_ = 0;
  int rejected_ = 0;

  // ---- building blocks ---------------------------------------------------

  Dims randomShape(bool batchDim) {
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

  Val newInput(const Dims& dims) {
    Node* n = graph_->addInput(graph_->uniqueName("in"), {ir::DType::F32, ir::Shape(dims)});
    Val v{n, -2, 2, true};
    pool_.push_back(v);
    return v;
  }

  Val newConstant(Dims dims, double lo, double hi) {
    for (int64_t& x : dims) x = x == kBatch ? 1 : x;
    Tensor t(ir::DType::F32, dims);
    for (int64_t i = 0; i < t.numElements(); ++i) t.as<float>()[i] = float(rng_.uniform(lo, hi));
    Node* n = graph_->addConstant(graph_->uniqueName("c"), std::move(t));
    return Val{n, lo, hi, true};
  }

  // Appends a computation; nullopt (and the node left dead) when shape
  // inference refuses it or it is too big.
  std::optional<Val> emit(OpKind op, std::vector<Node*> ins, Attributes attrs, double lo,
                          double hi, bool exact) {
    Node* n = graph_->addNode(op, graph_->uniqueName(std::string(ir::opName(op))), std::move(ins),
                              std::move(attrs));
    if (!ir::inferNodeType(*n).ok() || elementsAt3(n->type.shape.dims()) > kMaxTensorElements ||
        (n->type.dtype != ir::DType::F32 && n->type.dtype != ir::DType::Bool)) {
      ++rejected_;
      return std::nullopt;
    }
    ++computations_;
    Val v{n, lo, hi, exact};
    if (n->type.dtype == ir::DType::F32) pool_.push_back(v);
    return v;
  }

  const Dims& dimsOf(const Val& v) { return v.node->type.shape.dims(); }
  Val& anyValue() { return pool_[size_t(rng_.range(0, int64_t(pool_.size()) - 1))]; }
  // Recent values are picked more often, so chains grow deep.
  // Values nothing reads yet come next, so that few computations end dead.
  Val pickValue() {
    if (rng_.chance(0.5)) return pool_.back();
    if (rng_.chance(0.6)) {
      auto users = graph_->computeUsers();
      std::vector<Val> sinks;
      for (const Val& v : pool_)
        if (!ir::isSource(v.node->op) && users[v.node].empty()) sinks.push_back(v);
      if (!sinks.empty()) return rng_.pick(sinks);
    }
    return anyValue();
  }

  // A shape that broadcasts against `d` (NumPy rules): lower rank, size-1
  // dims, a scalar, higher rank with new leading dims, or expanded 1-dims.
  Dims partnerShape(const Dims& d, bool allowN) {
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
        if (!hasN(d))
          for (int64_t k = rng_.range(1, 2); k > 0; --k) p.insert(p.begin(), rng_.range(1, 3));
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
  Val partner(const Val& a, double lo = -2, double hi = 2) {
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

  Val constScalar(double x) {
    Tensor t(ir::DType::F32, {});
    t.as<float>()[0] = float(x);
    return Val{graph_->addConstant(graph_->uniqueName("c"), std::move(t)), x, x, true};
  }

  // abs(x) + c: a positive version of x with minimum c.
  std::optional<Val> positive(const Val& x, double c) {
    auto a = emit(OpKind::Abs, {x.node}, {}, 0, x.mag(), x.exact);
    if (!a) return std::nullopt;
    Val k = constScalar(c);
    return emit(OpKind::Add, {a->node, k.node}, {}, c, a->hi + c, false);
  }

  // ---- op families --------------------------------------------------------

  void step() {
    static const std::vector<int> kWeights = {24, 24, 8, 7, 4, 7, 5, 5, 4, 4, 4, 4, 4, 4, 3, 2};
    int total = std::accumulate(kWeights.begin(), kWeights.end(), 0);
    int r = int(rng_.range(0, total - 1)), k = 0;
    while (r >= kWeights[size_t(k)]) r -= kWeights[size_t(k++)];
    Val x = pickValue();
    switch (k) {
      case 0: unary(x); break;
      case 1: binary(x); break;
      case 2: reduction(x); break;
      case 3: matmul(x); break;
      case 4: conv(x); break;
      case 5: rowOp(x); break;
      case 6: reshape(x); break;
      case 7: transpose(x); break;
      case 8: slice(x); break;
      case 9: concat(x); break;
      case 10: pad(x); break;
      case 11: broadcastTo(x); break;
      case 12: gather(x); break;
      case 13: compareSelect(x); break;
      case 14: batchNorm(x); break;
      default: flatten(x); break;
    }
  }

  void unary(const Val& x) {
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

  void binary(const Val& a) {
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

  void reduction(const Val& x) {
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

  void matmul(const Val& x) {
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
  std::optional<Val> nchw(const Val& x) {
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

  void conv(const Val& x0) {
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
  void pool(const Val& x, int64_t h, int64_t w) {
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

  void rowOp(const Val& x) {
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

  void batchNorm(const Val& x) {
    const Dims& d = dimsOf(x);
    if (d.size() < 2 || d[1] == kBatch) return;
    int64_t c = d[1];
    Val s = newConstant({c}, -2, 2), b = newConstant({c}, -1, 1);
    Val mean = newConstant({c}, -1, 1), var = newConstant({c}, 0.5, 2);
    double m = (x.mag() + 1) / std::sqrt(0.5) * 2 + 1;
    emit(OpKind::BatchNorm, {x.node, s.node, b.node, mean.node, var.node}, {}, -m, m, false);
  }

  // Splits `n` into 1..4 random factors (in random order).
  Dims factorize(int64_t n) {
    Dims primes;
    for (int64_t p = 2; p * p <= n; ++p)
      while (n % p == 0) primes.push_back(p), n /= p;
    if (n > 1) primes.push_back(n);
    Dims out(size_t(rng_.range(1, 4)), 1);
    for (int64_t p : primes) out[size_t(rng_.range(0, int64_t(out.size()) - 1))] *= p;
    return out;
  }

  void reshape(const Val& x) {
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

  void flatten(const Val& x) {
    const Dims& d = dimsOf(x);
    Attributes a;
    int64_t axis = hasN(d) ? 1 : rng_.range(0, int64_t(d.size()));
    if (hasN(d) && d[0] != kBatch) return;
    a.set("axis", axis);
    emit(OpKind::Flatten, {x.node}, std::move(a), x.lo, x.hi, x.exact);
  }

  void transpose(const Val& x) {
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

  void slice(const Val& x) {
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

  void pad(const Val& x) {
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

  void concat(const Val& x) {
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

  void broadcastTo(const Val& x) {
    Dims t = dimsOf(x);
    for (int64_t& v : t)
      if (v == 1 && rng_.chance(0.6)) v = rng_.range(2, 5);
    if (!hasN(t) && rng_.chance(0.4)) t.insert(t.begin(), rng_.range(1, 4));
    if (elementsAt3(t) > kMaxTensorElements) return;
    Attributes a;
    a.set("shape", t);
    emit(OpKind::BroadcastTo, {x.node}, std::move(a), x.lo, x.hi, x.exact);
  }

  void gather(const Val& x) {
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

  void compareSelect(const Val& x) {
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

  void compareSelectOn(const Val& x, const Val& y, const Val& a) {
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

  // Outputs: the newest value plus up to two other unused computations.
  void chooseOutputs() {
    auto users = graph_->computeUsers();
    std::vector<Node*> sinks;
    Node* last = nullptr;
    for (const Val& v : pool_) {
      if (ir::isSource(v.node->op)) continue;
      last = v.node;
      if (users[v.node].empty()) sinks.push_back(v.node);
    }
    if (!last) {
      auto n = emit(OpKind::Neg, {pool_[0].node}, {}, -2, 2, true);
      last = n ? n->node : pool_[0].node;
    }
    graph_->addOutput(last);
    for (int k = 0; k < 3 && !sinks.empty(); ++k) {
      Node* s = rng_.pick(sinks);
      if (!graph_->isOutput(s) && rng_.chance(0.8)) graph_->addOutput(s);
    }
  }
};

}  // namespace

InputSet makeInputs(const ir::Graph& graph, int64_t batch, uint64_t seed) {
  Rng rng(seed);
  InputSet set;
  set.batch = batch;
  for (const Node* in : graph.inputs()) {
    Tensor t(in->type.dtype, in->type.shape.bind(batch));
    for (int64_t i = 0; i < t.numElements(); ++i) t.setFromDouble(i, rng.uniform(-2, 2));
    set.values.push_back(std::move(t));
  }
  return set;
}

FuzzCase generateCase(uint64_t seed, int* rejected) {
  return Generator(seed).run(seed, rejected);
}

}  // namespace dlc::fuzz
