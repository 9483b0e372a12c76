// The converter table: the single list of ONNX op types dlc imports, each
// with the function that converts it (frontends/onnx/ops/*.cpp).
// docs/onnx-support.md lists these (supportedOpTypes()) next to the results
// of ONNX's backend node tests (tests/onnx_node).
//
// What this deliberately does not do: Constant, ConstantOfShape and Shape
// are handled by the import driver itself (they make constants and shape
// values, not IR nodes); they are listed here only as supported types.
#include <algorithm>
#include <utility>

#include "frontends/onnx/Converter.h"
#include "frontends/onnx/ops/Converters.h"

namespace dlc::onnxfe {

namespace {

using ir::OpKind;
using ops::binary;
using ops::reduce;
using ops::unary;
using Entry = std::pair<std::string_view, Converter>;

#define UNARY(Name, Kind)                                         \
  {                                                               \
    Name, [](ImportContext& c) { return unary(c, OpKind::Kind); } \
  }
#define BINARY(Name, Kind)                                         \
  {                                                                \
    Name, [](ImportContext& c) { return binary(c, OpKind::Kind); } \
  }
#define VARIADIC(Name, Kind)                                              \
  {                                                                       \
    Name, [](ImportContext& c) { return ops::variadic(c, OpKind::Kind); } \
  }
#define REDUCE(Name)                                       \
  {                                                        \
    Name, [](ImportContext& c) { return reduce(c, Name); } \
  }

// The driver converts these itself; the table lists them as supported.
Status handledByDriver(ImportContext& ctx) {
  return ctx.error(StatusCode::kInternal, "is handled by the import driver");
}

const std::vector<Entry>& table() {
  static const std::vector<Entry> kTable = {
      // Elementwise unary.
      UNARY("Abs", Abs),
      UNARY("Ceil", Ceil),
      UNARY("Erf", Erf),
      UNARY("Exp", Exp),
      UNARY("Floor", Floor),
      UNARY("Log", Log),
      UNARY("Neg", Neg),
      UNARY("Not", Not),
      UNARY("Reciprocal", Reciprocal),
      UNARY("Relu", Relu),
      UNARY("Sigmoid", Sigmoid),
      UNARY("Sqrt", Sqrt),
      UNARY("Tanh", Tanh),
      {"Sign", ops::convertSign},
      {"IsNaN", ops::convertIsNaN},
      {"IsInf", ops::convertIsInf},
      // Elementwise binary and comparisons.
      BINARY("Add", Add),
      BINARY("Sub", Sub),
      BINARY("Mul", Mul),
      BINARY("Div", Div),
      BINARY("And", And),
      BINARY("Or", Or),
      BINARY("Equal", Equal),
      BINARY("Less", Less),
      BINARY("LessOrEqual", LessEqual),
      BINARY("Greater", Greater),
      BINARY("GreaterOrEqual", GreaterEqual),
      {"Xor", ops::convertXor},
      {"Pow", ops::convertPow},
      {"Mod", ops::convertMod},
      {"Where", ops::convertWhere},
      VARIADIC("Sum", Add),
      VARIADIC("Max", Maximum),
      VARIADIC("Min", Minimum),
      {"Mean", ops::convertMean},
      {"Cast", ops::convertCast},
      {"CastLike", ops::convertCastLike},
      {"Clip", ops::convertClip},
      {"Identity", ops::convertIdentity},
      {"Dropout", ops::convertDropout},
      // Activations.
      {"LeakyRelu", ops::convertLeakyRelu},
      {"Gelu", ops::convertGelu},
      {"HardSigmoid", ops::convertHardSigmoid},
      {"HardSwish", ops::convertHardSwish},
      {"Softplus", ops::convertSoftplus},
      {"Softsign", ops::convertSoftsign},
      {"Elu", ops::convertElu},
      {"Selu", ops::convertSelu},
      {"Celu", ops::convertCelu},
      {"PRelu", ops::convertPRelu},
      {"ThresholdedRelu", ops::convertThresholdedRelu},
      {"Mish", ops::convertMish},
      {"Shrink", ops::convertShrink},
      {"Softmax", ops::convertSoftmax},
      {"LogSoftmax", ops::convertLogSoftmax},
      // Contractions.
      {"MatMul", ops::convertMatMul},
      {"Gemm", ops::convertGemm},
      {"Conv", ops::convertConv},
      // Pooling and normalisation.
      {"MaxPool", ops::convertMaxPool},
      {"AveragePool", ops::convertAveragePool},
      {"GlobalAveragePool", ops::convertGlobalAveragePool},
      {"GlobalMaxPool", ops::convertGlobalMaxPool},
      {"BatchNormalization", ops::convertBatchNormalization},
      {"LayerNormalization", ops::convertLayerNormalization},
      {"InstanceNormalization", ops::convertInstanceNormalization},
      {"MeanVarianceNormalization", ops::convertMeanVarianceNormalization},
      // Shape ops.
      {"Reshape", ops::convertReshape},
      {"Flatten", ops::convertFlatten},
      {"Transpose", ops::convertTranspose},
      {"Concat", ops::convertConcat},
      {"Slice", ops::convertSlice},
      {"Pad", ops::convertPad},
      {"Squeeze", ops::convertSqueeze},
      {"Unsqueeze", ops::convertUnsqueeze},
      {"Expand", ops::convertExpand},
      // Reductions.
      REDUCE("ReduceSum"),
      REDUCE("ReduceMean"),
      REDUCE("ReduceMax"),
      REDUCE("ReduceMin"),
      REDUCE("ReduceL1"),
      REDUCE("ReduceL2"),
      REDUCE("ReduceLogSum"),
      REDUCE("ReduceLogSumExp"),
      REDUCE("ReduceSumSquare"),
      // Indexing and data movement.
      {"Gather", ops::convertGather},
      {"Split", ops::convertSplit},
      {"Tile", ops::convertTile},
      {"Range", ops::convertRange},
      {"DepthToSpace", ops::convertDepthToSpace},
      {"SpaceToDepth", ops::convertSpaceToDepth},
      {"EyeLike", ops::convertEyeLike},
      {"ArgMax", ops::convertArgMax},
      {"ArgMin", ops::convertArgMin},
      {"Hardmax", ops::convertHardmax},
      {"OneHot", ops::convertOneHot},
      {"Trilu", ops::convertTrilu},
      {"CumSum", ops::convertCumSum},
      {"Size", ops::convertSize},
      // Losses.
      {"NegativeLogLikelihoodLoss", ops::convertNegativeLogLikelihoodLoss},
      {"SoftmaxCrossEntropyLoss", ops::convertSoftmaxCrossEntropyLoss},
      // Handled by the driver.
      {"Constant", handledByDriver},
      {"ConstantOfShape", handledByDriver},
      {"Shape", handledByDriver},
  };
  return kTable;
}

}  // namespace

Converter findConverter(std::string_view opType) {
  for (const Entry& e : table())
    if (e.first == opType) return e.second;
  return nullptr;
}

std::vector<std::string> supportedOpTypes() {
  std::vector<std::string> names;
  for (const Entry& e : table()) names.emplace_back(e.first);
  std::sort(names.begin(), names.end());
  return names;
}

}  // namespace dlc::onnxfe
