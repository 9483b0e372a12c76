// Member values at a multi-index: broadcasting, index remaps, params. See
// ElementEmitter.h.
#include "compiler/backends/cpu/ElementEmitter.h"

#include <algorithm>
#include <cstring>

#include "compiler/backends/cpu/ElementOps.h"

namespace dlc::cpu {

using ir::OpKind;

namespace {

[[maybe_unused]] unsigned widthOf(llvm::Value* v) {
  if (auto* vt = llvm::dyn_cast<llvm::FixedVectorType>(v->getType())) return vt->getNumElements();
  return 1;
}

// Effective start of slice along each axis (0 and step 1 for untouched axes).
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
    if (d == ir::kBatch) continue;  // the batch axis is only ever kept whole
    int64_t st = starts[i];
    if (st < 0) st += d;
    st = s > 0 ? std::clamp<int64_t>(st, 0, d) : std::clamp<int64_t>(st, 0, d - 1);
    start[size_t(a)] = st;
    step[size_t(a)] = s;
  }
}

}  // namespace

Status ElementEmitter::checkSupported(const ir::Node& node) {
  if (ir::isIndexRemap(node.op)) return Status::OK();
  if (ir::isElementwise(node.op)) return checkElementwise(node);
  return unsupported(node.describe(), ": ", ir::opName(node.op),
                     " cannot be fused as an elementwise member of a CPU kernel");
}

const std::vector<int64_t>& ElementEmitter::dimsOf(const ir::Node* node) const {
  if (auto it = dims_.find(node); it != dims_.end()) return it->second;
  return node->type.shape.dims();
}

bool ElementEmitter::isMember(const ir::Node* node) const {
  return node->kernel == ctx_.kernel.id && !ir::isSource(node->op);
}

llvm::Value* ElementEmitter::linearize(llvm::ArrayRef<llvm::Value*> index,
                                       const std::vector<int64_t>& dims) {
  auto known = linearOf_.find({std::vector<llvm::Value*>(index.begin(), index.end()), dims});
  if (known != linearOf_.end()) return known->second;
  llvm::IRBuilderBase& b = ctx_.builder;
  llvm::Value* lin = ctx_.constI64(0);
  for (size_t i = 0; i < dims.size(); ++i) {
    lin = b.CreateNSWMul(lin, ctx_.dim(dims[i]));
    lin = b.CreateNSWAdd(lin, index[i]);
  }
  return lin;
}

std::vector<llvm::Value*> ElementEmitter::delinearize(llvm::Value* linear,
                                                      const std::vector<int64_t>& dims) {
  llvm::IRBuilderBase& b = ctx_.builder;
  std::vector<llvm::Value*> index(dims.size());
  for (size_t i = dims.size(); i-- > 0;) {
    if (dims[i] == 1) {
      index[i] = ctx_.constI64(0);
      continue;
    }
    if (i == 0) {
      index[i] = linear;
      break;
    }
    llvm::Value* d = ctx_.dim(dims[i]);
    index[i] = b.CreateURem(linear, d);
    linear = b.CreateUDiv(linear, d);
  }
  return index;
}

llvm::Value* ElementEmitter::offsetOf(const ir::Node* node, llvm::ArrayRef<llvm::Value*> index) {
  const std::vector<int64_t>& dims = dimsOf(node);
  DLC_CHECK(index.size() == dims.size(), "index rank ", index.size(), " for ", node->describe(),
            " of rank ", dims.size());
  return linearize(index, dims);
}

void ElementEmitter::store(const ir::Node* node, llvm::ArrayRef<llvm::Value*> index,
                           llvm::Value* value, unsigned width) {
  llvm::Value* base = ctx_.outputs.at(node);
  ctx_.storeElement(node->type.dtype, base, offsetOf(node, index), value, width);
}

llvm::Value* ElementEmitter::emit(const ir::Node* node, llvm::ArrayRef<llvm::Value*> index,
                                  unsigned width) {
  Key key{node, std::vector<llvm::Value*>(index.begin(), index.end()), width};
  if (auto it = memo_.find(key); it != memo_.end()) return it->second;
  llvm::Value* v = compute(node, index, width);
  memo_[key] = v;
  return v;
}

