// Random valid graphs (GraphGen.h): the driver. A pool of f32 values, each
// with a conservative interval, grown one op (or a short composite) at a
// time: this file holds the run loop, the value pool (inputs, constants,
// emit with shape inference), the weighted choice of op family, the choice
// of outputs, input values, and generateCase.
//
// What it deliberately does not do: build any particular op (the families
// live in GraphGenElementwise/NN/Layout.cpp) or pick shapes and safe ranges
// (GraphGenShapes.cpp). GraphGenInternal.h declares what they share.
#include "tests/fuzz/GraphGenInternal.h"

#include <numeric>
#include <string>

#include "ir/ShapeInference.h"

namespace dlc::fuzz::graphgen {

FuzzCase Generator::run(uint64_t seed, int* rejected) {
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

Val Generator::newInput(const Dims& dims) {
  Node* n = graph_->addInput(graph_->uniqueName("in"), {ir::DType::F32, ir::Shape(dims)});
  Val v{n, -2, 2, true};
  pool_.push_back(v);
  return v;
}

Val Generator::newConstant(Dims dims, double lo, double hi) {
  for (int64_t& x : dims) x = x == kBatch ? 1 : x;
  Tensor t(ir::DType::F32, dims);
  for (int64_t i = 0; i < t.numElements(); ++i) t.as<float>()[i] = float(rng_.uniform(lo, hi));
  Node* n = graph_->addConstant(graph_->uniqueName("c"), std::move(t));
  return Val{n, lo, hi, true};
}

Val Generator::constScalar(double x) {
  Tensor t(ir::DType::F32, {});
  t.as<float>()[0] = float(x);
  return Val{graph_->addConstant(graph_->uniqueName("c"), std::move(t)), x, x, true};
}

// Appends a computation; nullopt (and the node left dead) when shape
// inference refuses it or it is too big.
std::optional<Val> Generator::emit(OpKind op, std::vector<Node*> ins, Attributes attrs,
                                   double lo, double hi, bool exact) {
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

// Recent values are picked more often, so chains grow deep.
// Values nothing reads yet come next, so that few computations end dead.
Val Generator::pickValue() {
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

void Generator::step() {
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

// Outputs: the newest value plus up to two other unused computations.
void Generator::chooseOutputs() {
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

}  // namespace dlc::fuzz::graphgen

namespace dlc::fuzz {

InputSet makeInputs(const ir::Graph& graph, int64_t batch, uint64_t seed) {
  Rng rng(seed);
  InputSet set;
  set.batch = batch;
  for (const ir::Node* in : graph.inputs()) {
    Tensor t(in->type.dtype, in->type.shape.bind(batch));
    for (int64_t i = 0; i < t.numElements(); ++i) t.setFromDouble(i, rng.uniform(-2, 2));
    set.values.push_back(std::move(t));
  }
  return set;
}

FuzzCase generateCase(uint64_t seed, int* rejected) {
  return graphgen::Generator(seed).run(seed, rejected);
}

}  // namespace dlc::fuzz
