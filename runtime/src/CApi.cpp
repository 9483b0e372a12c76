// The C API (include/dlc/runtime.h) over Model and device discovery.
//
// Each entry point converts Status to dlc_status, stores the message in a
// thread-local for dlc_last_error, and catches every exception (out of
// memory included) so none crosses into C. A dlc_model may be shared by
// threads: Model serializes runs, and the report strings handed out are kept
// per calling thread, under the handle's mutex.
#include "dlc/runtime.h"

#include <cstring>
#include <exception>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "runtime/src/Bandwidth.h"
#include "runtime/src/CpuDevice.h"
#include "runtime/src/DeviceDiscovery.h"
#include "runtime/src/Model.h"

struct dlc_model {
  std::unique_ptr<dlc::rt::Model> model;
  // The last report string returned to each thread: valid until that
  // thread's next call of the same function on this model, or free.
  std::mutex reportMutex;
  std::map<std::thread::id, std::string> reportJson;
  std::map<std::thread::id, std::string> reportText;
};

namespace {

using dlc::Status;
using dlc::StatusCode;
using dlc::ir::DType;

// The C enums are cast to and from the internal ones: their values must match.
static_assert(DLC_F32 == int(DType::F32) && DLC_F16 == int(DType::F16) &&
              DLC_BF16 == int(DType::BF16) && DLC_U8 == int(DType::U8) &&
              DLC_I32 == int(DType::I32) && DLC_I64 == int(DType::I64) &&
              DLC_BOOL == int(DType::Bool) && dlc::ir::kNumDTypes == DLC_BOOL + 1,
              "dlc_dtype must match ir::DType");
static_assert(DLC_OK == int(StatusCode::kOk) &&
              DLC_INVALID_ARGUMENT == int(StatusCode::kInvalidArgument) &&
              DLC_NOT_FOUND == int(StatusCode::kNotFound) &&
              DLC_OUT_OF_RANGE == int(StatusCode::kOutOfRange) &&
              DLC_UNSUPPORTED == int(StatusCode::kUnsupported) &&
              DLC_FAILED_PRECONDITION == int(StatusCode::kFailedPrecondition) &&
              DLC_UNAVAILABLE == int(StatusCode::kUnavailable) &&
              DLC_DATA_LOSS == int(StatusCode::kDataLoss) &&
              DLC_INTERNAL == int(StatusCode::kInternal),
              "dlc_status must match StatusCode");
static_assert(DLC_MAX_RANK == dlc::ir::kMaxRank, "DLC_MAX_RANK must match ir::kMaxRank");

// Stores `text` as the calling thread's copy in `perThread` and returns it.
const char* keepForThisThread(dlc_model* model, std::map<std::thread::id, std::string>& perThread,
                              std::string text) {
  std::lock_guard<std::mutex> lock(model->reportMutex);
  std::string& slot = perThread[std::this_thread::get_id()];
  slot = std::move(text);
  return slot.c_str();
}

thread_local std::string gLastError;

dlc_status fail(const Status& st) {
  gLastError = st.message();
  switch (st.code()) {
    case StatusCode::kOk: return DLC_OK;
    case StatusCode::kInvalidArgument: return DLC_INVALID_ARGUMENT;
    case StatusCode::kNotFound: return DLC_NOT_FOUND;
    case StatusCode::kOutOfRange: return DLC_OUT_OF_RANGE;
    case StatusCode::kUnsupported: return DLC_UNSUPPORTED;
    case StatusCode::kFailedPrecondition: return DLC_FAILED_PRECONDITION;
    case StatusCode::kUnavailable: return DLC_UNAVAILABLE;
    case StatusCode::kDataLoss: return DLC_DATA_LOSS;
    case StatusCode::kInternal: return DLC_INTERNAL;
  }
  return DLC_INTERNAL;
}

template <typename Fn>
dlc_status guarded(Fn&& fn) {
  try {
    Status st = fn();
    return st.ok() ? DLC_OK : fail(st);
  } catch (const std::bad_alloc&) {
    return fail(dlc::unavailable("out of host memory"));
  } catch (const std::exception& e) {
    return fail(dlc::internalError("unexpected exception: ", e.what()));
  } catch (...) {
    return fail(dlc::internalError("unexpected exception"));
  }
}

Status needPtr(const void* p, const char* what) {
  if (!p) return dlc::invalidArgument(what, " is NULL");
  return Status::OK();
}

void copyString(char* dst, size_t cap, const std::string& src) {
  size_t n = std::min(cap - 1, src.size());
  std::memcpy(dst, src.data(), n);
  dst[n] = '\0';
}

// The input or output `index` of `model`, checked.
dlc::StatusOr<const dlc::rt::BufferDesc*> ioDesc(const dlc_model* model, int32_t index,
                                                 bool output) {
  if (!model) return dlc::invalidArgument("model is NULL");
  int n = output ? model->model->numOutputs() : model->model->numInputs();
  if (index < 0 || index >= n)
    return dlc::outOfRange(output ? "output" : "input", " index ", index, " out of range [0, ", n, ")");
  return output ? &model->model->output(index) : &model->model->input(index);
}

template <typename Fn>
dlc_status withDesc(const dlc_model* model, int32_t index, bool output, Fn&& fn) {
  return guarded([&]() -> Status {
    DLC_ASSIGN_OR_RETURN(const dlc::rt::BufferDesc* d, ioDesc(model, index, output));
    return fn(*d);
  });
}

Status toRefs(const dlc_tensor* tensors, int32_t n, const char* role,
              std::vector<dlc::rt::TensorRef>& refs) {
  if (n > 0 && !tensors) return dlc::invalidArgument(role, "s array is NULL");
  for (int32_t i = 0; i < n; ++i) {
    const dlc_tensor& t = tensors[i];
    if (!t.data && std::strcmp(role, "output") == 0) {
      refs.push_back({});  // allocated by the runtime
      continue;
    }
    if (t.rank < 0 || t.rank > DLC_MAX_RANK)
      return dlc::invalidArgument(role, " ", i, ": rank ", t.rank, " out of range [0, ", DLC_MAX_RANK, "]");
    if (int(t.dtype) < 0 || int(t.dtype) >= dlc::ir::kNumDTypes)
      return dlc::invalidArgument(role, " ", i, ": unknown dtype ", int(t.dtype));
    refs.push_back({t.data, dlc::ir::DType(t.dtype), std::vector<int64_t>(t.dims, t.dims + t.rank)});
  }
  return Status::OK();
}

Status loadInto(dlc_model** out, dlc::StatusOr<std::unique_ptr<dlc::rt::Model>> loaded) {
  if (!loaded.ok()) return loaded.status();
  auto* m = new dlc_model();
  m->model = std::move(*loaded);
  *out = m;
  return Status::OK();
}

}  // namespace

