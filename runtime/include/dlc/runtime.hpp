// dlc runtime C++ API: a header-only, idiomatic layer over the C API
// (runtime.h). It needs nothing but the C API and the standard library, so
// it works against the installed shared library (dlc::runtime).
//
//   auto model = dlc::runtime::Model::load("mlp.dlc");
//   if (!model.ok()) { std::cerr << model.status().message() << "\n"; return 1; }
//   dlc::runtime::HostTensor x(DLC_F32, {1, 784});
//   auto outputs = model->run({x});          // batch read from x: 1
//   float* probs = outputs->at(0).data<float>();
//   std::cout << *model->reportText();
//
// Errors are values (Status / StatusOr); nothing here throws except
// std::bad_alloc from the standard library.
#pragma once

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <initializer_list>
#include <memory>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "dlc/runtime.h"

namespace dlc::runtime {

class Status {
 public:
  Status() = default;
  Status(dlc_status code, std::string message) : code_(code), message_(std::move(message)) {}
  // The status of the C call that returned `code` (reads dlc_last_error).
  static Status fromC(dlc_status code) {
    return code == DLC_OK ? Status() : Status(code, dlc_last_error());
  }
  bool ok() const { return code_ == DLC_OK; }
  dlc_status code() const { return code_; }
  const std::string& message() const { return message_; }

