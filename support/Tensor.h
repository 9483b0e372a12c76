// A host tensor: dtype, static dims and 64-byte aligned storage.
// Used for constants, interpreter values, .npy I/O and runtime host buffers.
//
// Tensor::create is the checked factory for sizes that come from users or files
// (negative dims, int64 overflow and allocation failure become a Status); the
// constructor is for sizes already validated and aborts if memory runs out.
#pragma once

#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "ir/Types.h"
#include "support/Status.h"

namespace dlc {

class Tensor {
 public:
  Tensor() = default;
  // Zero-filled tensor. For sizes already validated: aborts if the host is out
  // of memory. Use create() when dims come from a user or a file.
  Tensor(ir::DType dtype, std::vector<int64_t> dims);

  // Zero-filled tensor with checked size: invalidArgument for a negative dim,
  // outOfRange when elements x dtype size overflows int64, unavailable (with
  // the byte count) when the host cannot allocate it.
  static StatusOr<Tensor> create(ir::DType dtype, std::vector<int64_t> dims);

  // The byte size of dtype[dims], or the error create() would return for
  // negative dims or int64 overflow. Allocates nothing.
  static StatusOr<int64_t> checkedByteSize(ir::DType dtype, const std::vector<int64_t>& dims);

  bool empty() const { return !storage_; }
  ir::DType dtype() const { return dtype_; }
  const std::vector<int64_t>& dims() const { return dims_; }
  int rank() const { return int(dims_.size()); }
  int64_t numElements() const;
  size_t byteSize() const { return size_t(numElements()) * ir::dtypeSize(dtype_); }
  ir::TensorType type() const { return {dtype_, ir::Shape(dims_)}; }

  void* data() { return storage_.get(); }
  const void* data() const { return storage_.get(); }
  template <typename T> T* as() { return reinterpret_cast<T*>(data()); }
  template <typename T> const T* as() const { return reinterpret_cast<const T*>(data()); }

  // Element i converted to double / set from double (any dtype).
  double getAsDouble(int64_t i) const;
  void setFromDouble(int64_t i, double v);

  // Same bytes, new dims (element count must match).
  Tensor reshaped(std::vector<int64_t> dims) const;
  Tensor clone() const;
  // A short human-readable form: "f32[2,3]{1, 2, 3, ...}".
  std::string summary(int maxElements = 8) const;

 private:
  ir::DType dtype_ = ir::DType::F32;
  std::vector<int64_t> dims_;
  std::shared_ptr<uint8_t> storage_;
};

// IEEE half and bfloat16 conversions (round to nearest even).
float halfToFloat(uint16_t h);
uint16_t floatToHalf(float f);
float bf16ToFloat(uint16_t h);
uint16_t floatToBf16(float f);

}  // namespace dlc
