// Serializes and parses the CUDA code section (layout in CudaCode.h).
//
// The parser checks every length against the bytes that are left before it
// reads, so a truncated or corrupt section is a DataLoss naming the source
// and the field, never an out-of-bounds read. It does not validate the PTX
// or the CUBIN themselves: the driver does that when it loads them.
#include "runtime/src/CudaCode.h"

#include <cstring>

#include "support/Endian.h"

namespace dlc::rt {

namespace {

constexpr char kMagic[8] = {'D', 'L', 'C', 'C', 'U', 'D', 'A', '\0'};
constexpr uint32_t kVersion = 1;
constexpr size_t kHeaderBytes = 16;  // magic, version, reserved

void appendBlob(std::vector<uint8_t>& out, const void* data, size_t size) {
  uint8_t len[8];
  storeLE(len, size, 8);
  out.insert(out.end(), len, len + 8);
  const uint8_t* p = static_cast<const uint8_t*>(data);
  out.insert(out.end(), p, p + size);
}

// Reads length-prefixed fields in order, never past the end.
class Reader {
 public:
  Reader(const std::vector<uint8_t>& bytes, size_t pos, const std::string& source)
      : bytes_(bytes), pos_(pos), source_(source) {}

  // The next field's bytes as [begin, end); `what` names it in errors.
  Status next(const char* what, const uint8_t** begin, size_t* size) {
    size_t left = bytes_.size() - pos_;
    if (left < 8)
      return dataLoss(source_, ": truncated CUDA code section: the length of the ", what,
                      " needs 8 bytes at offset ", pos_, ", ", left, " left");
    uint64_t len = loadLE64(bytes_.data() + pos_);
    pos_ += 8;
    left -= 8;
    if (len > left)
      return dataLoss(source_, ": truncated CUDA code section: the ", what, " needs ", len,
                      " bytes at offset ", pos_, ", ", left, " left");
    *begin = bytes_.data() + pos_;
    *size = size_t(len);
    pos_ += size_t(len);
    return Status::OK();
  }

  Status nextString(const char* what, std::string* out) {
    const uint8_t* begin = nullptr;
    size_t size = 0;
    DLC_RETURN_IF_ERROR(next(what, &begin, &size));
    out->assign(reinterpret_cast<const char*>(begin), size);
    return Status::OK();
  }

  size_t pos() const { return pos_; }

 private:
  const std::vector<uint8_t>& bytes_;
  size_t pos_;
  const std::string& source_;
};

}  // namespace

std::vector<uint8_t> serializeCudaCode(const CudaCode& code) {
  std::vector<uint8_t> out(kHeaderBytes, 0);
  std::memcpy(out.data(), kMagic, 8);
  storeLE(out.data() + 8, kVersion, 4);
  out.reserve(kHeaderBytes + 32 + code.ptxArch.size() + code.ptx.size() + code.cubinArch.size() +
              code.cubin.size());
  appendBlob(out, code.ptxArch.data(), code.ptxArch.size());
  appendBlob(out, code.ptx.data(), code.ptx.size());
  appendBlob(out, code.cubinArch.data(), code.cubinArch.size());
  appendBlob(out, code.cubin.data(), code.cubin.size());
  return out;
}

StatusOr<CudaCode> parseCudaCode(const std::vector<uint8_t>& bytes, const std::string& source) {
  if (bytes.size() < kHeaderBytes)
    return dataLoss(source, ": truncated CUDA code section: ", bytes.size(),
                    " bytes is shorter than its ", kHeaderBytes, "-byte header");
  if (std::memcmp(bytes.data(), kMagic, 8) != 0)
    return dataLoss(source, ": corrupt CUDA code section (bad magic; expected \"DLCCUDA\")");
  uint32_t version = loadLE32(bytes.data() + 8);
  if (version != kVersion)
    return invalidArgument(source, ": CUDA code section version ", version,
                           ", this runtime reads version ", kVersion);
  CudaCode code;
  Reader reader(bytes, kHeaderBytes, source);
  DLC_RETURN_IF_ERROR(reader.nextString("PTX arch", &code.ptxArch));
  DLC_RETURN_IF_ERROR(reader.nextString("PTX", &code.ptx));
  DLC_RETURN_IF_ERROR(reader.nextString("CUBIN arch", &code.cubinArch));
  const uint8_t* cubin = nullptr;
  size_t cubinSize = 0;
  DLC_RETURN_IF_ERROR(reader.next("CUBIN", &cubin, &cubinSize));
  code.cubin.assign(cubin, cubin + cubinSize);
  if (reader.pos() != bytes.size())
    return dataLoss(source, ": corrupt CUDA code section: ", bytes.size() - reader.pos(),
                    " unexpected bytes after the CUBIN");
  if (code.ptx.find('\0') != std::string::npos)
    return dataLoss(source, ": corrupt CUDA code section: the PTX contains a NUL byte");
  if (code.ptx.empty() && code.cubin.empty())
    return dataLoss(source, ": corrupt CUDA code section: neither PTX nor a CUBIN");
  if (!code.ptx.empty() && code.ptxArch.empty())
    return dataLoss(source, ": corrupt CUDA code section: PTX without an arch");
  if (code.cubin.empty() != code.cubinArch.empty())
    return dataLoss(
        source, ": corrupt CUDA code section: ",
        code.cubin.empty() ? "a CUBIN arch without a CUBIN" : "a CUBIN without an arch");
  return code;
}

}  // namespace dlc::rt
