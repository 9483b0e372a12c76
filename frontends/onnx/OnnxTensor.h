// ONNX TensorProto <-> dlc::Tensor.
//
// Decodes every storage form ONNX writes: raw_data (little-endian), the typed
// repeated fields (float_data, int32_data for i32/u8/bool/f16/bf16 bit
// patterns, int64_data, double_data) and external data (location, offset,
// length), checking that the bytes present match dims x dtype exactly. dims
// are checked with Tensor::checkedByteSize, so hostile dims are an error,
// never an allocation. External data paths follow support/SafePath.h: no
// absolute paths, no `..`, no symlink out of the model's folder.
//
// What this deliberately does not do: dtypes dlc has no IR type for (f64,
// i8, i16, u16, u32, u64, complex, string, f8) are reported as unsupported
// with the ONNX type name; segment tensors are refused.
#pragma once

#include <cstdint>
#include <string>

#include "ir/Types.h"
#include "support/Status.h"
#include "support/Tensor.h"

namespace onnx {
class TensorProto;
}

namespace dlc::onnxfe {

// The IR dtype of ONNX TensorProto.DataType `elemType`; `what` names the
// tensor in errors ("model.onnx: initializer \"w\": dtype DOUBLE is not
// supported").
StatusOr<ir::DType> dtypeFromOnnx(int32_t elemType, const std::string& what);
// The ONNX name of a TensorProto.DataType value ("FLOAT", "DOUBLE", ...).
std::string onnxDTypeName(int32_t elemType);

// Decodes `proto`. `modelDir` is the folder external data is resolved
// against ("" when the proto may not refer to external data); `what` names
// the tensor in errors.
StatusOr<Tensor> tensorFromProto(const ::onnx::TensorProto& proto, const std::string& modelDir,
                                 const std::string& what);

// Reads a serialized TensorProto file (the input_N.pb / output_N.pb files of
// ONNX's backend test data). Errors name the file.
StatusOr<Tensor> readTensorFile(const std::string& path);

}  // namespace dlc::onnxfe
