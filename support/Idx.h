// IDX files: the (Fashion-)MNIST image and label format, gzipped or not.
//
// An IDX file is: two zero bytes, a type code (0x08 = unsigned byte), the
// number of dimensions, that many big-endian 32-bit extents, then the data.
// readIdx returns a u8 tensor [count, rows, cols] for image files and [count]
// for label files (any rank 1..kMaxRank is accepted). Magic, rank, extents and
// the exact data size are all checked; a .gz file is decompressed with zlib
// (detected by its magic bytes, not by its name).
//
// What this deliberately does not do: IDX element types other than unsigned
// byte (MNIST never uses them), normalisation, or batching.
#pragma once

#include <string>
#include <string_view>

#include "support/Status.h"
#include "support/Tensor.h"

namespace dlc {

StatusOr<Tensor> readIdx(const std::string& path);
// Decodes IDX bytes (gzip-compressed or raw); `what` names the source.
StatusOr<Tensor> parseIdx(std::string_view bytes, const std::string& what);

}  // namespace dlc
