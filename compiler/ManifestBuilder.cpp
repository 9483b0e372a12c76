#include "compiler/ManifestBuilder.h"

#include <algorithm>
#include <cstring>
#include <set>
#include <unordered_map>

namespace dlc {

using ir::Node;

SourceNodes captureSourceNodes(const ir::Graph& graph) {
  SourceNodes s;
  for (const auto& n : graph.nodes())
    if (!ir::isSource(n->op)) s.nodes.emplace_back(n->name, std::string(ir::opName(n->op)));
  return s;
}

namespace {

// Elements of a type as an affine function of the batch.
Affine elements(const ir::TensorType& t) {
  int64_t e = t.shape.staticElements();
  return t.shape.hasBatch() ? Affine::batched(e) : Affine::constant(e);
}

Affine bytesOf(const ir::TensorType& t) {
  return elements(t).scaled(int64_t(ir::dtypeSize(t.dtype)));
}

// A rough count of floating-point operations of one node.
Affine flopsOf(const Node& n) {
  Affine out = elements(n.type);
  switch (n.op) {
    case ir::OpKind::Dense: {
      int64_t in = n.inputs[0]->type.shape.dims().back();
      return out.scaled(2 * in);
    }
    case ir::OpKind::MatMul: {
      const auto& a = n.inputs[0]->type.shape;
      int64_t k = n.attrs.getInt("transpose_a", 0) ? a.dim(a.rank() - 2) : a.dim(a.rank() - 1);
      return out.scaled(2 * k);
    }
    case ir::OpKind::Conv2D: {
      const auto& w = n.inputs[1]->type.shape;
      return out.scaled(2 * w.dim(1) * w.dim(2) * w.dim(3));
    }
    case ir::OpKind::MaxPool2D:
    case ir::OpKind::AvgPool2D: {
      auto k = n.attrs.getInts("kernel", {1, 1});
      int64_t window = 1;
      for (int64_t v : k) window *= v;
      return out.scaled(window);
    }
    case ir::OpKind::GlobalAvgPool:
    case ir::OpKind::ReduceSum:
    case ir::OpKind::ReduceMean:
    case ir::OpKind::ReduceMax:
    case ir::OpKind::ReduceMin:
      return elements(n.inputs[0]->type);
    case ir::OpKind::Softmax:
    case ir::OpKind::LogSoftmax:
    case ir::OpKind::LayerNorm:
      return out.scaled(5);
    default:
      if (ir::isIndexRemap(n.op)) return {0, 0};
      return out;
  }
}

rt::BufferKind kindOf(const ir::Graph& g, const Node* n) {
  if (n->op == ir::OpKind::Input) return rt::BufferKind::Input;
  if (n->op == ir::OpKind::Constant) return rt::BufferKind::Constant;
  if (g.isOutput(n)) return rt::BufferKind::Output;
  return rt::BufferKind::Temp;
}

}  // namespace

namespace {

// "/device:CPU:1" -> "CPU:1".
std::string shortDeviceName(const std::string& device) {
  return device.rfind("/device:", 0) == 0 ? device.substr(8) : device;
}

}  // namespace

std::string transferLabel(const std::string& value, const std::string& from,
                          const std::string& to) {
  return strCat(value, " ", shortDeviceName(from), "->", shortDeviceName(to));
}

StatusOr<ManifestParts> buildManifest(const ir::Graph& graph, const ir::KernelPlan& plan,
                                      const passes::BufferAssignment& buffers,
                                      const std::vector<KernelCode>& code,
                                      const SourceNodes& source, bool fused,
                                      const std::map<std::string, std::string>& fallbacks,
                                      const std::unordered_map<const ir::Node*, Tensor>*
                                          storedConstants) {
  if (code.size() != plan.kernels.size())
    return internalError("backend returned ", code.size(), " kernels for ", plan.kernels.size(),
                         " planned");
  ManifestParts parts;
  rt::Manifest& m = parts.manifest;
  m.modelName = graph.name;
  m.fused = fused;

  std::set<std::string> kernelDevices;
  for (const ir::Kernel& kernel : plan.kernels) kernelDevices.insert(kernel.device);
  const bool multi = kernelDevices.size() > 1;
  if (multi && kernelDevices.count(""))
    return internalError("a kernel without a device in a program on several devices");
  for (const std::string& d : kernelDevices)
    if (!d.empty()) m.devices.push_back(d);

  // Homes of the values kernels write and of the graph inputs (multi only).
  std::unordered_map<const Node*, std::string> home;
  if (multi) {
    for (const ir::Kernel& kernel : plan.kernels)
      for (const Node* o : kernel.outputs) home[o] = kernel.device;
    for (const ir::Kernel& kernel : plan.kernels)
      for (const Node* p : kernel.params)
        if (p->op == ir::OpKind::Input) home.emplace(p, kernel.device);
    for (const Node* in : graph.inputs()) home.emplace(in, plan.kernels.front().device);
  }

  // Buffers by (value, device); the device is "" except for the per-device
  // copies of constants in a multi-device program.
  std::map<std::pair<const Node*, std::string>, int> bufferId;
  std::unordered_map<const Node*, int64_t> constOffset;
  auto addBuffer = [&](const Node* n, const std::string& readerDevice = "") -> int {
    const bool perDevice = multi && n->op == ir::OpKind::Constant;
    auto key = std::make_pair(n, perDevice ? readerDevice : std::string());
    auto it = bufferId.find(key);
    if (it != bufferId.end()) return it->second;
    rt::BufferDesc b;
    b.id = int(m.buffers.size());
    b.name = n->name;
    b.kind = kindOf(graph, n);
    b.dtype = n->type.dtype;
    b.dims = n->type.shape.dims();
    b.bytes = bytesOf(n->type);
    if (b.kind == rt::BufferKind::Constant) {
      auto known = constOffset.find(n);
      if (known != constOffset.end()) {
        b.constOffset = known->second;
      } else {
        const Tensor* value = &n->value;
        if (storedConstants) {
          auto stored = storedConstants->find(n);
          if (stored != storedConstants->end()) value = &stored->second;
        }
        size_t offset = (parts.constants.size() + 63) / 64 * 64;
        parts.constants.resize(offset + value->byteSize());
        if (value->byteSize())
          std::memcpy(parts.constants.data() + offset, value->data(), value->byteSize());
        b.constOffset = int64_t(offset);
        constOffset[n] = b.constOffset;
      }
    }
    if (b.kind == rt::BufferKind::Temp) b.slot = buffers.slotOf(n);
    if (multi) b.device = perDevice ? readerDevice : home[n];
    bufferId[key] = b.id;
    m.buffers.push_back(b);
    return b.id;
  };

  for (size_t i = 0; i < graph.inputs().size(); ++i) {
    int id = addBuffer(graph.inputs()[i]);
    m.buffers[size_t(id)].ioIndex = int(i);
    m.inputs.push_back(id);
  }
  for (size_t i = 0; i < graph.outputs().size(); ++i) {
    const Node* out = graph.outputs()[i];
    if (ir::isSource(out->op))
      return unsupported(graph.sourceFile, ": output \"", out->name,
                         "\" is a graph input or a constant, computed by no kernel; dlc "
                         "artifacts return computed values only");
    if (std::count(graph.outputs().begin(), graph.outputs().begin() + long(i), out))
      return unsupported(graph.sourceFile, ": output \"", out->name, "\" is listed twice");
    int id = addBuffer(out);
    m.buffers[size_t(id)].ioIndex = int(i);
    m.outputs.push_back(id);
  }
  for (const auto& slot : buffers.slots)
    m.slots.push_back({slot.id, slot.bytes});
  m.peakTempBytes = buffers.peakBytes;

  int nextKernelId = 0;
  for (const ir::Kernel& kernel : plan.kernels) nextKernelId = std::max(nextKernelId, kernel.id + 1);
  // The copy of a value on a device other than its home, made by a transfer.
  std::map<std::pair<const Node*, std::string>, int> copies;
  auto paramBuffer = [&](const Node* p, const std::string& device) -> int {
    if (!multi || p->op == ir::OpKind::Constant || home[p] == device) return addBuffer(p, device);
    auto key = std::make_pair(p, device);
    if (auto it = copies.find(key); it != copies.end()) return it->second;
    int src = addBuffer(p);
    rt::BufferDesc b = m.buffers[size_t(src)];
    b.id = int(m.buffers.size());
    b.name = strCat(p->name, "@", shortDeviceName(device));
    b.kind = rt::BufferKind::Temp;
    b.constOffset = 0;
    b.ioIndex = -1;
    b.slot = int(m.slots.size());
    b.device = device;
    m.slots.push_back({b.slot, b.bytes});
    m.peakTempBytes = m.peakTempBytes.plus(b.bytes);
    m.buffers.push_back(b);
    rt::KernelDesc t;
    t.id = nextKernelId++;
    t.kind = "transfer";
    t.label = transferLabel(p->name, home[p], device);
    t.device = device;
    t.args = {src, b.id};
    t.numParams = 1;
    t.bytesRead = b.bytes;
    t.bytesWritten = b.bytes;
    m.kernels.push_back(std::move(t));
    copies[key] = b.id;
    return b.id;
  };

  std::unordered_map<std::string, int> placedKernel;
  std::unordered_map<std::string, std::string> placedDevice;
  for (size_t k = 0; k < plan.kernels.size(); ++k) {
    const ir::Kernel& kernel = plan.kernels[k];
    rt::KernelDesc d;
    d.id = kernel.id;
    d.symbol = code[k].symbol;
    d.kind = std::string(ir::kernelKindName(kernel.kind));
    d.label = kernel.label();
    d.device = kernel.device;
    d.launch = code[k].launch;
    d.engine = code[k].engine;
    for (const Node* p : kernel.params) {
      d.args.push_back(paramBuffer(p, kernel.device));
      d.bytesRead = d.bytesRead.plus(bytesOf(p->type));
    }
    d.numParams = int(kernel.params.size());
    for (const Node* o : kernel.outputs) {
      d.args.push_back(addBuffer(o));
      d.bytesWritten = d.bytesWritten.plus(bytesOf(o->type));
    }
    std::set<std::string> seen;
    for (const Node* n : kernel.nodes) {
      d.flops = d.flops.plus(flopsOf(*n));
      for (const std::string& origin : n->origins) {
        if (seen.insert(origin).second) d.nodes.push_back(origin);
        placedKernel.emplace(origin, kernel.id);
        placedDevice.emplace(origin, kernel.device);
      }
    }
    m.kernels.push_back(std::move(d));
  }

  for (const auto& [name, op] : source.nodes) {
    rt::NodePlacement p;
    p.node = name;
    p.op = op;
    if (auto it = placedKernel.find(name); it != placedKernel.end()) {
      p.kernel = it->second;
      p.device = placedDevice[name];
      if (auto f = fallbacks.find(name); f != fallbacks.end()) p.fallback = f->second;
    }
    m.placement.push_back(std::move(p));
  }
  return parts;
}

}  // namespace dlc
