// Pool kernels (NCHW, docs/ops.md): max_pool2d, avg_pool2d and
// global_avg_pool with input-fused elementwise producers and an elementwise
// epilogue.
//
// max/avg: one thread per output element (grid-stride), the window loops
// unrolled over the static kernel extent; positions outside the input are
// skipped, so padding never wins a max and avg divides by the in-bounds
// count unless count_include_pad (then by kh·kw), as the reference does.
// global_avg_pool: one warp per (n, c) plane (8 planes per block), lanes
// stride the plane and a butterfly shuffle sums. f32 accumulation; max
// propagates NaN.
#include "compiler/backends/cuda/Epilogue.h"
#include "compiler/backends/cuda/CudaOps.h"
#include "compiler/backends/cuda/KernelRenderers.h"
#include "compiler/backends/cuda/Prelude.h"

namespace dlc::cuda {
namespace {

std::string i64(int64_t v) { return intLiteral(ir::DType::I64, v); }

void renderGlobalAvgPool(RenderContext& ctx, ElementRenderer& er, const ir::Node& root,
                         const std::vector<int64_t>& in) {
  SourceWriter& out = ctx.out;
  const ir::Node* x = root.inputs[0];
  ctx.launch.items = RenderContext::count({in[0], in[1]});
  ctx.launch.itemsPerBlock = kWarpsPerBlock;
  std::string planes = RenderContext::product(in, 0, 2);
  std::string area = RenderContext::product(in, 2, 4);
  out.line("const int lane = threadIdx.x & 31;");
  out.open("for (long long p = (long long)blockIdx.x * " + std::to_string(kWarpsPerBlock) +
           " + (threadIdx.x >> 5); p < " + planes + "; p += (long long)gridDim.x * " +
           std::to_string(kWarpsPerBlock) + ")");
  er.forget();
  std::vector<std::string> nc = er.delinearize("p", {in[0], in[1]});
  out.line("float acc = 0.0f;");
  out.open("for (long long j = lane; j < " + area + "; j += 32)");
  er.forget();
  std::vector<std::string> hw = er.delinearize("j", {in[2], in[3]});
  out.line("acc += " + er.emit(x, {nc[0], nc[1], hw[0], hw[1]}) + ";");
  er.forget();
  out.close();
  out.line("acc = dlc_warp_reduce(acc, DlcSum());");
  out.open("if (lane == 0)");
  std::string r = "(" + area + " == 0LL ? 0.0f : acc / (float)" + area + ")";
  renderEpilogue(ctx, er, root, r, {nc[0], nc[1], "0LL", "0LL"});
  out.close();
  out.close();
  er.forget();
}

}  // namespace

Status renderPoolKernel(RenderContext& ctx, ElementRenderer& er) {
  const ir::Kernel& kernel = ctx.kernel;
  const ir::Node* root = kernel.root;
  if (!root || !ir::isPool(root->op)) return internalError("pool kernel without a pool root");
  DLC_RETURN_IF_ERROR(checkEpilogue(kernel, *root));
  const ir::Node* x = root->inputs[0];
  if (!ir::isFloat(x->type.dtype) || x->type.shape.rank() != 4)
    return unsupported(root->describe(), ": pooling needs a 4-D NCHW float input");
  const std::vector<int64_t>& in = x->type.shape.dims();
  const std::vector<int64_t>& outDims = root->type.shape.dims();
  ctx.launch.threads = kThreadsPerBlock;
  ctx.launch.maxBlocks = kMaxBlocks;
  if (root->op == ir::OpKind::GlobalAvgPool) {
    renderGlobalAvgPool(ctx, er, *root, in);
    renderOutputLoops(ctx, er, producerOutputs(kernel, *root));
    return Status::OK();
  }
  std::vector<int64_t> k = root->attrs.getInts("kernel", {});
  if (k.size() != 2) return invalidArgument(root->describe(), ": 'kernel' must be [kh, kw]");
  std::vector<int64_t> s = root->attrs.getInts("strides", k);
  std::vector<int64_t> pads = root->attrs.getInts("pads", {0, 0, 0, 0});
  if (s.size() != 2 || pads.size() != 4)
    return invalidArgument(root->describe(), ": 'strides' needs 2 and 'pads' 4 entries");
  const bool isMax = root->op == ir::OpKind::MaxPool2D;
  const bool includePad = root->attrs.getInt("count_include_pad", 0) != 0;
  ctx.launch.items = RenderContext::count(outDims);
  ctx.launch.itemsPerBlock = kThreadsPerBlock;

  SourceWriter& out = ctx.out;
  std::string total = RenderContext::product(outDims, 0, 4);
  out.open("for (long long e = (long long)blockIdx.x * blockDim.x + threadIdx.x; e < " + total +
           "; e += (long long)gridDim.x * blockDim.x)");
  er.forget();
  std::vector<std::string> o = er.delinearize("e", outDims);
  out.line(std::string("float acc = ") + (isMax ? "(-DLC_INF)" : "0.0f") + ";");
  if (!isMax && !includePad) out.line("int count = 0;");
  out.line("#pragma unroll");
  out.open("for (int di = 0; di < " + std::to_string(k[0]) + "; ++di)");
  out.line("const long long ih = " + o[2] + " * " + i64(s[0]) + " + (di - " + i64(pads[0]) +
           ");");
  out.line("if (ih < 0LL || ih >= " + RenderContext::dim(in[2]) + ") continue;");
  out.line("#pragma unroll");
  out.open("for (int dj = 0; dj < " + std::to_string(k[1]) + "; ++dj)");
  out.line("const long long iw = " + o[3] + " * " + i64(s[1]) + " + (dj - " + i64(pads[1]) +
           ");");
  out.line("if (iw < 0LL || iw >= " + RenderContext::dim(in[3]) + ") continue;");
  er.forget();
  std::string v = er.emit(x, {o[0], o[1], "ih", "iw"});
  out.line(isMax ? "acc = dlc_max(acc, " + v + ");" : "acc += " + v + ";");
  if (!isMax && !includePad) out.line("++count;");
  er.forget();
  out.close();
  out.close();
  std::string r = "acc";
  if (!isMax) {
    std::string count = includePad ? floatLiteral(float(k[0] * k[1])) : "(float)count";
    std::string zero = includePad ? (k[0] * k[1] == 0 ? "true" : "false") : "count == 0";
    r = "(" + zero + " ? 0.0f : acc / " + count + ")";
  }
  renderEpilogue(ctx, er, *root, r, o);
  out.close();
  er.forget();
  renderOutputLoops(ctx, er, producerOutputs(kernel, *root));
  return Status::OK();
}

}  // namespace dlc::cuda
