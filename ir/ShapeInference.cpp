// Shape and type inference: the driver (arity, dispatch, error context,
// result validation) and the elementwise rules (unary, binary with NumPy
// broadcasting, comparisons, select, cast).
//
// Shape ops live in ShapeInferenceShapeOps.cpp; reductions, rows,
// contractions and pools in ShapeInferenceNN.cpp. This file does not store
// types except through inferNodeType/inferTypes, and never guesses: a
// mismatch is an error naming the operand or attribute and the shapes.
#include "ir/ShapeInference.h"

#include <unordered_set>

#include "ir/ShapeInferenceInternal.h"

namespace dlc::ir {

using namespace infer;

namespace {

Status checkArity(const Node& node) {
  const OpInfo& info = opInfo(node.op);
  int n = int(node.inputs.size());
  if (n < info.minInputs || n > info.maxInputs) {
    std::string expected = info.minInputs == info.maxInputs
                               ? strCat(info.minInputs)
                               : strCat(info.minInputs, " to ", info.maxInputs);
    return invalidArgument(info.name, " expects ", expected, " operand",
                           info.maxInputs == 1 ? "" : "s", ", got ", n);
  }
  for (size_t i = 0; i < node.inputs.size(); ++i)
    if (!node.inputs[i]) return invalidArgument(info.name, " operand ", i, " is null");
  return Status::OK();
}

StatusOr<TensorType> inferUnary(const Node& node) {
  DLC_RETURN_IF_ERROR(checkDType(node, 0, elementDTypeClass(node.op)));
  TensorType out = operandType(node, 0);
  if (node.op == OpKind::LeakyRelu) {
    DLC_RETURN_IF_ERROR(floatAttr(node, "alpha", 0.01).status());
  } else if (node.op == OpKind::Gelu) {
    auto approx = stringAttr(node, "approximate", "none");
    if (!approx.ok()) return approx.status();
    if (*approx != "none" && *approx != "tanh")
      return invalidArgument("gelu attribute 'approximate' must be \"none\" or \"tanh\", got \"",
                             *approx, "\"");
  } else if (node.op == OpKind::Cast) {
    if (!node.attrs.has("to")) return invalidArgument("cast requires attribute 'to'");
    DLC_ASSIGN_OR_RETURN(std::string to, stringAttr(node, "to", ""));
    std::optional<DType> dtype = parseDType(to);
    if (!dtype) return invalidArgument("cast attribute 'to' names no dtype: \"", to, "\"");
    out.dtype = *dtype;
  }
  return out;
}

// Broadcasts operands [first, n) into one shape, naming them on failure.
StatusOr<Shape> broadcastOperands(const Node& node, size_t first) {
  Shape shape = operandType(node, first).shape;
  for (size_t i = first + 1; i < node.inputs.size(); ++i) {
    auto b = broadcastShapes(shape, operandType(node, i).shape);
    if (!b.ok()) {
      std::string names, shapes;
      for (size_t j = first; j <= i; ++j) {
        names += (j > first ? ", " : "") + operandName(node, j);
        shapes += (j > first ? " and " : "") + operandType(node, j).shape.str();
      }
      return invalidArgument(op(node), " cannot broadcast ", names, ": ", shapes,
                             " (N broadcasts only with N or 1)");
    }
    shape = *b;
  }
  return shape;
}

StatusOr<TensorType> inferBinary(const Node& node) {
  DLC_RETURN_IF_ERROR(checkSameDType(node, 0, 2));
  DLC_RETURN_IF_ERROR(checkDType(node, 0, elementDTypeClass(node.op)));
  DLC_ASSIGN_OR_RETURN(Shape shape, broadcastOperands(node, 0));
  DType dtype = isComparison(node.op) ? DType::Bool : operandType(node, 0).dtype;
  return TensorType{dtype, shape};
}

StatusOr<TensorType> inferSelect(const Node& node) {
  DLC_RETURN_IF_ERROR(checkDType(node, 0, DTypeClass::Bool));
  DLC_RETURN_IF_ERROR(checkSameDType(node, 1, 3));
  DLC_ASSIGN_OR_RETURN(Shape shape, broadcastOperands(node, 0));
  return TensorType{operandType(node, 1).dtype, shape};
}

StatusOr<TensorType> inferSource(const Node& node) {
  if (node.op == OpKind::Input) return node.type;
  if (node.value.empty()) return invalidArgument("constant has no data");
  return node.value.type();
}

StatusOr<TensorType> dispatch(const Node& node) {
  OpKind k = node.op;
  if (isSource(k)) return inferSource(node);
  if (k == OpKind::Select) return inferSelect(node);
  if (k == OpKind::BatchNorm || isReduction(k) || isRowOp(k)) return inferReduceOrRow(node);
  if (isElementwise(k))
    return opInfo(k).maxInputs == 1 ? inferUnary(node) : inferBinary(node);
  if (isIndexRemap(k)) return inferShapeOp(node);
  if (isContraction(k)) return inferContraction(node);
  if (isPool(k)) return inferPool(node);
  return internalError("no shape rule for op ", opName(k));
}

}  // namespace

StatusOr<TensorType> inferType(const Node& node) {
  DLC_RETURN_IF_ERROR(checkArity(node));
  DLC_ASSIGN_OR_RETURN(TensorType type, dispatch(node));
  Status valid = validateShape(type.shape);
  if (!valid.ok())
    return Status(valid.code(), strCat(opName(node.op), " result ", type.str(), ": ",
                                       valid.message()));
  return type;
}

Status inferNodeType(Node& node) {
  auto type = inferType(node);
  if (!type.ok()) return type.status().withContext(node.describe());
  node.type = *type;
  return Status::OK();
}

Status inferTypes(Graph& graph) {
  std::unordered_set<const Node*> seen;
  for (const auto& n : graph.nodes()) {
    Status st = Status::OK();
    for (const Node* in : n->inputs)
      if (in && !seen.count(in)) {
        st = invalidArgument(n->describe(), ": operand \"", in->name,
                             "\" is not defined before its use (graph not in topological order)");
        break;
      }
    if (st.ok() && !isSource(n->op)) st = inferNodeType(*n);
    if (!st.ok()) return graph.sourceFile.empty() ? st : st.withContext(graph.sourceFile);
    seen.insert(n.get());
  }
  return Status::OK();
}

}  // namespace dlc::ir
