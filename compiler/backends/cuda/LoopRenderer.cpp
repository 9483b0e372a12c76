// Loop kernels: elementwise ops, broadcasts and index remaps as grid-stride
// loops over each distinct output shape; and renderOutputLoops, the producer
// outputs of kernels with a root.
//
// As on the CPU (compiler/backends/cpu/LoopEmitter.cpp), dims that every
// member and param treats alike (all full or all broadcast) are collapsed,
// so a pure elementwise chain indexes one flat range; the batch dim is never
// merged with others (index math stays affine in N). A multi-output kernel
// whose outputs differ in shape runs one grid-stride loop per shape.
//
// A pure elementwise map (every member and param either of the output's
// shape or a single element, f32/i32 buffers, an element count divisible by
// 4) also has a float4/int4 path: when every full-shape buffer is 16-byte
// aligned at run time (the runtime allocates 256-byte aligned buffers, so
// buffer offsets decide), each thread handles four elements per step with
// 16-byte loads and stores; a scalar loop covers the tail and the unaligned
// case. Launch: 256 threads, items = elements (/4 when vectorised),
// at most kMaxBlocks (Prelude.h) blocks.
#include <algorithm>

#include "compiler/backends/cuda/CudaOps.h"
#include "compiler/backends/cuda/KernelRenderers.h"
#include "compiler/backends/cuda/Prelude.h"
#include "ir/LoopCollapse.h"

