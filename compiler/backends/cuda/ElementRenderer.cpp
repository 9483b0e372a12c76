// Member values at a multi-index, as CUDA C++: broadcasting, index remaps,
// params, providers. See ElementRenderer.h.
#include "compiler/backends/cuda/ElementRenderer.h"

#include <algorithm>

#include "compiler/backends/cuda/CudaOps.h"

namespace dlc::cuda {

using ir::OpKind;

namespace {

const std::string kZero = "0LL";

std::string i64(int64_t v) { return intLiteral(ir::DType::I64, v); }

// Whether `expr` needs no local: a name, a literal or a member access.
bool isSimple(const std::string& expr) {
  return !expr.empty() && std::all_of(expr.begin(), expr.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.';
  });
}

// Effective start and step of a slice along each axis (0 and 1 for axes it
// does not touch): ONNX semantics, negative starts count from the end, then
// clamp. The batch axis is only ever kept whole.
void sliceStarts(const ir::Node& node, const std::vector<int64_t>& inDims,
                 std::vector<int64_t>& start, std::vector<int64_t>& step) {
  int rank = int(inDims.size());
  start.assign(size_t(rank), 0);
  step.assign(size_t(rank), 1);
  std::vector<int64_t> starts = node.attrs.getInts("starts", {});
  std::vector<int64_t> axes = node.attrs.getInts("axes", {});
  std::vector<int64_t> steps = node.attrs.getInts("steps", {});
  for (size_t i = 0; i < starts.size(); ++i) {
    int64_t a = i < axes.size() ? axes[i] : int64_t(i);
    if (a < 0) a += rank;
    if (a < 0 || a >= rank) continue;
    int64_t d = inDims[size_t(a)];
    int64_t s = i < steps.size() ? steps[i] : 1;
    if (d == ir::kBatch) continue;
    int64_t st = starts[i];
    if (st < 0) st += d;
    st = s > 0 ? std::clamp<int64_t>(st, 0, d) : std::clamp<int64_t>(st, 0, d - 1);
    start[size_t(a)] = st;
    step[size_t(a)] = s;
  }
}

}  // namespace

Status ElementRenderer::checkSupported(const ir::Node& node) {
  if (ir::isIndexRemap(node.op)) return Status::OK();
  if (ir::isElementwise(node.op)) return checkElementwiseOp(node);
  return unsupported(node.describe(), ": ", ir::opName(node.op),
                     " cannot be fused as an elementwise member of a CUDA kernel");
}

const std::vector<int64_t>& ElementRenderer::dimsOf(const ir::Node* node) const {
  if (auto it = dims_.find(node); it != dims_.end()) return it->second;
  return node->type.shape.dims();
}

bool ElementRenderer::isMember(const ir::Node* node) const {
  return node->kernel == ctx_.kernel.id && !ir::isSource(node->op);
}

std::string ElementRenderer::computeType(ir::DType dtype) { return computeTypeName(dtype); }
std::string ElementRenderer::storageType(ir::DType dtype) { return storageTypeName(dtype); }

std::string ElementRenderer::offsetOf(const ir::Node* node, const std::vector<std::string>& index) {
  const std::vector<int64_t>& dims = dimsOf(node);
  DLC_CHECK(index.size() == dims.size(), "index rank ", index.size(), " for ", node->describe(),
            " of rank ", dims.size());
  std::string lin;
  for (size_t i = 0; i < dims.size(); ++i) {
    if (lin.empty() || lin == kZero) {
      lin = index[i];
      continue;
    }
    if (dims[i] != 1) lin = "(" + lin + ") * " + RenderContext::dim(dims[i]);
    if (index[i] != kZero) lin += " + " + index[i];
  }
  return lin.empty() ? kZero : lin;
}

std::vector<std::string> ElementRenderer::delinearize(const std::string& linear,
                                                      const std::vector<int64_t>& dims) {
  std::vector<std::string> index(dims.size(), kZero);
  std::string rest = linear;
  if (!isSimple(rest)) {
    std::string name = ctx_.fresh("l");
    ctx_.out.line("const long long " + name + " = " + rest + ";");
    rest = name;
  }
  for (size_t i = dims.size(); i-- > 0;) {
    if (dims[i] == 1) continue;
    if (i == 0 || std::all_of(dims.begin(), dims.begin() + long(i),
                              [](int64_t d) { return d == 1; })) {
      index[i] = rest;
      break;
    }
    std::string d = RenderContext::dim(dims[i]);
    std::string idx = ctx_.fresh("i"), next = ctx_.fresh("l");
    ctx_.out.line("const long long " + idx + " = " + rest + " % " + d + ";");
    ctx_.out.line("const long long " + next + " = " + rest + " / " + d + ";");
    index[i] = idx;
    rest = next;
  }
  return index;
}