extern "C" {

const char* dlc_last_error(void) { return gLastError.c_str(); }

const char* dlc_status_name(dlc_status status) {
  if (int(status) < 0 || int(status) > int(DLC_INTERNAL)) return "unknown";
  return dlc::statusCodeName(StatusCode(int(status)));
}

size_t dlc_dtype_size(dlc_dtype dtype) {
  if (int(dtype) < 0 || int(dtype) >= dlc::ir::kNumDTypes) return 0;
  return dlc::ir::dtypeSize(dlc::ir::DType(dtype));
}

dlc_status dlc_list_devices(dlc_device_info* devices, size_t capacity, size_t* count) {
  return guarded([&]() -> Status {
    DLC_RETURN_IF_ERROR(needPtr(count, "count"));
    if (capacity > 0) DLC_RETURN_IF_ERROR(needPtr(devices, "devices"));
    std::vector<dlc::rt::DeviceInfo> list = dlc::rt::listDevices();
    *count = list.size();
    for (size_t i = 0; i < list.size() && i < capacity; ++i) {
      const dlc::rt::DeviceInfo& d = list[i];
      dlc_device_info& o = devices[i];
      copyString(o.name, sizeof o.name, d.name);
      copyString(o.kind, sizeof o.kind, dlc::rt::deviceKindName(d.kind));
      copyString(o.model, sizeof o.model, d.model);
      o.cores = d.cores;
      o.threads = d.threads;
      o.memory_bytes = d.memoryBytes;
      o.peak_bandwidth_gbs = d.peakBandwidthGBs.value_or(-1.0);
      o.measured_bandwidth_gbs = d.measuredBandwidthGBs.value_or(-1.0);
    }
    return Status::OK();
  });
}

dlc_status dlc_measure_bandwidth(size_t index, double* gbs) {
  return guarded([&]() -> Status {
    DLC_RETURN_IF_ERROR(needPtr(gbs, "gbs"));
    if (index != 0) return dlc::notFound("device index ", index, " out of range (1 device)");
    DLC_ASSIGN_OR_RETURN(dlc::rt::CpuDevice * dev, dlc::rt::defaultCpuDevice());
    DLC_ASSIGN_OR_RETURN(*gbs, dlc::rt::measureBandwidthGBs(*dev));
    return Status::OK();
  });
}

dlc_status dlc_model_load(const char* path, dlc_model** model) {
  return guarded([&]() -> Status {
    DLC_RETURN_IF_ERROR(needPtr(path, "path"));
    DLC_RETURN_IF_ERROR(needPtr(model, "model"));
    *model = nullptr;
    return loadInto(model, dlc::rt::Model::load(path));
  });
}

dlc_status dlc_model_load_bytes(const void* data, size_t size, dlc_model** model) {
  return guarded([&]() -> Status {
    DLC_RETURN_IF_ERROR(needPtr(model, "model"));
    *model = nullptr;
    if (size > 0) DLC_RETURN_IF_ERROR(needPtr(data, "data"));
    return loadInto(model, dlc::rt::Model::loadBytes(static_cast<const uint8_t*>(data), size,
                                                     "<memory>"));
  });
}

void dlc_model_free(dlc_model* model) { delete model; }

dlc_status dlc_model_num_inputs(const dlc_model* model, int32_t* count) {
  return guarded([&]() -> Status {
    DLC_RETURN_IF_ERROR(needPtr(model, "model"));
    DLC_RETURN_IF_ERROR(needPtr(count, "count"));
    *count = model->model->numInputs();
    return Status::OK();
  });
}

dlc_status dlc_model_num_outputs(const dlc_model* model, int32_t* count) {
  return guarded([&]() -> Status {
    DLC_RETURN_IF_ERROR(needPtr(model, "model"));
    DLC_RETURN_IF_ERROR(needPtr(count, "count"));
    *count = model->model->numOutputs();
    return Status::OK();
  });
}

#define DLC_IO_ACCESSORS(io, isOutput)                                                         \
  dlc_status dlc_model_##io##_name(const dlc_model* model, int32_t index, const char** name) { \
    return withDesc(model, index, isOutput, [&](const dlc::rt::BufferDesc& d) -> Status {      \
      DLC_RETURN_IF_ERROR(needPtr(name, "name"));                                              \
      *name = d.name.c_str();                                                                  \
      return Status::OK();                                                                     \
    });                                                                                        \
  }                                                                                            \
  dlc_status dlc_model_##io##_dtype(const dlc_model* model, int32_t index, dlc_dtype* dtype) { \
    return withDesc(model, index, isOutput, [&](const dlc::rt::BufferDesc& d) -> Status {      \
      DLC_RETURN_IF_ERROR(needPtr(dtype, "dtype"));                                            \
      *dtype = dlc_dtype(int(d.dtype));                                                        \
      return Status::OK();                                                                     \
    });                                                                                        \
  }                                                                                            \
  dlc_status dlc_model_##io##_rank(const dlc_model* model, int32_t index, int32_t* rank) {     \
    return withDesc(model, index, isOutput, [&](const dlc::rt::BufferDesc& d) -> Status {      \
      DLC_RETURN_IF_ERROR(needPtr(rank, "rank"));                                              \
      *rank = int32_t(d.dims.size());                                                          \
      return Status::OK();                                                                     \
    });                                                                                        \
  }                                                                                            \
  dlc_status dlc_model_##io##_dims(const dlc_model* model, int32_t index, int64_t* dims,       \
                                   int32_t capacity) {                                         \
    return withDesc(model, index, isOutput, [&](const dlc::rt::BufferDesc& d) -> Status {      \
      if (capacity > 0) DLC_RETURN_IF_ERROR(needPtr(dims, "dims"));                            \
      for (size_t i = 0; i < d.dims.size() && int32_t(i) < capacity; ++i) dims[i] = d.dims[i]; \
      return Status::OK();                                                                     \
    });                                                                                        \
  }
