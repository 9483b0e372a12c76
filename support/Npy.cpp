#include "support/Npy.h"

#include <cstring>

#include "support/Endian.h"
#include "support/SafePath.h"
#include "support/Zip.h"

namespace dlc {

using ir::DType;

namespace {

constexpr char kMagic[] = "\x93NUMPY";
constexpr size_t kMagicLen = 6;

struct NpyHeader {
  std::string descr;
  bool fortranOrder = false;
  std::vector<int64_t> shape;
  bool hasDescr = false, hasFortran = false, hasShape = false;
};

// A tiny parser for the Python dict literal in a .npy header:
//   {'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }
class HeaderParser {
 public:
  HeaderParser(std::string_view text, const std::string& what) : s_(text), what_(what) {}

  StatusOr<NpyHeader> parse() {
    NpyHeader h;
    skipSpace();
    if (!eat('{')) return bad("expected '{'");
    for (;;) {
      skipSpace();
      if (eat('}')) break;
      DLC_ASSIGN_OR_RETURN(std::string key, quoted());
      skipSpace();
      if (!eat(':')) return bad("expected ':' after '" + key + "'");
      skipSpace();
      if (key == "descr") {
        if (peek() == '[' || peek() == '{')
          return unsupported(what_, ": structured .npy dtypes are not supported");
        DLC_ASSIGN_OR_RETURN(h.descr, quoted());
        h.hasDescr = true;
      } else if (key == "fortran_order") {
        if (word("True"))
          h.fortranOrder = true;
        else if (word("False"))
          h.fortranOrder = false;
        else
          return bad("fortran_order must be True or False");
        h.hasFortran = true;
      } else if (key == "shape") {
        DLC_ASSIGN_OR_RETURN(h.shape, tuple());
        h.hasShape = true;
      } else {
        return bad("unknown header key '" + key + "'");
      }
      skipSpace();
      if (eat(',')) continue;
      skipSpace();
      if (eat('}')) break;
      return bad("expected ',' or '}'");
    }
    if (!h.hasDescr || !h.hasFortran || !h.hasShape)
      return bad("header lacks one of 'descr', 'fortran_order', 'shape'");
    return h;
  }

 private:
  char peek() const { return pos_ < s_.size() ? s_[pos_] : '\0'; }
  bool eat(char c) {
    if (peek() != c) return false;
    ++pos_;
    return true;
  }
  bool word(std::string_view w) {
    if (s_.substr(pos_, w.size()) != w) return false;
    pos_ += w.size();
    return true;
  }
  void skipSpace() {
    while (pos_ < s_.size() && (s_[pos_] == ' ' || s_[pos_] == '\n' || s_[pos_] == '\t')) ++pos_;
  }
  Status bad(const std::string& msg) const {
    return dataLoss(what_, ": malformed .npy header (", msg, " at offset ", pos_, ")");
  }
  StatusOr<std::string> quoted() {
    char q = peek();
    if (q != '\'' && q != '"') return bad("expected a quoted string");
    ++pos_;
    size_t end = s_.find(q, pos_);
    if (end == std::string_view::npos) return bad("unterminated string");
    std::string v(s_.substr(pos_, end - pos_));
    pos_ = end + 1;
    return v;
  }
  StatusOr<std::vector<int64_t>> tuple() {
    if (!eat('(')) return bad("shape must be a tuple");
    std::vector<int64_t> dims;
    for (;;) {
      skipSpace();
      if (eat(')')) break;
      if (peek() < '0' || peek() > '9') return bad("shape entries must be non-negative integers");
      int64_t v = 0;
      while (peek() >= '0' && peek() <= '9') {
        if (v > (INT64_MAX - 9) / 10) return bad("shape entry overflows");
        v = v * 10 + (peek() - '0');
        ++pos_;
      }
      eat('L');  // Python 2 long suffix
      dims.push_back(v);
      if (dims.size() > size_t(ir::kMaxRank))
        return outOfRange(what_, ": .npy rank exceeds the limit of ", ir::kMaxRank);
      skipSpace();
      if (eat(',')) continue;
      skipSpace();
      if (eat(')')) break;
      return bad("expected ',' or ')' in shape");
    }
    return dims;
  }

