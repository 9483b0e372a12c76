// matmul and dense as GemmProblems (docs/ops.md), and the operand helpers
// the conv2d problem shares. See GemmProblem.h.
//
// matmul: one GEMM per broadcast batch index, A and B read through their own
// batch offsets (size-1 operand batch dims read index 0) and the transposes.
// When B has no batch of its own and A is neither broadcast nor transposed,
// the batch folds into the rows (one tall GEMM, as dense does), so short
// per-batch matrices still fill whole tiles.
// dense: a single GEMM with rows = the product of x's leading dims, B = w.
#include "compiler/backends/cuda/GemmProblem.h"

#include <memory>

#include "compiler/backends/cuda/CudaOps.h"

namespace dlc::cuda::gemm {

Extent Extent::of(const std::vector<int64_t>& dims, size_t from, size_t to) {
  Extent e;
  for (size_t d = from; d < to && d < dims.size(); ++d) {
    if (dims[d] == ir::kBatch) e.batch = true;
    else e.fixed *= dims[d];
  }
  return e;
}

std::string Extent::expr() const {
  std::string f = std::to_string(fixed) + "LL";
  if (!batch) return f;
  return fixed == 1 ? std::string("N") : "(N * " + f + ")";
}

StatusOr<std::string> operandBuffer(const RenderContext& ctx, const ir::Node& root, size_t index) {
  std::string name = ctx.bufferOf(root.inputs[index]);
  if (name.empty())
    return unsupported(root.describe(), ": operand ", index, " (", root.inputs[index]->name,
                       ") is not in memory; the CUDA backend reads contraction operands from ",
                       "buffers only");
  return name;
}

std::string storageZero(ir::DType dtype) {
  switch (dtype) {
    case ir::DType::F16: return "__float2half(0.0f)";
    case ir::DType::BF16: return "__float2bfloat16(0.0f)";
    default: return "0.0f";
  }
}

std::vector<std::string> unflatten(RenderContext& ctx, const std::string& flat,
                                   const std::vector<int64_t>& dims, size_t from, size_t to) {
  std::vector<std::string> index(to - from);
  std::string rest = flat;
  for (size_t d = to; d > from; --d) {
    int64_t extent = dims[d - 1];
    if (d - 1 == from) {
      index[d - 1 - from] = rest;
    } else if (extent == 1) {
      index[d - 1 - from] = "0LL";
    } else {
      std::string e = RenderContext::dim(extent);
      std::string q = ctx.fresh("u"), r = ctx.fresh("u");
      ctx.out.line("const long long " + q + " = " + rest + " % " + e + ";");
      ctx.out.line("const long long " + r + " = " + rest + " / " + e + ";");
      index[d - 1 - from] = q;
      rest = r;
    }
  }
  return index;
}

namespace {

std::string mulTerm(const std::string& index, int64_t stride) {
  return stride == 1 ? index : index + " * " + std::to_string(stride) + "LL";
}

// Element offset of an operand's batch part for the output batch index
// `outBatch` (right-aligned broadcast: size-1 operand dims read index 0).
std::string batchOffset(const std::vector<int64_t>& dims, const std::vector<std::string>& outBatch) {
  size_t rank = dims.size(), batchRank = rank - 2;
  std::string off = "0LL";
  for (size_t d = 0; d < batchRank; ++d) {
    if (dims[d] == 1) continue;
    off += " + " + outBatch[outBatch.size() - batchRank + d] + " * " +
           RenderContext::product(dims, d + 1, rank);
  }
  return off;
}

}  // namespace

StatusOr<GemmProblem> matMulProblem(RenderContext& ctx, const ir::Node& root,
                                    const EpilogueFn& epilogue) {
  const std::vector<int64_t>& ad = root.inputs[0]->type.shape.dims();
  const std::vector<int64_t>& bd = root.inputs[1]->type.shape.dims();
  const std::vector<int64_t>& od = root.type.shape.dims();
  if (ad.size() < 2 || bd.size() < 2 || od.size() < 2)
    return unsupported(root.describe(), ": matmul needs operands of rank >= 2");
  const bool ta = root.attrs.getInt("transpose_a", 0) != 0;
  const bool tb = root.attrs.getInt("transpose_b", 0) != 0;
  const size_t ra = ad.size(), rb = bd.size(), ro = od.size();
  const int64_t k = ad[ra - (ta ? 2 : 1)];
  if (k == ir::kBatch || od[ro - 1] == ir::kBatch || ad[ra - 1] == ir::kBatch ||
      bd[rb - 1] == ir::kBatch || bd[rb - 2] == ir::kBatch)
    return unsupported(root.describe(), ": the batch symbol N may not be a contraction, ",
                       "column or row-stride extent of matmul");
  DLC_ASSIGN_OR_RETURN(std::string aPtr, operandBuffer(ctx, root, 0));
  DLC_ASSIGN_OR_RETURN(std::string bPtr, operandBuffer(ctx, root, 1));
  // Element strides of logical rows/columns (after the transposes).
  const int64_t aLast = ad[ra - 1], bLast = bd[rb - 1];
  const int64_t aRow = ta ? 1 : aLast, aCol = ta ? aLast : 1;
  const int64_t bRow = tb ? 1 : bLast, bCol = tb ? bLast : 1;
  bool bBroadcast = true;
  for (size_t d = 0; d + 2 < rb; ++d) bBroadcast = bBroadcast && bd[d] == 1;
  const bool fold = bBroadcast && !ta && ra == ro &&
                    std::vector<int64_t>(ad.begin(), ad.end() - 2) ==
                        std::vector<int64_t>(od.begin(), od.end() - 2);

  GemmProblem p;
  p.k = k;
  p.cols = Extent::of(od, ro - 1, ro);
  p.aType = root.inputs[0]->type.dtype;
  p.bType = root.inputs[1]->type.dtype;
  p.aAlongK = !ta;
  p.bAlongJ = !tb;
  RenderContext* c = &ctx;
  const EpilogueFn* epi = &epilogue;
  auto aOff = std::make_shared<std::string>("0LL");
  auto bOff = std::make_shared<std::string>("0LL");
  auto outBatch = std::make_shared<std::vector<std::string>>();
  if (fold) {
    p.rows = Extent::of(od, 0, ro - 1);
    p.prepare = [](const std::string&) {};
    p.output = [c, epi, od, ro](const std::string&, const std::string& i, const std::string& j,
                                const std::string& acc) {
      std::vector<std::string> index = unflatten(*c, i, od, 0, ro - 1);
      index.push_back(j);
      (*epi)(acc, index);
    };
  } else {
    p.batch = Extent::of(od, 0, ro - 2);
    p.rows = Extent::of(od, ro - 2, ro - 1);
    p.prepare = [c, ad, bd, od, ro, aOff, bOff, outBatch](const std::string& bi) {
      *outBatch = unflatten(*c, bi, od, 0, ro - 2);
      *aOff = c->fresh("aOff");
      *bOff = c->fresh("bOff");
      c->out.line("const long long " + *aOff + " = " + batchOffset(ad, *outBatch) + ";");
      c->out.line("const long long " + *bOff + " = " + batchOffset(bd, *outBatch) + ";");
    };
    p.output = [epi, outBatch](const std::string&, const std::string& i, const std::string& j,
                               const std::string& acc) {
      std::vector<std::string> index = *outBatch;
      index.push_back(i);
      index.push_back(j);
      (*epi)(acc, index);
    };
  }
  p.loadA = [aPtr, aOff, aRow, aCol](const std::string& i, const std::string& kk) {
    return aPtr + "[" + *aOff + " + " + mulTerm(i, aRow) + " + " + mulTerm(kk, aCol) + "]";
  };
  p.loadB = [bPtr, bOff, bRow, bCol](const std::string& kk, const std::string& j,
                                     const std::string&) {
    return bPtr + "[" + *bOff + " + " + mulTerm(kk, bRow) + " + " + mulTerm(j, bCol) + "]";
  };
  return p;
}

StatusOr<GemmProblem> denseProblem(RenderContext& ctx, const ir::Node& root,
                                   const EpilogueFn& epilogue) {
  const std::vector<int64_t>& xd = root.inputs[0]->type.shape.dims();
  const std::vector<int64_t>& wd = root.inputs[1]->type.shape.dims();
  const std::vector<int64_t>& od = root.type.shape.dims();
  if (xd.empty() || wd.size() != 2 || xd.back() != wd[0] || od.back() != wd[1])
    return unsupported(root.describe(), ": dense expects x[..., in] and w[in, out]");
  if (wd[0] == ir::kBatch || wd[1] == ir::kBatch)
    return unsupported(root.describe(), ": the batch symbol N may not be a dense extent");
  DLC_ASSIGN_OR_RETURN(std::string xPtr, operandBuffer(ctx, root, 0));
  DLC_ASSIGN_OR_RETURN(std::string wPtr, operandBuffer(ctx, root, 1));
  std::string biasPtr;
  if (root.inputs.size() > 2) {
    DLC_ASSIGN_OR_RETURN(biasPtr, operandBuffer(ctx, root, 2));
  }
  const ir::DType biasType = biasPtr.empty() ? root.type.dtype : root.inputs[2]->type.dtype;
  const int64_t in = wd[0], out = wd[1];
  const size_t ro = od.size();
  RenderContext* c = &ctx;
  const EpilogueFn* epi = &epilogue;

  GemmProblem p;
  p.k = in;
  p.rows = Extent::of(od, 0, ro - 1);
  p.cols = Extent{out, false};
  p.aType = root.inputs[0]->type.dtype;
  p.bType = root.inputs[1]->type.dtype;
  p.prepare = [](const std::string&) {};
  p.loadA = [xPtr, in](const std::string& i, const std::string& kk) {
    return xPtr + "[" + mulTerm(i, in) + " + " + kk + "]";
  };
  p.loadB = [wPtr, out](const std::string& kk, const std::string& j, const std::string&) {
    return wPtr + "[" + mulTerm(kk, out) + " + " + j + "]";
  };
  p.output = [c, epi, od, ro, biasPtr, biasType](const std::string&, const std::string& i,
                                                 const std::string& j, const std::string& acc) {
    std::string value = acc;
    if (!biasPtr.empty()) {
      value = c->fresh("acc");
      c->out.line("const float " + value + " = " + acc + " + " + loadExpr(biasType, biasPtr, j) +
                  ";");
    }
    std::vector<std::string> index = unflatten(*c, i, od, 0, ro - 1);
    index.push_back(j);
    (*epi)(value, index);
  };
  return p;
}

}  // namespace dlc::cuda::gemm
