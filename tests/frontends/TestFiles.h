// Test helpers for file-format tests: a self-deleting temp folder, and zip /
// gzip builders written independently of support/Zip.cpp, so the readers are
// checked against bytes they did not produce.
#pragma once

#include <gtest/gtest.h>
#include <stdlib.h>
#include <zlib.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "support/Status.h"

namespace dlc::testing {

class TempDir {
 public:
  TempDir() {
    char tmpl[] = "/tmp/dlc_json_test_XXXXXX";
    char* made = ::mkdtemp(tmpl);
    EXPECT_NE(made, nullptr);
    path_ = made ? made : "/tmp";
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const { return path_; }
  std::string file(const std::string& name) const { return path_ + "/" + name; }
  std::string write(const std::string& name, const std::string& bytes) const {
    std::string p = file(name);
    std::filesystem::create_directories(std::filesystem::path(p).parent_path());
    std::ofstream(p, std::ios::binary).write(bytes.data(), std::streamsize(bytes.size()));
    return p;
  }

 private:
  std::string path_;
};

inline std::string readAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

inline void putLE(std::string& s, uint64_t v, int n) {
  for (int i = 0; i < n; ++i) s.push_back(char((v >> (8 * i)) & 0xff));
}

// Raw deflate (no zlib/gzip wrapper) or gzip of `data`.
inline std::string deflateBytes(const std::string& data, bool gzip) {
  z_stream zs{};
  deflateInit2(&zs, 9, Z_DEFLATED, gzip ? 15 + 16 : -15, 8, Z_DEFAULT_STRATEGY);
  std::string out(deflateBound(&zs, uLong(data.size())) + 64, '\0');
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  zs.avail_in = uInt(data.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = uInt(out.size());
  int rc = deflate(&zs, Z_FINISH);
  EXPECT_EQ(rc, Z_STREAM_END);
  out.resize(zs.total_out);
  deflateEnd(&zs);
  return out;
}

struct HandZipMember {
  std::string name;
  std::string data;
  bool deflate = false;
  bool zip64LocalExtra = false;  // what numpy's savez (force_zip64=True) writes
};

// Builds a zip archive byte by byte, the way Python's zipfile lays it out.
inline std::string handBuiltZip(const std::vector<HandZipMember>& members) {
  std::string out, central;
  for (const HandZipMember& m : members) {
    std::string body = m.deflate ? deflateBytes(m.data, /*gzip=*/false) : m.data;
    uint32_t crc =
        uint32_t(crc32(0, reinterpret_cast<const Bytef*>(m.data.data()), uInt(m.data.size())));
    uint64_t offset = out.size();
    std::string extra;
    if (m.zip64LocalExtra) {
      putLE(extra, 1, 2);
      putLE(extra, 16, 2);
      putLE(extra, m.data.size(), 8);
      putLE(extra, body.size(), 8);
    }
    putLE(out, 0x04034b50, 4);
    putLE(out, m.zip64LocalExtra ? 45 : 20, 2);
    putLE(out, 0, 2);
    putLE(out, m.deflate ? 8 : 0, 2);
    putLE(out, 0, 4);  // time, date
    putLE(out, crc, 4);
    putLE(out, m.zip64LocalExtra ? 0xffffffffu : body.size(), 4);
    putLE(out, m.zip64LocalExtra ? 0xffffffffu : m.data.size(), 4);
    putLE(out, m.name.size(), 2);
    putLE(out, extra.size(), 2);
    out += m.name + extra + body;

    putLE(central, 0x02014b50, 4);
    putLE(central, 45, 2);
    putLE(central, 20, 2);
    putLE(central, 0, 2);
    putLE(central, m.deflate ? 8 : 0, 2);
    putLE(central, 0, 4);
    putLE(central, crc, 4);
    putLE(central, body.size(), 4);
    putLE(central, m.data.size(), 4);
    putLE(central, m.name.size(), 2);
    putLE(central, 0, 2);  // extra
    putLE(central, 0, 2);  // comment
    putLE(central, 0, 2);
    putLE(central, 0, 2);
    putLE(central, 0, 4);
    putLE(central, offset, 4);
    central += m.name;
  }
  uint64_t cdOffset = out.size();
  out += central;
  putLE(out, 0x06054b50, 4);
  putLE(out, 0, 4);
  putLE(out, members.size(), 2);
  putLE(out, members.size(), 2);
  putLE(out, central.size(), 4);
  putLE(out, cdOffset, 4);
  putLE(out, 0, 2);
  return out;
}

// True when `status` failed and its message holds every piece of `parts`.
inline ::testing::AssertionResult failsWith(const Status& status,
                                            const std::vector<std::string>& parts) {
  if (status.ok()) return ::testing::AssertionFailure() << "expected an error, got OK";
  for (const std::string& p : parts)
    if (status.message().find(p) == std::string::npos)
      return ::testing::AssertionFailure() << "message lacks \"" << p << "\": " << status.message();
  return ::testing::AssertionSuccess();
}

}  // namespace dlc::testing
