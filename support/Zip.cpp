#include "support/Zip.h"

#include <zlib.h>

#include <algorithm>
#include <cstring>
#include <set>

#include "support/Endian.h"

namespace dlc {

namespace {

constexpr uint32_t kLocalHeaderSig = 0x04034b50;
constexpr uint32_t kCentralHeaderSig = 0x02014b50;
constexpr uint32_t kEndSig = 0x06054b50;
constexpr uint32_t kZip64EndSig = 0x06064b50;
constexpr uint32_t kZip64LocatorSig = 0x07064b50;
constexpr size_t kEndRecordSize = 22;
constexpr size_t kCentralHeaderSize = 46;
constexpr size_t kLocalHeaderSize = 30;

// Deflate never expands data by more than this factor (RFC 1951: a 258-byte
// match in at most 2 bits, plus block overhead); a larger claimed size is a lie.
constexpr uint64_t kMaxDeflateRatio = 1032;

uint64_t readLE(std::string_view b, size_t at, int bytes) { return loadLE(b.data() + at, bytes); }

uint32_t crcOf(std::string_view data) {
  uLong crc = crc32(0L, Z_NULL, 0);
  size_t done = 0;
  while (done < data.size()) {
    uInt chunk = uInt(std::min<size_t>(data.size() - done, 1u << 30));
    crc = crc32(crc, reinterpret_cast<const Bytef*>(data.data() + done), chunk);
    done += chunk;
  }
  return uint32_t(crc);
}

// Inflates `in` (raw deflate when windowBits < 0, gzip/zlib when 15+32) into
// output of at most `maxBytes`. With `exactSize`, the output must be that long;
// the claimed size is only a hint for the first allocation, capped at what
// `in` can possibly inflate to.
StatusOr<std::string> inflateBytes(std::string_view in, int windowBits, uint64_t maxBytes,
                                   const std::string& what, const uint64_t* exactSize) {
  z_stream zs;
  std::memset(&zs, 0, sizeof(zs));
  if (inflateInit2(&zs, windowBits) != Z_OK) return internalError("zlib inflateInit2 failed");
  std::string out;
  try {
    if (exactSize)
      out.reserve(size_t(std::min({*exactSize, maxBytes, uint64_t(in.size()) * kMaxDeflateRatio})));
  } catch (const std::exception&) {
    inflateEnd(&zs);
    return outOfRange(what, ": out of memory reserving ", *exactSize, " bytes to decompress");
  }
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  size_t inLeft = in.size();
  char buf[1 << 16];
  int rc = Z_OK;
  while (rc != Z_STREAM_END) {
    if (zs.avail_in == 0 && inLeft > 0) {
      zs.avail_in = uInt(std::min<size_t>(inLeft, 1u << 30));
      inLeft -= zs.avail_in;
    }
    zs.next_out = reinterpret_cast<Bytef*>(buf);
    zs.avail_out = sizeof(buf);
    rc = inflate(&zs, Z_NO_FLUSH);
    if (rc != Z_OK && rc != Z_STREAM_END) {
      std::string msg = zs.msg ? zs.msg : "error " + std::to_string(rc);
      if (rc == Z_BUF_ERROR) msg = "compressed data is truncated";
      inflateEnd(&zs);
      return dataLoss(what, ": corrupt compressed data: ", msg);
    }
    size_t produced = sizeof(buf) - zs.avail_out;
    if (out.size() + produced > maxBytes) {
      inflateEnd(&zs);
      return outOfRange(what, ": decompressed data exceeds the limit of ", maxBytes, " bytes");
    }
    try {
      out.append(buf, produced);
    } catch (const std::exception&) {
      inflateEnd(&zs);
      return outOfRange(what, ": out of memory after decompressing ", out.size(), " bytes");
    }
    if (rc != Z_STREAM_END && produced == 0 && zs.avail_in == 0 && inLeft == 0) {
      inflateEnd(&zs);
      return dataLoss(what, ": compressed data is truncated");
    }
  }
  inflateEnd(&zs);
  if (exactSize && out.size() != *exactSize)
    return dataLoss(what, ": decompressed to ", out.size(), " bytes, expected ", *exactSize);
  return out;
}

struct CentralEntry {
  std::string name;
  uint16_t flags = 0;
  uint16_t method = 0;
  uint32_t crc = 0;
  uint64_t compressedSize = 0;
  uint64_t size = 0;
  uint64_t localOffset = 0;
};

// Applies the zip64 extended-information extra field (id 1) to `e`.
Status applyZip64Extra(std::string_view extra, CentralEntry& e, const std::string& what) {
  size_t at = 0;
  while (at + 4 <= extra.size()) {
    uint16_t id = uint16_t(readLE(extra, at, 2));
    uint16_t len = uint16_t(readLE(extra, at + 2, 2));
    if (at + 4 + len > extra.size()) break;
    if (id == 1) {
      std::string_view f = extra.substr(at + 4, len);
      size_t p = 0;
      auto take = [&](uint64_t& field) -> Status {
        if (field != 0xffffffffu) return Status::OK();
        if (p + 8 > f.size())
          return dataLoss(what, ": member '", e.name, "' has a short zip64 extra field");
        field = readLE(f, p, 8);
        p += 8;
        return Status::OK();
      };
      DLC_RETURN_IF_ERROR(take(e.size));
      DLC_RETURN_IF_ERROR(take(e.compressedSize));
      DLC_RETURN_IF_ERROR(take(e.localOffset));
    }
    at += 4 + size_t(len);
  }
  return Status::OK();
}

}  // namespace

bool isGzip(std::string_view bytes) {
  return bytes.size() >= 2 && uint8_t(bytes[0]) == 0x1f && uint8_t(bytes[1]) == 0x8b;
}

StatusOr<std::string> gunzip(std::string_view compressed, const std::string& what,
                             uint64_t maxBytes) {
  return inflateBytes(compressed, 15 + 32, maxBytes, what, nullptr);
}

StatusOr<std::vector<ZipMember>> readZip(std::string_view zip, const std::string& what,
                                         uint64_t maxTotalBytes) {
  if (zip.size() < kEndRecordSize) return dataLoss(what, ": not a zip archive (too short)");
  // The end record sits in the last 22 + 65535 (comment) bytes.
  size_t lowest = zip.size() > kEndRecordSize + 0xffff ? zip.size() - kEndRecordSize - 0xffff : 0;
  size_t end = std::string_view::npos;
  for (size_t at = zip.size() - kEndRecordSize + 1; at-- > lowest;) {
    if (readLE(zip, at, 4) == kEndSig) {
      end = at;
      break;
    }
  }
  if (end == std::string_view::npos)
    return dataLoss(what, ": not a zip archive (no end of central directory record)");
  if (readLE(zip, end + 4, 2) != 0 || readLE(zip, end + 6, 2) != 0)
    return unsupported(what, ": multi-disk zip archives are not supported");
  uint64_t count = readLE(zip, end + 10, 2);
  uint64_t cdSize = readLE(zip, end + 12, 4);
  uint64_t cdOffset = readLE(zip, end + 16, 4);
  if (count == 0xffff || cdSize == 0xffffffffu || cdOffset == 0xffffffffu) {
    if (end < 20 || readLE(zip, end - 20, 4) != kZip64LocatorSig)
      return dataLoss(what, ": zip64 archive without a zip64 end locator");
    uint64_t rec = readLE(zip, end - 20 + 8, 8);
    if (rec > zip.size() || zip.size() - rec < 56 || readLE(zip, size_t(rec), 4) != kZip64EndSig)
      return dataLoss(what, ": bad zip64 end of central directory record");
    count = readLE(zip, size_t(rec) + 32, 8);
    cdSize = readLE(zip, size_t(rec) + 40, 8);
    cdOffset = readLE(zip, size_t(rec) + 48, 8);
  }
  if (cdOffset > zip.size() || cdSize > zip.size() - cdOffset)
    return dataLoss(what, ": central directory lies outside the file");
  if (count > cdSize / kCentralHeaderSize)
    return dataLoss(what, ": central directory claims ", count, " entries in ", cdSize, " bytes");

  std::vector<ZipMember> members;
  std::set<std::string> seen;
  // One budget for the whole archive: members may share compressed bytes (a
  // central directory can point many entries at one local header), so a
  // per-member limit alone does not bound memory.
  uint64_t budget = maxTotalBytes;
  size_t at = size_t(cdOffset);
  size_t cdEnd = size_t(cdOffset + cdSize);
  for (uint64_t i = 0; i < count; ++i) {
    if (at + kCentralHeaderSize > cdEnd || readLE(zip, at, 4) != kCentralHeaderSig)
      return dataLoss(what, ": corrupt central directory entry ", i);
    CentralEntry e;
    e.flags = uint16_t(readLE(zip, at + 8, 2));
    e.method = uint16_t(readLE(zip, at + 10, 2));
    e.crc = uint32_t(readLE(zip, at + 16, 4));
    e.compressedSize = readLE(zip, at + 20, 4);
    e.size = readLE(zip, at + 24, 4);
    size_t nameLen = size_t(readLE(zip, at + 28, 2));
    size_t extraLen = size_t(readLE(zip, at + 30, 2));
    size_t commentLen = size_t(readLE(zip, at + 32, 2));
    e.localOffset = readLE(zip, at + 42, 4);
    size_t varStart = at + kCentralHeaderSize;
    if (varStart + nameLen + extraLen + commentLen > cdEnd)
      return dataLoss(what, ": corrupt central directory entry ", i);
    e.name = std::string(zip.substr(varStart, nameLen));
    DLC_RETURN_IF_ERROR(applyZip64Extra(zip.substr(varStart + nameLen, extraLen), e, what));
    at = varStart + nameLen + extraLen + commentLen;

    if (e.flags & 1) return unsupported(what, ": member '", e.name, "' is encrypted");
    if (e.method != 0 && e.method != 8)
      return unsupported(what, ": member '", e.name, "' uses compression method ", e.method,
                         " (only stored and deflate are supported)");
    if (e.size > budget)
      return outOfRange(what, ": member '", e.name, "' is ", e.size, " bytes, but only ", budget,
                        " of the archive's limit of ", maxTotalBytes,
                        " uncompressed bytes are left");
    if (!seen.insert(e.name).second) return dataLoss(what, ": member '", e.name, "' appears twice");
    // The local header repeats name and extra with possibly different lengths.
    if (e.localOffset > zip.size() || zip.size() - e.localOffset < kLocalHeaderSize ||
        readLE(zip, size_t(e.localOffset), 4) != kLocalHeaderSig)
      return dataLoss(what, ": member '", e.name, "' has a bad local header offset");
    size_t local = size_t(e.localOffset);
    uint64_t dataStart = uint64_t(local) + kLocalHeaderSize + readLE(zip, local + 26, 2) +
                         readLE(zip, local + 28, 2);
    if (dataStart > zip.size() || e.compressedSize > zip.size() - dataStart)
      return dataLoss(what, ": member '", e.name, "' is truncated");
    std::string_view raw = zip.substr(size_t(dataStart), size_t(e.compressedSize));
    ZipMember m;
    m.name = e.name;
    if (e.method == 0) {
      if (e.compressedSize != e.size)
        return dataLoss(what, ": stored member '", e.name, "' has mismatched sizes");
      try {
        m.data = std::string(raw);
      } catch (const std::exception&) {
        return outOfRange(what, ": out of memory copying member '", e.name, "' (", e.size,
                          " bytes)");
      }
    } else {
      DLC_ASSIGN_OR_RETURN(m.data, inflateBytes(raw, -MAX_WBITS, e.size,
                                                what + ": member '" + e.name + "'", &e.size));
    }
    budget -= m.data.size();
    if (crcOf(m.data) != e.crc)
      return dataLoss(what, ": member '", e.name, "' fails its CRC-32 check");
    members.push_back(std::move(m));
  }
  return members;
}

StatusOr<std::string> writeZipStored(const std::vector<ZipMember>& members) {
  std::string out, central;
  std::set<std::string> seen;
  // DOS date 1980-01-01 00:00 keeps the output reproducible.
  const uint16_t dosTime = 0, dosDate = (0 << 9) | (1 << 5) | 1;
  for (const ZipMember& m : members) {
    if (!seen.insert(m.name).second)
      return invalidArgument("zip member '", m.name, "' appears twice");
    if (m.name.size() > 0xffff) return invalidArgument("zip member name is too long");
    if (m.data.size() >= 0xffffffffu || out.size() >= 0xffffffffu)
      return unsupported("zip member '", m.name, "' needs zip64 (4 GiB or more)");
    uint32_t crc = crcOf(m.data);
    uint64_t offset = out.size();
    auto header = [&](std::string& s, bool centralEntry) {
      appendLE(s, centralEntry ? kCentralHeaderSig : kLocalHeaderSig, 4);
      if (centralEntry) appendLE(s, 20, 2);  // version made by
      appendLE(s, 20, 2);                    // version needed
      appendLE(s, 0, 2);                     // flags
      appendLE(s, 0, 2);                     // method: stored
      appendLE(s, dosTime, 2);
      appendLE(s, dosDate, 2);
      appendLE(s, crc, 4);
      appendLE(s, m.data.size(), 4);
      appendLE(s, m.data.size(), 4);
      appendLE(s, m.name.size(), 2);
      appendLE(s, 0, 2);  // extra length
      if (centralEntry) {
        appendLE(s, 0, 2);  // comment length
        appendLE(s, 0, 2);  // disk
        appendLE(s, 0, 2);  // internal attributes
        appendLE(s, 0, 4);  // external attributes
        appendLE(s, offset, 4);
      }
      s += m.name;
    };
    header(out, /*centralEntry=*/false);
    out += m.data;
    header(central, /*centralEntry=*/true);
  }
  if (members.size() >= 0xffff || out.size() + central.size() >= 0xffffffffu)
    return unsupported("zip archive needs zip64 (too many members or 4 GiB or more)");
  uint64_t cdOffset = out.size();
  out += central;
  appendLE(out, kEndSig, 4);
  appendLE(out, 0, 2);
  appendLE(out, 0, 2);
  appendLE(out, members.size(), 2);
  appendLE(out, members.size(), 2);
  appendLE(out, central.size(), 4);
  appendLE(out, cdOffset, 4);
  appendLE(out, 0, 2);
  return out;
}

}  // namespace dlc