void ElementRenderer::store(const ir::Node* node, const std::vector<std::string>& index,
                            const std::string& value) {
  auto it = ctx_.outputs.find(node);
  DLC_CHECK(it != ctx_.outputs.end(), node->describe(), " is not an output of kernel ",
            ctx_.kernel.id);
  ctx_.out.line(storeStmt(node->type.dtype, it->second, offsetOf(node, index), value));
}

std::string ElementRenderer::emit(const ir::Node* node, const std::vector<std::string>& index) {
  std::string indexText;
  for (const std::string& i : index) indexText += i + "|";
  auto key = std::make_pair(node, indexText);
  if (auto it = memo_.find(key); it != memo_.end()) return it->second;
  std::string value = compute(node, index);
  if (!isSimple(value)) {
    std::string name = ctx_.fresh("v");
    ctx_.out.line("const " + computeType(node->type.dtype) + " " + name + " = " + value + ";");
    value = name;
  }
  memo_[key] = value;
  return value;
}

std::string ElementRenderer::operand(const ir::Node* input, const std::vector<int64_t>& outDims,
                                     const std::vector<std::string>& index) {
  const std::vector<int64_t>& inDims = dimsOf(input);
  size_t lead = outDims.size() - inDims.size();
  std::vector<std::string> inIndex(inDims.size());
  for (size_t j = 0; j < inDims.size(); ++j)
    inIndex[j] = inDims[j] == 1 ? kZero : index[lead + j];
  return emit(input, inIndex);
}

std::string ElementRenderer::compute(const ir::Node* node, const std::vector<std::string>& index) {
  if (auto it = providers_.find(node); it != providers_.end()) return it->second(index);
  if (!isMember(node)) {
    // A constant with one distinct value becomes a literal the compiler can
    // fold; its buffer stays a param of the kernel.
    if (std::optional<std::string> splat = splatLiteral(*node)) return *splat;
    std::string base = ctx_.bufferOf(node);
    DLC_CHECK(!base.empty(), node->describe(), " is neither a member nor a param of kernel ",
              ctx_.kernel.id);
    return loadExpr(node->type.dtype, base, offsetOf(node, index));
  }
  const std::vector<int64_t>& dims = dimsOf(node);
  if (node->op == OpKind::BatchNorm) {
    // Params [C] follow the channel axis 1.
    std::vector<std::string> ops{operand(node->inputs[0], dims, index)};
    for (size_t i = 1; i < node->inputs.size(); ++i)
      ops.push_back(emit(node->inputs[i], {index.size() > 1 ? index[1] : kZero}));
    return elementwiseExpr(*node, ops);
  }
  if (ir::isElementwise(node->op) || node->op == OpKind::BroadcastTo) {
    std::vector<std::string> ops;
    for (const ir::Node* in : node->inputs) ops.push_back(operand(in, dims, index));
    if (node->op == OpKind::BroadcastTo) return ops[0];
    return elementwiseExpr(*node, ops);
  }
  return remap(node, index);
}

std::string ElementRenderer::clampedLocal(const std::string& value, int64_t hi) {
  std::string name = ctx_.fresh("c");
  std::string h = i64(hi);
  ctx_.out.line("const long long " + name + " = " + value + " < 0LL ? 0LL : (" + value + " > " +
                h + " ? " + h + " : " + value + ");");
  return name;
}