namespace dlc::cuda {
namespace {

constexpr const char* kThreadIndex = "(long long)blockIdx.x * blockDim.x + threadIdx.x";
constexpr const char* kGridStride = "(long long)gridDim.x * blockDim.x";

struct Nest {
  std::vector<int64_t> dims;
  std::vector<const ir::Node*> outputs;
};

std::vector<Nest> nestsOf(const std::vector<const ir::Node*>& outputs) {
  std::vector<Nest> nests;
  for (const ir::Node* out : outputs) {
    const std::vector<int64_t>& d = out->type.shape.dims();
    auto it = std::find_if(nests.begin(), nests.end(), [&](const Nest& n) { return n.dims == d; });
    if (it == nests.end()) nests.push_back({d, {out}});
    else it->outputs.push_back(out);
  }
  return nests;
}

// Collapses the loop (ir/LoopCollapse.h); records each node's collapsed
// dims in `er` and returns the output's.
std::vector<int64_t> collapse(ElementRenderer& er, const std::vector<int64_t>& outDims,
                              const std::vector<const ir::Node*>& nodes) {
  ir::CollapsedDims c = ir::collapseDims(outDims, nodes);
  for (const ir::Node* n : nodes) er.setDims(n, c.nodes.at(n));
  return c.output;
}

bool isSingleElement(const ir::Node* n) {
  return !n->type.shape.hasBatch() && n->type.shape.staticElements() == 1;
}

const char* vectorType(ir::DType dtype) { return dtype == ir::DType::I32 ? "int4" : "float4"; }

// The buffers read and written 4 elements at a time when `kernel` takes the
// vector path; empty when it cannot.
std::vector<const ir::Node*> vectorBuffers(const ir::Kernel& kernel, const Nest& nest) {
  const std::vector<int64_t>& dims = nest.dims;
  Affine count = RenderContext::count(dims);
  bool divisible = count.perBatch != 0 ? count.perBatch % 4 == 0 : count.fixed % 4 == 0;
  if (!divisible || count.at(1) == 0) return {};
  for (const ir::Node* n : kernel.nodes)
    if (!ir::isElementwise(n->op) || n->op == ir::OpKind::BatchNorm ||
        (n->type.shape.dims() != dims && !isSingleElement(n)))
      return {};
  std::vector<const ir::Node*> buffers;
  auto add = [&](const ir::Node* n) {
    if (n->type.dtype != ir::DType::F32 && n->type.dtype != ir::DType::I32) return false;
    buffers.push_back(n);
    return true;
  };
  for (const ir::Node* p : kernel.params) {
    if (isSingleElement(p) || splatLiteral(*p)) continue;
    if (p->type.shape.dims() != dims || !add(p)) return {};
  }
  for (const ir::Node* o : kernel.outputs)
    if (!add(o)) return {};
  return buffers;
}

// for (i = thread; i < total; i += grid) { store every output at i }
void renderGridLoop(RenderContext& ctx, ElementRenderer& er, const Nest& nest,
                    const std::string& start) {
  std::string total = RenderContext::product(nest.dims, 0, nest.dims.size());
  std::string i = ctx.fresh("e");
  ctx.out.open("for (long long " + i + " = " + start + "; " + i + " < " + total + "; " + i +
               " += " + kGridStride + ")");
  er.forget();
  std::vector<std::string> index = er.delinearize(i, nest.dims);
  for (const ir::Node* out : nest.outputs) er.store(out, index, er.emit(out, index));
  er.forget();
  ctx.out.close();
}

void renderVectorLoop(RenderContext& ctx, const Nest& nest,
                      const std::vector<const ir::Node*>& buffers) {
  const ir::Kernel& kernel = ctx.kernel;
  std::string aligned;
  for (const ir::Node* b : buffers)
    aligned += (aligned.empty() ? "" : " | ") + std::string("(unsigned long long)") +
               ctx.bufferOf(b);
  std::string total = RenderContext::product(nest.dims, 0, nest.dims.size());
  ctx.out.line("long long start = 0;");
  ctx.out.open("if (((" + aligned + ") & 15ULL) == 0ULL)");
  ctx.out.line("const long long vectors = " + total + " >> 2;");
  // Single-element params are loaded once, before the loop.
  ElementRenderer er(ctx);
  // This renderer has no collapsed dims (collapse() set them on the scalar
  // loop's), so an index has the outputs' own rank.
  std::vector<std::string> zeros(nest.outputs[0]->type.shape.dims().size(), "0LL");
  for (const ir::Node* p : kernel.params) {
    if (!isSingleElement(p) || splatLiteral(*p)) continue;
    std::string name = ctx.fresh("s");
    ctx.out.line("const " + computeTypeName(p->type.dtype) + " " + name + " = " +
                 loadExpr(p->type.dtype, ctx.params.at(p), "0") + ";");
    er.provide(p, [name](const std::vector<std::string>&) { return name; });
  }
  ctx.out.open("for (long long q = " + std::string(kThreadIndex) + "; q < vectors; q += " +
               kGridStride + ")");
  std::vector<std::string> loaded;
  for (const ir::Node* b : buffers) {
    if (ctx.outputs.count(b)) continue;
    std::string name = ctx.fresh("w");
    ctx.out.line("const " + std::string(vectorType(b->type.dtype)) + " " + name +
                 " = reinterpret_cast<const " + vectorType(b->type.dtype) + "*>(" +
                 ctx.params.at(b) + ")[q];");
    loaded.push_back(name);
  }
  static const char* lanes[] = {"x", "y", "z", "w"};
  std::vector<std::vector<std::string>> results(nest.outputs.size());
  for (const char* lane : lanes) {
    er.forget();
    size_t k = 0;
    for (const ir::Node* b : buffers) {
      if (ctx.outputs.count(b)) continue;
      std::string v = loaded[k++] + "." + lane;
      er.provide(b, [v](const std::vector<std::string>&) { return v; });
    }
    for (size_t o = 0; o < nest.outputs.size(); ++o)
      results[o].push_back(er.emit(nest.outputs[o], zeros));
  }
  for (size_t o = 0; o < nest.outputs.size(); ++o) {
    const ir::Node* out = nest.outputs[o];
    std::string type = vectorType(out->type.dtype);
    std::string name = ctx.fresh("w");
    ctx.out.line(type + " " + name + ";");
    for (size_t l = 0; l < 4; ++l)
      ctx.out.line(name + "." + lanes[l] + " = " + results[o][l] + ";");
    ctx.out.line("reinterpret_cast<" + type + "*>(" + ctx.outputs.at(out) + ")[q] = " + name +
                 ";");
  }
  ctx.out.close();
  ctx.out.line("start = vectors << 2;");
  ctx.out.close();
}

}  // namespace

void renderOutputLoops(RenderContext& ctx, ElementRenderer& er,
                       const std::vector<const ir::Node*>& outputs) {
  for (const Nest& nest : nestsOf(outputs)) renderGridLoop(ctx, er, nest, kThreadIndex);
}

Status renderLoopKernel(RenderContext& ctx, ElementRenderer& er) {
  const ir::Kernel& kernel = ctx.kernel;
  for (const ir::Node* n : kernel.nodes) DLC_RETURN_IF_ERROR(ElementRenderer::checkSupported(*n));
  std::vector<const ir::Node*> outputs(kernel.outputs.begin(), kernel.outputs.end());
  std::vector<Nest> nests = nestsOf(outputs);
  if (nests.empty()) return internalError("loop kernel ", kernel.id, " has no outputs");
  ctx.launch.threads = kThreadsPerBlock;
  ctx.launch.itemsPerBlock = kThreadsPerBlock;
  ctx.launch.maxBlocks = kMaxBlocks;
  if (nests.size() > 1) {
    // Every nest is its own grid-stride loop: size the grid by the largest.
    Affine items;
    for (const Nest& nest : nests) items = items.max(RenderContext::count(nest.dims));
    ctx.launch.items = items;
    for (const Nest& nest : nests) renderGridLoop(ctx, er, nest, kThreadIndex);
    return Status::OK();
  }
  Nest& nest = nests[0];
  std::vector<const ir::Node*> buffers = vectorBuffers(kernel, nest);
  Affine count = RenderContext::count(nest.dims);
  if (ir::isCollapsible(kernel)) {
    std::vector<const ir::Node*> nodes(kernel.nodes.begin(), kernel.nodes.end());
    for (const ir::Node* p : kernel.params) nodes.push_back(p);
    nest.dims = collapse(er, nest.dims, nodes);
  }
  if (buffers.empty()) {
    ctx.launch.items = count;
    renderGridLoop(ctx, er, nest, kThreadIndex);
    return Status::OK();
  }
  ctx.launch.items = {count.fixed / 4, count.perBatch / 4};
  renderVectorLoop(ctx, nest, buffers);
  renderGridLoop(ctx, er, nest, "start + " + std::string(kThreadIndex));
  return Status::OK();
}

}  // namespace dlc::cuda
