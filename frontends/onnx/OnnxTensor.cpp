// ONNX TensorProto -> dlc::Tensor: dtypes, raw_data, typed fields, external
// data. See OnnxTensor.h for what is and is not decoded.
#include "frontends/onnx/OnnxTensor.h"

#include <cerrno>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sys/stat.h>

#include "onnx.pb.h"
#include "support/SafePath.h"

namespace dlc::onnxfe {

namespace {

// TensorProto.DataType values (onnx.proto), including ones newer than the
// schema dlc is built from, so errors still name them.
constexpr const char* kOnnxTypeNames[] = {
    "UNDEFINED", "FLOAT",  "UINT8",     "INT8",         "UINT16",         "INT16",
    "INT32",     "INT64",  "STRING",    "BOOL",         "FLOAT16",        "DOUBLE",
    "UINT32",    "UINT64", "COMPLEX64", "COMPLEX128",   "BFLOAT16",       "FLOAT8E4M3FN",
    "FLOAT8E4M3FNUZ",      "FLOAT8E5M2", "FLOAT8E5M2FNUZ", "UINT4",       "INT4",
    "FLOAT4E2M1"};

std::string dimsStr(const std::vector<int64_t>& dims) {
  std::string s = "[";
  for (size_t i = 0; i < dims.size(); ++i) {
    if (i) s += ",";
    s += std::to_string(dims[i]);
  }
  return s + "]";
}

// "dims [4,4] f32 need 64".
std::string need(ir::DType dtype, const std::vector<int64_t>& dims, int64_t bytes) {
  return strCat("dims ", dimsStr(dims), " ", ir::dtypeName(dtype), " need ", bytes);
}

// Copies the typed-field values `values` (count must match) into `t`.
template <typename Field>
Status copyTyped(const Field& values, const char* field, Tensor& t, const std::string& what) {
  int64_t count = t.numElements();
  if (int64_t(values.size()) != count)
    return invalidArgument(what, ": ", field, " has ", values.size(), " values, dims ",
                           dimsStr(t.dims()), " need ", count);
  for (int64_t i = 0; i < count; ++i) {
    auto v = values.Get(int(i));
    switch (t.dtype()) {
      case ir::DType::F16:
      case ir::DType::BF16:  // int32_data holds the 16-bit patterns
        t.as<uint16_t>()[i] = uint16_t(v);
        break;
      case ir::DType::U8:
      case ir::DType::Bool:
        t.as<uint8_t>()[i] = uint8_t(v);
        break;
      case ir::DType::I32:
        t.as<int32_t>()[i] = int32_t(v);
        break;
      case ir::DType::I64:
        t.as<int64_t>()[i] = int64_t(v);
        break;
      case ir::DType::F32:
        t.as<float>()[i] = float(v);
        break;
    }
  }
  return Status::OK();
}

struct ExternalRef {
  std::string location;
  int64_t offset = 0;
  int64_t length = -1;  // -1: to the end of the file
};

StatusOr<int64_t> parseCount(const std::string& key, const std::string& value,
                             const std::string& what) {
  char* end = nullptr;
  errno = 0;
  long long v = std::strtoll(value.c_str(), &end, 10);
  if (value.empty() || *end != '\0' || errno != 0 || v < 0)
    return invalidArgument(what, ": external data ", key, " \"", value,
                           "\" is not a non-negative integer");
  return int64_t(v);
}

StatusOr<ExternalRef> externalRef(const ::onnx::TensorProto& proto, const std::string& what) {
  ExternalRef ref;
  for (const auto& entry : proto.external_data()) {
    if (entry.key() == "location") {
      ref.location = entry.value();
    } else if (entry.key() == "offset") {
      DLC_ASSIGN_OR_RETURN(ref.offset, parseCount("offset", entry.value(), what));
    } else if (entry.key() == "length") {
      DLC_ASSIGN_OR_RETURN(ref.length, parseCount("length", entry.value(), what));
    }
  }
  if (ref.location.empty()) return invalidArgument(what, ": external data has no location");
  return ref;
}

// Reads the `bytes` bytes of dtype[dims] that `proto` keeps in an external
// file; the sizes are checked before the tensor is allocated.
StatusOr<Tensor> readExternal(const ::onnx::TensorProto& proto, const std::string& modelDir,
                              ir::DType dtype, const std::vector<int64_t>& dims, int64_t bytes,
                              const std::string& what) {
  DLC_ASSIGN_OR_RETURN(ExternalRef ref, externalRef(proto, what));
  auto resolved = resolveInsideFolder(modelDir, ref.location);
  if (!resolved.ok()) return resolved.status().withContext(strCat(what, ": external data"));
  struct stat st {};
  if (::stat(resolved->c_str(), &st) != 0 || !S_ISREG(st.st_mode))
    return invalidArgument(what, ": external data \"", ref.location,
                           "\" is not a regular file");
  int64_t fileSize = int64_t(st.st_size);
  if (ref.offset > fileSize)
    return outOfRange(what, ": external data \"", ref.location, "\" offset ", ref.offset,
                      " is past its end (", fileSize, " bytes)");
  int64_t length = ref.length < 0 ? fileSize - ref.offset : ref.length;
  if (length > fileSize - ref.offset)
    return outOfRange(what, ": external data \"", ref.location, "\" offset ", ref.offset,
                      " length ", length, " runs past its end (", fileSize, " bytes)");
  if (length != bytes)
    return invalidArgument(what, ": external data \"", ref.location, "\" holds ", length,
                           " bytes, ", need(dtype, dims, bytes));
  auto created = Tensor::create(dtype, dims);
  if (!created.ok()) return created.status().withContext(what);
  Tensor t = std::move(created).value();
  std::ifstream in(*resolved, std::ios::binary);
  in.seekg(std::streamoff(ref.offset));
  in.read(static_cast<char*>(t.data()), std::streamsize(length));
  if (!in || in.gcount() != std::streamsize(length))
    return dataLoss(what, ": could not read ", length, " bytes of external data \"",
                    ref.location, "\"");
  return t;
}

Status decodeTyped(const ::onnx::TensorProto& proto, Tensor& t, const std::string& what) {
  switch (t.dtype()) {
    case ir::DType::F32:
      return copyTyped(proto.float_data(), "float_data", t, what);
    case ir::DType::I64:
      return copyTyped(proto.int64_data(), "int64_data", t, what);
    default:
      return copyTyped(proto.int32_data(), "int32_data", t, what);
  }
}

}  // namespace

std::string onnxDTypeName(int32_t elemType) {
  constexpr int32_t count = int32_t(sizeof(kOnnxTypeNames) / sizeof(kOnnxTypeNames[0]));
  if (elemType >= 0 && elemType < count) return kOnnxTypeNames[elemType];
  return strCat("data type ", elemType);
}

StatusOr<ir::DType> dtypeFromOnnx(int32_t elemType, const std::string& what) {
  switch (elemType) {
    case ::onnx::TensorProto::FLOAT: return ir::DType::F32;
    case ::onnx::TensorProto::UINT8: return ir::DType::U8;
    case ::onnx::TensorProto::INT32: return ir::DType::I32;
    case ::onnx::TensorProto::INT64: return ir::DType::I64;
    case ::onnx::TensorProto::BOOL: return ir::DType::Bool;
    case ::onnx::TensorProto::FLOAT16: return ir::DType::F16;
    case ::onnx::TensorProto::BFLOAT16: return ir::DType::BF16;
    default:
      return unsupported(what, ": dtype ", onnxDTypeName(elemType),
                         " is not supported (dlc imports FLOAT, FLOAT16, BFLOAT16, UINT8, "
                         "INT32, INT64 and BOOL)");
  }
}

StatusOr<Tensor> tensorFromProto(const ::onnx::TensorProto& proto, const std::string& modelDir,
                                 const std::string& what) {
  if (proto.has_segment()) return unsupported(what, ": segmented tensors are not supported");
  DLC_ASSIGN_OR_RETURN(ir::DType dtype, dtypeFromOnnx(proto.data_type(), what));
  std::vector<int64_t> dims(proto.dims().begin(), proto.dims().end());
  if (int(dims.size()) > ir::kMaxRank)
    return invalidArgument(what, ": rank ", dims.size(), " exceeds the limit of ",
                           ir::kMaxRank);
  // Every size is checked against the data the file really holds before the
  // tensor is allocated: a few bytes of protobuf must not allocate gigabytes.
  auto byteSize = Tensor::checkedByteSize(dtype, dims);
  if (!byteSize.ok()) return byteSize.status().withContext(what);
  int64_t bytes = *byteSize;
  if (proto.data_location() == ::onnx::TensorProto::EXTERNAL) {
    if (modelDir.empty())
      return invalidArgument(what, ": external data is not allowed here");
    return readExternal(proto, modelDir, dtype, dims, bytes, what);
  }
  if (proto.has_raw_data()) {
    const std::string& raw = proto.raw_data();
    if (int64_t(raw.size()) != bytes)
      return invalidArgument(what, ": raw_data has ", raw.size(), " bytes, ",
                             need(dtype, dims, bytes));
  } else {
    int64_t count = bytes / int64_t(ir::dtypeSize(dtype));
    int64_t given = dtype == ir::DType::F32   ? proto.float_data_size()
                    : dtype == ir::DType::I64 ? proto.int64_data_size()
                                              : proto.int32_data_size();
    const char* field = dtype == ir::DType::F32   ? "float_data"
                        : dtype == ir::DType::I64 ? "int64_data"
                                                  : "int32_data";
    if (given != count)
      return invalidArgument(what, ": ", field, " has ", given, " values, dims ", dimsStr(dims),
                             " need ", count);
  }
  auto created = Tensor::create(dtype, dims);
  if (!created.ok()) return created.status().withContext(what);
  Tensor t = std::move(created).value();
  if (proto.has_raw_data()) {
    const std::string& raw = proto.raw_data();
    if (!raw.empty()) std::memcpy(t.data(), raw.data(), raw.size());
    return t;
  }
  DLC_RETURN_IF_ERROR(decodeTyped(proto, t, what));
  return t;
}

StatusOr<Tensor> readTensorFile(const std::string& path) {
  DLC_ASSIGN_OR_RETURN(std::string bytes, readFileBytes(path, kMaxModelFileBytes));
  ::onnx::TensorProto proto;
  if (bytes.size() > size_t(INT32_MAX) ||
      !proto.ParsePartialFromArray(bytes.data(), int(bytes.size())))
    return invalidArgument(path, ": not a valid ONNX TensorProto (truncated or corrupt file)");
  std::string what = proto.name().empty() ? path : strCat(path, ": tensor \"", proto.name(), "\"");
  return tensorFromProto(proto, parentFolder(path), what);
}

}  // namespace dlc::onnxfe
