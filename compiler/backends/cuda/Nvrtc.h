// NVRTC, loaded with dlopen at run time: dlc links no CUDA library, so it
// starts (and builds CPU models) on machines without the toolkit, and says
// what is missing only when CUDA code is asked for.
//
// The library is searched in $CUDA_HOME/lib64 (and lib) first, then by the
// dynamic loader's search (libnvrtc.so.13, .12, then libnvrtc.so), then in
// /usr/local/cuda/lib64. The toolkit's include folder (for cuda_fp16.h,
// cuda_bf16.h, mma.h) is found next to the library, in $CUDA_HOME/include or
// in /usr/local/cuda/include and passed to NVRTC with -I.
//
// What this deliberately does not do: choose compile options (CudaCompile.cpp
// does), cache results (CompileCache.h), or load the driver (the runtime's
// CudaDevice does that, without NVRTC).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "support/Status.h"

namespace dlc::cuda {

// The result of one NVRTC compile. `ok` false: a compile error, whose
// messages are in `log` (a failure of NVRTC itself is a Status instead).
struct NvrtcOutput {
  bool ok = false;
  std::string log;             // NVRTC's program log (warnings too), may be empty
  std::string ptx;             // without the trailing NUL
  std::vector<uint8_t> cubin;  // only when compiled for a real arch (sm_XX)
};

class Nvrtc {
 public:
  // The process-wide NVRTC, loaded on first use and never unloaded. The
  // error (Unavailable) names the libraries tried and how to install them.
  static StatusOr<const Nvrtc*> get();

  // Loads NVRTC from the first of `candidates` (file names for the loader's
  // search or absolute paths) that loads. Tests use it to check the error.
  static StatusOr<std::unique_ptr<Nvrtc>> load(const std::vector<std::string>& candidates);

  // The candidates get() tries, in order.
  static std::vector<std::string> defaultCandidates();

  ~Nvrtc();
  Nvrtc(const Nvrtc&) = delete;
  Nvrtc& operator=(const Nvrtc&) = delete;

  // "13.0"
  std::string version() const;
  int major() const { return major_; }
  int minor() const { return minor_; }
  // The file the library was loaded from (as the loader reports it).
  const std::string& libraryPath() const { return libraryPath_; }
  // The toolkit include folder holding cuda_fp16.h; empty when none was found
  // (sources that include toolkit headers then fail to compile, saying so).
  const std::string& includeDir() const { return includeDir_; }

  // Compiles `source` (named `name` in the log) with `options`. With
  // `wantCubin` (options must name a real arch, sm_XX) also returns the CUBIN.
  StatusOr<NvrtcOutput> compile(const std::string& source, const std::string& name,
                                const std::vector<std::string>& options, bool wantCubin) const;

 private:
  struct Api;
  Nvrtc() = default;

  void* handle_ = nullptr;
  std::unique_ptr<Api> api_;
  int major_ = 0;
  int minor_ = 0;
  std::string libraryPath_;
  std::string includeDir_;
};

}  // namespace dlc::cuda
