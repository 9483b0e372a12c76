// Safe access to the files a model refers to.
//
// A model folder holds the model JSON and its weight files. Paths inside the
// model are relative to that folder and may not leave it: absolute paths,
// `..` components and symlinks whose target lies outside the folder are all
// refused. Files are read whole, with a size limit, so a hostile path cannot
// make dlc read /dev/zero or a 100 GiB file. writeFileBytes is the one
// place the tensor writers create files; writeFileAtomic is for outputs that
// must never be seen half-written (artifacts).
//
// What this deliberately does not do: it does not lock or watch files (a file
// swapped between resolve and read is read as found), and it does not decode
// any format.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "support/Status.h"

namespace dlc {

// Largest model JSON and largest weight file dlc reads.
constexpr uint64_t kMaxModelFileBytes = uint64_t(256) << 20;  // 256 MiB
constexpr uint64_t kMaxWeightFileBytes = uint64_t(16) << 30;  // 16 GiB

// Reads a whole regular file. NotFound when it does not exist; OutOfRange when
// it is larger than `maxBytes`; InvalidArgument when it is not a regular file.
StatusOr<std::string> readFileBytes(const std::string& path, uint64_t maxBytes);

// Writes `bytes` to `path`, replacing it. Shared by the tensor writers.
Status writeFileBytes(const std::string& path, std::string_view bytes);

// Writes `bytes` to a new temporary file beside `path`, then renames it over
// `path`: readers see the old file or the whole new one, never a partial
// write, and a failed write leaves no temporary file behind. InvalidArgument
// when the folder cannot be written; DataLoss on a short write.
Status writeFileAtomic(const std::string& path, std::string_view bytes);

// The folder holding `path` ("." for a bare file name).
std::string parentFolder(const std::string& path);

// Resolves `relative` inside `folder` and returns the canonical (realpath)
// absolute path of the existing file. Errors (messages do not name the model
// file; callers add that context):
//   InvalidArgument: empty, absolute, a `..` component, or a symlink whose
//                    target leaves the folder;
//   NotFound:        the file does not exist.
StatusOr<std::string> resolveInsideFolder(const std::string& folder, const std::string& relative);

}  // namespace dlc
