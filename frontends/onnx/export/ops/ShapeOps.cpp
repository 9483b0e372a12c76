// ONNX writers for shape ops: reshape (the output shape with N as -1, so it
// holds for any batch), flatten, transpose (perm written out), broadcast_to
// (Expand; N comes from the operand, or from a graph input at run time),
// concat, slice and pad (their lists as int64 initializers), gather (Gather;
// run-time indices are clamped into range first, as docs/ops.md defines).
//
// What this deliberately does not do: keep reshape's 0 entries (the output
// shape is already known; -1 for N covers every batch).
#include <algorithm>

#include "frontends/onnx/export/Writers.h"

namespace dlc::onnxfe::writers {

namespace {

using ir::DType;
using ir::kBatch;

int normalized(int64_t axis, int rank) { return int(axis < 0 ? axis + rank : axis); }

}  // namespace

Status writeReshape(ExportContext& ctx) {
  std::vector<int64_t> shape = ctx.outType().shape.dims();
  bool hasZero = std::count(shape.begin(), shape.end(), 0) > 0;
  bool hasBatch = std::count(shape.begin(), shape.end(), kBatch) > 0;
  if (hasZero && hasBatch)
    return ctx.error(StatusCode::kUnsupported,
                     strCat("reshape to ", ctx.outType().str(),
                            ": ONNX Reshape cannot hold both an empty extent (allowzero) and the "
                            "inferred batch N"));
  // kBatch == -1 is ONNX's inferred entry: N at any batch size.
  ::onnx::NodeProto* n = ctx.add("Reshape", {ctx.in(0), ctx.ints(shape, "shape")}, ctx.out());
  if (hasZero) setAttr(n, "allowzero", int64_t(1));
  return Status::OK();
}

Status writeFlatten(ExportContext& ctx) {
  int rank = ctx.inType(0).shape.rank();
  int64_t axis = ctx.node().attrs.getInt("axis", 1);
  setAttr(ctx.add("Flatten", {ctx.in(0)}, ctx.out()), "axis", int64_t(normalized(axis, rank)));
  return Status::OK();
}

Status writeTranspose(ExportContext& ctx) {
  int rank = ctx.inType(0).shape.rank();
  std::vector<int64_t> reversed;
  for (int i = rank - 1; i >= 0; --i) reversed.push_back(i);
  std::vector<int64_t> perm = ctx.node().attrs.getInts("perm", reversed);
  setAttr(ctx.add("Transpose", {ctx.in(0)}, ctx.out()), "perm", perm);
  return Status::OK();
}

Status writeBroadcastTo(ExportContext& ctx) {
  // Expand broadcasts both ways: where the operand already holds N, 1 keeps
  // it; elsewhere N must be the run-time batch size.
  const auto& in = ctx.inType(0).shape.dims();
  std::vector<int64_t> dims = ctx.outType().shape.dims();
  size_t offset = dims.size() - in.size();
  for (size_t i = 0; i < dims.size(); ++i)
    if (dims[i] == kBatch && i >= offset && in[i - offset] == kBatch) dims[i] = 1;
  DLC_ASSIGN_OR_RETURN(std::string shape, ctx.shapeValue(dims, "shape"));
  ctx.add("Expand", {ctx.in(0), shape}, ctx.out());
  return Status::OK();
}

Status writeConcat(ExportContext& ctx) {
  std::vector<std::string> ins;
  for (int i = 0; i < ctx.numInputs(); ++i) ins.push_back(ctx.in(i));
  int rank = ctx.inType(0).shape.rank();
  int64_t axis = ctx.node().attrs.getInt("axis", 0);
  setAttr(ctx.add("Concat", ins, ctx.out()), "axis", int64_t(normalized(axis, rank)));
  return Status::OK();
}

Status writeSlice(ExportContext& ctx) {
  const ir::Attributes& attrs = ctx.node().attrs;
  std::vector<int64_t> starts = attrs.getInts("starts", {});
  std::vector<int64_t> ends = attrs.getInts("ends", {});
  std::vector<int64_t> defAxes;
  for (size_t i = 0; i < starts.size(); ++i) defAxes.push_back(int64_t(i));
  std::vector<int64_t> axes = attrs.getInts("axes", defAxes);
  std::vector<int64_t> steps = attrs.getInts("steps", std::vector<int64_t>(starts.size(), 1));
  ctx.add("Slice",
          {ctx.in(0), ctx.ints(starts, "starts"), ctx.ints(ends, "ends"), ctx.ints(axes, "axes"),
           ctx.ints(steps, "steps")},
          ctx.out());
  return Status::OK();
}

Status writePad(ExportContext& ctx) {
  // dlc's pads [b0..b(r-1), e0..e(r-1)] are ONNX's layout.
  std::vector<int64_t> pads = ctx.node().attrs.getInts("pads", {});
  double value = ctx.node().attrs.getFloat("value", 0.0);
  ::onnx::NodeProto* n = ctx.add(
      "Pad",
      {ctx.in(0), ctx.ints(pads, "pads"), ctx.scalar(ctx.inType(0).dtype, value, "value")},
      ctx.out());
  setAttr(n, "mode", std::string("constant"));
  return Status::OK();
}

Status writeGather(ExportContext& ctx) {
  int rank = ctx.inType(0).shape.rank();
  int axis = normalized(ctx.node().attrs.getInt("axis", 0), rank);
  std::string indices = ctx.in(1);
  if (ctx.node().inputs[1]->op != ir::OpKind::Constant) {
    // Run-time indices: a negative one adds the extent, then clamp into
    // [0, extent - 1] (ONNX's Gather would fail on an index out of range).
    int64_t extent = ctx.inType(0).shape.dim(axis);
    if (extent == kBatch)
      return ctx.error(StatusCode::kInvalidArgument, "gather along the batch axis N");
    DType t = ctx.inType(1).dtype;
    std::string zero = ctx.scalar(t, 0, "zero");
    std::string negative = ctx.tmp("negative");
    ctx.add("Less", {indices, zero}, negative);
    std::string wrapped = ctx.tmp("wrapped");
    ctx.add("Add", {indices, ctx.scalar(t, double(extent), "extent")}, wrapped);
    std::string adjusted = ctx.tmp("adjusted");
    ctx.add("Where", {negative, wrapped, indices}, adjusted);
    std::string clamped = ctx.tmp("clamped");
    ctx.add("Clip", {adjusted, zero, ctx.scalar(t, double(extent - 1), "last")}, clamped);
    indices = clamped;
  }
  setAttr(ctx.add("Gather", {ctx.in(0), indices}, ctx.out()), "axis", int64_t(axis));
  return Status::OK();
}

}  // namespace dlc::onnxfe::writers
