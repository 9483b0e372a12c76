// TensorRef: a caller's host buffer handed to Model::run, and the checks
// that it fits the model's input or output at a batch size.
//
// Checks dtype, rank and every dimension (the batch dimension bound to N),
// and that no output overlaps another caller buffer. Errors name the
// input/output ("input 1 \"y\": expected f32[7,4] (f32[N,4] at N=7), got
// f32[7,5]"). It does not own memory.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "ir/Types.h"
#include "runtime/src/Manifest.h"
#include "support/Status.h"
#include "support/Tensor.h"

namespace dlc::rt {

struct TensorRef {
  void* data = nullptr;
  ir::DType dtype = ir::DType::F32;
  std::vector<int64_t> dims;
};

// The dims of `desc` with the batch dimension bound to `batch`.
// A view of a host tensor (the runtime only writes through output views).
inline TensorRef refOf(const Tensor& t) {
  return {const_cast<void*>(t.data()), t.dtype(), t.dims()};
}

std::vector<int64_t> boundDims(const BufferDesc& desc, int64_t batch);

// `role` is "input" or "output"; `index` its position. Outputs with
// data == nullptr are not checked (the runtime allocates them).
Status checkTensorRef(const BufferDesc& desc, const char* role, int index, int64_t batch,
                      const TensorRef& ref);

// No caller output may overlap another caller buffer (inputs may share).
Status checkNoOverlap(const Manifest& m, int64_t batch, const std::vector<TensorRef>& inputs,
                      const std::vector<TensorRef>& outputs);

}  // namespace dlc::rt