  std::string_view s_;
  const std::string& what_;
  size_t pos_ = 0;
};

StatusOr<DType> dtypeFromDescr(const std::string& descr, const std::string& what) {
  const char* supported = "supported: '<f4' '<f2' '|u1' '<i4' '<i8' '|b1'";
  if (descr.size() < 2)
    return unsupported(what, ": .npy dtype '", descr, "' is not supported (", supported, ")");
  char order = descr[0];
  std::string code = descr.substr(1);
  bool single = code == "u1" || code == "b1";
  if (order == '>' && !single)
    return unsupported(what, ": .npy dtype '", descr,
                       "' is big-endian; only little-endian data is supported");
  if (order != '<' && order != '|' && order != '=' && !(order == '>' && single))
    return unsupported(what, ": .npy dtype '", descr, "' is not supported (", supported, ")");
  if (code == "f4") return DType::F32;
  if (code == "f2") return DType::F16;
  if (code == "u1") return DType::U8;
  if (code == "i4") return DType::I32;
  if (code == "i8") return DType::I64;
  if (code == "b1") return DType::Bool;
  return unsupported(what, ": .npy dtype '", descr, "' is not supported (", supported,
                     "); convert it first, e.g. with astype(np.float32)");
}

StatusOr<const char*> descrFor(DType t) {
  switch (t) {
    case DType::F32:
      return "<f4";
    case DType::F16:
      return "<f2";
    case DType::U8:
      return "|u1";
    case DType::I32:
      return "<i4";
    case DType::I64:
      return "<i8";
    case DType::Bool:
      return "|b1";
    case DType::BF16:
      break;
  }
  return unsupported(".npy cannot store ", ir::dtypeName(t),
                     " (NumPy has no such dtype); use safetensors");
}

}  // namespace

StatusOr<Tensor> parseNpy(std::string_view bytes, const std::string& what) {
  if (bytes.size() < kMagicLen + 4 ||
      bytes.substr(0, kMagicLen) != std::string_view(kMagic, kMagicLen))
    return dataLoss(what, ": not a .npy file (bad magic)");
  int major = uint8_t(bytes[6]);
  size_t headerLen, dataStart;
  if (major == 1) {
    headerLen = loadLE16(bytes.data() + 8);
    dataStart = 10 + headerLen;
  } else if (major == 2 || major == 3) {
    if (bytes.size() < 12) return dataLoss(what, ": truncated .npy header");
    headerLen = loadLE32(bytes.data() + 8);
    dataStart = 12 + headerLen;
  } else {
    return unsupported(what, ": .npy format version ", major, " is not supported (1, 2, 3 are)");
  }
  if (dataStart > bytes.size()) return dataLoss(what, ": truncated .npy header");
  std::string_view headerText = bytes.substr(dataStart - headerLen, headerLen);
  DLC_ASSIGN_OR_RETURN(NpyHeader h, HeaderParser(headerText, what).parse());
  DLC_ASSIGN_OR_RETURN(DType dtype, dtypeFromDescr(h.descr, what));
  if (h.fortranOrder)
    return unsupported(what,
                       ": Fortran-order .npy arrays are not supported; save with "
                       "np.ascontiguousarray(a)");
  ir::Shape shape(h.shape);
  Status valid = ir::validateShape(shape);
  if (!valid.ok()) return valid.withContext(what);
  uint64_t want = uint64_t(shape.numElements()) * ir::dtypeSize(dtype);
  uint64_t have = bytes.size() - dataStart;
  if (have < want)
    return dataLoss(what, ": truncated .npy data: ", have, " bytes for ", shape.str(), " ",
                    ir::dtypeName(dtype), " (", want, " needed)");
  if (have > want)
    return dataLoss(what, ": .npy data has ", have - want, " trailing bytes after ", shape.str(),
                    " ", ir::dtypeName(dtype));
  auto created = Tensor::create(dtype, h.shape);
  if (!created.ok()) return created.status().withContext(what);
  Tensor t = std::move(created).value();
  if (want) std::memcpy(t.data(), bytes.data() + dataStart, size_t(want));
  if (dtype == DType::Bool)
    for (int64_t i = 0; i < t.numElements(); ++i) t.as<uint8_t>()[i] = t.as<uint8_t>()[i] != 0;
  return t;
}

StatusOr<Tensor> readNpy(const std::string& path) {
  DLC_ASSIGN_OR_RETURN(std::string bytes, readFileBytes(path, kMaxWeightFileBytes));
  return parseNpy(bytes, path);
}

StatusOr<std::string> serializeNpy(const Tensor& tensor) {
  DLC_ASSIGN_OR_RETURN(const char* descr, descrFor(tensor.dtype()));
  std::string shape = "(";
  for (size_t i = 0; i < tensor.dims().size(); ++i)
    shape += (i ? ", " : "") + std::to_string(tensor.dims()[i]);
  if (tensor.rank() == 1) shape += ",";
  shape += ")";
  std::string dict =
      std::string("{'descr': '") + descr + "', 'fortran_order': False, 'shape': " + shape + ", }";
  // Pad with spaces so the data starts on a 64-byte boundary; end with '\n'.
  bool v2 = dict.size() + 1 + 10 + 63 > 0xffff;
  size_t prefix = v2 ? 12 : 10;
  size_t total = (prefix + dict.size() + 1 + 63) / 64 * 64;
  dict.append(total - prefix - dict.size() - 1, ' ');
  dict += '\n';
  std::string out(kMagic, kMagicLen);
  out += char(v2 ? 2 : 1);
  out += char(0);
  appendLE(out, dict.size(), v2 ? 4 : 2);
  out += dict;
  out.append(static_cast<const char*>(tensor.data()), tensor.byteSize());
  return out;
}

Status writeNpy(const std::string& path, const Tensor& tensor) {
  auto bytes = serializeNpy(tensor);
  if (!bytes.ok()) return bytes.status().withContext(path);
  return writeFileBytes(path, *bytes);
}

StatusOr<std::map<std::string, Tensor>> parseNpz(std::string_view bytes, const std::string& what) {
  DLC_ASSIGN_OR_RETURN(std::vector<ZipMember> members, readZip(bytes, what, kMaxWeightFileBytes));
  std::map<std::string, Tensor> out;
  for (ZipMember& m : members) {
    std::string key = m.name;
    if (key.size() < 4 || key.compare(key.size() - 4, 4, ".npy") != 0)
      return dataLoss(what, ": member '", m.name, "' is not a .npy file");
    key.resize(key.size() - 4);
    DLC_ASSIGN_OR_RETURN(Tensor t, parseNpy(m.data, what + "[" + m.name + "]"));
    m.data.clear();
    m.data.shrink_to_fit();
    out.emplace(key, std::move(t));
  }
  return out;
}

StatusOr<std::map<std::string, Tensor>> readNpz(const std::string& path) {
  DLC_ASSIGN_OR_RETURN(std::string bytes, readFileBytes(path, kMaxWeightFileBytes));
  return parseNpz(bytes, path);
}

Status writeNpz(const std::string& path,
                const std::vector<std::pair<std::string, Tensor>>& tensors) {
  std::vector<ZipMember> members;
  for (const auto& [key, tensor] : tensors) {
    auto bytes = serializeNpy(tensor);
    if (!bytes.ok()) return bytes.status().withContext(path + "[" + key + "]");
    members.push_back({key + ".npy", std::move(bytes).value()});
  }
  auto zip = writeZipStored(members);
  if (!zip.ok()) return zip.status().withContext(path);
  return writeFileBytes(path, *zip);
}

}  // namespace dlc
