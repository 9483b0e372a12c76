// ONNX reductions: ReduceSum/Mean/Max/Min map to the core reductions;
// ReduceL1, ReduceL2, ReduceLogSum, ReduceLogSumExp (max-shifted) and
// ReduceSumSquare are decompositions. Axes come from the attribute or, from
// opset 13 (ReduceSum) / 18 (the others), from input 1; keepdims and
// noop_with_empty_axes follow ONNX.
//
// What this deliberately does not do: ReduceProd, ArgMax/ArgMin (no core op
// computes them).
#include "frontends/onnx/ops/Converters.h"

namespace dlc::onnxfe::ops {

namespace {

using ir::DType;
using ir::OpKind;

// The output shape of reducing `axes` of `in` without keepdims.
std::vector<int64_t> droppedShape(const std::vector<int64_t>& in,
                                  const std::vector<int64_t>& axes) {
  std::vector<int64_t> out;
  for (size_t i = 0; i < in.size(); ++i) {
    bool reduced = axes.empty();
    for (int64_t a : axes) reduced = reduced || a == int64_t(i);
    if (!reduced) out.push_back(in[i]);
  }
  return out;
}

}  // namespace

Status reduce(ImportContext& ctx, std::string_view kind) {
  DLC_ASSIGN_OR_RETURN(ir::Node * x, required(ctx, 0));
  int rank = x->type.shape.rank();
  int64_t inputOpset = kind == "ReduceSum" ? 13 : 18;
  bool present = false;
  DLC_ASSIGN_OR_RETURN(auto axes, axesAttrOrInput(ctx, "axes", inputOpset, 1, &present));
  DLC_ASSIGN_OR_RETURN(int64_t keepdims, ctx.attrInt("keepdims", 1));
  DLC_ASSIGN_OR_RETURN(int64_t noop, ctx.attrInt("noop_with_empty_axes", 0));
  if (axes.empty() && noop) return ctx.setOutput(0, x);
  for (auto& a : axes) {
    DLC_ASSIGN_OR_RETURN(a, axisOf(ctx, a, rank, "axes"));
  }
  if (axes.empty())
    for (int i = 0; i < rank; ++i) axes.push_back(i);
  bool keep = keepdims != 0;
  DType t = x->type.dtype;
  Builder b(ctx);
  auto core = [&](OpKind op, ir::Node* v, bool kd) { return b.reduce(op, v, axes, kd); };
  if (kind == "ReduceSum" || kind == "ReduceMax" || kind == "ReduceMin") {
    OpKind op = kind == "ReduceSum"   ? OpKind::ReduceSum
                : kind == "ReduceMax" ? OpKind::ReduceMax
                                      : OpKind::ReduceMin;
    if (t == DType::U8)  // the core reduces integers as i32/i64
      return b.finish(0, b.cast(core(op, b.cast(x, DType::I32), keep), DType::U8));
    return b.finish(0, core(op, x, keep));
  }
  if (kind == "ReduceMean") return b.finish(0, core(OpKind::ReduceMean, x, keep));
  if (kind == "ReduceL1")
    return b.finish(0, core(OpKind::ReduceSum, b.unary(OpKind::Abs, x), keep));
  if (kind == "ReduceSumSquare") return b.finish(0, core(OpKind::ReduceSum, b.mul(x, x), keep));
  if (kind == "ReduceL2") {
    if (!ir::isFloat(t)) {
      // sqrt of an integer sum, truncated back as ONNX's reference does.
      ir::Node* s = b.cast(core(OpKind::ReduceSum, b.mul(x, x), keep), DType::F32);
      return b.finish(0, b.cast(b.unary(OpKind::Sqrt, s), t));
    }
    return b.finish(0, b.unary(OpKind::Sqrt, core(OpKind::ReduceSum, b.mul(x, x), keep)));
  }
  if (kind == "ReduceLogSum")
    return b.finish(0, b.unary(OpKind::Log, core(OpKind::ReduceSum, x, keep)));
  if (kind == "ReduceLogSumExp") {
    // max + log(sum(exp(x - max))), with the max kept for broadcasting.
    ir::Node* m = core(OpKind::ReduceMax, x, /*kd=*/true);
    ir::Node* s = core(OpKind::ReduceSum, b.unary(OpKind::Exp, b.sub(x, m)), /*kd=*/true);
    ir::Node* y = b.add(b.unary(OpKind::Log, s), m);
    if (!keep && y) y = b.reshape(y, droppedShape(x->type.shape.dims(), axes));
    return b.finish(0, y);
  }
  return ctx.error(StatusCode::kInternal, strCat("no reduction named ", kind));
}

}  // namespace dlc::onnxfe::ops
