/* dlc runtime C API: load a compiled dlc artifact and run it.
 *
 * Every call returns a dlc_status; on failure dlc_last_error() returns the
 * message for the calling thread (valid until that thread's next failing
 * call). Handles are opaque. No C++ exception crosses this API.
 *
 * Threads: a dlc_model may be shared by several threads. Its runs are
 * serialized (one at a time per model). Outputs allocated by the runtime
 * (data == NULL) are valid until the next run of that model by any thread,
 * so threads sharing a model should pass their own output buffers. Report
 * strings are kept per calling thread (see dlc_model_report_json). For runs
 * that proceed in parallel, use one dlc_model per thread: models share the
 * CPU's worker threads, and a kernel that finds them busy runs on the
 * calling thread instead of waiting.
 *
 *   dlc_model* m = NULL;
 *   if (dlc_model_load("mlp.dlc", &m) != DLC_OK) { puts(dlc_last_error()); return 1; }
 *   dlc_tensor in = {pixels, DLC_F32, 2, {1, 784}};
 *   dlc_tensor out = {probs, DLC_F32, 2, {1, 10}};
 *   dlc_model_run(m, 1, &in, 1, &out, 1);
 *   dlc_model_free(m);
 */
#ifndef DLC_RUNTIME_H_
#define DLC_RUNTIME_H_

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define DLC_MAX_RANK 8

typedef enum dlc_status {
  DLC_OK = 0,
  DLC_INVALID_ARGUMENT = 1, /* bad input: artifact, tensor, argument */
  DLC_NOT_FOUND = 2,        /* missing file or symbol */
  DLC_OUT_OF_RANGE = 3,     /* limits exceeded, index out of range */
  DLC_UNSUPPORTED = 4,      /* valid request this runtime does not handle */
  DLC_FAILED_PRECONDITION = 5,
  DLC_UNAVAILABLE = 6,      /* device, memory or OS resource missing */
  DLC_DATA_LOSS = 7,        /* corrupt or truncated artifact */
  DLC_INTERNAL = 8
} dlc_status;

/* Element types; the values match dlc's internal DType. */
typedef enum dlc_dtype {
  DLC_F32 = 0,
  DLC_F16 = 1,
  DLC_BF16 = 2,
  DLC_U8 = 3,
  DLC_I32 = 4,
  DLC_I64 = 5,
  DLC_BOOL = 6
} dlc_dtype;

typedef struct dlc_model dlc_model;

/* A caller-owned host tensor. dims[0..rank) are concrete extents. */
typedef struct dlc_tensor {
  void* data;
  dlc_dtype dtype;
  int32_t rank;
  int64_t dims[DLC_MAX_RANK];
} dlc_tensor;

typedef struct dlc_device_info {
  char name[64];   /* "/device:CPU:0" */
  char kind[16];   /* "CPU" */
  char model[128]; /* CPU model name */
  int32_t cores;   /* physical cores */
  int32_t threads; /* threads the runtime uses */
  int64_t memory_bytes;
  double peak_bandwidth_gbs;     /* theoretical; < 0 when unknown */
  double measured_bandwidth_gbs; /* < 0 until measured */
} dlc_device_info;

/* The last error message of the calling thread ("" if none). */
const char* dlc_last_error(void);
/* "ok", "invalid argument", ... */
const char* dlc_status_name(dlc_status status);
/* Size in bytes of one element (0 for an unknown dtype). */
size_t dlc_dtype_size(dlc_dtype dtype);

/* Devices. Writes up to `capacity` entries and the total count. */
dlc_status dlc_list_devices(dlc_device_info* devices, size_t capacity, size_t* count);
/* Measures device `index`'s memory bandwidth (STREAM style, takes ~1 s). */
dlc_status dlc_measure_bandwidth(size_t index, double* gbs);

/* Loading. The bytes are copied; the caller may free them afterwards. */
dlc_status dlc_model_load(const char* path, dlc_model** model);
dlc_status dlc_model_load_bytes(const void* data, size_t size, dlc_model** model);
void dlc_model_free(dlc_model* model);

/* Signature. Strings are owned by the model. dims: -1 = the batch. */
dlc_status dlc_model_num_inputs(const dlc_model* model, int32_t* count);
dlc_status dlc_model_num_outputs(const dlc_model* model, int32_t* count);
dlc_status dlc_model_input_name(const dlc_model* model, int32_t index, const char** name);
dlc_status dlc_model_output_name(const dlc_model* model, int32_t index, const char** name);
dlc_status dlc_model_input_dtype(const dlc_model* model, int32_t index, dlc_dtype* dtype);
dlc_status dlc_model_output_dtype(const dlc_model* model, int32_t index, dlc_dtype* dtype);
dlc_status dlc_model_input_rank(const dlc_model* model, int32_t index, int32_t* rank);
dlc_status dlc_model_output_rank(const dlc_model* model, int32_t index, int32_t* rank);
/* Writes min(rank, capacity) dims. */
dlc_status dlc_model_input_dims(const dlc_model* model, int32_t index, int64_t* dims,
                                int32_t capacity);
dlc_status dlc_model_output_dims(const dlc_model* model, int32_t index, int64_t* dims,
                                 int32_t capacity);

/* Runs at `batch`. Every input and output is checked against the model
 * (dtype, rank, dims with the batch bound). An output whose data is NULL is
 * allocated by the runtime: on return data points to memory owned by the
 * model, valid until the model's next run by any thread, or its free, and
 * dtype/rank/dims are set. When that memory cannot be allocated the run
 * fails with DLC_UNAVAILABLE (DLC_OUT_OF_RANGE when the size overflows). */
dlc_status dlc_model_run(dlc_model* model, int64_t batch, const dlc_tensor* inputs,
                         int32_t num_inputs, dlc_tensor* outputs, int32_t num_outputs);

/* Report of the runs at the most recent batch size: placement per source
 * node and per-kernel time/bytes/GB/s. The string is owned by the model and
 * kept per calling thread: it stays valid until the same thread calls the
 * same function on this model again, or the model is freed; calls from
 * other threads do not touch it. */
dlc_status dlc_model_report_json(dlc_model* model, const char** json);
dlc_status dlc_model_report_text(dlc_model* model, const char** text);

#ifdef __cplusplus
}
#endif

#endif /* DLC_RUNTIME_H_ */
