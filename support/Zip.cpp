// Zip archives through libzip, gzip streams through zlib (see Zip.h).
//
// libzip parses the central directory (classic and zip64), inflates deflated
// members and checks their CRC-32. This file adds what a reader of untrusted
// files needs on top: one budget of uncompressed bytes per archive, reads in
// fixed-size chunks (a member's claimed size never drives an allocation), a
// check that every member decompresses to exactly its claimed size, and error
// messages that name the archive and the member.
#include "support/Zip.h"

#include <zip.h>
#include <zlib.h>

#include <algorithm>
#include <cstring>
#include <memory>
#include <set>

namespace dlc {

namespace {

constexpr size_t kChunk = size_t(1) << 16;

std::string zipErrorText(zip_error_t* error) { return zip_error_strerror(error); }

struct ArchiveCloser {
  void operator()(zip_t* za) const { zip_discard(za); }
};
struct FileCloser {
  void operator()(zip_file_t* f) const { zip_fclose(f); }
};
using ArchivePtr = std::unique_ptr<zip_t, ArchiveCloser>;
using FilePtr = std::unique_ptr<zip_file_t, FileCloser>;

// Opens the in-memory `archive` read-only.
StatusOr<ArchivePtr> openArchive(std::string_view archive, const std::string& what) {
  zip_error_t error;
  zip_error_init(&error);
  zip_source_t* src = zip_source_buffer_create(archive.data(), archive.size(), 0, &error);
  if (!src) {
    std::string text = zipErrorText(&error);
    zip_error_fini(&error);
    return internalError(what, ": cannot wrap the archive for libzip: ", text);
  }
  zip_t* za = zip_open_from_source(src, ZIP_RDONLY, &error);
  if (!za) {
    zip_source_free(src);
    int code = zip_error_code_zip(&error);
    std::string text = zipErrorText(&error);
    zip_error_fini(&error);
    if (code == ZIP_ER_NOZIP) return dataLoss(what, ": not a zip archive");
    if (code == ZIP_ER_MULTIDISK)
      return unsupported(what, ": multi-disk zip archives are not supported");
    return dataLoss(what, ": corrupt zip archive: ", text);
  }
  zip_error_fini(&error);
  return ArchivePtr(za);
}

// Reads member `index` (claimed size `size`) in chunks; the output may not
// exceed `size`, which the caller has checked against the budget.
StatusOr<std::string> readMember(zip_t* za, zip_uint64_t index, const std::string& name,
                                 uint64_t size, const std::string& what) {
  FilePtr file(zip_fopen_index(za, index, 0));
  if (!file)
    return dataLoss(what, ": member '", name, "' cannot be opened: ", zip_strerror(za));
  std::string out;
  char buf[kChunk];
  for (;;) {
    zip_int64_t n = zip_fread(file.get(), buf, sizeof(buf));
    if (n < 0) {
      zip_error_t* error = zip_file_get_error(file.get());
      int code = zip_error_code_zip(error);
      if (code == ZIP_ER_CRC) return dataLoss(what, ": member '", name, "' fails its CRC-32 check");
      if (out.size() != size)
        return dataLoss(what, ": member '", name, "' decompressed to ", out.size(),
                        " bytes, expected ", size, " (", zipErrorText(error), ")");
      return dataLoss(what, ": member '", name, "' is corrupt: ", zipErrorText(error));
    }
    if (n == 0) break;
    if (uint64_t(n) > size - out.size())
      return dataLoss(what, ": member '", name, "' decompresses to more than its ", size,
                      " bytes");
    try {
      out.append(buf, size_t(n));
    } catch (const std::exception&) {
      return outOfRange(what, ": out of memory after reading ", out.size(), " bytes of member '",
                        name, "'");
    }
  }
  if (out.size() != size)
    return dataLoss(what, ": member '", name, "' decompressed to ", out.size(),
                    " bytes, expected ", size);
  return out;
}

}  // namespace

StatusOr<std::vector<ZipMember>> readZip(std::string_view archive, const std::string& what,
                                         uint64_t maxTotalBytes) {
  DLC_ASSIGN_OR_RETURN(ArchivePtr za, openArchive(archive, what));
  zip_int64_t count = zip_get_num_entries(za.get(), 0);
  if (count < 0) return dataLoss(what, ": corrupt zip archive: ", zip_strerror(za.get()));
  std::vector<ZipMember> members;
  std::set<std::string> seen;
  // One budget for the whole archive: members may share compressed bytes (a
  // central directory can point many entries at one local header), so a
  // per-member limit alone does not bound memory.
  uint64_t budget = maxTotalBytes;
  for (zip_int64_t i = 0; i < count; ++i) {
    zip_stat_t st;
    zip_stat_init(&st);
    if (zip_stat_index(za.get(), zip_uint64_t(i), 0, &st) != 0 || !(st.valid & ZIP_STAT_NAME) ||
        !(st.valid & ZIP_STAT_SIZE))
      return dataLoss(what, ": corrupt central directory entry ", i);
    std::string name = st.name;
    if ((st.valid & ZIP_STAT_ENCRYPTION_METHOD) && st.encryption_method != ZIP_EM_NONE)
      return unsupported(what, ": member '", name, "' is encrypted");
    if ((st.valid & ZIP_STAT_COMP_METHOD) && st.comp_method != ZIP_CM_STORE &&
        st.comp_method != ZIP_CM_DEFLATE)
      return unsupported(what, ": member '", name, "' uses compression method ", st.comp_method,
                         " (only stored and deflate are supported)");
    if (st.size > budget)
      return outOfRange(what, ": member '", name, "' is ", st.size, " bytes, but only ", budget,
                        " of the archive's limit of ", maxTotalBytes,
                        " uncompressed bytes are left");
    if (!seen.insert(name).second) return dataLoss(what, ": member '", name, "' appears twice");
    if ((st.valid & ZIP_STAT_COMP_SIZE) &&
        (st.comp_size > archive.size() ||
         (st.comp_method == ZIP_CM_STORE && st.size != st.comp_size)))
      return dataLoss(what, ": member '", name, "' claims ", st.size, " bytes from ",
                      st.comp_size, " compressed bytes");
    ZipMember m;
    m.name = name;
    DLC_ASSIGN_OR_RETURN(m.data, readMember(za.get(), zip_uint64_t(i), name, st.size, what));
    budget -= m.data.size();
    members.push_back(std::move(m));
  }
  return members;
}

namespace {

// The 22-byte end record of an archive with no members (libzip writes
// nothing at all for an empty archive).
std::string emptyArchive() {
  std::string out("PK\x05\x06", 4);
  out.append(18, '\0');
  return out;
}

// Reads back everything written to the buffer source `src`.
StatusOr<std::string> sourceBytes(zip_source_t* src) {
  if (zip_source_open(src) != 0)
    return internalError("zip: cannot reopen the written archive: ",
                         zip_error_strerror(zip_source_error(src)));
  std::string out;
  char buf[kChunk];
  zip_int64_t n;
  while ((n = zip_source_read(src, buf, sizeof(buf))) > 0) out.append(buf, size_t(n));
  bool failed = n < 0;
  zip_source_close(src);
  if (failed)
    return internalError("zip: cannot read the written archive: ",
                         zip_error_strerror(zip_source_error(src)));
  return out;
}

Status addStored(zip_t* za, const ZipMember& m) {
  zip_source_t* data = zip_source_buffer(za, m.data.data(), m.data.size(), 0);
  if (!data) return internalError("zip member '", m.name, "': ", zip_strerror(za));
  zip_int64_t index = zip_file_add(za, m.name.c_str(), data, ZIP_FL_ENC_UTF_8);
  if (index < 0) {
    zip_source_free(data);
    return invalidArgument("zip member '", m.name, "': ", zip_strerror(za));
  }
  // DOS date 1980-01-01 00:00 keeps the output reproducible.
  const zip_uint16_t dosTime = 0, dosDate = (0 << 9) | (1 << 5) | 1;
  if (zip_set_file_compression(za, zip_uint64_t(index), ZIP_CM_STORE, 0) != 0 ||
      zip_file_set_dostime(za, zip_uint64_t(index), dosTime, dosDate, 0) != 0)
    return internalError("zip member '", m.name, "': ", zip_strerror(za));
  return Status::OK();
}

}  // namespace

StatusOr<std::string> writeZipStored(const std::vector<ZipMember>& members) {
  std::set<std::string> seen;
  uint64_t total = 0;
  for (const ZipMember& m : members) {
    if (!seen.insert(m.name).second)
      return invalidArgument("zip member '", m.name, "' appears twice");
    if (m.name.size() > 0xffff) return invalidArgument("zip member name is too long");
    if (m.data.size() >= 0xffffffffu)
      return unsupported("zip member '", m.name, "' needs zip64 (4 GiB or more)");
    total += m.data.size() + 2 * (m.name.size() + 46);
  }
  if (members.size() >= 0xffff || total >= 0xffffffffu)
    return unsupported("zip archive needs zip64 (too many members or 4 GiB or more)");
  if (members.empty()) return emptyArchive();

  zip_error_t error;
  zip_error_init(&error);
  zip_source_t* src = zip_source_buffer_create(nullptr, 0, 0, &error);
  zip_t* za = src ? zip_open_from_source(src, ZIP_TRUNCATE, &error) : nullptr;
  if (!za) {
    std::string text = zipErrorText(&error);
    zip_error_fini(&error);
    if (src) zip_source_free(src);
    return internalError("zip: cannot create an archive in memory: ", text);
  }
  zip_error_fini(&error);
  zip_source_keep(src);  // survives zip_close, which writes into it
  std::unique_ptr<zip_source_t, decltype(&zip_source_free)> keep(src, zip_source_free);
  for (const ZipMember& m : members) {
    Status added = addStored(za, m);
    if (!added.ok()) {
      zip_discard(za);
      return added;
    }
  }
  if (zip_close(za) != 0) {
    std::string text = zip_strerror(za);
    zip_discard(za);
    return internalError("zip: cannot write the archive: ", text);
  }
  return sourceBytes(src);
}

// ---- gzip (zlib) ----------------------------------------------------------

bool isGzip(std::string_view bytes) {
  return bytes.size() >= 2 && uint8_t(bytes[0]) == 0x1f && uint8_t(bytes[1]) == 0x8b;
}

StatusOr<std::string> gunzip(std::string_view in, const std::string& what, uint64_t maxBytes) {
  z_stream zs;
  std::memset(&zs, 0, sizeof(zs));
  if (inflateInit2(&zs, 15 + 32) != Z_OK) return internalError("zlib inflateInit2 failed");
  std::unique_ptr<z_stream, decltype(&inflateEnd)> guard(&zs, inflateEnd);
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  size_t inLeft = in.size();
  std::string out;
  char buf[kChunk];
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
      return dataLoss(what, ": corrupt compressed data: ", msg);
    }
    size_t produced = sizeof(buf) - zs.avail_out;
    if (out.size() + produced > maxBytes)
      return outOfRange(what, ": decompressed data exceeds the limit of ", maxBytes, " bytes");
    try {
      out.append(buf, produced);
    } catch (const std::exception&) {
      return outOfRange(what, ": out of memory after decompressing ", out.size(), " bytes");
    }
    if (rc != Z_STREAM_END && produced == 0 && zs.avail_in == 0 && inLeft == 0)
      return dataLoss(what, ": compressed data is truncated");
  }
  return out;
}

}  // namespace dlc
