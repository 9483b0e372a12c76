// Row kernels: softmax / log_softmax over one axis and layer_norm over the
// trailing dims [axis, rank), with input-fused producers and an elementwise
// epilogue, as one kernel.
//
// A row of at most 1024 static elements is normalised by one warp (8 rows
// per block), a longer or batch-sized row by one 256-thread block; the
// passes (max/sum/normalise for softmax; mean, its correction, variance,
// normalise for layer_norm) combine with butterfly shuffles (and shared memory across the
// block's warps). When each thread holds at most kMaxHeld of the row's
// elements, the row's input values (the fused producer chain) are computed
// once into registers (an unrolled array); otherwise each pass recomputes
// them, as the CPU backend does for long rows. Everything accumulates in
// f32; max propagates NaN.
#include <functional>

#include "compiler/backends/cuda/Epilogue.h"
#include "compiler/backends/cuda/CudaOps.h"
#include "compiler/backends/cuda/KernelRenderers.h"
#include "compiler/backends/cuda/Prelude.h"

namespace dlc::cuda {
namespace {

constexpr int64_t kMaxWarpRow = 1024;
constexpr int64_t kMaxHeld = 32;  // registers per thread for a buffered row

struct RowPlan {
  const ir::Node* root = nullptr;
  const ir::Node* x = nullptr;
  std::vector<int> rowAxes, otherAxes;
  std::vector<int64_t> rowDims, otherDims;
  bool warp = false;  // one warp per row, else one block
  int64_t held = 0;   // elements per thread kept in registers; 0: recompute
  std::string width, lane, len;
};

class RowWriter {
 public:
  RowWriter(RenderContext& ctx, ElementRenderer& er, const RowPlan& p)
      : ctx_(ctx), er_(er), p_(p), index_(p.rowAxes.size() + p.otherAxes.size(), "0LL") {}

  void render();

 private:
  // Opens a scope over this thread's row positions j (the unrolled register
  // slots when held > 0) and sets index_'s row axes for j; close() ends it.
  void open();
  void close();
  // The row's input value at the current j: computed, or from its slot.
  std::string input(bool first);
  std::string reduce(const std::string& value, const char* op, const std::string& identity);
  void finalPass(const std::function<std::string()>& valueAt);

