// An artifact's CUDA code loaded on one GPU: the CudaCode section parsed,
// the CUBIN loaded when it was built for this GPU's exact arch and otherwise
// the PTX, JIT-compiled by the driver (its error log is kept for the
// message; a CUBIN the driver refuses falls back to the PTX); every kernel
// symbol resolved, its launch geometry checked, and more than 48 KiB of
// dynamic shared memory opted into.
//
// It does not launch kernels (CudaDevice does, with the CudaLaunch kept
// here) and never compiles source: there is no NVRTC in the runtime.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "runtime/src/CudaCode.h"
#include "runtime/src/CudaDriver.h"
#include "runtime/src/Device.h"

namespace dlc::rt {

// Which image of a CudaCode a GPU loads.
enum class CudaImage { Cubin, Ptx };

// The CUBIN when its arch equals `gpuArch` ("sm_90"), else the PTX; an
// error naming `source` when neither fits.
StatusOr<CudaImage> chooseCudaImage(const CudaCode& code, const std::string& gpuArch,
                                    const std::string& source);

// What the module needs to know about the GPU it is loaded on.
struct CudaTarget {
  cu::CUcontext context = nullptr;  // current on the calling thread
  std::string arch;                 // "sm_90"
  int maxSharedBytesOptin = 0;      // dynamic + static shared per block
  std::string name;                 // "/device:GPU:0", for errors
};

struct CudaKernel {
  std::string symbol;
  cu::CUfunction function = nullptr;
  CudaLaunch launch;
  int numArgs = 0;  // params + outputs: the DlcArgs pointers it reads
};

class CudaModule final : public LoadedModule {
 public:
  // Loads `code` (CudaCode bytes) for `kernels` (in launch-index order) on
  // `target`, whose context the caller made current.
  static StatusOr<std::unique_ptr<CudaModule>> load(const cu::Driver& driver,
                                                    const CudaTarget& target,
                                                    const std::vector<uint8_t>& code,
                                                    const std::vector<KernelDesc>& kernels,
                                                    const std::string& source);
  // Unloads the module (making its context current).
  ~CudaModule() override;

  int numKernels() const override { return int(kernels_.size()); }
  const CudaKernel& kernel(int i) const { return kernels_[size_t(i)]; }
  cu::CUcontext context() const { return context_; }
  CudaImage image() const { return image_; }

 private:
  CudaModule(const cu::Driver& driver, cu::CUcontext context)
      : driver_(driver), context_(context) {}
  const cu::Driver& driver_;
  cu::CUcontext context_;
  cu::CUmodule module_ = nullptr;
  CudaImage image_ = CudaImage::Ptx;
  std::vector<CudaKernel> kernels_;
};

}  // namespace dlc::rt