DLC_IO_ACCESSORS(input, false)
DLC_IO_ACCESSORS(output, true)
#undef DLC_IO_ACCESSORS

dlc_status dlc_model_run(dlc_model* model, int64_t batch, const dlc_tensor* inputs,
                         int32_t num_inputs, dlc_tensor* outputs, int32_t num_outputs) {
  return guarded([&]() -> Status {
    DLC_RETURN_IF_ERROR(needPtr(model, "model"));
    std::vector<dlc::rt::TensorRef> in, out;
    DLC_RETURN_IF_ERROR(toRefs(inputs, num_inputs, "input", in));
    DLC_RETURN_IF_ERROR(toRefs(outputs, num_outputs, "output", out));
    DLC_RETURN_IF_ERROR(model->model->run(batch, in, out));
    for (int32_t i = 0; i < num_outputs; ++i) {
      if (outputs[i].data) continue;
      outputs[i].data = out[size_t(i)].data;
      outputs[i].dtype = dlc_dtype(int(out[size_t(i)].dtype));
      outputs[i].rank = int32_t(out[size_t(i)].dims.size());
      for (size_t d = 0; d < out[size_t(i)].dims.size(); ++d) outputs[i].dims[d] = out[size_t(i)].dims[d];
    }
    return Status::OK();
  });
}

dlc_status dlc_model_report_json(dlc_model* model, const char** json) {
  return guarded([&]() -> Status {
    DLC_RETURN_IF_ERROR(needPtr(model, "model"));
    DLC_RETURN_IF_ERROR(needPtr(json, "json"));
    *json = keepForThisThread(model, model->reportJson,
                              dlc::rt::reportToJson(model->model->report()));
    return Status::OK();
  });
}

dlc_status dlc_model_report_text(dlc_model* model, const char** text) {
  return guarded([&]() -> Status {
    DLC_RETURN_IF_ERROR(needPtr(model, "model"));
    DLC_RETURN_IF_ERROR(needPtr(text, "text"));
    *text = keepForThisThread(model, model->reportText,
                              dlc::rt::reportToText(model->model->report()));
    return Status::OK();
  });
}

}  // extern "C"
