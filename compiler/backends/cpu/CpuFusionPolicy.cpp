// The CPU backend's fusion rules (see CpuFusionPolicy.h).
#include "compiler/backends/cpu/CpuFusionPolicy.h"

namespace dlc::cpu {

using passes::FusionDecision;
using passes::FusionState;
using passes::SiblingState;

namespace {

std::string kindName(ir::KernelKind kind) { return std::string(ir::kernelKindName(kind)); }

// The producer is evaluated once per element of the consumer: fewer
// elements than the consumer means a broadcast repeats it.
bool isBroadcastInto(const ir::Node& producer, const ir::Node& consumer) {
  const ir::Shape& p = producer.type.shape;
  const ir::Shape& c = consumer.type.shape;
  if (p.hasBatch() != c.hasBatch()) return !p.hasBatch();
  return p.staticElements() < c.staticElements();
}

std::string_view remapProblem(ir::OpKind op) {
  switch (op) {
    case ir::OpKind::Slice: return "drops elements";
    case ir::OpKind::Pad: return "adds elements";
    case ir::OpKind::Concat: return "joins several values";
    case ir::OpKind::BroadcastTo: return "repeats elements";
    case ir::OpKind::Gather: return "reads elements picked by an index tensor";
    default: return "is not a layout remap";
  }
}

FusionDecision epilogueDecision(const ir::Node& consumer, const FusionState& state) {
  // Stored through index math: the value computed at the root's index r
  // goes to the remapped position f(r) (see Epilogue.h).
  if (passes::isLayoutRemap(consumer.op)) return FusionDecision::yes();
  if (ir::isIndexRemap(consumer.op))
    return FusionDecision::no(strCat(ir::opName(consumer.op), " ", remapProblem(consumer.op),
                                     ": the epilogue of a ", kindName(state.kind),
                                     " kernel stores only through reshape, flatten and "
                                     "transpose"));
  if (!ir::isElementwise(consumer.op))
    return FusionDecision::no(strCat(ir::opName(consumer.op), " is not elementwise: it cannot "
                                     "be the epilogue of a ", kindName(state.kind), " kernel"));
  return FusionDecision::yes();
}

}  // namespace

FusionDecision CpuFusionPolicy::canFuseProducer(const ir::Node& producer,
                                                const ir::Node& consumer,
                                                const FusionState& state) const {
  if (state.epilogue) return epilogueDecision(consumer, state);
  std::string_view op = ir::opName(producer.op);
  bool elementwise = ir::isElementwise(producer.op);
  bool remap = ir::isIndexRemap(producer.op);
  switch (state.kind) {
    case ir::KernelKind::Loop:
      if (!elementwise && !remap)
        return FusionDecision::no(strCat(op, " has no loop-fusible form: it roots its own kernel"));
      break;
    case ir::KernelKind::Reduction:
      if (!elementwise && !remap)
        return FusionDecision::no(strCat(op, " cannot be input-fused into a reduction kernel"));
      break;
    case ir::KernelKind::Row:
      if (!elementwise || ir::isExpensive(producer.op))
        return FusionDecision::no(strCat(
            op, " is not a cheap elementwise op: row kernels recompute their producers on "
                "each pass over a row"));
      break;
    case ir::KernelKind::Contraction: {
      // A dense's x is packed once per block of columns (gemm/Packing.cpp):
      // cheap producers are computed there instead of being written to
      // memory and read back, e.g. a u8 image's cast and scale.
      const ir::Node& root = *state.root;
      if (root.op != ir::OpKind::Dense)
        return FusionDecision::no(strCat("only a dense's x operand takes producers; ",
                                         ir::opName(root.op), " reads its operands from memory"));
      for (size_t i = 1; i < root.inputs.size(); ++i)
        if (root.inputs[i] == &producer)
          return FusionDecision::no(
              "a dense reads its weights and bias from memory (packed once per kernel call)");
      if (producer.op == ir::OpKind::Reshape || producer.op == ir::OpKind::Flatten) break;
      if (!elementwise || ir::isExpensive(producer.op))
        return FusionDecision::no(strCat(op, " is not a cheap elementwise op, reshape or flatten: "
                                         "a dense's x is recomputed for every block of columns"));
      break;
    }
    case ir::KernelKind::Pool:
      if (!elementwise)
        return FusionDecision::no(strCat(op, " is not elementwise: pool kernels take only "
                                         "elementwise producers"));
      break;
  }
  if (ir::isExpensive(producer.op) && isBroadcastInto(producer, consumer))
    return FusionDecision::no(strCat(op, " is expensive and ", ir::opName(consumer.op),
                                     " broadcasts it: it would be recomputed per element"));
  return FusionDecision::yes();
}

FusionDecision CpuFusionPolicy::canDuplicate(const ir::Node& producer) const {
  if (!ir::isElementwise(producer.op) && !ir::isIndexRemap(producer.op))
    return FusionDecision::no(strCat(ir::opName(producer.op), " has no loop-fusible form"));
  return FusionDecision::yes();
}

FusionDecision CpuFusionPolicy::canMergeSiblings(const ir::Node& shared,
                                                 const SiblingState& state) const {
  if (state.kindA != ir::KernelKind::Loop || state.kindB != ir::KernelKind::Loop)
    return FusionDecision::no("only loop kernels merge into multi-output kernels");
  if (!state.sameIterationSpace)
    return FusionDecision::no("the kernels iterate over different element counts");
  if (!shared.type.shape.hasBatch() && shared.type.byteSize() < kMinSharedBytes)
    return FusionDecision::no(strCat("the shared value ", shared.name, " is small (",
                                     shared.type.byteSize(), " bytes): reading it twice is cheap"));
  return FusionDecision::yes();
}

}  // namespace dlc::cpu
