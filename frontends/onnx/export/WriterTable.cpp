// The writer table: the single list, keyed by ir::OpKind, of how every op of
// ir/Ops.def is written in ONNX (the inverse of the importer's converter
// table, frontends/onnx/ConverterTable.cpp). Ops that map onto one ONNX op
// of the same meaning name it here and share unaryOp/binaryOp; the others
// have their own writer in ops/*.cpp.
//
// What this deliberately does not do: input and constant have no writer
// (the driver makes graph inputs and initializers of them).

#include "frontends/onnx/export/Writers.h"

namespace dlc::onnxfe {

namespace {

using ir::OpKind;
namespace w = writers;

struct Entry {
  OpKind op;
  const char* onnxOp;  // the one ONNX op it becomes, "" when composite
  Writer writer;
};

const std::vector<Entry>& table() {
  static const std::vector<Entry> kTable = {
      // Elementwise unary.
      {OpKind::Neg, "Neg", w::unaryOp},
      {OpKind::Abs, "Abs", w::unaryOp},
      {OpKind::Exp, "Exp", w::unaryOp},
      {OpKind::Log, "Log", w::unaryOp},
      {OpKind::Sqrt, "Sqrt", w::unaryOp},
      {OpKind::Rsqrt, "", w::writeRsqrt},
      {OpKind::Reciprocal, "Reciprocal", w::unaryOp},
      {OpKind::Tanh, "Tanh", w::unaryOp},
      {OpKind::Sigmoid, "Sigmoid", w::unaryOp},
      {OpKind::Relu, "Relu", w::unaryOp},
      {OpKind::LeakyRelu, "LeakyRelu", w::writeLeakyRelu},
      {OpKind::Gelu, "", w::writeGelu},
      {OpKind::Erf, "Erf", w::unaryOp},
      {OpKind::Floor, "Floor", w::unaryOp},
      {OpKind::Ceil, "Ceil", w::unaryOp},
      {OpKind::Cast, "", w::writeCast},
      {OpKind::Not, "Not", w::unaryOp},
      // Elementwise binary.
      {OpKind::Add, "Add", w::binaryOp},
      {OpKind::Sub, "Sub", w::binaryOp},
      {OpKind::Mul, "Mul", w::binaryOp},
      {OpKind::Div, "Div", w::writeDiv},
      {OpKind::Pow, "Pow", w::binaryOp},
      {OpKind::Maximum, "Max", w::binaryOp},
      {OpKind::Minimum, "Min", w::binaryOp},
      {OpKind::And, "And", w::binaryOp},
      {OpKind::Or, "Or", w::binaryOp},
      // Comparisons (not_equal is Not(Equal)).
      {OpKind::Equal, "Equal", w::writeComparison},
      {OpKind::NotEqual, "Equal", w::writeComparison},
      {OpKind::Less, "Less", w::writeComparison},
      {OpKind::LessEqual, "LessOrEqual", w::writeComparison},
      {OpKind::Greater, "Greater", w::writeComparison},
      {OpKind::GreaterEqual, "GreaterOrEqual", w::writeComparison},
      {OpKind::Select, "Where", w::writeSelect},
      // Shape ops.
      {OpKind::Reshape, "Reshape", w::writeReshape},
      {OpKind::Flatten, "Flatten", w::writeFlatten},
      {OpKind::Transpose, "Transpose", w::writeTranspose},
      {OpKind::BroadcastTo, "Expand", w::writeBroadcastTo},
      {OpKind::Concat, "Concat", w::writeConcat},
      {OpKind::Slice, "Slice", w::writeSlice},
      {OpKind::Pad, "Pad", w::writePad},
      {OpKind::Gather, "Gather", w::writeGather},
      // Reductions.
      {OpKind::ReduceSum, "ReduceSum", w::writeReduce},
      {OpKind::ReduceMean, "ReduceMean", w::writeReduce},
      {OpKind::ReduceMax, "ReduceMax", w::writeReduce},
      {OpKind::ReduceMin, "ReduceMin", w::writeReduce},
      // Rows and normalisations.
      {OpKind::Softmax, "Softmax", w::writeSoftmax},
      {OpKind::LogSoftmax, "LogSoftmax", w::writeSoftmax},
      {OpKind::LayerNorm, "LayerNormalization", w::writeLayerNorm},
      {OpKind::BatchNorm, "BatchNormalization", w::writeBatchNorm},
      // Contractions.
      {OpKind::MatMul, "MatMul", w::writeMatMul},
      {OpKind::Dense, "", w::writeDense},
      {OpKind::Conv2D, "Conv", w::writeConv2D},
      // Pooling.
      {OpKind::MaxPool2D, "MaxPool", w::writePool},
      {OpKind::AvgPool2D, "AveragePool", w::writePool},
      {OpKind::GlobalAvgPool, "GlobalAveragePool", w::writeGlobalAvgPool},
  };
  return kTable;
}

const Entry* findEntry(OpKind op) {
  for (const Entry& e : table())
    if (e.op == op) return &e;
  return nullptr;
}

}  // namespace

Writer findWriter(OpKind op) {
  const Entry* e = findEntry(op);
  return e ? e->writer : nullptr;
}

const char* writers::onnxOpType(OpKind op) {
  const Entry* e = findEntry(op);
  return e ? e->onnxOp : "";
}

}  // namespace dlc::onnxfe
