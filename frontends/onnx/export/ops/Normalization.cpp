// ONNX writers for reductions and row ops: ReduceSum/Mean/Max/Min (axes as
// an attribute before opset 18 and as an input from it, ReduceSum's input
// from 13; no axes = all, as in dlc), Softmax/LogSoftmax (one axis, opset
// >= 13), LayerNormalization (opset >= 17; a missing gamma is ones, as
// ONNX requires Scale) and BatchNormalization (inference).
//
// What this deliberately does not do: write LayerNormalization's optional
// Mean/InvStdDev outputs or a stash_type other than FLOAT (dlc computes
// normalisations in f32 or wider).
#include <algorithm>

#include "frontends/onnx/export/Writers.h"

namespace dlc::onnxfe::writers {

namespace {
using ir::OpKind;
}  // namespace

Status writeReduce(ExportContext& ctx) {
  OpKind op = ctx.node().op;
  int rank = ctx.inType(0).shape.rank();
  std::vector<int64_t> axes = ctx.node().attrs.getInts("axes", {});
  for (int64_t& a : axes) a = a < 0 ? a + rank : a;
  std::sort(axes.begin(), axes.end());
  bool keepdims = ctx.node().attrs.getInt("keepdims", 0) != 0;
  bool axesInput = op == OpKind::ReduceSum || ctx.opset() >= 18;
  std::vector<std::string> ins = {ctx.in(0)};
  if (axesInput && !axes.empty()) ins.push_back(ctx.ints(axes, "axes"));
  ::onnx::NodeProto* n = ctx.add(onnxOpType(op), ins, ctx.out());
  if (!axesInput && !axes.empty()) setAttr(n, "axes", axes);
  setAttr(n, "keepdims", int64_t(keepdims ? 1 : 0));
  return Status::OK();
}

Status writeSoftmax(ExportContext& ctx) {
  int64_t axis = ctx.node().attrs.getInt("axis", -1);
  setAttr(ctx.add(onnxOpType(ctx.node().op), {ctx.in(0)}, ctx.out()), "axis", axis);
  return Status::OK();
}

Status writeLayerNorm(ExportContext& ctx) {
  const ir::Attributes& attrs = ctx.node().attrs;
  int rank = ctx.inType(0).shape.rank();
  int64_t axisAttr = attrs.getInt("axis", -1);
  int axis = int(axisAttr < 0 ? axisAttr + rank : axisAttr);
  std::string gamma;
  if (ctx.numInputs() >= 2) {
    gamma = ctx.in(1);
  } else {
    std::vector<int64_t> normShape(ctx.inType(0).shape.dims().begin() + axis,
                                   ctx.inType(0).shape.dims().end());
    if (std::count(normShape.begin(), normShape.end(), ir::kBatch)) {
      // Normalising over N: ones of the run-time normalised shape.
      DLC_ASSIGN_OR_RETURN(std::string shape, ctx.shapeValue(normShape, "gamma_shape"));
      gamma = ctx.tmp("gamma");
      ctx.add("Expand", {ctx.scalar(ctx.inType(0).dtype, 1.0, "one"), shape}, gamma);
    } else {
      Tensor ones(ctx.inType(0).dtype, normShape);
      for (int64_t i = 0; i < ones.numElements(); ++i) ones.setFromDouble(i, 1.0);
      gamma = ctx.tensor(ones, "gamma");
    }
  }
  std::vector<std::string> ins = {ctx.in(0), gamma};
  if (ctx.numInputs() == 3) ins.push_back(ctx.in(2));
  ::onnx::NodeProto* n = ctx.add("LayerNormalization", ins, ctx.out());
  setAttr(n, "axis", int64_t(axis));
  setAttr(n, "epsilon", float(attrs.getFloat("epsilon", 1e-5)));
  return Status::OK();
}

Status writeBatchNorm(ExportContext& ctx) {
  std::vector<std::string> ins;
  for (int i = 0; i < 5; ++i) ins.push_back(ctx.in(i));
  ::onnx::NodeProto* n = ctx.add("BatchNormalization", ins, ctx.out());
  setAttr(n, "epsilon", float(ctx.node().attrs.getFloat("epsilon", 1e-5)));
  return Status::OK();
}

}  // namespace dlc::onnxfe::writers
