// The on-disk cache of NVRTC results, so an unchanged model rebuilds without
// running NVRTC again.
//
// An entry is keyed by the SHA-256 of everything that decides the compiled
// code: the source, the NVRTC options, the arch, whether a CUBIN is built and
// the NVRTC version. Entries are written atomically (a reader sees a whole
// entry or none) and carry a SHA-256 of their contents: a damaged entry is
// reported in the CompileLog, treated as a miss and rewritten by the next
// store. The folder is CudaOptions::cacheDir, else $XDG_CACHE_HOME/dlc/cuda,
// else ~/.cache/dlc/cuda.
//
// What this deliberately does not do: evict old entries (they are small and
// the user may delete the folder at any time), or lock: two processes that
// compile the same program both write the same entry, and the last rename
// wins.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "compiler/backends/cuda/CudaCompile.h"
#include "runtime/src/CudaCode.h"
#include "support/Status.h"

namespace dlc::cuda {

// SHA-256 (FIPS 180-4) of `bytes`, and as 64 lowercase hex digits.
std::array<uint8_t, 32> sha256(std::string_view bytes);
std::string sha256Hex(std::string_view bytes);

// Everything that decides what NVRTC produces.
struct CompileKey {
  std::string source;
  std::vector<std::string> options;  // the NVRTC options, in order
  std::string arch;                  // "sm_90", "compute_80"
  bool cubin = false;
  std::string nvrtcVersion;  // "13.0"
};

// The entry name of `key`: a hex SHA-256 over its length-prefixed fields.
std::string cacheKeyOf(const CompileKey& key);

// The cache folder: `configured` when not empty, else $XDG_CACHE_HOME/dlc/cuda
// (when that is an absolute path), else $HOME/.cache/dlc/cuda. Empty when
// there is no home folder either (the caller then compiles uncached).
std::string cacheDirFor(const std::string& configured);

class CompileCache {
 public:
  explicit CompileCache(std::string dir) : dir_(std::move(dir)) {}

  const std::string& dir() const { return dir_; }
  // The file holding the entry `key`.
  std::string pathOf(const std::string& key) const;

  // The code stored under `key`, or nullopt when there is none or it is
  // damaged. Counts a hit or a miss in `log` and adds a line naming the key
  // and `what` ("sm_90 ptx+cubin"); a damaged entry's line says why.
  std::optional<rt::CudaCode> lookup(const std::string& key, const std::string& what,
                                     CompileLog* log) const;

  // Writes `code` under `key` atomically, creating the folder. The error
  // names the folder or file; callers may log it and go on uncached.
  Status store(const std::string& key, const rt::CudaCode& code) const;

 private:
  std::string dir_;
};

}  // namespace dlc::cuda
