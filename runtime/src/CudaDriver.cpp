// See CudaDriver.h.
#include "runtime/src/CudaDriver.h"

#include <dlfcn.h>

#include <cstdlib>
#include <mutex>

namespace dlc::rt::cu {

namespace {

constexpr const char* kInstallHint =
    "CUDA needs the NVIDIA driver: install it (e.g. `sudo apt install nvidia-driver-580` or "
    "the .run installer from https://www.nvidia.com/drivers), check that `nvidia-smi` lists "
    "the GPU, and in a container run with the NVIDIA container toolkit (--gpus all)";

// Resolves `name` into `fn`; false (with `missing` set) when absent.
template <typename Fn>
bool resolve(void* lib, Fn& fn, const char* name, std::string& missing) {
  fn = reinterpret_cast<Fn>(dlsym(lib, name));
  if (!fn && missing.empty()) missing = name;
  return fn != nullptr;
}

// The first of two names that the library exports (the versioned one first).
template <typename Fn>
bool resolveEither(void* lib, Fn& fn, const char* preferred, const char* fallback,
                   std::string& missing) {
  fn = reinterpret_cast<Fn>(dlsym(lib, preferred));
  if (fn) return true;
  return resolve(lib, fn, fallback, missing);
}

StatusOr<const Driver*> loadDriver() {
  const char* override = std::getenv(kDriverOverrideEnv);
  const std::string library = override && *override ? override : kDriverLibrary;
  dlerror();
  void* lib = dlopen(library.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!lib) {
    const char* why = dlerror();
    return unavailable(library, " not found (", why ? why : "dlopen failed", "): ",
                       kInstallHint);
  }
  // Deliberately never freed or dlclose'd: modules and contexts may be used
  // until the process exits.
  auto* d = new Driver();
  std::string missing;
  resolve(lib, d->cuInit, "cuInit", missing);
  resolve(lib, d->cuDriverGetVersion, "cuDriverGetVersion", missing);
  resolve(lib, d->cuGetErrorName, "cuGetErrorName", missing);
  resolve(lib, d->cuGetErrorString, "cuGetErrorString", missing);
  resolve(lib, d->cuDeviceGetCount, "cuDeviceGetCount", missing);
  resolve(lib, d->cuDeviceGet, "cuDeviceGet", missing);
  resolve(lib, d->cuDeviceGetName, "cuDeviceGetName", missing);
  resolve(lib, d->cuDeviceTotalMem, "cuDeviceTotalMem_v2", missing);
  resolve(lib, d->cuDeviceGetAttribute, "cuDeviceGetAttribute", missing);
  resolve(lib, d->cuDevicePrimaryCtxRetain, "cuDevicePrimaryCtxRetain", missing);
  resolve(lib, d->cuCtxSetCurrent, "cuCtxSetCurrent", missing);
  resolve(lib, d->cuCtxGetDevice, "cuCtxGetDevice", missing);
  resolve(lib, d->cuCtxSynchronize, "cuCtxSynchronize", missing);
  resolve(lib, d->cuMemAlloc, "cuMemAlloc_v2", missing);
  resolve(lib, d->cuMemFree, "cuMemFree_v2", missing);
  resolve(lib, d->cuMemHostAlloc, "cuMemHostAlloc", missing);
  resolve(lib, d->cuMemFreeHost, "cuMemFreeHost", missing);
  resolve(lib, d->cuMemcpyHtoDAsync, "cuMemcpyHtoDAsync_v2", missing);
  resolve(lib, d->cuMemcpyDtoHAsync, "cuMemcpyDtoHAsync_v2", missing);
  resolve(lib, d->cuMemcpyDtoDAsync, "cuMemcpyDtoDAsync_v2", missing);
  resolve(lib, d->cuStreamCreate, "cuStreamCreate", missing);
  resolve(lib, d->cuStreamDestroy, "cuStreamDestroy_v2", missing);
  resolve(lib, d->cuStreamSynchronize, "cuStreamSynchronize", missing);
  resolve(lib, d->cuEventCreate, "cuEventCreate", missing);
  resolve(lib, d->cuEventDestroy, "cuEventDestroy_v2", missing);
  resolve(lib, d->cuEventRecord, "cuEventRecord", missing);
  resolve(lib, d->cuEventSynchronize, "cuEventSynchronize", missing);
  resolveEither(lib, d->cuEventElapsedTime, "cuEventElapsedTime_v2", "cuEventElapsedTime",
                missing);
  resolve(lib, d->cuModuleLoadDataEx, "cuModuleLoadDataEx", missing);
  resolve(lib, d->cuModuleUnload, "cuModuleUnload", missing);
  resolve(lib, d->cuModuleGetFunction, "cuModuleGetFunction", missing);
  resolve(lib, d->cuFuncGetAttribute, "cuFuncGetAttribute", missing);
  resolve(lib, d->cuFuncSetAttribute, "cuFuncSetAttribute", missing);
  resolve(lib, d->cuLaunchKernel, "cuLaunchKernel", missing);
  resolve(lib, d->cuStreamBeginCapture, "cuStreamBeginCapture_v2", missing);
  resolve(lib, d->cuStreamEndCapture, "cuStreamEndCapture", missing);
  resolve(lib, d->cuGraphInstantiateWithFlags, "cuGraphInstantiateWithFlags", missing);
  resolve(lib, d->cuGraphLaunch, "cuGraphLaunch", missing);
  resolve(lib, d->cuGraphDestroy, "cuGraphDestroy", missing);
  resolve(lib, d->cuGraphExecDestroy, "cuGraphExecDestroy", missing);
  if (!missing.empty())
    return unavailable(library, " has no ", missing,
                       ": the NVIDIA driver is too old for dlc (it needs CUDA 11.4 or newer; "
                       "driver 470+), update it");
  CUresult init = d->cuInit(0);
  if (init != CUDA_SUCCESS)
    return unavailable("no CUDA GPU: cuInit returned ", d->errorText(init),
                       " (check `nvidia-smi`, CUDA_VISIBLE_DEVICES and /dev/nvidia*)");
  return static_cast<const Driver*>(d);
}

}  // namespace

std::string Driver::errorText(CUresult result) const {
  const char* name = nullptr;
  const char* text = nullptr;
  if (!cuGetErrorName || cuGetErrorName(result, &name) != CUDA_SUCCESS) name = nullptr;
  if (!cuGetErrorString || cuGetErrorString(result, &text) != CUDA_SUCCESS) text = nullptr;
  std::string s = name ? name : strCat("CUresult ", result);
  if (text) s += strCat(" (", text, ")");
  return s;
}

Status Driver::check(CUresult result, const char* call) const {
  if (result == CUDA_SUCCESS) return Status::OK();
  std::string what = strCat(call, ": ", errorText(result));
  switch (result) {
    case CUDA_ERROR_OUT_OF_MEMORY:
    case CUDA_ERROR_NO_DEVICE:
    case CUDA_ERROR_NOT_INITIALIZED:
      return unavailable(what);
    case CUDA_ERROR_INVALID_IMAGE:
    case CUDA_ERROR_INVALID_PTX:
    case CUDA_ERROR_NO_BINARY_FOR_GPU:
      return invalidArgument(what);
    case CUDA_ERROR_UNSUPPORTED_PTX_VERSION:
    case CUDA_ERROR_STREAM_CAPTURE_UNSUPPORTED:
      return unsupported(what);
    case CUDA_ERROR_NOT_FOUND:
      return notFound(what);
    default:
      return internalError(what);
  }
}

StatusOr<const Driver*> driver() {
  static std::once_flag once;
  static StatusOr<const Driver*>* loaded = nullptr;
  std::call_once(once, [] { loaded = new StatusOr<const Driver*>(loadDriver()); });
  return *loaded;
}

}  // namespace dlc::rt::cu
