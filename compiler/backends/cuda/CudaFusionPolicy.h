// CudaFusionPolicy: what the CUDA renderers can fuse.
//
// The CUDA renderers mirror the CPU emitters' kernel forms one for one
// (loop fusions with index remaps, reductions and pools with input-fused
// producers, rows with cheap producers, contractions with epilogues ending
// in layout remaps), so the GPU policy is the CPU policy
// (cpu::CpuFusionPolicy) plus two refusals: a member the element renderer
// has no CUDA lowering for (ElementRenderer::checkSupported) stays out of
// every kernel it would join, with that reason; and nothing joins a
// contraction's operands (the CPU dense computes its x producers while
// packing; the CUDA renderer loads operand tiles from buffers). Its name is
// "cuda", so the build pipeline and --explain-fusion name the GPU policy.
//
// It does not check devices, operand limits or cycles: the base classes and
// the Fusion pass do.
#pragma once

#include "compiler/backends/cpu/CpuFusionPolicy.h"

namespace dlc::cuda {

class CudaFusionPolicy : public cpu::CpuFusionPolicy {
 public:
  std::string_view name() const override { return "cuda"; }

 protected:
  passes::FusionDecision canFuseProducer(const ir::Node& producer, const ir::Node& consumer,
                                         const passes::FusionState& state) const override;
};

}  // namespace dlc::cuda
