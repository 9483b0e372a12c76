// Containers: zip archives (the .npz container and Keras' .keras files)
// through libzip, and gzip streams (the .gz IDX datasets) through zlib.
//
// The zip reader reads the central directory (classic and zip64), supports
// members that are stored (method 0) or deflated (method 8), checks every
// member's CRC-32 and keeps one running budget of uncompressed bytes per
// archive (members may share compressed data), so a zip bomb or a truncated
// archive is an error, never a crash. A member's claimed size never drives an
// allocation: members are read in chunks and must decompress to exactly that
// size. The writer produces stored members only (what np.savez writes).
//
// What this deliberately does not do: encryption, multi-disk archives,
// compression methods other than deflate, and writing compressed members.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "support/Status.h"

namespace dlc {

struct ZipMember {
  std::string name;
  std::string data;  // uncompressed bytes
};

// Parses a whole zip archive held in memory. `what` names the archive in
// errors. The uncompressed members together may not exceed `maxTotalBytes`:
// reading stops with OutOfRange at the member that would pass it.
StatusOr<std::vector<ZipMember>> readZip(std::string_view archive, const std::string& what,
                                         uint64_t maxTotalBytes);

// Builds a zip archive with stored (uncompressed) members, in order. Fails
// when a member or the archive would need zip64 (>= 4 GiB) or names repeat.
StatusOr<std::string> writeZipStored(const std::vector<ZipMember>& members);

// Decompresses a gzip (or zlib) stream; the output may not exceed maxBytes.
StatusOr<std::string> gunzip(std::string_view compressed, const std::string& what,
                             uint64_t maxBytes);

// True when `bytes` starts with the gzip magic 1f 8b.
bool isGzip(std::string_view bytes);

}  // namespace dlc