std::string ElementRenderer::remap(const ir::Node* node, const std::vector<std::string>& index) {
  const std::vector<int64_t>& dims = dimsOf(node);
  const ir::Node* in = node->inputs[0];
  const std::vector<int64_t>& inDims = dimsOf(in);
  switch (node->op) {
    case OpKind::Reshape:
    case OpKind::Flatten: {
      if (dims == inDims) return emit(in, index);
      std::string lin = offsetOf(node, index);
      return emit(in, delinearize(lin, inDims));
    }
    case OpKind::Transpose: {
      std::vector<int64_t> perm = node->attrs.getInts("perm", {});
      if (perm.empty())
        for (size_t i = dims.size(); i-- > 0;) perm.push_back(int64_t(i));
      std::vector<std::string> inIndex(inDims.size(), kZero);
      for (size_t i = 0; i < perm.size(); ++i) {
        int64_t p = perm[i] < 0 ? perm[i] + int64_t(dims.size()) : perm[i];
        inIndex[size_t(p)] = index[i];
      }
      return emit(in, inIndex);
    }
    case OpKind::Slice: {
      std::vector<int64_t> start, step;
      sliceStarts(*node, inDims, start, step);
      std::vector<std::string> inIndex(inDims.size());
      for (size_t i = 0; i < inDims.size(); ++i) {
        if (start[i] == 0 && step[i] == 1) {
          inIndex[i] = index[i];
          continue;
        }
        std::string name = ctx_.fresh("s");
        ctx_.out.line("const long long " + name + " = " + i64(start[i]) + " + " + index[i] +
                      " * " + i64(step[i]) + ";");
        inIndex[i] = name;
      }
      return emit(in, inIndex);
    }
    case OpKind::Pad: {
      std::vector<int64_t> pads = node->attrs.getInts("pads", {});
      pads.resize(2 * inDims.size(), 0);
      ir::DType dtype = node->type.dtype;
      std::string pv = literal(dtype, node->attrs.getFloat("value", 0.0));
      if (ir::isFloat(dtype)) pv = roundTo(dtype, pv);
      for (int64_t d : inDims)
        if (d == 0) return pv;
      std::string inside;
      std::vector<std::string> inIndex(inDims.size());
      for (size_t i = 0; i < inDims.size(); ++i) {
        if (pads[i] == 0 && pads[i + inDims.size()] == 0) {
          inIndex[i] = index[i];
          continue;
        }
        std::string j = ctx_.fresh("j");
        ctx_.out.line("const long long " + j + " = " + index[i] + " - " + i64(pads[i]) + ";");
        std::string hi = i64(inDims[i] - 1);
        inside += (inside.empty() ? "" : " && ") + j + " >= 0LL && " + j + " <= " + hi;
        inIndex[i] = clampedLocal(j, inDims[i] - 1);
      }
      if (inside.empty()) return emit(in, inIndex);
      return "((" + inside + ") ? " + emit(in, inIndex) + " : " + pv + ")";
    }
    case OpKind::Concat: {
      int axis = int(node->attrs.getInt("axis", 0));
      if (axis < 0) axis += int(dims.size());
      std::string result;
      int64_t offset = 0;
      for (const ir::Node* piece : node->inputs) {
        int64_t size = dimsOf(piece)[size_t(axis)];
        if (size == 0) continue;
        std::vector<std::string> pIndex = index;
        std::string local = index[size_t(axis)];
        if (offset != 0) {
          local = ctx_.fresh("j");
          ctx_.out.line("const long long " + local + " = " + index[size_t(axis)] + " - " +
                        i64(offset) + ";");
        }
        pIndex[size_t(axis)] = clampedLocal(local, size - 1);
        std::string v = emit(piece, pIndex);
        result = result.empty() ? v
                                : "(" + index[size_t(axis)] + " < " + i64(offset) + " ? " +
                                      result + " : " + v + ")";
        offset += size;
      }
      DLC_CHECK(!result.empty(), node->describe(), ": concat of empty pieces has no elements");
      return result;
    }
    case OpKind::Gather: {
      // The source index along `axis` is read from the indices operand at
      // the output's middle dims; negative counts from the end, then clamps
      // into range (docs/ops.md).
      int axis = int(node->attrs.getInt("axis", 0));
      if (axis < 0) axis += int(inDims.size());
      const ir::Node* indices = node->inputs[1];
      size_t k = dimsOf(indices).size();
      std::vector<std::string> idxIndex(index.begin() + axis, index.begin() + axis + long(k));
      std::string raw = ctx_.fresh("g");
      ctx_.out.line("const long long " + raw + " = (long long)(" + emit(indices, idxIndex) + ");");
      std::string wrapped = ctx_.fresh("g");
      int64_t extent = inDims[size_t(axis)];
      ctx_.out.line("const long long " + wrapped + " = " + raw + " < 0LL ? " + raw + " + " +
                    i64(extent) + " : " + raw + ";");
      std::vector<std::string> inIndex(index.begin(), index.begin() + axis);
      inIndex.push_back(clampedLocal(wrapped, extent - 1));
      inIndex.insert(inIndex.end(), index.begin() + axis + long(k), index.end());
      return emit(in, inIndex);
    }
    default:
      DLC_CHECK(false, "no index remap for ", node->describe());
      return {};
  }
}

}  // namespace dlc::cuda
