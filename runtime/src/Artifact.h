// The artifact container: one file holding a compiled model.
//
// Layout (all integers little-endian):
//   0   char[8]  magic "DLCARTF\0"
//   8   u32      format version (Manifest::kFormatVersion)
//   12  u32      reserved (0)
//   16  u64      file size in bytes, trailer included
//   24  u32      number of sections
//   28  u32      reserved (0)
//   32  section table, 24 bytes per entry: u32 kind, u32 reserved,
//       u64 offset, u64 size  (kinds: 1 manifest JSON, 2 constants, 3 code
//       (a CPU shared object; empty when no kernel runs on a CPU), 4 CUDA
//       code (CudaCode.h; optional, present when a kernel runs on a GPU))
//   ... section payloads, each starting at a 64-byte aligned offset
//   last 8 bytes: u64 FNV-1a-64 of every byte before it
//
// The reader checks, in order: magic, version, declared size vs. actual size
// (truncation), checksum, section bounds, then parses and validates the
// manifest and checks constant ranges against the constants section. It never
// reads outside the bytes it was given. It does not load the code (see
// CpuModule) nor allocate device memory (see Model).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "runtime/src/Manifest.h"
#include "support/Status.h"

namespace dlc::rt {

// Largest artifact file readArtifact reads (the weight-file limit).
inline constexpr uint64_t kMaxArtifactBytes = uint64_t(16) << 30;

inline constexpr char kArtifactMagic[8] = {'D', 'L', 'C', 'A', 'R', 'T', 'F', '\0'};

enum class SectionKind : uint32_t { Manifest = 1, Constants = 2, Code = 3, CudaCode = 4 };

struct Artifact {
  std::string source;  // the file name, or a caller-chosen label for bytes
  Manifest manifest;
  std::vector<uint8_t> constants;
  std::vector<uint8_t> code;      // an ELF shared object for the CPU kernels
  std::vector<uint8_t> cudaCode;  // CudaCode.h bytes for the GPU kernels
};

// Serializes into bytes / a file (support's writeFileAtomic: a temp file
// beside `path`, then renamed over it).
StatusOr<std::vector<uint8_t>> serializeArtifact(const Manifest& manifest,
                                                 const std::vector<uint8_t>& constants,
                                                 const std::vector<uint8_t>& code,
                                                 const std::vector<uint8_t>& cudaCode = {});
Status writeArtifact(const std::string& path, const Manifest& manifest,
                     const std::vector<uint8_t>& constants, const std::vector<uint8_t>& code,
                     const std::vector<uint8_t>& cudaCode = {});

// Parses bytes; `source` names them in every error message.
StatusOr<Artifact> parseArtifact(const uint8_t* data, size_t size, const std::string& source);
// Reads a regular file of at most kMaxArtifactBytes (support's readFileBytes:
// a symlink to /dev/zero, a FIFO or a directory is refused before reading).
StatusOr<Artifact> readArtifact(const std::string& path);

}  // namespace dlc::rt
