// FusionPolicy: the per-backend answer to "should these two nodes share a
// kernel?" (XLA's ShouldFuse hook), with a reason for every "no".
//
// The Fusion pass (passes/Fusion.h) owns the grouping algorithm and the
// structural rules every kernel obeys (one root, no cycles between kernels,
// one iteration space per Loop kernel). A policy only judges a single
// proposed step. Rules that hold for every backend live in this base class
// (device boundaries, source nodes, the operand limit, never duplicating an
// expensive op); a backend overrides the protected hooks to say what its code
// generator can fuse (compiler/backends/cpu/CpuFusionPolicy.h).
//
// It deliberately does not look at the rest of the graph: whatever the pass
// knows about the kernel being formed is handed over in FusionState.
#pragma once

#include <string>
#include <string_view>

#include "ir/Graph.h"
#include "ir/Kernel.h"

namespace dlc::passes {

// A fusion verdict. Every refusal carries the reason printed by
// `dlc build --explain-fusion`.
struct FusionDecision {
  bool fuse = false;
  std::string reason;  // empty when fuse is true

  static FusionDecision yes() { return {true, {}}; }
  static FusionDecision no(std::string why) { return {false, std::move(why)}; }
  explicit operator bool() const { return fuse; }
};

// What the pass knows about the kernel a producer and a consumer would share.
struct FusionState {
  ir::KernelKind kind = ir::KernelKind::Loop;  // the shared kernel's kind
  const ir::Node* root = nullptr;  // its reduction/row/contraction/pool op; null for Loop
  // true: the consumer joins after the root (epilogue fusion);
  // false: the producer joins before its consumer (input fusion).
  bool epilogue = false;
  int numParams = 0;           // distinct values the merged kernel would read
  int numConsumerKernels = 1;  // kernels that read the producer
  bool producerIsOutput = false;  // the producer is still written to memory
};

// What the pass knows about two sibling kernels reading a common value.
struct SiblingState {
  ir::KernelKind kindA = ir::KernelKind::Loop;
  ir::KernelKind kindB = ir::KernelKind::Loop;
  std::string deviceA, deviceB;
  bool sameIterationSpace = false;  // outputs of both have one element count
  int numParams = 0;                // distinct params of the merged kernel
};

class FusionPolicy {
 public:
  virtual ~FusionPolicy() = default;
  virtual std::string_view name() const = 0;
  // Most distinct params one kernel may read.
  virtual int maxOperands() const { return 16; }

  // May `producer` and `consumer` (one of its users) share a kernel of the
  // shape described by `state`? Generic rules first, then the backend hook.
  FusionDecision shouldFuseProducer(const ir::Node& producer, const ir::Node& consumer,
                                    const FusionState& state) const;
  // May a producer read by `numConsumerKernels` kernels be cloned into each?
  FusionDecision shouldDuplicate(const ir::Node& producer, int numConsumerKernels) const;
  // May two kernels that both read `shared` become one multi-output kernel?
  FusionDecision shouldMergeSiblings(const ir::Node& shared, const SiblingState& state) const;

 protected:
  // Backend hooks, asked only after the generic rules said yes.
  virtual FusionDecision canFuseProducer(const ir::Node& producer, const ir::Node& consumer,
                                         const FusionState& state) const = 0;
  virtual FusionDecision canDuplicate(const ir::Node& producer) const = 0;
  virtual FusionDecision canMergeSiblings(const ir::Node& shared,
                                          const SiblingState& state) const = 0;
};

// True for the index remaps that keep every element exactly once in
// row-major order or permute the axes: reshape, flatten and transpose. Their
// output is a bijective relabelling of their input (XLA: bitcast/transpose),
// so an epilogue can store through them instead of materialising a copy.
// Not slice, pad, concat or broadcast_to (they drop, add or repeat elements).
bool isLayoutRemap(ir::OpKind op);

}  // namespace dlc::passes
