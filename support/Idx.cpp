#include "support/Idx.h"

#include <cstring>

#include "support/SafePath.h"
#include "support/Zip.h"

namespace dlc {

namespace {

// Decompressed IDX data larger than this is refused (MNIST train is 47 MB).
constexpr uint64_t kMaxIdxBytes = uint64_t(4) << 30;

StatusOr<Tensor> parseRawIdx(std::string_view b, const std::string& what) {
  if (b.size() < 4) return dataLoss(what, ": not an IDX file (shorter than its 4-byte magic)");
  if (b[0] != 0 || b[1] != 0)
    return dataLoss(what, ": not an IDX file (magic must start with two zero bytes)");
  uint8_t type = uint8_t(b[2]);
  int rank = uint8_t(b[3]);
  if (type != 0x08)
    return unsupported(what, ": IDX element type 0x", std::hex, int(type),
                       " is not supported (only 0x08, unsigned byte)");
  if (rank < 1 || rank > ir::kMaxRank)
    return dataLoss(what, ": IDX rank ", rank, " is outside 1..", ir::kMaxRank);
  size_t headerSize = 4 + 4 * size_t(rank);
  if (b.size() < headerSize) return dataLoss(what, ": truncated IDX header");
  std::vector<int64_t> dims;
  uint64_t count = 1;
  for (int i = 0; i < rank; ++i) {
    size_t at = 4 + 4 * size_t(i);
    uint64_t d = uint64_t(uint8_t(b[at])) << 24 | uint64_t(uint8_t(b[at + 1])) << 16 |
                 uint64_t(uint8_t(b[at + 2])) << 8 | uint64_t(uint8_t(b[at + 3]));
    dims.push_back(int64_t(d));
    count = d == 0 || count <= kMaxIdxBytes / d ? count * d : kMaxIdxBytes + 1;
  }
  uint64_t have = b.size() - headerSize;
  if (count > kMaxIdxBytes)
    return outOfRange(what, ": IDX extents ", ir::Shape(dims).str(), " exceed the limit of ",
                      kMaxIdxBytes, " bytes");
  if (have != count)
    return dataLoss(what, ": IDX extents ", ir::Shape(dims).str(), " need ", count,
                    " data bytes but the file holds ", have);
  auto created = Tensor::create(ir::DType::U8, dims);
  if (!created.ok()) return created.status().withContext(what);
  Tensor t = std::move(created).value();
  if (count) std::memcpy(t.data(), b.data() + headerSize, size_t(count));
  return t;
}

}  // namespace

StatusOr<Tensor> parseIdx(std::string_view bytes, const std::string& what) {
  if (!isGzip(bytes)) return parseRawIdx(bytes, what);
  DLC_ASSIGN_OR_RETURN(std::string raw, gunzip(bytes, what, kMaxIdxBytes + 4 + 4 * ir::kMaxRank));
  return parseRawIdx(raw, what);
}

StatusOr<Tensor> readIdx(const std::string& path) {
  DLC_ASSIGN_OR_RETURN(std::string bytes, readFileBytes(path, kMaxIdxBytes));
  return parseIdx(bytes, path);
}

}  // namespace dlc
