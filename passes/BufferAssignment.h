// BufferAssignment: gives every temporary value a reusable memory slot.
//
// A temporary is a kernel output that is not a graph output. It is live from
// the kernel that writes it to the last kernel that reads it (kernel order =
// the plan's execution order); two temporaries share a slot only if their
// live ranges do not overlap (one is dead before the other is written, so a
// kernel never reads and writes the same slot). Sizes are affine in the
// batch: bytes = fixed + perBatch * N, each component rounded up to 64 bytes
// so every buffer at every batch is a multiple of 64. A slot is as large as
// the component-wise maximum of its buffers.
//
// The result maps onto the runtime manifest (BufferDesc::slot, SlotDesc)
// without this library depending on the runtime. It deliberately does not
// place graph inputs, outputs or constants (the runtime owns those) and does
// not lay slots out in one arena.
#pragma once

#include <cstdint>
#include <unordered_map>
#include <vector>

#include "ir/Graph.h"
#include "ir/Kernel.h"
#include "support/Affine.h"

namespace dlc::passes {

// The size of a value of `type`, each component rounded up to 64 bytes.
Affine bufferBytes(const ir::TensorType& type);

struct TempBuffer {
  const ir::Node* value = nullptr;
  int slot = -1;
  int firstKernel = 0;  // index in plan.kernels of the kernel writing it
  int lastKernel = 0;   // index of the last kernel reading it
  Affine bytes;
};

struct BufferSlot {
  int id = 0;
  Affine bytes;  // component-wise max over its buffers
};

struct BufferAssignment {
  std::vector<TempBuffer> buffers;  // in the order they are written
  std::vector<BufferSlot> slots;
  Affine peakBytes;     // sum of slot sizes
  Affine noReuseBytes;  // sum of buffer sizes (one slot each)

  // The slot of `value`, or -1 when it is not a temporary.
  int slotOf(const ir::Node* value) const;

 private:
  friend StatusOr<BufferAssignment> assignBuffers(const ir::Graph&, const ir::KernelPlan&);
  std::unordered_map<const ir::Node*, int> slotOf_;
};

// Assigns slots to the temporaries of `plan`. Fails (internal error) if a
// kernel reads a value no earlier kernel writes.
StatusOr<BufferAssignment> assignBuffers(const ir::Graph& graph, const ir::KernelPlan& plan);

}  // namespace dlc::passes
