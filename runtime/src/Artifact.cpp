#include "runtime/src/Artifact.h"

#include <cstring>
#include <string_view>

#include "runtime/src/Checksum.h"
#include "runtime/src/ManifestJson.h"
#include "support/Endian.h"
#include "support/SafePath.h"

namespace dlc::rt {

namespace {

constexpr size_t kHeaderBytes = 32;
constexpr size_t kEntryBytes = 24;
constexpr size_t kTrailerBytes = 8;
constexpr size_t kAlign = 64;
constexpr uint32_t kMaxSections = 16;

size_t alignUp(size_t v) { return (v + kAlign - 1) / kAlign * kAlign; }

const char* sectionName(uint32_t kind) {
  switch (SectionKind(kind)) {
    case SectionKind::Manifest: return "manifest";
    case SectionKind::Constants: return "constants";
    case SectionKind::Code: return "code";
    case SectionKind::CudaCode: return "CUDA code";
  }
  return "unknown";
}

// Constant buffers must lie inside the constants section.
Status checkConstants(const Manifest& m, size_t constantsSize) {
  for (const BufferDesc& b : m.buffers) {
    if (b.kind != BufferKind::Constant) continue;
    if (b.constOffset < 0 || uint64_t(b.constOffset) > constantsSize ||
        uint64_t(b.bytes.fixed) > constantsSize - uint64_t(b.constOffset))
      return invalidArgument("manifest: buffers[", b.id, "] \"", b.name, "\": constant bytes [",
                             b.constOffset, ", ", b.constOffset + b.bytes.fixed,
                             ") outside the constants section of ", constantsSize, " bytes");
  }
  return Status::OK();
}

}  // namespace

StatusOr<std::vector<uint8_t>> serializeArtifact(const Manifest& manifest,
                                                 const std::vector<uint8_t>& constants,
                                                 const std::vector<uint8_t>& code,
                                                 const std::vector<uint8_t>& cudaCode) {
  DLC_RETURN_IF_ERROR(validateManifest(manifest));
  DLC_RETURN_IF_ERROR(checkConstants(manifest, constants.size()));
  std::string json = manifestToJson(manifest);
  struct Piece {
    SectionKind kind;
    const uint8_t* data;
    size_t size;
  };
  std::vector<Piece> pieces = {
      {SectionKind::Manifest, reinterpret_cast<const uint8_t*>(json.data()), json.size()},
      {SectionKind::Constants, constants.data(), constants.size()},
      {SectionKind::Code, code.data(), code.size()}};
  if (!cudaCode.empty()) pieces.push_back({SectionKind::CudaCode, cudaCode.data(), cudaCode.size()});
  const size_t n = pieces.size();
  size_t offset = alignUp(kHeaderBytes + n * kEntryBytes);
  std::vector<size_t> offsets;
  for (const Piece& p : pieces) {
    offsets.push_back(offset);
    offset = alignUp(offset + p.size);
  }
  const size_t total = offset + kTrailerBytes;
  std::vector<uint8_t> out(total, 0);
  std::memcpy(out.data(), kArtifactMagic, 8);
  storeLE(out.data() + 8, uint32_t(Manifest::kFormatVersion), 4);
  storeLE(out.data() + 16, total, 8);
  storeLE(out.data() + 24, uint32_t(n), 4);
  for (size_t i = 0; i < n; ++i) {
    size_t e = kHeaderBytes + i * kEntryBytes;
    storeLE(out.data() + e, uint32_t(pieces[i].kind), 4);
    storeLE(out.data() + e + 8, offsets[i], 8);
    storeLE(out.data() + e + 16, pieces[i].size, 8);
    if (pieces[i].size) std::memcpy(out.data() + offsets[i], pieces[i].data, pieces[i].size);
  }
  storeLE(out.data() + total - kTrailerBytes, checksum64(out.data(), total - kTrailerBytes), 8);
  return out;
}

Status writeArtifact(const std::string& path, const Manifest& manifest,
                     const std::vector<uint8_t>& constants, const std::vector<uint8_t>& code,
                     const std::vector<uint8_t>& cudaCode) {
  DLC_ASSIGN_OR_RETURN(std::vector<uint8_t> bytes,
                       serializeArtifact(manifest, constants, code, cudaCode));
  return writeFileAtomic(
      path, std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()));
}

