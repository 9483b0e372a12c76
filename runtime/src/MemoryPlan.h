// Memory planning for one batch size: where every temp slot lives in the
// arena.
//
// The compiler's buffer assignment already decided which temps share a slot
// (Manifest: BufferDesc::slot); this lays the slots out back to back at
// 64-byte aligned offsets with sizes Affine::at(batch), with overflow checks.
// It does not reassign slots, and it does not place inputs, outputs or
// constants (those are bound by the Model).
#pragma once

#include <cstdint>
#include <vector>

#include "runtime/src/Manifest.h"
#include "support/Status.h"

namespace dlc::rt {

constexpr int64_t kArenaAlignment = 64;

struct MemoryPlan {
  int64_t batch = 1;
  std::vector<int64_t> slotOffsets;  // per slot, bytes from the arena start
  std::vector<int64_t> slotBytes;    // per slot at this batch
  int64_t arenaBytes = 0;            // total, aligned
};

// Affine::at with an overflow check.
StatusOr<int64_t> bytesAt(const Affine& a, int64_t batch);

StatusOr<MemoryPlan> planMemory(const Manifest& manifest, int64_t batch);

// Byte offset of buffer `id` (a temp) in the arena.
inline int64_t tempOffset(const Manifest& m, const MemoryPlan& plan, int id) {
  return plan.slotOffsets[size_t(m.buffers[size_t(id)].slot)];
}

}  // namespace dlc::rt
