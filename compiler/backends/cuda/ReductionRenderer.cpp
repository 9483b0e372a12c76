// Reduction kernels: reduce_sum/mean/max/min over any axes with keepdims,
// input-fused producers (elementwise ops and index remaps, evaluated at the
// input index) and an elementwise epilogue (Epilogue.h, shared
// by every kernel with a root).
//
// Three forms, by where the reduced elements lie:
//   column  the input's last dim is kept: one thread per output, looping
//           over the reduced elements (neighbouring threads read
//           neighbouring addresses);
//   warp    rows of at most 1024 static elements: one warp per output, lanes
//           stride the row, butterfly shuffles combine (8 rows per block);
//   block   longer or batch-sized rows: one 256-thread block per output,
//           warp shuffles then shared memory.
// Floats accumulate in f32, integers in 64 bits (wrapping to the dtype on
// store; mean truncates toward zero), as the CPU backend and the reference
// do. An empty reduced extent gives 0 for sum/mean and -inf/+inf (integer
// lowest/highest) for max/min; max/min propagate NaN.
#include <algorithm>

#include "compiler/backends/cuda/Epilogue.h"
#include "compiler/backends/cuda/CudaOps.h"
#include "compiler/backends/cuda/KernelRenderers.h"
#include "compiler/backends/cuda/Prelude.h"

