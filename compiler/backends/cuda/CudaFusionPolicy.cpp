// The CUDA backend's fusion rules (see CudaFusionPolicy.h).
#include "compiler/backends/cuda/CudaFusionPolicy.h"

#include "compiler/backends/cuda/ElementRenderer.h"

namespace dlc::cuda {

passes::FusionDecision CudaFusionPolicy::canFuseProducer(const ir::Node& producer,
                                                         const ir::Node& consumer,
                                                         const passes::FusionState& state) const {
  // The member that would be rendered by the element renderer: the consumer
  // joining after a root, else the producer joining its consumer.
  const ir::Node& member = state.epilogue ? consumer : producer;
  if (ir::isElementwise(member.op) || ir::isIndexRemap(member.op)) {
    Status s = ElementRenderer::checkSupported(member);
    if (!s.ok())
      return passes::FusionDecision::no(strCat("no CUDA lowering: ", s.message()));
  }
  // The CPU's dense computes its x producers while packing; the CUDA
  // contraction renderer loads its operand tiles from buffers.
  if (!state.epilogue && state.kind == ir::KernelKind::Contraction)
    return passes::FusionDecision::no(
        "nothing is fused into the operands of a CUDA contraction (they are read from memory)");
  return cpu::CpuFusionPolicy::canFuseProducer(producer, consumer, state);
}

}  // namespace dlc::cuda