llvm::Value* ElementEmitter::operand(const ir::Node* input, const std::vector<int64_t>& outDims,
                                     llvm::ArrayRef<llvm::Value*> index, unsigned width) {
  const std::vector<int64_t>& inDims = dimsOf(input);
  size_t lead = outDims.size() - inDims.size();
  std::vector<llvm::Value*> inIndex(inDims.size());
  for (size_t j = 0; j < inDims.size(); ++j)
    inIndex[j] = inDims[j] == 1 ? ctx_.constI64(0) : index[lead + j];
  // Lanes run along the last dim, so an input whose last dim is 1 is one
  // value for every lane; unless the node's own last dim is 1 too: its
  // lanes then run through its row-major order (it feeds a reshape,
  // keepsLanesLinear), and an input of its own dims is read the same way
  // (dlc-fuzz seed 6790 splat the first element).
  bool lanesBroadcast =
      inDims.empty() || (inDims.back() == 1 && !(outDims.back() == 1 && inDims == outDims));
  if (width > 1 && lanesBroadcast)
    return ctx_.builder.CreateVectorSplat(width, emit(input, inIndex, 1));
  return emit(input, inIndex, width);
}

llvm::Constant* ElementEmitter::splatConstant(const ir::Node* node) {
  if (node->op != OpKind::Constant || node->value.empty() || node->value.numElements() == 0)
    return nullptr;
  if (auto it = splats_.find(node); it != splats_.end()) return it->second;
  const Tensor& t = node->value;
  size_t size = ir::dtypeSize(t.dtype());
  const auto* bytes = t.as<uint8_t>();
  llvm::Constant* c = nullptr;
  bool splat = true;
  for (int64_t i = 1; splat && i < t.numElements(); ++i)
    splat = std::memcmp(bytes, bytes + size_t(i) * size, size) == 0;
  if (splat) {
    // Bit-exact: f16/bf16 widen exactly to float, integers keep every bit.
    llvm::Type* type = ctx_.computeType(t.dtype());
    switch (t.dtype()) {
      case ir::DType::F32:
        c = llvm::ConstantFP::get(type, double(t.as<float>()[0]));
        break;
      case ir::DType::F16:
        c = llvm::ConstantFP::get(type, double(halfToFloat(t.as<uint16_t>()[0])));
        break;
      case ir::DType::BF16:
        c = llvm::ConstantFP::get(type, double(bf16ToFloat(t.as<uint16_t>()[0])));
        break;
      case ir::DType::Bool:
        c = llvm::ConstantInt::get(type, bytes[0] != 0 ? 1 : 0);
        break;
      case ir::DType::U8:
        c = llvm::ConstantInt::get(type, bytes[0]);
        break;
      case ir::DType::I32:
        c = llvm::ConstantInt::get(type, uint64_t(int64_t(t.as<int32_t>()[0])), /*IsSigned=*/true);
        break;
      case ir::DType::I64:
        c = llvm::ConstantInt::get(type, uint64_t(t.as<int64_t>()[0]), /*IsSigned=*/true);
        break;
    }
  }
  splats_[node] = c;
  return c;
}

llvm::Value* ElementEmitter::perLane(const ir::Node* node, llvm::ArrayRef<llvm::Value*> index,
                                     unsigned width) {
  llvm::IRBuilderBase& b = ctx_.builder;
  std::vector<llvm::Value*> laneIndex(index.begin(), index.end());
  llvm::Value* vec = nullptr;
  for (unsigned l = 0; l < width; ++l) {
    laneIndex.back() = b.CreateNSWAdd(index.back(), ctx_.constI64(l));
    llvm::Value* v = emit(node, laneIndex, 1);
    if (!vec) vec = llvm::PoisonValue::get(llvm::FixedVectorType::get(v->getType(), width));
    vec = b.CreateInsertElement(vec, v, uint64_t(l));
  }
  return vec;
}

