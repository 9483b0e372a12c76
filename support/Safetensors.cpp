#include "support/Safetensors.h"

#include <algorithm>
#include <cstring>
#include <nlohmann/json.hpp>
#include <set>

#include "support/Endian.h"
#include "support/SafePath.h"

namespace dlc {

using ir::DType;
using nlohmann::json;

namespace {

constexpr uint64_t kMaxHeaderBytes = uint64_t(100) << 20;

struct StDType {
  const char* name;
  DType type;
};
constexpr StDType kStDTypes[] = {
    {"F32", DType::F32}, {"F16", DType::F16}, {"BF16", DType::BF16}, {"U8", DType::U8},
    {"I32", DType::I32}, {"I64", DType::I64}, {"BOOL", DType::Bool},
};

const char* stName(DType t) {
  for (const StDType& d : kStDTypes)
    if (d.type == t) return d.name;
  return "?";
}

struct Entry {
  std::string name;
  DType dtype;
  std::vector<int64_t> dims;
  uint64_t begin, end;
};

StatusOr<uint64_t> nonNegative(const json& v, const std::string& what, const std::string& field) {
  if (v.is_number_unsigned()) return v.get<uint64_t>();
  if (v.is_number_integer() && v.get<int64_t>() >= 0) return uint64_t(v.get<int64_t>());
  return dataLoss(what, ": ", field, " must hold non-negative integers");
}

StatusOr<Entry> parseEntry(const std::string& name, const json& v, const std::string& what) {
  std::string where = "tensor '" + name + "'";
  if (!v.is_object()) return dataLoss(what, ": ", where, " is not an object");
  Entry e;
  e.name = name;
  auto dt = v.find("dtype");
  if (dt == v.end() || !dt->is_string())
    return dataLoss(what, ": ", where, " lacks a string \"dtype\"");
  std::string dtName = dt->get<std::string>();
  auto known = std::find_if(std::begin(kStDTypes), std::end(kStDTypes),
                            [&](const StDType& d) { return dtName == d.name; });
  if (known == std::end(kStDTypes))
    return unsupported(what, ": ", where, " has dtype ", dtName,
                       "; supported: F32 F16 BF16 U8 I32 I64 BOOL");
  e.dtype = known->type;
  auto shape = v.find("shape");
  if (shape == v.end() || !shape->is_array())
    return dataLoss(what, ": ", where, " lacks a \"shape\" array");
  if (shape->size() > size_t(ir::kMaxRank))
    return outOfRange(what, ": ", where, " has rank ", shape->size(), ", over the limit of ",
                      ir::kMaxRank);
  for (const json& d : *shape) {
    DLC_ASSIGN_OR_RETURN(uint64_t n, nonNegative(d, what, where + " shape"));
    if (n > uint64_t(ir::kMaxElements))
      return outOfRange(what, ": ", where, " has an extent of ", n);
    e.dims.push_back(int64_t(n));
  }
  Status valid = ir::validateShape(ir::Shape(e.dims));
  if (!valid.ok()) return valid.withContext(what + ": " + where);
  auto offsets = v.find("data_offsets");
  if (offsets == v.end() || !offsets->is_array() || offsets->size() != 2)
    return dataLoss(what, ": ", where, " lacks \"data_offsets\": [begin, end]");
  DLC_ASSIGN_OR_RETURN(e.begin, nonNegative((*offsets)[0], what, where + " data_offsets"));
  DLC_ASSIGN_OR_RETURN(e.end, nonNegative((*offsets)[1], what, where + " data_offsets"));
  if (e.end < e.begin)
    return dataLoss(what, ": ", where, " has data_offsets [", e.begin, ", ", e.end,
                    "] with end before begin");
  uint64_t want = uint64_t(ir::Shape(e.dims).numElements()) * ir::dtypeSize(e.dtype);
  if (e.end - e.begin != want)
    return dataLoss(what, ": ", where, " spans ", e.end - e.begin, " bytes but ", dtName,
                    ir::Shape(e.dims).str(), " needs ", want);
  return e;
}

}  // namespace

StatusOr<std::map<std::string, Tensor>> parseSafetensors(std::string_view bytes,
                                                         const std::string& what) {
  if (bytes.size() < 8) return dataLoss(what, ": not a safetensors file (shorter than 8 bytes)");
  uint64_t headerLen = loadLE64(bytes.data());
  if (headerLen > kMaxHeaderBytes)
    return dataLoss(what, ": safetensors header length ", headerLen, " exceeds the limit of ",
                    kMaxHeaderBytes);
  if (headerLen > bytes.size() - 8)
    return dataLoss(what, ": safetensors header length ", headerLen, " runs past the end of the ",
                    bytes.size(), "-byte file");
  json header = json::parse(bytes.substr(8, size_t(headerLen)), nullptr,
                            /*allow_exceptions=*/false);
  if (header.is_discarded() || !header.is_object())
    return dataLoss(what, ": safetensors header is not a JSON object");
  std::string_view data = bytes.substr(size_t(8 + headerLen));

  std::vector<Entry> entries;
  for (auto it = header.begin(); it != header.end(); ++it) {
    if (it.key() == "__metadata__") continue;
    DLC_ASSIGN_OR_RETURN(Entry e, parseEntry(it.key(), it.value(), what));
    if (e.end > data.size())
      return dataLoss(what, ": tensor '", e.name, "' data_offsets [", e.begin, ", ", e.end,
                      "] run past the ", data.size(), "-byte data buffer");
    entries.push_back(std::move(e));
  }
  std::vector<const Entry*> byOffset;
  for (const Entry& e : entries) byOffset.push_back(&e);
  std::sort(byOffset.begin(), byOffset.end(), [](const Entry* a, const Entry* b) {
    return a->begin != b->begin ? a->begin < b->begin : a->end < b->end;
  });
  for (size_t i = 1; i < byOffset.size(); ++i)
    if (byOffset[i]->begin < byOffset[i - 1]->end)
      return dataLoss(what, ": tensors '", byOffset[i - 1]->name, "' and '", byOffset[i]->name,
                      "' overlap in the data buffer");

  std::map<std::string, Tensor> out;
  for (const Entry& e : entries) {
    auto created = Tensor::create(e.dtype, e.dims);
    if (!created.ok()) return created.status().withContext(what + ": tensor '" + e.name + "'");
    Tensor t = std::move(created).value();
    if (e.end > e.begin) std::memcpy(t.data(), data.data() + e.begin, size_t(e.end - e.begin));
    if (e.dtype == DType::Bool)
      for (int64_t i = 0; i < t.numElements(); ++i) t.as<uint8_t>()[i] = t.as<uint8_t>()[i] != 0;
    out.emplace(e.name, std::move(t));
  }
  return out;
}

StatusOr<std::map<std::string, Tensor>> readSafetensors(const std::string& path) {
  DLC_ASSIGN_OR_RETURN(std::string bytes, readFileBytes(path, kMaxWeightFileBytes));
  return parseSafetensors(bytes, path);
}

StatusOr<std::string> serializeSafetensors(
    const std::vector<std::pair<std::string, Tensor>>& tensors) {
  json header = json::object();
  std::set<std::string> seen;
  uint64_t offset = 0;
  for (const auto& [name, t] : tensors) {
    if (name == "__metadata__") return invalidArgument("'__metadata__' is not a tensor name");
    if (!seen.insert(name).second) return invalidArgument("tensor '", name, "' appears twice");
    header[name] = {{"dtype", stName(t.dtype())},
                    {"shape", t.dims()},
                    {"data_offsets", {offset, offset + t.byteSize()}}};
    offset += t.byteSize();
  }
  std::string text;
  try {
    text = header.dump();
  } catch (const json::exception& e) {
    return invalidArgument("tensor names must be valid UTF-8: ", e.what());
  }
  text.append((8 - text.size() % 8) % 8, ' ');  // align the data buffer to 8 bytes
  std::string out;
  out.reserve(8 + text.size() + size_t(offset));
  appendLE(out, text.size(), 8);
  out += text;
  for (const auto& entry : tensors)
    out.append(static_cast<const char*>(entry.second.data()), entry.second.byteSize());
  return out;
}

Status writeSafetensors(const std::string& path,
                        const std::vector<std::pair<std::string, Tensor>>& tensors) {
  auto bytes = serializeSafetensors(tensors);
  if (!bytes.ok()) return bytes.status().withContext(path);
  return writeFileBytes(path, *bytes);
}

}  // namespace dlc