 private:
  dlc_status code_ = DLC_OK;
  std::string message_;
};

template <typename T>
class StatusOr {
 public:
  StatusOr(Status status) : v_(std::move(status)) {}  // NOLINT: implicit
  StatusOr(T value) : v_(std::move(value)) {}         // NOLINT: implicit
  bool ok() const { return std::holds_alternative<T>(v_); }
  Status status() const { return ok() ? Status() : std::get<Status>(v_); }
  // Precondition: ok(). Calling these on an error aborts.
  T& value() & { check(); return std::get<T>(v_); }
  const T& value() const& { check(); return std::get<T>(v_); }
  T&& value() && { check(); return std::get<T>(std::move(v_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T&& operator*() && { return std::move(*this).value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

 private:
  void check() const {
    if (!ok()) std::abort();
  }
  std::variant<Status, T> v_;
};

struct DeviceInfo {
  std::string name, kind, model;
  int cores = 0, threads = 0;
  int64_t memoryBytes = 0;
  double peakBandwidthGBs = -1;      // < 0: unknown
  double measuredBandwidthGBs = -1;  // < 0: not measured
};

inline StatusOr<std::vector<DeviceInfo>> listDevices() {
  size_t n = 0;
  if (dlc_status s = dlc_list_devices(nullptr, 0, &n); s != DLC_OK) return Status::fromC(s);
  std::vector<dlc_device_info> raw(n);
  if (dlc_status s = dlc_list_devices(raw.data(), raw.size(), &n); s != DLC_OK)
    return Status::fromC(s);
  std::vector<DeviceInfo> out;
  for (size_t i = 0; i < n && i < raw.size(); ++i)
    out.push_back({raw[i].name, raw[i].kind, raw[i].model, raw[i].cores, raw[i].threads,
                   raw[i].memory_bytes, raw[i].peak_bandwidth_gbs, raw[i].measured_bandwidth_gbs});
  return out;
}

// A host tensor with 64-byte aligned, zero-initialized storage.
class HostTensor {
 public:
  HostTensor() = default;
  HostTensor(dlc_dtype dtype, std::vector<int64_t> dims) : dtype_(dtype), dims_(std::move(dims)) {
    size_t bytes = (byteSize() + 63) / 64 * 64;
    void* p = std::aligned_alloc(64, bytes ? bytes : 64);
    if (!p) throw std::bad_alloc();
    std::memset(p, 0, bytes ? bytes : 64);
    storage_ = std::shared_ptr<void>(p, [](void* q) { std::free(q); });
  }
  dlc_dtype dtype() const { return dtype_; }
  const std::vector<int64_t>& dims() const { return dims_; }
  int64_t numElements() const {
    int64_t n = 1;
    for (int64_t d : dims_) n *= d;
    return n;
  }
  size_t byteSize() const { return size_t(numElements()) * dlc_dtype_size(dtype_); }
  void* data() { return storage_.get(); }
  const void* data() const { return storage_.get(); }
  template <typename T> T* data() { return static_cast<T*>(data()); }
  template <typename T> const T* data() const { return static_cast<const T*>(data()); }

 private:
  dlc_dtype dtype_ = DLC_F32;
  std::vector<int64_t> dims_;
  std::shared_ptr<void> storage_;
};

// An input or output of a model; dims use -1 for the batch.
struct TensorSpec {
  std::string name;
  dlc_dtype dtype = DLC_F32;
  std::vector<int64_t> dims;
};

class Model {
 public:
  static StatusOr<Model> load(const std::string& path) {
    dlc_model* m = nullptr;
    if (dlc_status s = dlc_model_load(path.c_str(), &m); s != DLC_OK) return Status::fromC(s);
    return Model(m);
  }
  static StatusOr<Model> loadBytes(const void* data, size_t size) {
    dlc_model* m = nullptr;
    if (dlc_status s = dlc_model_load_bytes(data, size, &m); s != DLC_OK) return Status::fromC(s);
    return Model(m);
  }

  const std::vector<TensorSpec>& inputs() const { return inputs_; }
  const std::vector<TensorSpec>& outputs() const { return outputs_; }

  // Runs at `batch` on caller tensors (outputs must be allocated).
  Status run(int64_t batch, const std::vector<HostTensor>& inputs,
             std::vector<HostTensor>& outputs) {
    std::vector<dlc_tensor> in, out;
    for (const HostTensor& t : inputs) in.push_back(toC(const_cast<void*>(t.data()), t));
    for (HostTensor& t : outputs) out.push_back(toC(t.data(), t));
    return Status::fromC(dlc_model_run(handle_.get(), batch, in.data(), int32_t(in.size()),
                                       out.data(), int32_t(out.size())));
  }
  // Runs on `inputs`, reading the batch from the first input with a batch
  // dimension, and returns newly allocated outputs.
  StatusOr<std::vector<HostTensor>> run(const std::vector<HostTensor>& inputs) {
    int64_t batch = 1;
    for (size_t i = 0; i < inputs.size() && i < inputs_.size(); ++i) {
      const std::vector<int64_t>& spec = inputs_[i].dims;
      bool found = false;
      for (size_t d = 0; d < spec.size() && spec.size() == inputs[i].dims().size(); ++d)
        if (spec[d] == -1) batch = inputs[i].dims()[d], found = true;
      if (found) break;
    }
    std::vector<HostTensor> outs;
    for (const TensorSpec& o : outputs_) {
      std::vector<int64_t> dims = o.dims;
      for (int64_t& d : dims)
        if (d == -1) d = batch < 0 ? 0 : batch;
      outs.emplace_back(o.dtype, dims);
    }
    Status st = run(batch, inputs, outs);
    if (!st.ok()) return st;
    return outs;
  }

  StatusOr<std::string> reportJson() {
    const char* s = nullptr;
    if (dlc_status c = dlc_model_report_json(handle_.get(), &s); c != DLC_OK) return Status::fromC(c);
    return std::string(s);
  }
  StatusOr<std::string> reportText() {
    const char* s = nullptr;
    if (dlc_status c = dlc_model_report_text(handle_.get(), &s); c != DLC_OK) return Status::fromC(c);
    return std::string(s);
  }
  dlc_model* handle() { return handle_.get(); }

 private:
  struct Free {
    void operator()(dlc_model* m) const { dlc_model_free(m); }
  };
  explicit Model(dlc_model* m) : handle_(m) {
    int32_t n = 0;
    dlc_model_num_inputs(m, &n);
    for (int32_t i = 0; i < n; ++i) inputs_.push_back(spec(i, /*output=*/false));
    dlc_model_num_outputs(m, &n);
    for (int32_t i = 0; i < n; ++i) outputs_.push_back(spec(i, /*output=*/true));
  }
  TensorSpec spec(int32_t i, bool output) const {
    TensorSpec s;
    const char* name = "";
    int32_t rank = 0;
    dlc_model* m = handle_.get();
    (output ? dlc_model_output_name : dlc_model_input_name)(m, i, &name);
    (output ? dlc_model_output_dtype : dlc_model_input_dtype)(m, i, &s.dtype);
    (output ? dlc_model_output_rank : dlc_model_input_rank)(m, i, &rank);
    s.name = name;
    s.dims.resize(size_t(rank));
    (output ? dlc_model_output_dims : dlc_model_input_dims)(m, i, s.dims.data(), rank);
    return s;
  }
  static dlc_tensor toC(void* data, const HostTensor& t) {
    dlc_tensor c{};
    c.data = data;
    c.dtype = t.dtype();
    c.rank = int32_t(t.dims().size() > DLC_MAX_RANK ? DLC_MAX_RANK + 1 : t.dims().size());
    for (size_t d = 0; d < t.dims().size() && d < DLC_MAX_RANK; ++d) c.dims[d] = t.dims()[d];
    return c;
  }

  std::unique_ptr<dlc_model, Free> handle_;
  std::vector<TensorSpec> inputs_, outputs_;
};

}  // namespace dlc::runtime
