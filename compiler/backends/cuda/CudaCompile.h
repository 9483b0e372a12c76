// The compile part of the CUDA backend: rendered source -> PTX (+ CUBIN) with
// NVRTC, loaded at run time with dlopen (libnvrtc.so.13, .12, then
// libnvrtc.so), so dlc starts without the toolkit and says what is missing
// when CUDA is asked for. No GPU is needed: NVRTC only compiles.
//
// Results are cached on disk by a hash of the source, the NVRTC options, the
// arch and the NVRTC version: an unchanged model rebuilds without NVRTC.
#pragma once

#include <string>
#include <vector>

#include "compiler/backends/cuda/CudaBackend.h"
#include "runtime/src/CudaCode.h"
#include "support/Status.h"

namespace dlc::cuda {

// What a compile did, for --verbose: one line per cache lookup
// ("cuda cache hit 3f2a... (sm_90 ptx)") and the NVRTC log.
struct CompileLog {
  std::vector<std::string> lines;
  int cacheHits = 0;
  int cacheMisses = 0;
};

// Compiles `program` for options.arch (kDefaultArch when empty): PTX for
// compute_XX always, and a CUBIN for sm_XX when options.cubin. An NVRTC
// error returns its log, naming the kernel where it can.
StatusOr<rt::CudaCode> compileProgram(const RenderedProgram& program, const CudaOptions& options,
                                      CompileLog* log = nullptr);

// Whether NVRTC can be loaded here, and its version ("13.0"); the error says
// what is missing and how to install it.
StatusOr<std::string> nvrtcVersion();

}  // namespace dlc::cuda
