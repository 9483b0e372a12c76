// Fused epilogues after a root op. See Epilogue.h.
#include "compiler/backends/cpu/Epilogue.h"

#include <algorithm>
#include <memory>

#include "compiler/backends/cpu/RemapStore.h"
#include "passes/FusionPolicy.h"

namespace dlc::cpu {

namespace {

std::vector<const ir::Node*> dependentsOf(const ir::Kernel& kernel, const ir::Node& root) {
  std::vector<const ir::Node*> dependents{&root};
  for (const ir::Node* n : kernel.nodes) {
    bool readsRoot = std::any_of(n->inputs.begin(), n->inputs.end(), [&](const ir::Node* in) {
      return std::find(dependents.begin(), dependents.end(), in) != dependents.end();
    });
    if (readsRoot) dependents.push_back(n);
  }
  return dependents;
}

bool contains(const std::vector<const ir::Node*>& v, const ir::Node* n) {
  return std::find(v.begin(), v.end(), n) != v.end();
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
    DLC_RETURN_IF_ERROR(ElementEmitter::checkSupported(*n));
    bool readsRoot = std::any_of(n->inputs.begin(), n->inputs.end(), [&](const ir::Node* in) {
      return std::find(dependents.begin(), dependents.end(), in) != dependents.end();
    });
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
      return unsupported(n->describe(), ": the CPU backend fuses only elementwise ops of shape ",
                         root.type.shape.str(), " and reshape/flatten/transpose after ",
                         root.describe());
    dependents.push_back(n);
  }
  return Status::OK();
}

void storeOutputs(EmitContext& ctx, ElementEmitter& em, const ir::Node& root,
                  llvm::Value* rootValue, llvm::ArrayRef<llvm::Value*> outIndex, unsigned width) {
  llvm::Value* value = ir::isFloat(root.type.dtype) ? ctx.roundTo(root.type.dtype, rootValue)
                                                    : rootValue;
  em.forget();
  em.provide(&root, [value](llvm::ArrayRef<llvm::Value*>, unsigned) { return value; });
  std::vector<const ir::Node*> dependents = dependentsOf(ctx.kernel, root);
  for (const ir::Node* out : ctx.kernel.outputs) {
    if (!contains(dependents, out)) continue;  // a producer output: emitOutputNests
    if (passes::isLayoutRemap(out->op)) {
      RemapChain chain = remapChainOf(*out);
      llvm::Value* v = chain.source == &root ? value : em.emit(chain.source, outIndex, width);
      storeThroughRemaps(ctx, chain, v, outIndex, width);
      continue;
    }
    llvm::Value* v = out == &root ? value : em.emit(out, outIndex, width);
    em.store(out, outIndex, v, width);
  }
  em.forget();
}

StatusOr<EpilogueFn> makeEpilogue(EmitContext& ctx, const ir::Node& root) {
  DLC_RETURN_IF_ERROR(checkEpilogue(ctx.kernel, root));
  auto em = std::make_shared<ElementEmitter>(ctx);
  const ir::Node* rootPtr = &root;
  EmitContext* c = &ctx;
  return EpilogueFn([em, rootPtr, c](llvm::IRBuilderBase& b, llvm::Value* acc,
                                     llvm::ArrayRef<llvm::Value*> outIndex, unsigned width) {
    // The contraction emitter emits with the kernel's builder.
    DLC_CHECK(&b == static_cast<llvm::IRBuilderBase*>(&c->builder),
              "the epilogue must be emitted with the kernel's builder");
    storeOutputs(*c, *em, *rootPtr, acc, outIndex, width);
  });
}

namespace {

// `node`'s dims aligned to the root's last `merged` dims (missing dims are 1)
// are all the root's or all 1.
bool trailingDimsFit(const ir::Node& node, const std::vector<int64_t>& rootDims, size_t merged) {
  const std::vector<int64_t>& dims = node.type.shape.dims();
  bool allRoot = true, allOne = true;
  for (size_t t = 1; t <= merged; ++t) {
    int64_t root = rootDims[rootDims.size() - t];
    int64_t d = dims.size() >= t ? dims[dims.size() - t] : 1;
    allRoot = allRoot && d == root;
    allOne = allOne && d == 1;
  }
  return allRoot || allOne;
}

bool linearLeaf(const ir::Kernel& kernel, const ir::Node& node,
                const std::vector<int64_t>& rootDims, size_t merged) {
  if (!trailingDimsFit(node, rootDims, merged)) return false;
  if (node.kernel != kernel.id || ir::isSource(node.op))
    return true;  // read from its buffer at a linear offset (or a constant)
  if (!ir::isElementwise(node.op) && node.op != ir::OpKind::BroadcastTo) return false;
  if (node.op == ir::OpKind::BatchNorm) return false;  // indexes its params by channel
  for (const ir::Node* in : node.inputs)
    if (!linearLeaf(kernel, *in, rootDims, merged)) return false;
  return true;
}

}  // namespace

bool epilogueLinearInTrailingDims(const ir::Kernel& kernel, const ir::Node& root, size_t merged) {
  const std::vector<int64_t>& rootDims = root.type.shape.dims();
  if (merged == 0 || merged > rootDims.size()) return false;
  // Vector code reads an operand whose last dim is 1 as broadcast along the
  // lanes (ElementEmitter::operand): with a last dim of 1 a root-shaped
  // operand would be splat (dlc-fuzz seed 101327's conv with one column).
  if (rootDims.back() == 1) return false;
  std::vector<const ir::Node*> dependents = dependentsOf(kernel, root);
  for (const ir::Node* n : dependents) {
    if (n == &root) continue;
    if (n->op == ir::OpKind::Transpose) return false;
    if (passes::isLayoutRemap(n->op)) continue;  // reshape / flatten of a dependent
    for (const ir::Node* in : n->inputs)
      if (!contains(dependents, in) && !linearLeaf(kernel, *in, rootDims, merged)) return false;
  }
  return true;
}

}  // namespace dlc::cpu
