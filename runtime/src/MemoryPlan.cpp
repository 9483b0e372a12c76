#include "runtime/src/MemoryPlan.h"

namespace dlc::rt {

StatusOr<int64_t> bytesAt(const Affine& a, int64_t batch) {
  int64_t scaled = 0, total = 0;
  if (__builtin_mul_overflow(a.perBatch, batch, &scaled) ||
      __builtin_add_overflow(a.fixed, scaled, &total))
    return outOfRange("size ", a.fixed, " + ", a.perBatch, " * N overflows at N=", batch);
  return total;
}

StatusOr<MemoryPlan> planMemory(const Manifest& manifest, int64_t batch) {
  if (batch < 1) return invalidArgument("batch must be >= 1, got ", batch);
  MemoryPlan plan;
  plan.batch = batch;
  int64_t offset = 0;
  for (const SlotDesc& slot : manifest.slots) {
    DLC_ASSIGN_OR_RETURN(int64_t bytes, bytesAt(slot.bytes, batch));
    int64_t aligned = 0;
    if (__builtin_add_overflow(bytes, kArenaAlignment - 1, &aligned))
      return outOfRange("slot ", slot.id, " is too large at batch ", batch);
    aligned = aligned / kArenaAlignment * kArenaAlignment;
    plan.slotOffsets.push_back(offset);
    plan.slotBytes.push_back(bytes);
    if (__builtin_add_overflow(offset, aligned, &offset))
      return outOfRange("temporary memory overflows at batch ", batch);
  }
  plan.arenaBytes = offset;
  return plan;
}

}  // namespace dlc::rt
