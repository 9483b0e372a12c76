// The backend-independent fusion rules (see FusionPolicy.h).
#include "passes/FusionPolicy.h"

namespace dlc::passes {

bool isLayoutRemap(ir::OpKind op) {
  return op == ir::OpKind::Reshape || op == ir::OpKind::Flatten || op == ir::OpKind::Transpose;
}

namespace {

std::string deviceName(const std::string& device) {
  return device.empty() ? std::string("the default device") : "\"" + device + "\"";
}

}  // namespace

FusionDecision FusionPolicy::shouldFuseProducer(const ir::Node& producer,
                                                const ir::Node& consumer,
                                                const FusionState& state) const {
  if (ir::isSource(producer.op) || ir::isSource(consumer.op))
    return FusionDecision::no("graph inputs and constants are kernel params, not computations");
  if (producer.device != consumer.device)
    return FusionDecision::no(strCat("device boundary: ", deviceName(producer.device), " vs ",
                                     deviceName(consumer.device)));
  if (state.numParams > maxOperands())
    return FusionDecision::no(strCat("the kernel would read ", state.numParams,
                                     " params; the limit is ", maxOperands()));
  return canFuseProducer(producer, consumer, state);
}

FusionDecision FusionPolicy::shouldDuplicate(const ir::Node& producer,
                                             int numConsumerKernels) const {
  std::string_view op = ir::opName(producer.op);
  if (ir::isExpensive(producer.op))
    return FusionDecision::no(strCat(op, " is expensive: not duplicated into ",
                                     numConsumerKernels, " kernels; it stays materialized"));
  if (ir::isReduction(producer.op) || ir::isRowOp(producer.op) ||
      ir::isContraction(producer.op) || ir::isPool(producer.op))
    return FusionDecision::no(strCat(op, " roots its own kernel: never duplicated; read by ",
                                     numConsumerKernels, " kernels, it stays materialized"));
  return canDuplicate(producer);
}

FusionDecision FusionPolicy::shouldMergeSiblings(const ir::Node& shared,
                                                 const SiblingState& state) const {
  if (state.deviceA != state.deviceB)
    return FusionDecision::no(strCat("device boundary: ", deviceName(state.deviceA), " vs ",
                                     deviceName(state.deviceB)));
  if (state.numParams > maxOperands())
    return FusionDecision::no(strCat("the merged kernel would read ", state.numParams,
                                     " params; the limit is ", maxOperands()));
  return canMergeSiblings(shared, state);
}

}  // namespace dlc::passes
