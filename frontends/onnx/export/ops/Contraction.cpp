// ONNX writers for contractions and pooling: matmul (MatMul, with a
// Transpose of the last two dims for transpose_a/transpose_b), dense (Gemm
// when x is 2-D, else MatMul + Add; w is already [in, out]), conv2d (Conv:
// NCHW/OIHW, pads [t,l,b,r] are ONNX's [x1_begin, x2_begin, x1_end, x2_end]),
// max_pool2d / avg_pool2d (MaxPool / AveragePool; strides default to the
// kernel) and global_avg_pool.
//
// What this deliberately does not do: fold a transpose into Gemm's transA /
// transB (a batched matmul has no Gemm form; one encoding for all ranks).
#include "frontends/onnx/export/Writers.h"

namespace dlc::onnxfe::writers {

namespace {

using ir::OpKind;

// Operand i with its last two dims swapped.
std::string swapLastTwo(ExportContext& ctx, int i, std::string_view suffix) {
  int rank = ctx.inType(i).shape.rank();
  std::vector<int64_t> perm;
  for (int d = 0; d < rank; ++d) perm.push_back(d);
  std::swap(perm[size_t(rank - 2)], perm[size_t(rank - 1)]);
  std::string out = ctx.tmp(suffix);
  setAttr(ctx.add("Transpose", {ctx.in(i)}, out), "perm", perm);
  return out;
}

}  // namespace

Status writeMatMul(ExportContext& ctx) {
  std::string a = ctx.in(0), b = ctx.in(1);
  if (ctx.node().attrs.getInt("transpose_a", 0)) a = swapLastTwo(ctx, 0, "a_t");
  if (ctx.node().attrs.getInt("transpose_b", 0)) b = swapLastTwo(ctx, 1, "b_t");
  ctx.add("MatMul", {a, b}, ctx.out());
  return Status::OK();
}

Status writeDense(ExportContext& ctx) {
  bool bias = ctx.numInputs() == 3;
  if (ctx.inType(0).shape.rank() == 2) {
    std::vector<std::string> ins = {ctx.in(0), ctx.in(1)};
    if (bias) ins.push_back(ctx.in(2));
    ctx.add("Gemm", ins, ctx.out());
    return Status::OK();
  }
  if (!bias) {
    ctx.add("MatMul", {ctx.in(0), ctx.in(1)}, ctx.out());
    return Status::OK();
  }
  std::string product = ctx.tmp("matmul");
  ctx.add("MatMul", {ctx.in(0), ctx.in(1)}, product);
  ctx.add("Add", {product, ctx.in(2)}, ctx.out());
  return Status::OK();
}

Status writeConv2D(ExportContext& ctx) {
  const ir::Attributes& attrs = ctx.node().attrs;
  const auto& w = ctx.inType(1).shape;
  std::vector<std::string> ins = {ctx.in(0), ctx.in(1)};
  if (ctx.numInputs() == 3) ins.push_back(ctx.in(2));
  ::onnx::NodeProto* n = ctx.add("Conv", ins, ctx.out());
  setAttr(n, "kernel_shape", std::vector<int64_t>{w.dim(2), w.dim(3)});
  setAttr(n, "strides", attrs.getInts("strides", {1, 1}));
  setAttr(n, "pads", attrs.getInts("pads", {0, 0, 0, 0}));
  setAttr(n, "dilations", attrs.getInts("dilations", {1, 1}));
  setAttr(n, "group", attrs.getInt("groups", 1));
  return Status::OK();
}

Status writePool(ExportContext& ctx) {
  const ir::Attributes& attrs = ctx.node().attrs;
  std::vector<int64_t> kernel = attrs.getInts("kernel", {});
  ::onnx::NodeProto* n = ctx.add(onnxOpType(ctx.node().op), {ctx.in(0)}, ctx.out());
  setAttr(n, "kernel_shape", kernel);
  setAttr(n, "strides", attrs.getInts("strides", kernel));
  setAttr(n, "pads", attrs.getInts("pads", {0, 0, 0, 0}));
  if (ctx.node().op == OpKind::AvgPool2D)
    setAttr(n, "count_include_pad", int64_t(attrs.getInt("count_include_pad", 0) ? 1 : 0));
  return Status::OK();
}

Status writeGlobalAvgPool(ExportContext& ctx) {
  ctx.add("GlobalAveragePool", {ctx.in(0)}, ctx.out());
  return Status::OK();
}

}  // namespace dlc::onnxfe::writers