namespace dlc::cuda {
namespace {

using ir::DType;
using ir::OpKind;

constexpr int64_t kMaxWarpRow = 1024;

std::vector<int> reducedAxes(const ir::Node& root, int rank) {
  std::vector<int64_t> axes = root.attrs.getInts("axes", {});
  std::vector<int> out;
  if (axes.empty()) {
    for (int i = 0; i < rank; ++i) out.push_back(i);
    return out;
  }
  for (int64_t a : axes) out.push_back(int(a < 0 ? a + rank : a));
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

enum class Form { Column, Warp, Block };

}  // namespace

Status renderReductionKernel(RenderContext& ctx, ElementRenderer& er) {
  const ir::Kernel& kernel = ctx.kernel;
  const ir::Node* root = kernel.root;
  if (!root || !ir::isReduction(root->op))
    return internalError("reduction kernel ", kernel.id, " without a reduce root");
  DLC_RETURN_IF_ERROR(checkEpilogue(kernel, *root));
  const ir::Node* x = root->inputs[0];
  DType dtype = x->type.dtype;
  if (dtype == DType::Bool)
    return unsupported(root->describe(), ": ", ir::opName(root->op), " on bool");
  const bool isF = ir::isFloat(dtype);
  const std::vector<int64_t>& inDims = x->type.shape.dims();
  const int rank = int(inDims.size());
  std::vector<int> axes = reducedAxes(*root, rank);
  for (int a : axes)
    if (a < 0 || a >= rank) return invalidArgument(root->describe(), ": axis out of range");
  const bool keepdims = root->attrs.getInt("keepdims", 0) != 0;
  std::vector<int> kept;
  for (int i = 0; i < rank; ++i)
    if (!std::binary_search(axes.begin(), axes.end(), i)) kept.push_back(i);
  std::vector<int64_t> keptDims, redDims;
  for (int k : kept) keptDims.push_back(inDims[size_t(k)]);
  for (int a : axes) redDims.push_back(inDims[size_t(a)]);
  const std::string rows = RenderContext::product(keptDims, 0, keptDims.size());
  const std::string len = RenderContext::product(redDims, 0, redDims.size());
  const Affine rowLen = RenderContext::count(redDims);

  Form form = Form::Block;
  if (!kept.empty() && kept.back() == rank - 1) form = Form::Column;
  else if (rowLen.perBatch == 0 && rowLen.fixed <= kMaxWarpRow) form = Form::Warp;

  const OpKind op = root->op;
  const std::string acc = isF ? "float" : "long long";
  std::string init, combine;
  if (op == OpKind::ReduceSum || op == OpKind::ReduceMean) {
    init = isF ? "0.0f" : "0LL";
    combine = "DlcSum()";
  } else if (isF) {
    init = op == OpKind::ReduceMax ? "(-DLC_INF)" : "DLC_INF";
    combine = op == OpKind::ReduceMax ? "DlcMax()" : "DlcMin()";
  } else {
    init = intLiteral(DType::I64, op == OpKind::ReduceMax ? ir::integerLowest(dtype)
                                                           : ir::integerHighest(dtype));
    combine = op == OpKind::ReduceMax ? "DlcMax()" : "DlcMin()";
  }

  ctx.launch.items = RenderContext::count(keptDims);
  ctx.launch.threads = kThreadsPerBlock;
  ctx.launch.maxBlocks = kMaxBlocks;
  ctx.launch.itemsPerBlock = form == Form::Column ? kThreadsPerBlock
                             : form == Form::Warp ? kWarpsPerBlock
                                                  : 1;
  SourceWriter& out = ctx.out;
  std::string first, step, lane, width;
  switch (form) {
    case Form::Column:
      first = "(long long)blockIdx.x * blockDim.x + threadIdx.x";
      step = "(long long)gridDim.x * blockDim.x";
      break;
    case Form::Warp:
      out.line("const int lane = threadIdx.x & 31;");
      first = "(long long)blockIdx.x * " + std::to_string(kWarpsPerBlock) + " + (threadIdx.x >> 5)";
      step = "(long long)gridDim.x * " + std::to_string(kWarpsPerBlock);
      lane = "lane";
      width = "32";
      break;
    case Form::Block:
      out.line("__shared__ " + acc + " scratch[32];");
      first = "(long long)blockIdx.x";
      step = "(long long)gridDim.x";
      lane = "threadIdx.x";
      width = "blockDim.x";
      break;
  }
  out.open("for (long long row = " + first + "; row < " + rows + "; row += " + step + ")");
  er.forget();
  std::vector<std::string> inIndex(size_t(rank), "0LL");
  std::vector<std::string> keptIndex = er.delinearize("row", keptDims);
  for (size_t i = 0; i < kept.size(); ++i) inIndex[size_t(kept[i])] = keptIndex[i];
  out.line(acc + " acc = " + init + ";");
  std::string j0 = form == Form::Column ? "0LL" : std::string("(long long)") + lane;
  std::string jStep = form == Form::Column ? "1LL" : std::string("(long long)") + width;
  out.open("for (long long j = " + j0 + "; j < " + len + "; j += " + jStep + ")");
  er.forget();
  std::vector<std::string> redIndex = er.delinearize("j", redDims);
  for (size_t i = 0; i < axes.size(); ++i) inIndex[size_t(axes[i])] = redIndex[i];
  std::string v = er.emit(x, inIndex);
  out.line("acc = " + combine + "(acc, (" + acc + ")" + v + ");");
  er.forget();
  out.close();
  if (form == Form::Warp) out.line("acc = dlc_warp_reduce(acc, " + combine + ");");
  if (form == Form::Block)
    out.line("acc = dlc_block_reduce(acc, " + combine + ", (" + acc + ")" + init + ", scratch);");
  if (form != Form::Column) out.open("if (" + lane + " == 0)");
  std::string result = "acc";
  if (op == OpKind::ReduceMean)
    result = isF ? "(" + len + " == 0LL ? 0.0f : acc / (float)" + len + ")"
                 : "(" + len + " == 0LL ? 0LL : acc / " + len + ")";
  if (!isF) result = "(" + computeTypeName(dtype) + ")" + result;
  std::vector<std::string> outIndex;
  for (int i = 0; i < rank; ++i) {
    bool reduced = std::binary_search(axes.begin(), axes.end(), i);
    if (!reduced) outIndex.push_back(inIndex[size_t(i)]);
    else if (keepdims) outIndex.push_back("0LL");
  }
  // The reduced positions of inIndex are out of scope here; kept ones stay.
  renderEpilogue(ctx, er, *root, result, outIndex);
  if (form != Form::Column) out.close();
  out.close();
  er.forget();
  renderOutputLoops(ctx, er, producerOutputs(kernel, *root));
  return Status::OK();
}

}  // namespace dlc::cuda
