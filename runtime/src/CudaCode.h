// The CUDA code section of an artifact: PTX for a virtual arch, and
// optionally a CUBIN for one real arch. The runtime loads the CUBIN when the
// GPU's compute capability matches it and otherwise JIT-compiles the PTX
// (the driver does that; no NVRTC at run time).
//
// Layout (little-endian): char[8] "DLCCUDA\0", u32 version (1), u32 reserved,
// then three length-prefixed (u64) strings: ptxArch, ptx, cubinArch, and one
// length-prefixed byte blob: cubin. The parser never reads out of bounds.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "support/Status.h"

namespace dlc::rt {

struct CudaCode {
  std::string ptxArch;    // "compute_80"
  std::string ptx;        // NUL-free PTX text
  std::string cubinArch;  // "sm_90", or empty when there is no CUBIN
  std::vector<uint8_t> cubin;
};

std::vector<uint8_t> serializeCudaCode(const CudaCode& code);
// `source` names the artifact in errors.
StatusOr<CudaCode> parseCudaCode(const std::vector<uint8_t>& bytes, const std::string& source);

}  // namespace dlc::rt
