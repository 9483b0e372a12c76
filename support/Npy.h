// NumPy .npy and .npz files: read and write host tensors.
//
// .npy: format versions 1, 2 and 3; little-endian (or byte-order-free) dtypes
// '<f4' '<f2' '|u1' '<i4' '<i8' '|b1'; C order only. A Fortran-order array,
// a big-endian or an unsupported dtype (e.g. '<f8') is a clear error, never a
// silent conversion. .npz: a zip of .npy members; stored and deflated members
// are read (np.savez and np.savez_compressed), stored members are written.
// The key of a member is its name without the ".npy" suffix.
//
// What this deliberately does not do: object arrays, structured dtypes,
// memory mapping, converting between dtypes, or storing bf16 (NumPy has no
// bf16 dtype; use safetensors for bf16 weights).
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "support/Status.h"
#include "support/Tensor.h"

namespace dlc {

// Reads one .npy file.
StatusOr<Tensor> readNpy(const std::string& path);
// Decodes .npy bytes; `what` names the source in errors.
StatusOr<Tensor> parseNpy(std::string_view bytes, const std::string& what);

// Writes `tensor` as a version 1.0 (2.0 for huge headers) .npy file.
Status writeNpy(const std::string& path, const Tensor& tensor);
// The .npy encoding of `tensor`.
StatusOr<std::string> serializeNpy(const Tensor& tensor);

// Reads every member of an .npz archive, keyed by member name minus ".npy".
StatusOr<std::map<std::string, Tensor>> readNpz(const std::string& path);
StatusOr<std::map<std::string, Tensor>> parseNpz(std::string_view bytes, const std::string& what);

// Writes an uncompressed .npz archive (member "key.npy" per tensor, in order).
Status writeNpz(const std::string& path,
                const std::vector<std::pair<std::string, Tensor>>& tensors);

}  // namespace dlc
