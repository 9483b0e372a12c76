#include "runtime/src/ManifestValidate.h"

#include <set>

#include "runtime/src/DeviceSet.h"

namespace dlc::rt {

const char* bufferKindName(BufferKind kind) {
  switch (kind) {
    case BufferKind::Input: return "input";
    case BufferKind::Output: return "output";
    case BufferKind::Constant: return "constant";
    case BufferKind::Temp: return "temp";
  }
  return "temp";
}

namespace {

bool isIdentifier(const std::string& s) {
  if (s.empty() || (s[0] >= '0' && s[0] <= '9')) return false;
  for (char c : s)
    if (!(c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')))
      return false;
  return true;
}

Status error(const std::string& path, const std::string& what) {
  return invalidArgument("manifest: ", path, ": ", what);
}

Status validateBuffer(const Manifest& m, size_t i) {
  const BufferDesc& b = m.buffers[i];
  std::string p = strCat("buffers[", i, "]");
  if (b.id != int(i)) return error(p + ".id", strCat("is ", b.id, ", expected ", i, " (ids are positions)"));
  if (b.name.empty()) return error(p + ".name", "empty");
  if (int(b.dims.size()) > ir::kMaxRank)
    return error(p + ".dims", strCat("rank ", b.dims.size(), " exceeds ", ir::kMaxRank));
  int batchDims = 0;
  for (int64_t d : b.dims) {
    if (d == ir::kBatch) ++batchDims;
    else if (d < 0) return error(p + ".dims", strCat("invalid extent ", d));
  }
  if (batchDims > 1) return error(p + ".dims", "the batch dimension -1 appears more than once");
  ir::Shape shape(b.dims);
  if (Status st = ir::validateShape(shape); !st.ok()) return error(p + ".dims", st.message());
  int64_t elemBytes = int64_t(ir::dtypeSize(b.dtype)) * shape.staticElements();
  Affine expect = batchDims ? Affine{0, elemBytes} : Affine{elemBytes, 0};
  if (b.bytes.fixed != expect.fixed || b.bytes.perBatch != expect.perBatch)
    return error(p + ".bytes", strCat("{", b.bytes.fixed, ", ", b.bytes.perBatch, "} does not match ",
                                      ir::dtypeName(b.dtype), shape.str(), " (expected {",
                                      expect.fixed, ", ", expect.perBatch, "})"));
  switch (b.kind) {
    case BufferKind::Constant:
      if (batchDims) return error(p + ".dims", "a constant cannot have the batch dimension");
      if (b.constOffset < 0) return error(p + ".const_offset", "negative");
      break;
    case BufferKind::Temp: {
      if (b.slot < 0 || size_t(b.slot) >= m.slots.size())
        return error(p + ".slot", strCat("slot ", b.slot, " out of range [0, ", m.slots.size(), ")"));
      const Affine& s = m.slots[size_t(b.slot)].bytes;
      if (s.at(1) < b.bytes.at(1) || s.perBatch < b.bytes.perBatch)
        return error(p + ".slot", strCat("slot ", b.slot, " is smaller than the buffer"));
      break;
    }
    case BufferKind::Input:
    case BufferKind::Output: {
      const std::vector<int>& list = b.kind == BufferKind::Input ? m.inputs : m.outputs;
      if (b.ioIndex < 0 || size_t(b.ioIndex) >= list.size() || list[size_t(b.ioIndex)] != b.id)
        return error(p + ".io_index", strCat(b.ioIndex, " does not point back to this buffer in the ",
                                             bufferKindName(b.kind), "s list"));
      break;
    }
  }
  if (b.kind != BufferKind::Temp && b.slot != -1)
    return error(p + ".slot", strCat("only temps have a slot, got ", b.slot));
  return Status::OK();
}

std::string withArticle(BufferKind kind) {
  bool vowel = kind == BufferKind::Input || kind == BufferKind::Output;
  return strCat(vowel ? "an " : "a ", bufferKindName(kind));
}

Status validateIoList(const Manifest& m, const std::vector<int>& list, BufferKind kind,
                      const char* key) {
  std::set<int> seen;
  for (size_t i = 0; i < list.size(); ++i) {
    std::string p = strCat(key, "[", i, "]");
    int id = list[i];
    if (id < 0 || size_t(id) >= m.buffers.size())
      return error(p, strCat("buffer id ", id, " out of range [0, ", m.buffers.size(), ")"));
    if (m.buffers[size_t(id)].kind != kind)
      return error(p, strCat("buffer ", id, " \"", m.buffers[size_t(id)].name, "\" is ",
                             withArticle(m.buffers[size_t(id)].kind), ", expected ",
                             bufferKindName(kind)));
    if (!seen.insert(id).second) return error(p, strCat("buffer ", id, " listed twice"));
  }
  return Status::OK();
}

// A transfer copies args[0] (on its home device) to args[1] (on the
// kernel's device): one param, one output, the same type, no code.
Status validateTransfer(const Manifest& m, const KernelDesc& k, const std::string& p) {
  if (!k.symbol.empty())
    return error(p + ".symbol", strCat("a transfer has no code, got \"", k.symbol, "\""));
  if (k.numParams != 1 || k.args.size() != 2)
    return error(p + ".args", strCat("a transfer copies one buffer into one, got ", k.args.size(),
                                      " args with ", k.numParams, " params"));
  for (int id : k.args)
    if (id < 0 || size_t(id) >= m.buffers.size())
      return error(p + ".args", strCat("buffer id ", id, " out of range [0, ", m.buffers.size(), ")"));
  const BufferDesc& from = m.buffers[size_t(k.args[0])];
  const BufferDesc& to = m.buffers[size_t(k.args[1])];
  if (from.dtype != to.dtype || from.bytes.fixed != to.bytes.fixed ||
      from.bytes.perBatch != to.bytes.perBatch)
    return error(p + ".args", strCat("copies \"", from.name, "\" into \"", to.name,
                                     "\", a buffer of another type or size"));
  return Status::OK();
}

// Devices are well-formed, listed once, and name every kernel's and
// buffer's device; a model on several devices homes every buffer.
Status validateDevices(const Manifest& m) {
  std::set<std::string> devices;
  for (size_t i = 0; i < m.devices.size(); ++i) {
    std::string p = strCat("devices[", i, "]");
    if (!parseDeviceName(m.devices[i]))
      return error(p, strCat("\"", m.devices[i],
                             "\" is not a device name (expected /device:CPU:<n> or /device:GPU:<n>)"));
    if (!devices.insert(m.devices[i]).second) return error(p, strCat("\"", m.devices[i], "\" listed twice"));
  }
  if (devices.empty()) return Status::OK();
  for (size_t i = 0; i < m.kernels.size(); ++i)
    if (!devices.count(m.kernels[i].device))
      return error(strCat("kernels[", i, "].device"),
                   strCat("\"", m.kernels[i].device, "\" is not in the devices list"));
  for (size_t i = 0; i < m.buffers.size(); ++i) {
    const std::string& d = m.buffers[i].device;
    if (d.empty() && devices.size() > 1)
      return error(strCat("buffers[", i, "].device"), "missing in a model on several devices");
    if (!d.empty() && !devices.count(d))
      return error(strCat("buffers[", i, "].device"), strCat("\"", d, "\" is not in the devices list"));
  }
  return Status::OK();
}

Status validateKernels(const Manifest& m) {
  std::set<int> ids;
  std::vector<bool> written(m.buffers.size(), false);
  for (const BufferDesc& b : m.buffers)
    if (b.kind == BufferKind::Input || b.kind == BufferKind::Constant) written[size_t(b.id)] = true;
  for (size_t i = 0; i < m.kernels.size(); ++i) {
    const KernelDesc& k = m.kernels[i];
    std::string p = strCat("kernels[", i, "]");
    if (k.id < 0) return error(p + ".id", strCat("negative id ", k.id));
    if (!ids.insert(k.id).second) return error(p + ".id", strCat("duplicate kernel id ", k.id));
    const bool transfer = k.kind == "transfer";
    if (transfer) {
      DLC_RETURN_IF_ERROR(validateTransfer(m, k, p));
    } else if (!isIdentifier(k.symbol)) {
      return error(p + ".symbol", strCat("\"", k.symbol, "\" is not a C identifier"));
    }
    if (k.numParams < 0 || size_t(k.numParams) >= k.args.size())
      return error(p + ".num_params", strCat(k.numParams, " with ", k.args.size(),
                                             " args: need 0 <= num_params < args (at least one output)"));
    for (size_t a = 0; a < k.args.size(); ++a) {
      std::string ap = strCat(p, ".args[", a, "]");
      int id = k.args[a];
      if (id < 0 || size_t(id) >= m.buffers.size())
        return error(ap, strCat("buffer id ", id, " out of range [0, ", m.buffers.size(), ")"));
      const BufferDesc& b = m.buffers[size_t(id)];
      if (!b.device.empty() && !k.device.empty() && b.device != k.device && !(transfer && a == 0))
        return error(ap, strCat("buffer ", id, " \"", b.name, "\" lives on ", b.device,
                                ", but the kernel runs on ", k.device));
      if (int(a) < k.numParams) {
        if (!written[size_t(id)])
          return error(ap, strCat("reads ", bufferKindName(b.kind), " buffer ", id, " \"", b.name,
                                  "\" before any kernel writes it"));
      } else if (b.kind == BufferKind::Input || b.kind == BufferKind::Constant) {
        return error(ap, strCat("writes ", bufferKindName(b.kind), " buffer ", id, " \"", b.name, "\""));
      }
    }
    for (size_t a = size_t(k.numParams); a < k.args.size(); ++a) written[size_t(k.args[a])] = true;
  }
  for (int id : m.outputs)
    if (!written[size_t(id)])
      return error("outputs", strCat("output buffer ", id, " \"", m.buffers[size_t(id)].name,
                                     "\" is never written by a kernel"));
  for (size_t i = 0; i < m.placement.size(); ++i) {
    const NodePlacement& n = m.placement[i];
    std::string p = strCat("placement[", i, "]");
    if (n.node.empty()) return error(p + ".node", "empty");
    if (n.kernel != -1 && !ids.count(n.kernel))
      return error(p + ".kernel", strCat("kernel ", n.kernel, " does not exist"));
  }
  return Status::OK();
}

}  // namespace

Status validateManifest(const Manifest& m) {
  if (m.target.empty()) return error("target", "empty");
  for (size_t i = 0; i < m.slots.size(); ++i)
    if (m.slots[i].id != int(i))
      return error(strCat("slots[", i, "].id"), strCat("is ", m.slots[i].id, ", expected ", i));
  DLC_RETURN_IF_ERROR(validateIoList(m, m.inputs, BufferKind::Input, "inputs"));
  DLC_RETURN_IF_ERROR(validateIoList(m, m.outputs, BufferKind::Output, "outputs"));
  if (m.outputs.empty()) return error("outputs", "a model needs at least one output");
  for (size_t i = 0; i < m.buffers.size(); ++i) DLC_RETURN_IF_ERROR(validateBuffer(m, i));
  DLC_RETURN_IF_ERROR(validateDevices(m));
  return validateKernels(m);
}


}  // namespace dlc::rt
