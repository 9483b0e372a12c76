// Collapsing a loop kernel's iteration space: adjacent static dims that every
// member reads the same way (all full, or all size 1 under broadcasting) merge
// into one, so a [4,8,16] elementwise map becomes one loop of 512 (and a
// vector loop along it). The batch dim never merges. Shared by the CPU loop
// emitter and the CUDA loop renderer; it emits nothing.
#pragma once

#include <cstdint>
#include <unordered_map>
#include <vector>

#include "ir/Kernel.h"

namespace dlc::ir {

struct CollapsedDims {
  std::vector<int64_t> output;  // the collapsed output dims
  // Each node's dims in the collapsed view (its own dims right-aligned to
  // the output rank, size-1 padded, then merged like the output's).
  std::unordered_map<const Node*, std::vector<int64_t>> nodes;
};

CollapsedDims collapseDims(const std::vector<int64_t>& outDims,
                           const std::vector<const Node*>& nodes);

// Whether a loop kernel's members all index by plain broadcasting, so its
// dims may be collapsed (no index remaps, no batch_norm).
bool isCollapsible(const Kernel& kernel);

}  // namespace dlc::ir
