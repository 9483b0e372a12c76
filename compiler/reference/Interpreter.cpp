// The reference interpreter's driver: binds the batch symbol, validates
// inputs and operands against their declared types, evaluates the live nodes
// in order (freeing each value after its last use) and dispatches every op
// to its family's kernel file.
//
// It does not compute any op itself; see Elementwise.cpp, ShapeOps.cpp,
// Gather.cpp, Reductions.cpp, Normalization.cpp, Contraction.cpp and Pooling.cpp.
#include "compiler/reference/Interpreter.h"

#include <optional>
#include <unordered_map>
#include <unordered_set>

#include "compiler/reference/Kernels.h"

namespace dlc::ref {

using ir::DType;
using ir::Node;
using ir::OpKind;

Status checkResult(const OpContext& ctx, const Dims& computed, DType dtype) {
  if (computed != ctx.outDims || dtype != ctx.outDType)
    return internalError("the result is ", ir::dtypeName(dtype), dimsStr(computed),
                         " but the node's type says ", ctx.node.type.str(), " (",
                         ir::dtypeName(ctx.outDType), dimsStr(ctx.outDims), " at batch ",
                         ctx.batch, ")");
  return Status::OK();
}

Status unsupportedDType(const OpContext& ctx, DType dtype) {
  return unsupported(ir::opName(ctx.op()), " does not take ", ir::dtypeName(dtype));
}

namespace {

StatusOr<Tensor> dispatch(const OpContext& ctx) {
  switch (ctx.op()) {
    case OpKind::Input:
    case OpKind::Constant:
      return internalError("sources have no kernel");
    case OpKind::Neg:
    case OpKind::Abs:
    case OpKind::Exp:
    case OpKind::Log:
    case OpKind::Sqrt:
    case OpKind::Rsqrt:
    case OpKind::Reciprocal:
    case OpKind::Tanh:
    case OpKind::Sigmoid:
    case OpKind::Relu:
    case OpKind::LeakyRelu:
    case OpKind::Gelu:
    case OpKind::Erf:
    case OpKind::Floor:
    case OpKind::Ceil:
    case OpKind::Cast:
    case OpKind::Not:
    case OpKind::Add:
    case OpKind::Sub:
    case OpKind::Mul:
    case OpKind::Div:
    case OpKind::Pow:
    case OpKind::Maximum:
    case OpKind::Minimum:
    case OpKind::And:
    case OpKind::Or:
    case OpKind::Equal:
    case OpKind::NotEqual:
    case OpKind::Less:
    case OpKind::LessEqual:
    case OpKind::Greater:
    case OpKind::GreaterEqual:
    case OpKind::Select:
      return evalElementwise(ctx);
    case OpKind::Reshape:
    case OpKind::Flatten:
    case OpKind::Transpose:
    case OpKind::BroadcastTo:
    case OpKind::Concat:
    case OpKind::Slice:
    case OpKind::Pad:
      return evalShapeOp(ctx);
    case OpKind::Gather:
      return evalGather(ctx);
    case OpKind::ReduceSum:
    case OpKind::ReduceMean:
    case OpKind::ReduceMax:
    case OpKind::ReduceMin:
      return evalReduction(ctx);
    case OpKind::Softmax:
    case OpKind::LogSoftmax:
    case OpKind::LayerNorm:
    case OpKind::BatchNorm:
      return evalNormalization(ctx);
    case OpKind::MatMul:
    case OpKind::Dense:
    case OpKind::Conv2D:
      return evalContraction(ctx);
    case OpKind::MaxPool2D:
    case OpKind::AvgPool2D:
    case OpKind::GlobalAvgPool:
      return evalPool(ctx);
  }
  return internalError("unknown op kind ", int(ctx.op()));
}

// Checks `value` against `declared` and binds the batch symbol: if `batch`
// is set, N must equal it; otherwise the first N seen sets it.
Status bindAndCheck(const Tensor& value, const ir::TensorType& declared,
                    std::optional<int64_t>& batch, const std::string& what) {
  if (value.empty()) return invalidArgument(what, " has no data");
  const ir::Shape& shape = declared.shape;
  if (value.dtype() != declared.dtype || value.rank() != shape.rank())
    return invalidArgument(what, ": expected ", declared.str(), ", got ", value.type().str());
  for (int d = 0; d < shape.rank(); ++d) {
    int64_t actual = value.dims()[size_t(d)];
    if (shape.dim(d) == ir::kBatch) {
      if (batch && *batch != actual)
        return invalidArgument(what, ": expected ", declared.str(), " with N = ", *batch,
                               ", got ", value.type().str());
      batch = actual;
    } else if (shape.dim(d) != actual) {
      return invalidArgument(what, ": expected ", declared.str(), ", got ",
                             value.type().str());
    }
  }
  return Status::OK();
}

StatusOr<Tensor> evalWithBatch(const Node& node, const std::vector<const Tensor*>& operands,
                               std::optional<int64_t> batch) {
  if (node.op == OpKind::Input)
    return invalidArgument("a graph input has no value of its own");
  if (node.op == OpKind::Constant) {
    if (node.value.empty()) return invalidArgument("constant has no data");
    return node.value.clone();
  }
  const ir::OpInfo& info = ir::opInfo(node.op);
  if (operands.size() != node.inputs.size() || int(operands.size()) < info.minInputs ||
      int(operands.size()) > info.maxInputs)
    return invalidArgument("got ", operands.size(), " operands for ", node.inputs.size(),
                           " inputs; ", info.name, " takes ", info.minInputs, " to ",
                           info.maxInputs);
  for (size_t i = 0; i < operands.size(); ++i) {
    if (!operands[i]) return invalidArgument("operand ", i, " is missing");
    DLC_RETURN_IF_ERROR(bindAndCheck(*operands[i], node.inputs[i]->type, batch,
                                     strCat("operand ", i, " (\"", node.inputs[i]->name, "\")")));
  }
  if (!batch && node.type.shape.hasBatch())
    return invalidArgument("its type ", node.type.str(),
                           " holds N but no operand binds the batch size");
  OpContext ctx{node, operands, batch.value_or(1), node.type.shape.bind(batch.value_or(1)),
                node.type.dtype};
  return dispatch(ctx);
}

}  // namespace

StatusOr<Tensor> evaluateNode(const Node& node, const std::vector<const Tensor*>& operands) {
  StatusOr<Tensor> result = evalWithBatch(node, operands, std::nullopt);
  if (!result.ok()) return result.status().withContext(node.describe());
  return result;
}

StatusOr<std::vector<Tensor>> evaluate(const ir::Graph& graph,
                                       const std::vector<Tensor>& inputs) {
  std::string where = graph.sourceFile.empty() ? graph.name : graph.sourceFile;
  const std::vector<Node*>& declared = graph.inputs();
  if (inputs.size() != declared.size())
    return invalidArgument(where, ": expected ", declared.size(), " inputs, got ",
                           inputs.size());

  // Bind N from the inputs, then check every input against its type.
  std::optional<int64_t> batch;
  for (size_t i = 0; i < inputs.size(); ++i)
    DLC_RETURN_IF_ERROR(bindAndCheck(inputs[i], declared[i]->type, batch,
                                     strCat(where, ": input \"", declared[i]->name, "\"")));

  std::unordered_set<const Node*> live = graph.liveNodes();
  std::unordered_map<const Node*, size_t> lastUse;
  for (size_t i = 0; i < graph.nodes().size(); ++i) {
    const Node* n = graph.nodes()[i].get();
    if (live.count(n))
      for (const Node* in : n->inputs) lastUse[in] = i;
  }

  std::unordered_map<const Node*, Tensor> values;
  for (size_t i = 0; i < inputs.size(); ++i) values[declared[i]] = inputs[i];
  for (size_t i = 0; i < graph.nodes().size(); ++i) {
    const Node& node = *graph.nodes()[i];
    if (!live.count(&node) || node.op == OpKind::Input) continue;
    std::vector<const Tensor*> operands;
    for (const Node* in : node.inputs) {
      auto it = values.find(in);
      if (it == values.end())
        return invalidArgument(where, ": ", node.describe(), ": operand \"", in->name,
                               "\" has no value before it (the graph is not topologically "
                               "sorted or the operand is not in the graph)");
      operands.push_back(&it->second);
    }
    StatusOr<Tensor> result = evalWithBatch(node, operands, batch);
    if (!result.ok()) return result.status().withContext(strCat(where, ": ", node.describe()));
    for (const Node* in : node.inputs)
      if (lastUse[in] == i && !graph.isOutput(in)) values.erase(in);
    values[&node] = std::move(result).value();
  }

  std::vector<Tensor> outputs;
  std::unordered_set<const Node*> emitted;
  for (const Node* out : graph.outputs()) {
    auto it = values.find(out);
    if (it == values.end())
      return invalidArgument(where, ": output \"", out->name, "\" is not in the graph");
    // Graph inputs (and repeated outputs) must not share storage with the
    // caller's tensors or each other.
    bool fresh = out->op != OpKind::Input && emitted.insert(out).second;
    outputs.push_back(fresh ? it->second : it->second.clone());
  }
  return outputs;
}

}  // namespace dlc::ref