llvm::Value* ElementEmitter::compute(const ir::Node* node, llvm::ArrayRef<llvm::Value*> index,
                                     unsigned width) {
  if (auto it = providers_.find(node); it != providers_.end()) return it->second(index, width);
  if (!isMember(node)) {
    // A constant with one distinct value becomes an IR constant LLVM can fold
    // (x·0.5 + y, max(x, 0)); its buffer stays a param of the kernel.
    if (llvm::Constant* c = splatConstant(node))
      return width > 1 ? llvm::ConstantVector::getSplat(llvm::ElementCount::getFixed(width), c) : c;
    llvm::Value* base = ctx_.bufferOf(node);
    DLC_CHECK(base != nullptr, node->describe(), " is neither a member nor a param of kernel ",
              ctx_.kernel.id);
    return ctx_.loadElement(node->type.dtype, base, offsetOf(node, index), width);
  }
  const std::vector<int64_t>& dims = dimsOf(node);
  if (node->op == OpKind::BatchNorm) {
    // Params [C] follow the channel axis 1.
    std::vector<llvm::Value*> ops{operand(node->inputs[0], dims, index, width)};
    bool channelIsLast = dims.size() == 2;
    for (size_t i = 1; i < node->inputs.size(); ++i) {
      llvm::Value* v = emit(node->inputs[i], {index[1]}, channelIsLast ? width : 1);
      if (width > 1 && !channelIsLast) v = ctx_.builder.CreateVectorSplat(width, v);
      ops.push_back(v);
    }
    return emitElementwiseOp(ctx_, *node, ops);
  }
  if (ir::isElementwise(node->op) || node->op == OpKind::BroadcastTo) {
    std::vector<llvm::Value*> ops;
    for (const ir::Node* in : node->inputs) ops.push_back(operand(in, dims, index, width));
    if (node->op == OpKind::BroadcastTo) return ops[0];
    return emitElementwiseOp(ctx_, *node, ops);
  }
  const bool linearRemap = node->op == OpKind::Reshape || node->op == OpKind::Flatten;
  if (width > 1 && !(linearRemap && keepsLanesLinear(node->inputs[0])))
    return perLane(node, index, width);
  return remap(node, index, width);
}

bool ElementEmitter::keepsLanesLinear(const ir::Node* node) const {
  if (providers_.count(node)) return false;
  if (!isMember(node)) return true;  // a param, loaded at the linear offset
  if (node->op == OpKind::Reshape || node->op == OpKind::Flatten)
    return keepsLanesLinear(node->inputs[0]);
  if (!ir::isElementwise(node->op) || node->op == OpKind::BatchNorm) return false;
  const std::vector<int64_t>& dims = dimsOf(node);
  for (const ir::Node* in : node->inputs) {
    const std::vector<int64_t>& inDims = dimsOf(in);
    if (std::all_of(inDims.begin(), inDims.end(), [](int64_t d) { return d == 1; })) continue;
    if (inDims != dims || !keepsLanesLinear(in)) return false;
  }
  return true;
}