StatusOr<Artifact> parseArtifact(const uint8_t* data, size_t size, const std::string& source) {
  if (size < 8 && (size == 0 || std::memcmp(data, kArtifactMagic, size) == 0))
    return dataLoss(source, ": truncated artifact: ", size, " bytes is shorter than the header");
  if (size < 8 || std::memcmp(data, kArtifactMagic, 8) != 0)
    return invalidArgument(source, ": not a dlc artifact (bad magic; expected \"DLCARTF\")");
  if (size < kHeaderBytes + kTrailerBytes)
    return dataLoss(source, ": truncated artifact: ", size, " bytes is shorter than the header");
  uint32_t version = loadLE32(data + 8);
  if (version != uint32_t(Manifest::kFormatVersion))
    return invalidArgument(source, ": artifact format version ", version, ", this runtime reads version ",
                           Manifest::kFormatVersion, ": rebuild it with this dlc");
  uint64_t declared = loadLE64(data + 16);
  if (declared > size)
    return dataLoss(source, ": truncated artifact: header says ", declared, " bytes, got ", size);
  if (declared < size)
    return dataLoss(source, ": corrupt artifact: ", size - declared,
                    " trailing bytes after the declared end (", declared, " bytes)");
  uint64_t stored = loadLE64(data + size - kTrailerBytes);
  uint64_t actual = checksum64(data, size - kTrailerBytes);
  if (stored != actual)
    return dataLoss(source, ": corrupt artifact: checksum mismatch (stored ", stored, ", computed ",
                    actual, ")");
  uint32_t n = loadLE32(data + 24);
  if (n > kMaxSections || kHeaderBytes + uint64_t(n) * kEntryBytes > size - kTrailerBytes)
    return dataLoss(source, ": corrupt artifact: section table of ", n, " entries does not fit");
  Artifact art;
  art.source = source;
  const uint8_t* sections[5] = {nullptr, nullptr, nullptr, nullptr, nullptr};
  uint64_t sizes[5] = {0, 0, 0, 0, 0};
  const uint64_t payloadEnd = size - kTrailerBytes;
  for (uint32_t i = 0; i < n; ++i) {
    const uint8_t* e = data + kHeaderBytes + size_t(i) * kEntryBytes;
    uint32_t kind = loadLE32(e);
    uint64_t off = loadLE64(e + 8), len = loadLE64(e + 16);
    if (kind < 1 || kind > 4)
      return dataLoss(source, ": corrupt artifact: section ", i, " has unknown kind ", kind);
    if (off > payloadEnd || len > payloadEnd - off)
      return dataLoss(source, ": truncated artifact: ", sectionName(kind), " section [", off, ", +",
                      len, ") extends beyond the end of the file (", payloadEnd, " payload bytes)");
    if (sections[kind])
      return dataLoss(source, ": corrupt artifact: two ", sectionName(kind), " sections");
    sections[kind] = data + off;
    sizes[kind] = len;
  }
  for (uint32_t kind = 1; kind <= 3; ++kind)
    if (!sections[kind])
      return dataLoss(source, ": corrupt artifact: no ", sectionName(kind), " section");
  std::string json(reinterpret_cast<const char*>(sections[1]), sizes[1]);
  auto manifest = manifestFromJson(json);
  if (!manifest.ok()) return manifest.status().withContext(source);
  art.manifest = std::move(*manifest);
  art.constants.assign(sections[2], sections[2] + sizes[2]);
  art.code.assign(sections[3], sections[3] + sizes[3]);
  if (sections[4]) art.cudaCode.assign(sections[4], sections[4] + sizes[4]);
  if (Status st = checkConstants(art.manifest, art.constants.size()); !st.ok())
    return st.withContext(source);
  return art;
}

StatusOr<Artifact> readArtifact(const std::string& path) {
  DLC_ASSIGN_OR_RETURN(std::string bytes, readFileBytes(path, kMaxArtifactBytes));
  return parseArtifact(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size(), path);
}

}  // namespace dlc::rt
