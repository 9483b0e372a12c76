// Fused epilogues of CUDA contraction kernels and their stores through
// layout remaps. See Epilogue.h.
#include "compiler/backends/cuda/Epilogue.h"

#include <algorithm>

#include "compiler/backends/cuda/CudaOps.h"
#include "passes/FusionPolicy.h"

namespace dlc::cuda {
namespace {

bool contains(const std::vector<const ir::Node*>& v, const ir::Node* n) {
  return std::find(v.begin(), v.end(), n) != v.end();
}

// The root and every member that reads it, directly or not.
std::vector<const ir::Node*> dependentsOf(const ir::Kernel& kernel, const ir::Node& root) {
  std::vector<const ir::Node*> dependents{&root};
  for (const ir::Node* n : kernel.nodes) {
    if (n == &root) continue;
    bool readsRoot = std::any_of(n->inputs.begin(), n->inputs.end(),
                                 [&](const ir::Node* in) { return contains(dependents, in); });
    if (readsRoot) dependents.push_back(n);
  }
  return dependents;
}

// Output axis i of a transpose reads input axis perm[i] (default: reversed).
std::vector<int64_t> transposePerm(const ir::Node& node) {
  std::vector<int64_t> perm = node.attrs.getInts("perm", {});
  if (perm.empty())
    for (size_t i = size_t(node.type.shape.rank()); i-- > 0;) perm.push_back(int64_t(i));
  for (int64_t& p : perm)
    if (p < 0) p += node.type.shape.rank();
  return perm;
}

// Row-major linear index of `index` in `dims`, as a C expression.
std::string linearize(const std::vector<std::string>& index, const std::vector<int64_t>& dims) {
  std::string lin;
  for (size_t i = 0; i < dims.size(); ++i)
    lin = lin.empty() ? "(long long)(" + index[i] + ")"
                      : "(" + lin + " * " + RenderContext::dim(dims[i]) + " + " + index[i] + ")";
  return lin.empty() ? std::string("0LL") : lin;
}

// Stores `value` (the chain source's value at `index`) into the output at
// the end of the chain `remaps` (application order).
void storeThroughRemaps(RenderContext& ctx, ElementRenderer& er, const ir::Node& source,
                        const std::vector<const ir::Node*>& remaps, const std::string& value,
                        std::vector<std::string> index) {
  std::vector<int64_t> dims = source.type.shape.dims();
  std::string linear;  // set while the multi-index is not needed
  for (const ir::Node* r : remaps) {
    if (r->op == ir::OpKind::Transpose) {
      if (!linear.empty()) index = er.delinearize(linear, dims);
      linear.clear();
      std::vector<int64_t> perm = transposePerm(*r);
      std::vector<std::string> permuted(perm.size());
      for (size_t i = 0; i < perm.size(); ++i) permuted[i] = index[size_t(perm[i])];
      index = std::move(permuted);
    } else if (linear.empty()) {
      linear = linearize(index, dims);  // reshape / flatten keep the linear index
    }
    dims = r->type.shape.dims();
  }
  const ir::Node* out = remaps.back();
  if (linear.empty()) {
    er.store(out, index, value);
    return;
  }
  // The chain ended in a reshape: the linear index is the element offset.
  ctx.out.line(storeStmt(out->type.dtype, ctx.outputs.at(out), linear, value));
}

}  // namespace

std::vector<const ir::Node*> producerOutputs(const ir::Kernel& kernel, const ir::Node& root) {
  std::vector<const ir::Node*> dependents = dependentsOf(kernel, root);
  std::vector<const ir::Node*> out;
  for (const ir::Node* o : kernel.outputs)
    if (!contains(dependents, o)) out.push_back(o);
  return out;
}

Status checkEpilogue(const ir::Kernel& kernel, const ir::Node& root) {
  const std::vector<int64_t>& rootDims = root.type.shape.dims();
  std::vector<const ir::Node*> dependents{&root};
  for (const ir::Node* n : kernel.nodes) {
    if (n == &root) continue;
    DLC_RETURN_IF_ERROR(ElementRenderer::checkSupported(*n));
    bool readsRoot = std::any_of(n->inputs.begin(), n->inputs.end(),
                                 [&](const ir::Node* in) { return contains(dependents, in); });
    if (!readsRoot) continue;
    for (const ir::Node* in : n->inputs)
      if (passes::isLayoutRemap(in->op) && contains(dependents, in) &&
          !passes::isLayoutRemap(n->op))
        return unsupported(n->describe(), " reads ", in->describe(), " after ", root.describe(),
                           ": a remap ends the epilogue (its value is only stored)");
    if (passes::isLayoutRemap(n->op)) {
      if (n->type.shape.staticElements() != root.type.shape.staticElements() ||
          n->type.shape.hasBatch() != root.type.shape.hasBatch())
        return unsupported(n->describe(), ": the remap after ", root.describe(),
                           " changes the element count");
      dependents.push_back(n);
      continue;
    }
    if (n->type.shape.dims() != rootDims || !ir::isElementwise(n->op) ||
        n->op == ir::OpKind::BatchNorm)
      return unsupported(n->describe(), ": the CUDA backend fuses only elementwise ops of shape ",
                         root.type.shape.str(), " and reshape/flatten/transpose after ",
                         root.describe());
    dependents.push_back(n);
  }
  return Status::OK();
}

void renderEpilogue(RenderContext& ctx, ElementRenderer& er, const ir::Node& root,
                    const std::string& value, const std::vector<std::string>& index) {
  std::string rootValue = value;
  if (root.type.dtype == ir::DType::F16 || root.type.dtype == ir::DType::BF16) {
    rootValue = ctx.fresh("r");
    ctx.out.line("const float " + rootValue + " = " + roundTo(root.type.dtype, value) + ";");
  }
  er.forget();
  er.provide(&root, [rootValue](const std::vector<std::string>&) { return rootValue; });
  std::vector<const ir::Node*> dependents = dependentsOf(ctx.kernel, root);
  for (const ir::Node* out : ctx.kernel.outputs) {
    if (!contains(dependents, out)) continue;  // a producer output: renderOutputLoops
    if (passes::isLayoutRemap(out->op)) {
      std::vector<const ir::Node*> remaps;
      const ir::Node* source = out;
      while (passes::isLayoutRemap(source->op)) {
        remaps.insert(remaps.begin(), source);
        source = source->inputs[0];
      }
      std::string v = source == &root ? rootValue : er.emit(source, index);
      storeThroughRemaps(ctx, er, *source, remaps, v, index);
      continue;
    }
    std::string v = out == &root ? rootValue : er.emit(out, index);
    er.store(out, index, v);
  }
  er.forget();
}

}  // namespace dlc::cuda
