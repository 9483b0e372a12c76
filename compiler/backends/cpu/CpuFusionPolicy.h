// CpuFusionPolicy: what the LLVM CPU code generator can fuse.
//
// The CPU emitters evaluate a kernel's non-root members on demand at an
// index (index remaps become index math), so:
//   Loop        elementwise ops and index remaps (gather too: its indices
//               operand is one more member or param, read at the output's
//               middle dims to form the data index)
//   Reduction   elementwise/index-remap producers, epilogue
//   Row         cheap elementwise producers (a row is walked several times,
//               so producers are recomputed), epilogue
//   Contraction epilogue; a dense's x operand also takes cheap elementwise,
//               reshape and flatten producers, computed while x is packed;
//               every other operand is read from memory
//   Pool        elementwise producers, epilogue
// An epilogue is a chain of elementwise ops in the root's shape, optionally
// ended by layout remaps (reshape, flatten, transpose: passes::isLayoutRemap)
// that the emitters turn into the output's store address (Epilogue.h); the
// Fusion pass enforces that a remap ends the chain. slice, pad, concat,
// broadcast_to and gather never join an epilogue.
// An expensive producer is not fused where its consumer broadcasts it
// (it would be recomputed once per broadcast element). Sibling kernels
// merge when both are Loop kernels over one iteration space and the value
// they share is large enough for the saved read to matter.
//
// It does not check devices, operand limits or cycles: the base class and
// the Fusion pass do.
#pragma once

#include "passes/FusionPolicy.h"

namespace dlc::cpu {

class CpuFusionPolicy : public passes::FusionPolicy {
 public:
  // Values smaller than this (and without the batch dimension) are cheap to
  // read twice: sibling kernels sharing only them are not merged.
  static constexpr int64_t kMinSharedBytes = 4096;

  std::string_view name() const override { return "cpu"; }

 protected:
  passes::FusionDecision canFuseProducer(const ir::Node& producer, const ir::Node& consumer,
                                         const passes::FusionState& state) const override;
  passes::FusionDecision canDuplicate(const ir::Node& producer) const override;
  passes::FusionDecision canMergeSiblings(const ir::Node& shared,
                                          const passes::SiblingState& state) const override;
};

}  // namespace dlc::cpu