  RenderContext& ctx_;
  ElementRenderer& er_;
  const RowPlan& p_;
  std::vector<std::string> index_;
  std::vector<std::string> rowIndex_;
};

void RowWriter::open() {
  SourceWriter& out = ctx_.out;
  if (p_.held > 0) {
    out.line("#pragma unroll");
    out.open("for (int k = 0; k < " + std::to_string(p_.held) + "; ++k)");
    out.line("const long long j = " + p_.lane + " + (long long)" + p_.width + " * k;");
    out.open("if (j < " + p_.len + ")");
  } else {
    out.open("for (long long j = " + p_.lane + "; j < " + p_.len + "; j += " + p_.width + ")");
  }
  er_.forget();
  rowIndex_ = er_.delinearize("j", p_.rowDims);
  for (size_t i = 0; i < p_.rowAxes.size(); ++i) index_[size_t(p_.rowAxes[i])] = rowIndex_[i];
}

void RowWriter::close() {
  er_.forget();
  ctx_.out.close();
  if (p_.held > 0) ctx_.out.close();
}

std::string RowWriter::input(bool first) {
  if (p_.held > 0 && !first) return "xs[k]";
  std::string v = er_.emit(p_.x, index_);
  if (p_.held > 0) ctx_.out.line("xs[k] = " + v + ";");
  return v;
}

std::string RowWriter::reduce(const std::string& value, const char* op,
                              const std::string& identity) {
  if (p_.warp) return "dlc_warp_reduce(" + value + ", " + op + "())";
  return "dlc_block_reduce(" + value + ", " + op + "(), " + identity + ", scratch)";
}

void RowWriter::finalPass(const std::function<std::string()>& valueAt) {
  open();
  std::string y = valueAt();
  renderEpilogue(ctx_, er_, *p_.root, y, index_);
  close();
}

void RowWriter::render() {
  SourceWriter& out = ctx_.out;
  const ir::Node* root = p_.root;
  if (!p_.warp) out.line("__shared__ float scratch[32];");
  else out.line("const int lane = threadIdx.x & 31;");
  int64_t perBlock = p_.warp ? kWarpsPerBlock : 1;
  std::string first = p_.warp ? "(long long)blockIdx.x * " + std::to_string(perBlock) +
                                    " + (threadIdx.x >> 5)"
                              : std::string("(long long)blockIdx.x");
  std::string step = "(long long)gridDim.x * " + std::to_string(perBlock);
  std::string rows = RenderContext::product(p_.otherDims, 0, p_.otherDims.size());
  out.open("for (long long row = " + first + "; row < " + rows + "; row += " + step + ")");
  er_.forget();
  std::vector<std::string> other = er_.delinearize("row", p_.otherDims);
  for (size_t i = 0; i < p_.otherAxes.size(); ++i) index_[size_t(p_.otherAxes[i])] = other[i];
  if (p_.held > 0) out.line("float xs[" + std::to_string(p_.held) + "];");
  if (root->op != ir::OpKind::LayerNorm) {
    bool isLog = root->op == ir::OpKind::LogSoftmax;
    out.line("float m = (-DLC_INF);");
    open();
    out.line("m = dlc_max(m, " + input(/*first=*/true) + ");");
    close();
    out.line("m = " + reduce("m", "DlcMax", "(-DLC_INF)") + ";");
    out.line("float s = 0.0f;");
    open();
    std::string e = ctx_.fresh("e");
    out.line("const float " + e + " = expf(" + input(/*first=*/false) + " - m);");
    if (p_.held > 0 && !isLog) out.line("xs[k] = " + e + ";");
    out.line("s += " + e + ";");
    close();
    out.line("s = " + reduce("s", "DlcSum", "0.0f") + ";");
    if (isLog) {
      out.line("const float logS = logf(s);");
      finalPass([&] { return "(" + input(/*first=*/false) + " - m - logS)"; });
    } else {
      out.line("const float inv = 1.0f / s;");
      finalPass([&] {
        if (p_.held > 0) return std::string("(xs[k] * inv)");
        return "(expf(" + input(/*first=*/false) + " - m) * inv)";
      });
    }
  } else {
    out.line("const float n = (float)" + p_.len + ";");
    out.line("float s = 0.0f;");
    open();
    out.line("s += " + input(/*first=*/true) + ";");
    close();
    // The corrected two-pass mean, as the CPU backend computes it: the sum's
    // f32 rounding is taken back out, so x - mean is exact on a constant row.
    out.line("const float mean0 = " + reduce("s", "DlcSum", "0.0f") + " / n;");
    out.line("float c = 0.0f;");
    open();
    out.line("c += " + input(/*first=*/false) + " - mean0;");
    close();
    out.line("const float mean = mean0 + " + reduce("c", "DlcSum", "0.0f") + " / n;");
    out.line("float q = 0.0f;");
    open();
    std::string d = ctx_.fresh("d");
    out.line("const float " + d + " = " + input(/*first=*/false) + " - mean;");
    out.line("q += " + d + " * " + d + ";");
    close();
    out.line("q = " + reduce("q", "DlcSum", "0.0f") + ";");
    std::string eps = floatLiteral(float(root->attrs.getFloat("epsilon", 1e-5)));
    out.line("const float rstd = 1.0f / sqrtf(q / n + " + eps + ");");
    finalPass([&] {
      std::string y = ctx_.fresh("y");
      out.line("float " + y + " = (" + input(/*first=*/false) + " - mean) * rstd;");
      if (root->inputs.size() > 1)
        out.line(y + " = " + y + " * " + er_.emit(root->inputs[1], rowIndex_) + ";");
      if (root->inputs.size() > 2)
        out.line(y + " = " + y + " + " + er_.emit(root->inputs[2], rowIndex_) + ";");
      return y;
    });
  }
  er_.forget();
  out.close();
}

}  // namespace

Status renderRowKernel(RenderContext& ctx, ElementRenderer& er) {
  const ir::Kernel& kernel = ctx.kernel;
  const ir::Node* root = kernel.root;
  if (!root || !ir::isRowOp(root->op)) return internalError("row kernel without a row root");
  DLC_RETURN_IF_ERROR(checkEpilogue(kernel, *root));
  RowPlan p;
  p.root = root;
  p.x = root->inputs[0];
  if (!ir::isFloat(p.x->type.dtype))
    return unsupported(root->describe(), ": ", ir::opName(root->op), " needs a float input");
  const std::vector<int64_t>& dims = p.x->type.shape.dims();
  int rank = int(dims.size());
  int64_t axisAttr = root->attrs.getInt("axis", -1);
  int axis = int(axisAttr < 0 ? axisAttr + rank : axisAttr);
  if (axis < 0 || axis >= rank) return invalidArgument(root->describe(), ": axis out of range");
  bool isLayerNorm = root->op == ir::OpKind::LayerNorm;
  for (int i = 0; i < rank; ++i) {
    bool inRow = isLayerNorm ? i >= axis : i == axis;
    (inRow ? p.rowAxes : p.otherAxes).push_back(i);
    (inRow ? p.rowDims : p.otherDims).push_back(dims[size_t(i)]);
  }
  Affine rowLen = RenderContext::count(p.rowDims);
  bool isStatic = rowLen.perBatch == 0;
  p.warp = isStatic && rowLen.fixed <= kMaxWarpRow;
  int64_t threads = p.warp ? 32 : kThreadsPerBlock;
  if (isStatic) {
    int64_t held = (rowLen.fixed + threads - 1) / threads;
    p.held = held <= kMaxHeld ? std::max<int64_t>(held, 1) : 0;
  }
  p.width = p.warp ? "32" : "blockDim.x";
  p.lane = p.warp ? "lane" : "(long long)threadIdx.x";
  p.len = RenderContext::product(p.rowDims, 0, p.rowDims.size());
  ctx.launch.items = RenderContext::count(p.otherDims);
  ctx.launch.threads = kThreadsPerBlock;
  ctx.launch.itemsPerBlock = p.warp ? kWarpsPerBlock : 1;
  ctx.launch.maxBlocks = kMaxBlocks;
  RowWriter(ctx, er, p).render();
  renderOutputLoops(ctx, er, producerOutputs(kernel, *root));
  return Status::OK();
}

}  // namespace dlc::cuda
