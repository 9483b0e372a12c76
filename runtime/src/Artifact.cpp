#include "runtime/src/Artifact.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <unistd.h>

#include "runtime/src/Checksum.h"
#include "runtime/src/ManifestJson.h"

namespace dlc::rt {

namespace {

constexpr size_t kHeaderBytes = 32;
constexpr size_t kEntryBytes = 24;
constexpr size_t kTrailerBytes = 8;
constexpr size_t kAlign = 64;
constexpr uint32_t kMaxSections = 16;

void putU32(std::vector<uint8_t>& b, size_t at, uint32_t v) {
  for (int i = 0; i < 4; ++i) b[at + size_t(i)] = uint8_t(v >> (8 * i));
}
void putU64(std::vector<uint8_t>& b, size_t at, uint64_t v) {
  for (int i = 0; i < 8; ++i) b[at + size_t(i)] = uint8_t(v >> (8 * i));
}
uint32_t getU32(const uint8_t* p) {
  uint32_t v = 0;
  for (int i = 0; i < 4; ++i) v |= uint32_t(p[i]) << (8 * i);
  return v;
}
uint64_t getU64(const uint8_t* p) {
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v |= uint64_t(p[i]) << (8 * i);
  return v;
}
size_t alignUp(size_t v) { return (v + kAlign - 1) / kAlign * kAlign; }

const char* sectionName(uint32_t kind) {
  switch (SectionKind(kind)) {
    case SectionKind::Manifest: return "manifest";
    case SectionKind::Constants: return "constants";
    case SectionKind::Code: return "code";
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
                                                 const std::vector<uint8_t>& code) {
  DLC_RETURN_IF_ERROR(validateManifest(manifest));
  DLC_RETURN_IF_ERROR(checkConstants(manifest, constants.size()));
  std::string json = manifestToJson(manifest);
  struct Piece {
    SectionKind kind;
    const uint8_t* data;
    size_t size;
  };
  const Piece pieces[] = {
      {SectionKind::Manifest, reinterpret_cast<const uint8_t*>(json.data()), json.size()},
      {SectionKind::Constants, constants.data(), constants.size()},
      {SectionKind::Code, code.data(), code.size()}};
  const size_t n = std::size(pieces);
  size_t offset = alignUp(kHeaderBytes + n * kEntryBytes);
  std::vector<size_t> offsets;
  for (const Piece& p : pieces) {
    offsets.push_back(offset);
    offset = alignUp(offset + p.size);
  }
  const size_t total = offset + kTrailerBytes;
  std::vector<uint8_t> out(total, 0);
  std::memcpy(out.data(), kArtifactMagic, 8);
  putU32(out, 8, uint32_t(Manifest::kFormatVersion));
  putU64(out, 16, total);
  putU32(out, 24, uint32_t(n));
  for (size_t i = 0; i < n; ++i) {
    size_t e = kHeaderBytes + i * kEntryBytes;
    putU32(out, e, uint32_t(pieces[i].kind));
    putU64(out, e + 8, offsets[i]);
    putU64(out, e + 16, pieces[i].size);
    if (pieces[i].size) std::memcpy(out.data() + offsets[i], pieces[i].data, pieces[i].size);
  }
  putU64(out, total - kTrailerBytes, fnv1a64(out.data(), total - kTrailerBytes));
  return out;
}

Status writeArtifact(const std::string& path, const Manifest& manifest,
                     const std::vector<uint8_t>& constants, const std::vector<uint8_t>& code) {
  DLC_ASSIGN_OR_RETURN(std::vector<uint8_t> bytes, serializeArtifact(manifest, constants, code));
  std::string tmp = strCat(path, ".tmp", getpid());
  FILE* f = std::fopen(tmp.c_str(), "wb");
  if (!f) return notFound(path, ": cannot write: ", std::strerror(errno));
  bool ok = std::fwrite(bytes.data(), 1, bytes.size(), f) == bytes.size();
  ok = (std::fclose(f) == 0) && ok;
  if (!ok || std::rename(tmp.c_str(), path.c_str()) != 0) {
    int err = errno;
    std::remove(tmp.c_str());
    return unavailable(path, ": cannot write: ", std::strerror(err));
  }
  return Status::OK();
}

StatusOr<Artifact> parseArtifact(const uint8_t* data, size_t size, const std::string& source) {
  if (size < 8 && (size == 0 || std::memcmp(data, kArtifactMagic, size) == 0))
    return dataLoss(source, ": truncated artifact: ", size, " bytes is shorter than the header");
  if (size < 8 || std::memcmp(data, kArtifactMagic, 8) != 0)
    return invalidArgument(source, ": not a dlc artifact (bad magic; expected \"DLCARTF\")");
  if (size < kHeaderBytes + kTrailerBytes)
    return dataLoss(source, ": truncated artifact: ", size, " bytes is shorter than the header");
  uint32_t version = getU32(data + 8);
  if (version != uint32_t(Manifest::kFormatVersion))
    return invalidArgument(source, ": artifact format version ", version, ", this runtime reads version ",
                           Manifest::kFormatVersion, ": rebuild it with this dlc");
  uint64_t declared = getU64(data + 16);
  if (declared > size)
    return dataLoss(source, ": truncated artifact: header says ", declared, " bytes, got ", size);
  if (declared < size)
    return dataLoss(source, ": corrupt artifact: ", size - declared,
                    " trailing bytes after the declared end (", declared, " bytes)");
  uint64_t stored = getU64(data + size - kTrailerBytes);
  uint64_t actual = fnv1a64(data, size - kTrailerBytes);
  if (stored != actual)
    return dataLoss(source, ": corrupt artifact: checksum mismatch (stored ", stored, ", computed ",
                    actual, ")");
  uint32_t n = getU32(data + 24);
  if (n > kMaxSections || kHeaderBytes + uint64_t(n) * kEntryBytes > size - kTrailerBytes)
    return dataLoss(source, ": corrupt artifact: section table of ", n, " entries does not fit");
  Artifact art;
  art.source = source;
  const uint8_t* sections[4] = {nullptr, nullptr, nullptr, nullptr};
  uint64_t sizes[4] = {0, 0, 0, 0};
  const uint64_t payloadEnd = size - kTrailerBytes;
  for (uint32_t i = 0; i < n; ++i) {
    const uint8_t* e = data + kHeaderBytes + size_t(i) * kEntryBytes;
    uint32_t kind = getU32(e);
    uint64_t off = getU64(e + 8), len = getU64(e + 16);
    if (kind < 1 || kind > 3)
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
  if (Status st = checkConstants(art.manifest, art.constants.size()); !st.ok())
    return st.withContext(source);
  return art;
}

StatusOr<Artifact> readArtifact(const std::string& path) {
  FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) return notFound(path, ": cannot open: ", std::strerror(errno));
  std::vector<uint8_t> bytes;
  uint8_t buf[1 << 16];
  size_t got;
  while ((got = std::fread(buf, 1, sizeof buf, f)) > 0) bytes.insert(bytes.end(), buf, buf + got);
  bool err = std::ferror(f);
  std::fclose(f);
  if (err) return unavailable(path, ": read error");
  return parseArtifact(bytes.data(), bytes.size(), path);
}

}  // namespace dlc::rt
