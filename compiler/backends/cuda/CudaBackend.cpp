// The CUDA render driver: the prelude, then one
//   extern "C" __global__ void __launch_bounds__(T) dlc_k<id>(DlcArgs a)
// per kernel with typed buffer locals (params then outputs, as the CPU ABI
// orders them), the body from the renderer of the kernel's kind
// (KernelRenderers.h) and its launch geometry. See CudaBackend.h.
#include "compiler/backends/cuda/CudaBackend.h"

#include "compiler/backends/cuda/CudaOps.h"
#include "compiler/backends/cuda/ElementRenderer.h"
#include "compiler/backends/cuda/KernelRenderers.h"
#include "compiler/backends/cuda/Prelude.h"
#include "compiler/backends/cuda/RenderContext.h"

namespace dlc::cuda {
namespace {

Status renderBody(RenderContext& ctx, ElementRenderer& er) {
  switch (ctx.kernel.kind) {
    case ir::KernelKind::Loop: return renderLoopKernel(ctx, er);
    case ir::KernelKind::Reduction: return renderReductionKernel(ctx, er);
    case ir::KernelKind::Row: return renderRowKernel(ctx, er);
    case ir::KernelKind::Pool: return renderPoolKernel(ctx, er);
    case ir::KernelKind::Contraction: return renderContractionKernel(ctx, er);
  }
  return internalError("unknown kernel kind");
}

// Prefixes every non-empty line of `text` with `indent`.
std::string indented(const std::string& text, const std::string& indent) {
  std::string out;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t end = text.find('\n', pos);
    if (end == std::string::npos) end = text.size();
    if (end > pos) out += indent + text.substr(pos, end - pos);
    out += "\n";
    pos = end + 1;
  }
  return out;
}

std::string pointerLocal(const ir::Node* node, const std::string& name, size_t slot,
                         bool isConst) {
  std::string type = storageTypeName(node->type.dtype);
  std::string c = isConst ? "const " : "";
  return c + type + "* __restrict__ " + name + " = (" + c + type + "*)a.ptr[" +
         std::to_string(slot) + "];";
}

StatusOr<std::string> renderKernel(const ir::Graph& graph, const ir::Kernel& kernel,
                                   const CudaOptions& options, rt::CudaLaunch& launch) {
  size_t args = kernel.params.size() + kernel.outputs.size();
  if (args > size_t(rt::kMaxKernelArgs))
    return unsupported("the kernel takes ", args, " buffers; CUDA kernels take at most ",
                       rt::kMaxKernelArgs);
  SourceWriter body;
  RenderContext ctx(graph, kernel, options, body);
  std::vector<std::string> locals;
  size_t slot = 0;
  for (size_t i = 0; i < kernel.params.size(); ++i) {
    std::string name = "p" + std::to_string(i);
    ctx.params[kernel.params[i]] = name;
    locals.push_back(pointerLocal(kernel.params[i], name, slot++, /*isConst=*/true));
  }
  for (size_t i = 0; i < kernel.outputs.size(); ++i) {
    std::string name = "o" + std::to_string(i);
    ctx.outputs[kernel.outputs[i]] = name;
    locals.push_back(pointerLocal(kernel.outputs[i], name, slot++, /*isConst=*/false));
  }
  ElementRenderer er(ctx);
  DLC_RETURN_IF_ERROR(renderBody(ctx, er));
  launch = ctx.launch;
  std::string symbol = "dlc_k" + std::to_string(kernel.id);
  std::string text = "// kernel " + std::to_string(kernel.id) + ": " + kernel.label() + " (" +
                     std::string(ir::kernelKindName(kernel.kind)) + ")\n";
  text += "extern \"C\" __global__ void __launch_bounds__(" + std::to_string(launch.threads) +
          ") " + symbol + "(DlcArgs a) {\n";
  for (const std::string& l : locals) text += "  " + l + "\n";
  text += "  const long long N = a.batch;\n";
  text += indented(body.text(), "  ");
  text += "}\n";
  return text;
}

bool uses(const std::vector<const ir::Kernel*>& kernels, ir::DType dtype) {
  auto has = [&](const std::vector<ir::Node*>& nodes) {
    for (const ir::Node* n : nodes) {
      if (n->type.dtype == dtype) return true;
      for (const ir::Node* in : n->inputs)
        if (in->type.dtype == dtype) return true;
    }
    return false;
  };
  for (const ir::Kernel* k : kernels)
    if (has(k->nodes) || has(k->params) || has(k->outputs)) return true;
  return false;
}

}  // namespace

