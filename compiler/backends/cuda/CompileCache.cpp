// The NVRTC result cache (see CompileCache.h), and the SHA-256 it keys by.
//
// Entry file: char[8] "DLCNVRC1", the SHA-256 (32 bytes) of the payload,
// then the payload: the CUDA code section bytes (runtime/src/CudaCode.h).
#include "compiler/backends/cuda/CompileCache.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "support/Endian.h"
#include "support/SafePath.h"

namespace dlc::cuda {

namespace {

constexpr char kEntryMagic[8] = {'D', 'L', 'C', 'N', 'V', 'R', 'C', '1'};
constexpr size_t kEntryHeaderBytes = 8 + 32;
constexpr uint64_t kMaxEntryBytes = uint64_t(1) << 30;

constexpr uint32_t kRoundConstants[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2};

uint32_t rotr(uint32_t x, int n) { return (x >> n) | (x << (32 - n)); }

uint32_t loadBE32(const uint8_t* p) {
  return uint32_t(p[0]) << 24 | uint32_t(p[1]) << 16 | uint32_t(p[2]) << 8 | uint32_t(p[3]);
}

void compressBlock(uint32_t state[8], const uint8_t* block) {
  uint32_t w[64];
  for (int i = 0; i < 16; ++i) w[i] = loadBE32(block + 4 * i);
  for (int i = 16; i < 64; ++i) {
    uint32_t s0 = rotr(w[i - 15], 7) ^ rotr(w[i - 15], 18) ^ (w[i - 15] >> 3);
    uint32_t s1 = rotr(w[i - 2], 17) ^ rotr(w[i - 2], 19) ^ (w[i - 2] >> 10);
    w[i] = w[i - 16] + s0 + w[i - 7] + s1;
  }
  uint32_t a = state[0], b = state[1], c = state[2], d = state[3];
  uint32_t e = state[4], f = state[5], g = state[6], h = state[7];
  for (int i = 0; i < 64; ++i) {
    uint32_t t1 = h + (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) + ((e & f) ^ (~e & g)) +
                  kRoundConstants[i] + w[i];
    uint32_t t2 = (rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
    h = g;
    g = f;
    f = e;
    e = d + t1;
    d = c;
    c = b;
    b = a;
    a = t1 + t2;
  }
  state[0] += a;
  state[1] += b;
  state[2] += c;
  state[3] += d;
  state[4] += e;
  state[5] += f;
  state[6] += g;
  state[7] += h;
}

std::string toHex(const uint8_t* bytes, size_t n) {
  static const char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(2 * n);
  for (size_t i = 0; i < n; ++i) {
    out.push_back(kDigits[bytes[i] >> 4]);
    out.push_back(kDigits[bytes[i] & 15]);
  }
  return out;
}

void appendField(std::string& out, std::string_view field) {
  appendLE(out, field.size(), 8);
  out.append(field);
}

// mkdir -p; an existing folder is fine.
Status makeFolders(const std::string& dir) {
  for (size_t pos = 1; pos <= dir.size(); ++pos) {
    if (pos != dir.size() && dir[pos] != '/') continue;
    std::string prefix = dir.substr(0, pos);
    if (::mkdir(prefix.c_str(), 0755) != 0 && errno != EEXIST)
      return invalidArgument("cannot create the CUDA compile cache folder '", prefix,
                             "': ", std::strerror(errno));
  }
  struct stat st;
  if (::stat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode))
    return invalidArgument("the CUDA compile cache folder '", dir, "' is not a folder");
  return Status::OK();
}

}  // namespace

std::array<uint8_t, 32> sha256(std::string_view bytes) {
  uint32_t state[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                       0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
  const uint8_t* data = reinterpret_cast<const uint8_t*>(bytes.data());
  size_t full = bytes.size() / 64 * 64;
  for (size_t off = 0; off < full; off += 64) compressBlock(state, data + off);
  // The tail, a 1 bit, zeros, and the bit length (big-endian) fill one or two blocks.
  uint8_t tail[128] = {};
  size_t rest = bytes.size() - full;
  if (rest) std::memcpy(tail, data + full, rest);
  tail[rest] = 0x80;
  size_t tailBytes = rest + 9 <= 64 ? 64 : 128;
  uint64_t bits = uint64_t(bytes.size()) * 8;
  for (int i = 0; i < 8; ++i) tail[tailBytes - 1 - i] = uint8_t(bits >> (8 * i));
  for (size_t off = 0; off < tailBytes; off += 64) compressBlock(state, tail + off);
  std::array<uint8_t, 32> digest;
  for (int i = 0; i < 8; ++i)
    for (int j = 0; j < 4; ++j) digest[4 * i + j] = uint8_t(state[i] >> (24 - 8 * j));
  return digest;
}

std::string sha256Hex(std::string_view bytes) {
  std::array<uint8_t, 32> d = sha256(bytes);
  return toHex(d.data(), d.size());
}

std::string cacheKeyOf(const CompileKey& key) {
  std::string blob = "dlc-cuda-compile-v1";
  blob.push_back('\0');
  appendField(blob, key.source);
  appendLE(blob, key.options.size(), 8);
  for (const std::string& o : key.options) appendField(blob, o);
  appendField(blob, key.arch);
  appendField(blob, key.cubin ? "cubin" : "ptx");
  appendField(blob, key.nvrtcVersion);
  return sha256Hex(blob);
}

std::string cacheDirFor(const std::string& configured) {
  if (!configured.empty()) return configured;
  const char* xdg = std::getenv("XDG_CACHE_HOME");
  if (xdg && xdg[0] == '/') return std::string(xdg) + "/dlc/cuda";
  const char* home = std::getenv("HOME");
  if (home && home[0] == '/') return std::string(home) + "/.cache/dlc/cuda";
  return "";
}

std::string CompileCache::pathOf(const std::string& key) const {
  return dir_ + "/" + key + ".dlcnvrtc";
}

std::optional<rt::CudaCode> CompileCache::lookup(const std::string& key, const std::string& what,
                                                 CompileLog* log) const {
  const std::string path = pathOf(key);
  auto miss = [&](const std::string& why) -> std::optional<rt::CudaCode> {
    if (log) {
      ++log->cacheMisses;
      log->lines.push_back(strCat("cuda cache miss ", key.substr(0, 16), " (", what, ")", why));
    }
    return std::nullopt;
  };
  StatusOr<std::string> bytes = readFileBytes(path, kMaxEntryBytes);
  if (!bytes.ok()) {
    if (bytes.status().code() == StatusCode::kNotFound) return miss("");
    return miss(strCat(": unreadable entry ignored: ", bytes.status().message()));
  }
  const std::string& b = *bytes;
  if (b.size() < kEntryHeaderBytes || std::memcmp(b.data(), kEntryMagic, 8) != 0)
    return miss(strCat(": damaged entry '", path, "' ignored (bad header)"));
  std::string_view payload(b.data() + kEntryHeaderBytes, b.size() - kEntryHeaderBytes);
  std::array<uint8_t, 32> digest = sha256(payload);
  if (std::memcmp(digest.data(), b.data() + 8, 32) != 0)
    return miss(strCat(": damaged entry '", path, "' ignored (checksum mismatch)"));
  std::vector<uint8_t> section(payload.begin(), payload.end());
  StatusOr<rt::CudaCode> code = rt::parseCudaCode(section, path);
  if (!code.ok()) return miss(strCat(": damaged entry ignored: ", code.status().message()));
  if (log) {
    ++log->cacheHits;
    log->lines.push_back(strCat("cuda cache hit ", key.substr(0, 16), " (", what, ")"));
  }
  return std::move(code).value();
}

Status CompileCache::store(const std::string& key, const rt::CudaCode& code) const {
  DLC_RETURN_IF_ERROR(makeFolders(dir_));
  std::vector<uint8_t> section = rt::serializeCudaCode(code);
  std::string_view payload(reinterpret_cast<const char*>(section.data()), section.size());
  std::array<uint8_t, 32> digest = sha256(payload);
  std::string entry(kEntryMagic, 8);
  entry.append(reinterpret_cast<const char*>(digest.data()), digest.size());
  entry.append(payload);
  return writeFileAtomic(pathOf(key), entry);
}

}  // namespace dlc::cuda