llvm::Value* ElementEmitter::remap(const ir::Node* node, llvm::ArrayRef<llvm::Value*> index,
                                   unsigned width) {
  DLC_CHECK(width == 1 || node->op == OpKind::Reshape || node->op == OpKind::Flatten,
            "a vector through ", node->describe());
  llvm::IRBuilderBase& b = ctx_.builder;
  const std::vector<int64_t>& dims = dimsOf(node);
  const ir::Node* in = node->inputs[0];
  const std::vector<int64_t>& inDims = dimsOf(in);
  switch (node->op) {
    case OpKind::Reshape:
    case OpKind::Flatten: {
      // With width > 1 (keepsLanesLinear(in)) the lanes are consecutive in
      // the row-major order both shapes share, which is all that the
      // elementwise members below and the param loads at linear offsets see.
      if (dims == inDims) return emit(in, index, width);
      llvm::Value* linear = linearize(index, dims);
      std::vector<llvm::Value*> inIndex = delinearize(linear, inDims);
      linearOf_.emplace(std::make_pair(inIndex, inDims), linear);
      return emit(in, inIndex, width);
    }
    case OpKind::Transpose: {
      std::vector<int64_t> perm = node->attrs.getInts("perm", {});
      if (perm.empty())
        for (size_t i = dims.size(); i-- > 0;) perm.push_back(int64_t(i));
      std::vector<llvm::Value*> inIndex(inDims.size());
      for (size_t i = 0; i < perm.size(); ++i) inIndex[size_t(perm[i])] = index[i];
      return emit(in, inIndex);
    }
    case OpKind::Slice: {
      std::vector<int64_t> start, step;
      sliceStarts(*node, inDims, start, step);
      std::vector<llvm::Value*> inIndex(inDims.size());
      for (size_t i = 0; i < inDims.size(); ++i) {
        inIndex[i] = b.CreateNSWAdd(ctx_.constI64(start[i]),
                                    b.CreateNSWMul(index[i], ctx_.constI64(step[i])));
      }
      return emit(in, inIndex);
    }
    case OpKind::Pad: {
      std::vector<int64_t> pads = node->attrs.getInts("pads", {});
      pads.resize(2 * inDims.size(), 0);
      llvm::Type* t = ctx_.computeType(node->type.dtype);
      double padValue = node->attrs.getFloat("value", 0.0);
      llvm::Value* pv = t->isFloatingPointTy()
                            ? llvm::ConstantFP::get(t, padValue)
                            : llvm::ConstantInt::get(t, uint64_t(int64_t(padValue)), true);
      if (ir::isFloat(node->type.dtype)) pv = ctx_.roundTo(node->type.dtype, pv);
      for (int64_t d : inDims)
        if (d == 0) return pv;
      llvm::Value* inside = b.getTrue();
      std::vector<llvm::Value*> inIndex(inDims.size());
      for (size_t i = 0; i < inDims.size(); ++i) {
        if (pads[i] == 0 && pads[i + inDims.size()] == 0) {
          inIndex[i] = index[i];
          continue;
        }
        llvm::Value* j = b.CreateNSWSub(index[i], ctx_.constI64(pads[i]));
        llvm::Value* hi = ctx_.constI64(inDims[i] - 1);
        inside = b.CreateAnd(inside, b.CreateAnd(b.CreateICmpSGE(j, ctx_.constI64(0)),
                                                 b.CreateICmpSLE(j, hi)));
        j = b.CreateBinaryIntrinsic(llvm::Intrinsic::smax, j, ctx_.constI64(0));
        inIndex[i] = b.CreateBinaryIntrinsic(llvm::Intrinsic::smin, j, hi);
      }
      return b.CreateSelect(inside, emit(in, inIndex), pv);
    }
    case OpKind::Concat: {
      int axis = int(node->attrs.getInt("axis", 0));
      if (axis < 0) axis += int(dims.size());
      llvm::Value* result = nullptr;
      int64_t offset = 0;
      for (const ir::Node* piece : node->inputs) {
        const std::vector<int64_t>& pd = dimsOf(piece);
        int64_t size = pd[size_t(axis)];
        if (size == 0) continue;
        std::vector<llvm::Value*> pIndex(index.begin(), index.end());
        llvm::Value* local = b.CreateNSWSub(index[size_t(axis)], ctx_.constI64(offset));
        local = b.CreateBinaryIntrinsic(llvm::Intrinsic::smax, local, ctx_.constI64(0));
        pIndex[size_t(axis)] =
            b.CreateBinaryIntrinsic(llvm::Intrinsic::smin, local, ctx_.constI64(size - 1));
        llvm::Value* v = emit(piece, pIndex);
        result = result ? b.CreateSelect(
                              b.CreateICmpSLT(index[size_t(axis)], ctx_.constI64(offset)), result, v)
                        : v;
        offset += size;
      }
      DLC_CHECK(result != nullptr, node->describe(), ": concat of empty pieces has no elements");
      return result;
    }
    case OpKind::Gather: {
      // The source index along `axis` is read from the indices operand (a
      // member or a param) at the output's middle dims; negative counts from
      // the end, then clamps into range (docs/ops.md).
      int axis = int(node->attrs.getInt("axis", 0));
      if (axis < 0) axis += int(inDims.size());
      const ir::Node* indices = node->inputs[1];
      size_t k = dimsOf(indices).size();
      std::vector<llvm::Value*> idxIndex(index.begin() + axis, index.begin() + axis + long(k));
      llvm::Value* idx = b.CreateSExtOrTrunc(emit(indices, idxIndex), b.getInt64Ty());
      int64_t extent = inDims[size_t(axis)];
      idx = b.CreateSelect(b.CreateICmpSLT(idx, ctx_.constI64(0)),
                           b.CreateAdd(idx, ctx_.constI64(extent)), idx);
      idx = b.CreateBinaryIntrinsic(llvm::Intrinsic::smax, idx, ctx_.constI64(0));
      idx = b.CreateBinaryIntrinsic(llvm::Intrinsic::smin, idx, ctx_.constI64(extent - 1));
      std::vector<llvm::Value*> inIndex(index.begin(), index.begin() + axis);
      inIndex.push_back(idx);
      inIndex.insert(inIndex.end(), index.begin() + axis + long(k), index.end());
      return emit(in, inIndex);
    }
    default:
      DLC_CHECK(false, "no index remap for ", node->describe());
      return nullptr;
  }
}

}  // namespace dlc::cpu
