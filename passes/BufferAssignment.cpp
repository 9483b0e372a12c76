// Liveness-based slot assignment for temporaries (see BufferAssignment.h).
#include "passes/BufferAssignment.h"

#include <algorithm>

namespace dlc::passes {

namespace {

constexpr int64_t kAlignment = 64;
// Batch used to weigh per-batch bytes against fixed bytes when choosing
// which free slot to grow.
constexpr int64_t kWeighingBatch = 64;

int64_t roundUp(int64_t bytes) { return (bytes + kAlignment - 1) / kAlignment * kAlignment; }

// The free slot that grows least to hold `bytes` (ties: the smallest); -1
// when none is free.
int pickSlot(const std::vector<BufferSlot>& slots, const std::vector<int>& busyUntil,
             int firstKernel, const Affine& bytes) {
  int best = -1;
  int64_t bestGrowth = 0, bestSize = 0;
  for (size_t s = 0; s < slots.size(); ++s) {
    if (busyUntil[s] >= firstKernel) continue;
    int64_t size = slots[s].bytes.at(kWeighingBatch);
    int64_t growth = slots[s].bytes.max(bytes).at(kWeighingBatch) - size;
    if (best < 0 || growth < bestGrowth || (growth == bestGrowth && size < bestSize)) {
      best = int(s);
      bestGrowth = growth;
      bestSize = size;
    }
  }
  return best;
}

}  // namespace

Affine bufferBytes(const ir::TensorType& type) {
  int64_t bytes = type.shape.staticElements() * int64_t(ir::dtypeSize(type.dtype));
  if (type.shape.hasBatch()) return Affine::batched(roundUp(bytes));
  return Affine::constant(roundUp(bytes));
}

int BufferAssignment::slotOf(const ir::Node* value) const {
  auto it = slotOf_.find(value);
  return it == slotOf_.end() ? -1 : it->second;
}

StatusOr<BufferAssignment> assignBuffers(const ir::Graph& graph, const ir::KernelPlan& plan) {
  BufferAssignment result;
  std::unordered_map<const ir::Node*, size_t> index;  // value -> result.buffers
  std::unordered_map<const ir::Node*, int> writer;    // value -> kernel index
  for (size_t k = 0; k < plan.kernels.size(); ++k) {
    const ir::Kernel& kernel = plan.kernels[k];
    for (const ir::Node* param : kernel.params) {
      if (ir::isSource(param->op)) continue;
      auto w = writer.find(param);
      if (w == writer.end() || size_t(w->second) >= k)
        return internalError("buffer assignment: kernel k", kernel.id, " reads \"", param->name,
                             "\" before any kernel writes it");
      auto t = index.find(param);
      if (t != index.end()) result.buffers[t->second].lastKernel = int(k);
    }
    for (const ir::Node* out : kernel.outputs) {
      writer[out] = int(k);
      if (graph.isOutput(out)) continue;
      index[out] = result.buffers.size();
      result.buffers.push_back({out, -1, int(k), int(k), bufferBytes(out->type)});
    }
  }
  std::vector<int> busyUntil;  // per slot: last kernel reading its current buffer
  for (TempBuffer& buffer : result.buffers) {
    int s = pickSlot(result.slots, busyUntil, buffer.firstKernel, buffer.bytes);
    if (s < 0) {
      s = int(result.slots.size());
      result.slots.push_back({s, {}});
      busyUntil.push_back(-1);
    }
    result.slots[size_t(s)].bytes = result.slots[size_t(s)].bytes.max(buffer.bytes);
    busyUntil[size_t(s)] = buffer.lastKernel;
    buffer.slot = s;
    result.slotOf_[buffer.value] = s;
    result.noReuseBytes = result.noReuseBytes.plus(buffer.bytes);
  }
  for (const BufferSlot& slot : result.slots) result.peakBytes = result.peakBytes.plus(slot.bytes);
  return result;
}

}  // namespace dlc::passes
