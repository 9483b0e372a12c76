// See CudaModule.h.
#include "runtime/src/CudaModule.h"

#include <cstring>

#include "runtime/src/CudaLaunch.h"

namespace dlc::rt {

namespace {

constexpr size_t kJitLogBytes = 16 * 1024;

// The log text up to its NUL, without trailing newlines.
std::string logText(const std::vector<char>& log) {
  std::string s(log.data(), strnlen(log.data(), log.size()));
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.pop_back();
  return s;
}

// Loads one image of `code` into `module` (nullptr on failure); the error
// carries the driver's log.
Status loadImage(const cu::Driver& driver, const CudaTarget& target, const CudaCode& code,
                 CudaImage which, const std::string& source, cu::CUmodule& module) {
  const bool cubin = which == CudaImage::Cubin;
  std::vector<char> errorLog(kJitLogBytes, '\0');
  int options[] = {cu::CU_JIT_ERROR_LOG_BUFFER, cu::CU_JIT_ERROR_LOG_BUFFER_SIZE_BYTES};
  void* values[] = {errorLog.data(), reinterpret_cast<void*>(uintptr_t(errorLog.size()))};
  const void* image = cubin ? static_cast<const void*>(code.cubin.data())
                            : static_cast<const void*>(code.ptx.c_str());
  module = nullptr;
  cu::CUresult r = driver.cuModuleLoadDataEx(&module, image, 2, options, values);
  if (r == cu::CUDA_SUCCESS) return Status::OK();
  module = nullptr;
  std::string what = cubin ? strCat("loading the CUBIN (", code.cubinArch, ")")
                           : strCat("JIT-compiling the PTX (", code.ptxArch, ") for ",
                                    target.arch);
  std::string log = logText(errorLog);
  std::string hint;
  if (r == cu::CUDA_ERROR_UNSUPPORTED_PTX_VERSION)
    hint = strCat("; the PTX comes from a newer CUDA toolkit than this driver supports: "
                  "update the NVIDIA driver");
  Status st = driver.check(r, "cuModuleLoadDataEx");
  return Status(st.code(), strCat(source, ": ", what, " on ", target.name, ": ", st.message(),
                                  hint, log.empty() ? "" : strCat("\n", log)));
}

}  // namespace

StatusOr<CudaImage> chooseCudaImage(const CudaCode& code, const std::string& gpuArch,
                                    const std::string& source) {
  if (!code.cubin.empty() && code.cubinArch == gpuArch) return CudaImage::Cubin;
  if (!code.ptx.empty()) return CudaImage::Ptx;
  if (!code.cubin.empty())
    return unsupported(source, ": the CUDA code has a CUBIN for ", code.cubinArch,
                       " and no PTX, and this GPU is ", gpuArch,
                       ": rebuild with --cuda-arch ", gpuArch);
  return dataLoss(source, ": the CUDA code section holds neither PTX nor a CUBIN");
}

StatusOr<std::unique_ptr<CudaModule>> CudaModule::load(const cu::Driver& driver,
                                                       const CudaTarget& target,
                                                       const std::vector<uint8_t>& code,
                                                       const std::vector<KernelDesc>& kernels,
                                                       const std::string& source) {
  std::unique_ptr<CudaModule> module(new CudaModule(driver, target.context));
  if (kernels.empty() && code.empty()) return module;
  DLC_ASSIGN_OR_RETURN(CudaCode parsed, parseCudaCode(code, source));
  DLC_ASSIGN_OR_RETURN(module->image_, chooseCudaImage(parsed, target.arch, source));

  // Validate the kernels before handing anything to the driver.
  for (const KernelDesc& k : kernels) {
    std::string what = strCat(source, ": kernel ", k.id, " \"", k.symbol, "\"");
    if (k.symbol.empty())
      return invalidArgument(source, ": kernel ", k.id, " (", k.kind,
                             ") has no symbol: only compiled kernels can be loaded");
    if (k.args.size() > size_t(kMaxKernelArgs))
      return invalidArgument(what, " takes ", k.args.size(),
                             " buffers; the CUDA kernel ABI passes at most ", kMaxKernelArgs);
    DLC_RETURN_IF_ERROR(checkLaunch(k.launch, what));
    if (target.maxSharedBytesOptin > 0 && k.launch.sharedBytes > target.maxSharedBytesOptin)
      return unsupported(what, " needs ", k.launch.sharedBytes,
                         " bytes of shared memory per block; ", target.name, " allows ",
                         target.maxSharedBytesOptin);
  }

  Status loaded = loadImage(driver, target, parsed, module->image_, source, module->module_);
  if (!loaded.ok() && module->image_ == CudaImage::Cubin && !parsed.ptx.empty()) {
    // A CUBIN this driver cannot load (one from a newer toolkit, say): the
    // PTX may still JIT. Report both when it does not.
    Status viaPtx = loadImage(driver, target, parsed, CudaImage::Ptx, source, module->module_);
    if (viaPtx.ok()) {
      module->image_ = CudaImage::Ptx;
      loaded = Status::OK();
    } else {
      loaded = Status(loaded.code(), strCat(loaded.message(), "\nthen ", viaPtx.message()));
    }
  }
  DLC_RETURN_IF_ERROR(loaded);
  const bool cubin = module->image_ == CudaImage::Cubin;

  for (const KernelDesc& k : kernels) {
    std::string what = strCat(source, ": kernel \"", k.symbol, "\"");
    CudaKernel entry;
    entry.symbol = k.symbol;
    entry.launch = k.launch;
    entry.numArgs = int(k.args.size());
    cu::CUresult r = driver.cuModuleGetFunction(&entry.function, module->module_, k.symbol.c_str());
    if (r == cu::CUDA_ERROR_NOT_FOUND)
      return notFound(what, " not found in the CUDA code (", cubin ? "CUBIN" : "PTX", ")");
    DLC_RETURN_IF_ERROR(driver.check(r, "cuModuleGetFunction").withContext(what));
    int maxThreads = 0, regs = 0;
    DLC_RETURN_IF_ERROR(driver
                            .check(driver.cuFuncGetAttribute(
                                       &maxThreads, cu::CU_FUNC_ATTRIBUTE_MAX_THREADS_PER_BLOCK,
                                       entry.function),
                                   "cuFuncGetAttribute")
                            .withContext(what));
    if (maxThreads > 0 && entry.launch.threads > maxThreads) {
      (void)driver.cuFuncGetAttribute(&regs, cu::CU_FUNC_ATTRIBUTE_NUM_REGS, entry.function);
      return unsupported(what, " is launched with ", entry.launch.threads,
                         " threads per block but uses ", regs, " registers per thread, so ",
                         target.name, " runs at most ", maxThreads);
    }
    if (entry.launch.sharedBytes > cu::kDefaultDynamicSharedBytes)
      DLC_RETURN_IF_ERROR(
          driver
              .check(driver.cuFuncSetAttribute(entry.function,
                                               cu::CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES,
                                               entry.launch.sharedBytes),
                     "cuFuncSetAttribute(MAX_DYNAMIC_SHARED_SIZE_BYTES)")
              .withContext(strCat(what, " with ", entry.launch.sharedBytes,
                                  " bytes of dynamic shared memory")));
    module->kernels_.push_back(std::move(entry));
  }
  return module;
}

CudaModule::~CudaModule() {
  if (!module_) return;
  (void)driver_.cuCtxSetCurrent(context_);
  (void)driver_.cuModuleUnload(module_);
}

}  // namespace dlc::rt
