#include "runtime/src/ManifestJson.h"

#include <nlohmann/json.hpp>


namespace dlc::rt {

using nlohmann::json;

namespace {

json affineToJson(const Affine& a) { return {{"fixed", a.fixed}, {"per_batch", a.perBatch}}; }

std::string join(const std::string& path, const char* key) {
  return path.empty() ? std::string(key) : path + "." + key;
}

// Typed field access that reports the JSON path of whatever is wrong.
class Reader {
 public:
  Status error(const std::string& path, const std::string& what) {
    return invalidArgument("manifest: ", path, ": ", what);
  }
  const json* field(const json& obj, const std::string& path, const char* key, bool required,
                    Status& st) {
    auto it = obj.find(key);
    if (it == obj.end()) {
      if (required) st = error(join(path, key), "missing");
      return nullptr;
    }
    return &*it;
  }
  Status getInt(const json& obj, const std::string& path, const char* key, int64_t& out,
                bool required = true) {
    Status st;
    const json* v = field(obj, path, key, required, st);
    if (!v) return st;
    if (!v->is_number_integer()) return error(join(path, key), "expected an integer");
    out = v->get<int64_t>();
    return Status::OK();
  }
  Status getInt32(const json& obj, const std::string& path, const char* key, int& out,
                  bool required = true) {
    int64_t v = out;
    DLC_RETURN_IF_ERROR(getInt(obj, path, key, v, required));
    if (v < INT32_MIN || v > INT32_MAX) return error(join(path, key), "out of 32-bit range");
    out = int(v);
    return Status::OK();
  }
  Status getString(const json& obj, const std::string& path, const char* key, std::string& out,
                   bool required = true) {
    Status st;
    const json* v = field(obj, path, key, required, st);
    if (!v) return st;
    if (!v->is_string()) return error(join(path, key), "expected a string");
    out = v->get<std::string>();
    return Status::OK();
  }
  Status getBool(const json& obj, const std::string& path, const char* key, bool& out) {
    Status st;
    const json* v = field(obj, path, key, /*required=*/false, st);
    if (!v) return st;
    if (!v->is_boolean()) return error(join(path, key), "expected true or false");
    out = v->get<bool>();
    return Status::OK();
  }
  Status getAffine(const json& obj, const std::string& path, const char* key, Affine& out,
                   bool required = true) {
    Status st;
    const json* v = field(obj, path, key, required, st);
    if (!v) return st;
    std::string p = join(path, key);
    if (!v->is_object()) return error(p, "expected {\"fixed\": ..., \"per_batch\": ...}");
    DLC_RETURN_IF_ERROR(getInt(*v, p, "fixed", out.fixed));
    DLC_RETURN_IF_ERROR(getInt(*v, p, "per_batch", out.perBatch));
    if (out.fixed < 0 || out.perBatch < 0) return error(p, "negative size");
    return Status::OK();
  }
  Status getIntList(const json& obj, const std::string& path, const char* key,
                    std::vector<int64_t>& out) {
    Status st;
    const json* v = field(obj, path, key, /*required=*/true, st);
    if (!v) return st;
    std::string p = join(path, key);
    if (!v->is_array()) return error(p, "expected an array of integers");
    out.clear();
    for (size_t i = 0; i < v->size(); ++i) {
      if (!(*v)[i].is_number_integer())
        return error(strCat(p, "[", i, "]"), "expected an integer");
      out.push_back((*v)[i].get<int64_t>());
    }
    return Status::OK();
  }
  Status getIdList(const json& obj, const std::string& path, const char* key,
                   std::vector<int>& out) {
    std::vector<int64_t> v;
    DLC_RETURN_IF_ERROR(getIntList(obj, path, key, v));
    out.clear();
    for (size_t i = 0; i < v.size(); ++i) {
      if (v[i] < INT32_MIN || v[i] > INT32_MAX)
        return error(strCat(join(path, key), "[", i, "]"), "out of 32-bit range");
      out.push_back(int(v[i]));
    }
    return Status::OK();
  }
  Status getStringList(const json& obj, const std::string& path, const char* key,
                       std::vector<std::string>& out) {
    Status st;
    const json* v = field(obj, path, key, /*required=*/false, st);
    if (!v) return st;
    std::string p = join(path, key);
    if (!v->is_array()) return error(p, "expected an array of strings");
    out.clear();
    for (size_t i = 0; i < v->size(); ++i) {
      if (!(*v)[i].is_string()) return error(strCat(p, "[", i, "]"), "expected a string");
      out.push_back((*v)[i].get<std::string>());
    }
    return Status::OK();
  }
  Status getArray(const json& obj, const std::string& path, const char* key, const json*& out) {
    Status st;
    out = field(obj, path, key, /*required=*/true, st);
    if (!out) return st;
    if (!out->is_array()) return error(join(path, key), "expected an array");
    return Status::OK();
  }
};

StatusOr<BufferKind> parseBufferKind(const std::string& s) {
  if (s == "input") return BufferKind::Input;
  if (s == "output") return BufferKind::Output;
  if (s == "constant") return BufferKind::Constant;
  if (s == "temp") return BufferKind::Temp;
  return invalidArgument("unknown buffer kind \"", s,
                         "\" (expected input, output, constant or temp)");
}

Status parseBuffer(Reader& r, const json& j, const std::string& p, BufferDesc& b) {
  if (!j.is_object()) return r.error(p, "expected an object");
  DLC_RETURN_IF_ERROR(r.getInt32(j, p, "id", b.id));
  DLC_RETURN_IF_ERROR(r.getString(j, p, "name", b.name));
  std::string kind, dtype;
  DLC_RETURN_IF_ERROR(r.getString(j, p, "kind", kind));
  auto k = parseBufferKind(kind);
  if (!k.ok()) return r.error(p + ".kind", k.status().message());
  b.kind = *k;
  DLC_RETURN_IF_ERROR(r.getString(j, p, "dtype", dtype));
  auto dt = ir::parseDType(dtype);
  if (!dt) return r.error(p + ".dtype", strCat("unknown dtype \"", dtype, "\""));
  b.dtype = *dt;
  DLC_RETURN_IF_ERROR(r.getIntList(j, p, "dims", b.dims));
  DLC_RETURN_IF_ERROR(r.getAffine(j, p, "bytes", b.bytes));
  DLC_RETURN_IF_ERROR(r.getInt(j, p, "const_offset", b.constOffset, /*required=*/false));
  DLC_RETURN_IF_ERROR(r.getInt32(j, p, "slot", b.slot, /*required=*/false));
  DLC_RETURN_IF_ERROR(r.getInt32(j, p, "io_index", b.ioIndex, /*required=*/false));
  DLC_RETURN_IF_ERROR(r.getString(j, p, "device", b.device, /*required=*/false));
  return Status::OK();
}

Status parseKernel(Reader& r, const json& j, const std::string& p, KernelDesc& k) {
  if (!j.is_object()) return r.error(p, "expected an object");
  DLC_RETURN_IF_ERROR(r.getInt32(j, p, "id", k.id));
  DLC_RETURN_IF_ERROR(r.getString(j, p, "symbol", k.symbol));
  DLC_RETURN_IF_ERROR(r.getString(j, p, "kind", k.kind, /*required=*/false));
  DLC_RETURN_IF_ERROR(r.getString(j, p, "label", k.label, /*required=*/false));
  DLC_RETURN_IF_ERROR(r.getString(j, p, "device", k.device, /*required=*/false));
  DLC_RETURN_IF_ERROR(r.getIdList(j, p, "args", k.args));
  DLC_RETURN_IF_ERROR(r.getInt32(j, p, "num_params", k.numParams));
  DLC_RETURN_IF_ERROR(r.getStringList(j, p, "nodes", k.nodes));
  DLC_RETURN_IF_ERROR(r.getAffine(j, p, "bytes_read", k.bytesRead, /*required=*/false));
  DLC_RETURN_IF_ERROR(r.getAffine(j, p, "bytes_written", k.bytesWritten, /*required=*/false));
  DLC_RETURN_IF_ERROR(r.getAffine(j, p, "flops", k.flops, /*required=*/false));
  DLC_RETURN_IF_ERROR(r.getString(j, p, "engine", k.engine, /*required=*/false));
  if (auto launch = j.find("launch"); launch != j.end()) {
    const std::string lp = p + ".launch";
    if (!launch->is_object()) return r.error(lp, "expected an object");
    CudaLaunch& l = k.launch;
    int64_t threads = 0, shared = 0;
    DLC_RETURN_IF_ERROR(r.getAffine(*launch, lp, "items", l.items));
    DLC_RETURN_IF_ERROR(r.getInt(*launch, lp, "items_per_block", l.itemsPerBlock));
    DLC_RETURN_IF_ERROR(r.getInt(*launch, lp, "threads", threads));
    DLC_RETURN_IF_ERROR(r.getInt(*launch, lp, "shared_bytes", shared, /*required=*/false));
    DLC_RETURN_IF_ERROR(r.getInt(*launch, lp, "max_blocks", l.maxBlocks, /*required=*/false));
    if (l.itemsPerBlock < 1) return r.error(lp + ".items_per_block", "must be >= 1");
    if (threads < 1 || threads > 1024) return r.error(lp + ".threads", "must be in [1, 1024]");
    if (shared < 0 || shared > (int64_t(1) << 20))
      return r.error(lp + ".shared_bytes", "must be in [0, 1 MiB]");
    if (l.maxBlocks < 0) return r.error(lp + ".max_blocks", "must be >= 0");
    l.threads = int(threads);
    l.sharedBytes = int(shared);
  }
  return Status::OK();
}

Status parsePlacement(Reader& r, const json& j, const std::string& p, NodePlacement& n) {
  if (!j.is_object()) return r.error(p, "expected an object");
  DLC_RETURN_IF_ERROR(r.getString(j, p, "node", n.node));
  DLC_RETURN_IF_ERROR(r.getString(j, p, "op", n.op, /*required=*/false));
  DLC_RETURN_IF_ERROR(r.getInt32(j, p, "kernel", n.kernel));
  DLC_RETURN_IF_ERROR(r.getString(j, p, "device", n.device, /*required=*/false));
  DLC_RETURN_IF_ERROR(r.getString(j, p, "fallback", n.fallback, /*required=*/false));
  return Status::OK();
}

}  // namespace

std::string manifestToJson(const Manifest& m) {
  json j;
  j["format_version"] = Manifest::kFormatVersion;
  j["model"] = m.modelName;
  j["target"] = m.target;
  if (!m.cpu.name.empty() || !m.cpu.features.empty())
    j["cpu"] = {{"name", m.cpu.name}, {"features", m.cpu.features}};
  if (!m.devices.empty()) j["devices"] = m.devices;
  j["fused"] = m.fused;
  json buffers = json::array();
  for (const BufferDesc& b : m.buffers) {
    json jb = {{"id", b.id},
               {"name", b.name},
               {"kind", bufferKindName(b.kind)},
               {"dtype", std::string(ir::dtypeName(b.dtype))},
               {"dims", b.dims},
               {"bytes", affineToJson(b.bytes)}};
    if (b.kind == BufferKind::Constant) jb["const_offset"] = b.constOffset;
    if (b.kind == BufferKind::Temp) jb["slot"] = b.slot;
    if (b.kind == BufferKind::Input || b.kind == BufferKind::Output) jb["io_index"] = b.ioIndex;
    if (!b.device.empty()) jb["device"] = b.device;
    buffers.push_back(std::move(jb));
  }
  j["buffers"] = std::move(buffers);
  json slots = json::array();
  for (const SlotDesc& s : m.slots) slots.push_back({{"id", s.id}, {"bytes", affineToJson(s.bytes)}});
  j["slots"] = std::move(slots);
  json kernels = json::array();
  for (const KernelDesc& k : m.kernels) {
    json jk = {{"id", k.id},
                       {"symbol", k.symbol},
                       {"kind", k.kind},
                       {"label", k.label},
                       {"device", k.device},
                       {"args", k.args},
                       {"num_params", k.numParams},
                       {"nodes", k.nodes},
                       {"bytes_read", affineToJson(k.bytesRead)},
                       {"bytes_written", affineToJson(k.bytesWritten)},
                       {"flops", affineToJson(k.flops)}};
    if (!k.engine.empty()) jk["engine"] = k.engine;
    if (m.target == "cuda" && k.kind != "transfer" && k.device.find("GPU") != std::string::npos)
      jk["launch"] = {{"items", affineToJson(k.launch.items)},
                      {"items_per_block", k.launch.itemsPerBlock},
                      {"threads", k.launch.threads},
                      {"shared_bytes", k.launch.sharedBytes},
                      {"max_blocks", k.launch.maxBlocks}};
    kernels.push_back(std::move(jk));
  }
  j["kernels"] = std::move(kernels);
  j["inputs"] = m.inputs;
  j["outputs"] = m.outputs;
  json placement = json::array();
  for (const NodePlacement& n : m.placement) {
    json jn = {{"node", n.node}, {"op", n.op}, {"kernel", n.kernel}, {"device", n.device}};
    if (!n.fallback.empty()) jn["fallback"] = n.fallback;
    placement.push_back(std::move(jn));
  }
  j["placement"] = std::move(placement);
  j["peak_temp_bytes"] = affineToJson(m.peakTempBytes);
  return j.dump(1, ' ', /*ensure_ascii=*/false, json::error_handler_t::replace);
}

StatusOr<Manifest> manifestFromJson(const std::string& text) {
  json j = json::parse(text, /*cb=*/nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return invalidArgument("manifest: not valid JSON");
  if (!j.is_object()) return invalidArgument("manifest: expected a JSON object");
  Reader r;
  Manifest m;
  int64_t version = 0;
  DLC_RETURN_IF_ERROR(r.getInt(j, "", "format_version", version));
  if (version != Manifest::kFormatVersion)
    return invalidArgument("manifest: format_version ", version, ", this runtime reads version ",
                           Manifest::kFormatVersion);
  DLC_RETURN_IF_ERROR(r.getString(j, "", "model", m.modelName, /*required=*/false));
  DLC_RETURN_IF_ERROR(r.getString(j, "", "target", m.target));
  if (auto cpu = j.find("cpu"); cpu != j.end()) {
    if (!cpu->is_object())
      return r.error("cpu", "expected {\"name\": ..., \"features\": [...]}");
    DLC_RETURN_IF_ERROR(r.getString(*cpu, "cpu", "name", m.cpu.name, /*required=*/false));
    DLC_RETURN_IF_ERROR(r.getStringList(*cpu, "cpu", "features", m.cpu.features));
  }
  if (j.contains("devices")) DLC_RETURN_IF_ERROR(r.getStringList(j, "", "devices", m.devices));
  DLC_RETURN_IF_ERROR(r.getBool(j, "", "fused", m.fused));
  const json* arr = nullptr;
  DLC_RETURN_IF_ERROR(r.getArray(j, "", "buffers", arr));
  for (size_t i = 0; i < arr->size(); ++i) {
    BufferDesc b;
    DLC_RETURN_IF_ERROR(parseBuffer(r, (*arr)[i], strCat("buffers[", i, "]"), b));
    m.buffers.push_back(std::move(b));
  }
  DLC_RETURN_IF_ERROR(r.getArray(j, "", "slots", arr));
  for (size_t i = 0; i < arr->size(); ++i) {
    const json& js = (*arr)[i];
    std::string p = strCat("slots[", i, "]");
    if (!js.is_object()) return r.error(p, "expected an object");
    SlotDesc s;
    DLC_RETURN_IF_ERROR(r.getInt32(js, p, "id", s.id));
    DLC_RETURN_IF_ERROR(r.getAffine(js, p, "bytes", s.bytes));
    m.slots.push_back(s);
  }
  DLC_RETURN_IF_ERROR(r.getArray(j, "", "kernels", arr));
  for (size_t i = 0; i < arr->size(); ++i) {
    KernelDesc k;
    DLC_RETURN_IF_ERROR(parseKernel(r, (*arr)[i], strCat("kernels[", i, "]"), k));
    m.kernels.push_back(std::move(k));
  }
  DLC_RETURN_IF_ERROR(r.getIdList(j, "", "inputs", m.inputs));
  DLC_RETURN_IF_ERROR(r.getIdList(j, "", "outputs", m.outputs));
  if (j.contains("placement")) {
    DLC_RETURN_IF_ERROR(r.getArray(j, "", "placement", arr));
    for (size_t i = 0; i < arr->size(); ++i) {
      NodePlacement n;
      DLC_RETURN_IF_ERROR(parsePlacement(r, (*arr)[i], strCat("placement[", i, "]"), n));
      m.placement.push_back(std::move(n));
    }
  }
  DLC_RETURN_IF_ERROR(r.getAffine(j, "", "peak_temp_bytes", m.peakTempBytes, /*required=*/false));
  DLC_RETURN_IF_ERROR(validateManifest(m));
  return m;
}

}  // namespace dlc::rt
