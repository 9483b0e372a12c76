// safetensors files: read and write named host tensors.
//
// Layout: an 8-byte little-endian header length, a JSON header
//   {"name": {"dtype": "F32", "shape": [784, 128], "data_offsets": [begin, end]}, ...,
//    "__metadata__": {...}}
// and the data buffer the offsets point into. The reader checks every entry:
// known dtype (F32 F16 BF16 U8 I32 I64 BOOL), valid shape, offsets inside the
// buffer, byte count equal to shape x dtype, and no two tensors overlapping.
//
// What this deliberately does not do: memory mapping, lazy loading, dtypes
// dlc has no use for (F64, I8, I16, U16, ...), or keeping __metadata__.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "support/Status.h"
#include "support/Tensor.h"

namespace dlc {

StatusOr<std::map<std::string, Tensor>> readSafetensors(const std::string& path);
// Decodes safetensors bytes; `what` names the source in errors.
StatusOr<std::map<std::string, Tensor>> parseSafetensors(std::string_view bytes,
                                                         const std::string& what);

// Writes tensors in the given order (names must be unique, not "__metadata__").
Status writeSafetensors(const std::string& path,
                        const std::vector<std::pair<std::string, Tensor>>& tensors);
StatusOr<std::string> serializeSafetensors(
    const std::vector<std::pair<std::string, Tensor>>& tensors);

}  // namespace dlc
