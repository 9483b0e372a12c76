// Constant, ConstantOfShape, Shape and shape-value propagation, converted by
// the import driver itself (see BuiltinOps.h).
#include "frontends/onnx/BuiltinOps.h"

#include <algorithm>
#include <cstring>
#include <set>

#include "frontends/onnx/OnnxTensor.h"
#include "passes/ConstantFold.h"

namespace dlc::onnxfe {

namespace {

template <typename T>
StatusOr<T> prefixed(NodeContext& ctx, StatusOr<T> r) {
  if (!r.ok()) return ctx.withNode(r.status());
  return r;
}

StatusOr<Tensor> constantValue(NodeContext& ctx) {
  // ONNX: exactly one of the value attributes is set.
  int given = 0;
  for (const char* name : {"value", "value_float", "value_int", "value_floats", "value_ints",
                           "sparse_value", "value_string", "value_strings"})
    given += ctx.hasAttr(name) ? 1 : 0;
  if (given > 1)
    return ctx.error(StatusCode::kInvalidArgument,
                     strCat("has ", given, " value attributes; exactly one is allowed"));
  if (ctx.hasAttr("value")) return ctx.attrTensor("value");
  if (ctx.hasAttr("value_float")) {
    DLC_ASSIGN_OR_RETURN(float v, ctx.attrFloat("value_float", 0.0f));
    Tensor t(ir::DType::F32, {});
    t.as<float>()[0] = v;
    return t;
  }
  if (ctx.hasAttr("value_int")) {
    DLC_ASSIGN_OR_RETURN(int64_t v, ctx.attrInt("value_int", 0));
    Tensor t(ir::DType::I64, {});
    t.as<int64_t>()[0] = v;
    return t;
  }
  if (ctx.hasAttr("value_floats")) {
    DLC_ASSIGN_OR_RETURN(std::vector<float> v, ctx.attrFloats("value_floats", {}));
    Tensor t(ir::DType::F32, {int64_t(v.size())});
    std::copy(v.begin(), v.end(), t.as<float>());
    return t;
  }
  if (ctx.hasAttr("value_ints")) {
    DLC_ASSIGN_OR_RETURN(std::vector<int64_t> v, ctx.attrInts("value_ints", {}));
    Tensor t(ir::DType::I64, {int64_t(v.size())});
    std::copy(v.begin(), v.end(), t.as<int64_t>());
    return t;
  }
  for (const char* name : {"sparse_value", "value_string", "value_strings"})
    if (ctx.hasAttr(name))
      return ctx.error(StatusCode::kUnsupported,
                       strCat("attribute \"", name, "\" is not supported"));
  return ctx.error(StatusCode::kInvalidArgument, "has no value attribute");
}

Status convertConstant(NodeContext& ctx) {
  DLC_ASSIGN_OR_RETURN(Tensor value, constantValue(ctx));
  return ctx.setOutput(0, ctx.constant(std::move(value), ""));
}

Status convertShape(NodeContext& ctx) {
  const OnnxValue* v = ctx.value(0);
  if (!v) return ctx.error(StatusCode::kInvalidArgument, "needs an input");
  DLC_ASSIGN_OR_RETURN(int64_t start, ctx.attrInt("start", 0));
  DLC_ASSIGN_OR_RETURN(int64_t end, ctx.attrInt("end", 0));
  ir::Shape shape;
  if (v->node)
    shape = v->node->type.shape;
  else if (!v->shape->scalar)
    shape = ir::Shape({int64_t(v->shape->entries.size())});
  return ctx.setShapeOutput(0, shapeOf(shape, start, end, /*hasEnd=*/ctx.hasAttr("end")));
}

Status convertConstantOfShape(NodeContext& ctx) {
  DLC_ASSIGN_OR_RETURN(std::vector<int64_t> dims, ctx.shapeInput(0));
  Tensor value(ir::DType::F32, {});
  if (ctx.hasAttr("value")) {
    DLC_ASSIGN_OR_RETURN(value, ctx.attrTensor("value"));
    if (value.numElements() != 1)
      return ctx.error(StatusCode::kInvalidArgument,
                       strCat("value must hold one element, got ", value.type().str()));
    value = value.reshaped({});
  }
  const OnnxValue* in = ctx.value(0);
  bool symbolic = in && in->shape && in->shape->hasBatch();
  for (int64_t d : dims)
    if (d < 0 && !(symbolic && d == ir::kBatch))
      return ctx.error(StatusCode::kInvalidArgument,
                       strCat("shape has the negative extent ", d));
  ir::Shape shape(dims);
  Status valid = ir::validateShape(shape);
  if (!valid.ok()) return ctx.withNode(valid);
  if (!symbolic && shape.numElements() <= passes::kMaxFoldedElements) {
    DLC_ASSIGN_OR_RETURN(Tensor filled, prefixed(ctx, Tensor::create(value.dtype(), dims)));
    size_t size = ir::dtypeSize(value.dtype());
    for (int64_t i = 0; i < filled.numElements(); ++i)
      std::memcpy(static_cast<uint8_t*>(filled.data()) + size_t(i) * size, value.data(), size);
    return ctx.setOutput(0, ctx.constant(std::move(filled), ""));
  }
  // N, or too large to store: broadcast the scalar at run time.
  ir::Attributes attrs;
  attrs.set("shape", dims);
  DLC_ASSIGN_OR_RETURN(ir::Node * out,
                       ctx.emit(ir::OpKind::BroadcastTo, {ctx.constant(value, "value")},
                                std::move(attrs), ""));
  return ctx.setOutput(0, out);
}

// Input i as a shape value, or kUnsupported.
StatusOr<ShapeValue> need(NodeContext& ctx, int i) {
  std::optional<ShapeValue> v = ctx.shapeValueInput(i);
  if (!v)
    return ctx.error(StatusCode::kUnsupported,
                     strCat("input ", i, " \"", ctx.inputName(i),
                            "\" is neither a constant nor a shape value"));
  return std::move(*v);
}

Status checkAxisZero(NodeContext& ctx) {
  DLC_ASSIGN_OR_RETURN(int64_t axis, ctx.attrInt("axis", 0));
  if (axis != 0 && axis != -1)
    return ctx.error(StatusCode::kUnsupported,
                     strCat("axis ", axis, " on a 1-D shape value"));
  return Status::OK();
}

// Axes of Squeeze/Unsqueeze: an input from opset 13, an attribute before.
StatusOr<std::vector<int64_t>> squeezeAxes(NodeContext& ctx) {
  if (ctx.opset() >= 13) {
    if (!ctx.hasInput(1)) return std::vector<int64_t>{};
    return ctx.intsInput(1);
  }
  return ctx.attrInts("axes", {});
}

StatusOr<ShapeValue> computeShapeOp(NodeContext& ctx) {
  const std::string& op = ctx.opType();
  if (op == "Identity") return need(ctx, 0);
  DLC_ASSIGN_OR_RETURN(ShapeValue a, need(ctx, 0));
  if (op == "Cast") {
    if (!ctx.hasAttr("to")) return ctx.error(StatusCode::kInvalidArgument, "needs \"to\"");
    DLC_ASSIGN_OR_RETURN(int64_t to, ctx.attrInt("to", 0));
    DLC_ASSIGN_OR_RETURN(ir::DType dtype,
                         prefixed(ctx, dtypeFromOnnx(int32_t(to), "attribute \"to\"")));
    return prefixed(ctx, castShape(a, dtype));
  }
  if (op == "Gather") {
    DLC_RETURN_IF_ERROR(checkAxisZero(ctx));
    DLC_ASSIGN_OR_RETURN(ShapeValue indices, need(ctx, 1));
    return prefixed(ctx, gatherShape(a, indices));
  }
  if (op == "Concat") {
    DLC_RETURN_IF_ERROR(checkAxisZero(ctx));
    std::vector<ShapeValue> parts{a};
    for (int i = 1; i < ctx.numInputs(); ++i) {
      DLC_ASSIGN_OR_RETURN(ShapeValue p, need(ctx, i));
      parts.push_back(std::move(p));
    }
    return prefixed(ctx, concatShapes(parts));
  }
  if (op == "Unsqueeze" || op == "Squeeze") {
    DLC_ASSIGN_OR_RETURN(std::vector<int64_t> axes, squeezeAxes(ctx));
    return prefixed(ctx, op == "Squeeze" ? squeezeShape(a, axes) : unsqueezeShape(a, axes));
  }
  if (op == "Slice") {
    DLC_ASSIGN_OR_RETURN(std::vector<int64_t> starts, ctx.intsInput(1));
    DLC_ASSIGN_OR_RETURN(std::vector<int64_t> ends, ctx.intsInput(2));
    std::vector<int64_t> axes, steps;
    if (ctx.hasInput(3)) {
      DLC_ASSIGN_OR_RETURN(axes, ctx.intsInput(3));
    }
    if (ctx.hasInput(4)) {
      DLC_ASSIGN_OR_RETURN(steps, ctx.intsInput(4));
    }
    return prefixed(ctx, sliceShape(a, starts, ends, axes, steps));
  }
  DLC_ASSIGN_OR_RETURN(ShapeValue b, need(ctx, 1));
  ShapeArith arith = op == "Add"   ? ShapeArith::kAdd
                     : op == "Sub" ? ShapeArith::kSub
                     : op == "Mul" ? ShapeArith::kMul
                                   : ShapeArith::kDiv;
  return prefixed(ctx, arithShape(arith, a, b));
}

}  // namespace

bool isBuiltinOp(std::string_view opType) {
  return opType == "Constant" || opType == "ConstantOfShape" || opType == "Shape";
}

StatusOr<bool> convertBuiltin(NodeContext& ctx) {
  const std::string& op = ctx.opType();
  if (op == "Constant") {
    DLC_RETURN_IF_ERROR(convertConstant(ctx));
    return true;
  }
  if (op == "Shape") {
    DLC_RETURN_IF_ERROR(convertShape(ctx));
    return true;
  }
  if (op == "ConstantOfShape") {
    DLC_RETURN_IF_ERROR(convertConstantOfShape(ctx));
    return true;
  }
  static const std::set<std::string, std::less<>> kShapeOps = {
      "Gather", "Concat", "Unsqueeze", "Squeeze", "Slice", "Cast",
      "Identity", "Add", "Sub", "Mul", "Div"};
  if (!kShapeOps.count(op)) return false;
  bool tracked = false, holdsN = false;
  for (int i = 0; i < ctx.numInputs(); ++i) {
    const OnnxValue* v = ctx.value(i);
    if (v && v->shape) {
      tracked = true;
      holdsN = holdsN || v->shape->hasBatch();
    }
  }
  if (!tracked) return false;
  auto result = computeShapeOp(ctx);
  if (!result.ok()) {
    if (!holdsN && result.status().code() == StatusCode::kUnsupported) return false;
    return result.status();
  }
  DLC_RETURN_IF_ERROR(ctx.setShapeOutput(0, *result));
  return true;
}

}  // namespace dlc::onnxfe