Status checkSupported(const ir::Node& node) {
  if (ir::isSource(node.op)) return Status::OK();
  if (ir::isElementwise(node.op) || ir::isIndexRemap(node.op))
    return ElementRenderer::checkSupported(node);
  const ir::Node* x = node.inputs.empty() ? nullptr : node.inputs[0];
  if (!x) return invalidArgument(node.describe(), ": ", ir::opName(node.op), " has no operand");
  if (ir::isReduction(node.op)) {
    if (x->type.dtype == ir::DType::Bool ||
        (node.op == ir::OpKind::ReduceMean && !ir::isFloat(x->type.dtype)))
      return unsupported(node.describe(), ": ", ir::opName(node.op), " on ",
                         ir::dtypeName(x->type.dtype), " has no CUDA lowering");
    return Status::OK();
  }
  if (ir::isRowOp(node.op)) {
    for (const ir::Node* in : node.inputs)
      if (!ir::isFloat(in->type.dtype))
        return unsupported(node.describe(), ": ", ir::opName(node.op), " on ",
                           ir::dtypeName(in->type.dtype), " has no CUDA lowering");
    return Status::OK();
  }
  if (ir::isPool(node.op)) {
    if (!ir::isFloat(x->type.dtype) || x->type.shape.rank() != 4)
      return unsupported(node.describe(), ": ", ir::opName(node.op),
                         " on CUDA needs a 4-D NCHW float input, got ", x->type.str());
    return Status::OK();
  }
  if (ir::isContraction(node.op)) {
    for (const ir::Node* in : node.inputs)
      if (!ir::isFloat(in->type.dtype))
        return unsupported(node.describe(), ": ", ir::opName(node.op), " on ",
                           ir::dtypeName(in->type.dtype),
                           " operands (CUDA contractions take f32, f16 or bf16)");
    return Status::OK();
  }
  return unsupported(node.describe(), ": ", ir::opName(node.op), " has no CUDA lowering");
}

StatusOr<RenderedProgram> render(const ir::Graph& graph,
                                 const std::vector<const ir::Kernel*>& kernels,
                                 const CudaOptions& options) {
  RenderedProgram program;
  std::string body;
  for (const ir::Kernel* kernel : kernels) {
    RenderedKernel rendered;
    rendered.id = kernel->id;
    rendered.symbol = "dlc_k" + std::to_string(kernel->id);
    StatusOr<std::string> text = renderKernel(graph, *kernel, options, rendered.launch);
    if (!text.ok())
      return text.status().withContext(strCat(
          graph.sourceFile.empty() ? graph.name : graph.sourceFile, ": kernel ", kernel->id,
          " (", kernel->label(), ")"));
    body += "\n" + *text;
    program.kernels.push_back(std::move(rendered));
  }
  PreludeOptions prelude;
  prelude.f16 = uses(kernels, ir::DType::F16);
  prelude.bf16 = uses(kernels, ir::DType::BF16);
  // Tensor-core kernels (ContractionRenderer's wmma engines) need <mma.h>.
  prelude.wmma = body.find("nvcuda::wmma") != std::string::npos;
  program.source = renderPrelude(prelude) + body;
  return program;
}

}  // namespace dlc::cuda
