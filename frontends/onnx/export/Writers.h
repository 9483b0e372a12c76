// How each dlc op is written in ONNX: the writer interface and its table.
//
// A writer turns one dlc node into one or a few ONNX nodes through an
// ExportContext (rsqrt is Reciprocal(Sqrt), matmul with transpose_b is
// Transpose + MatMul, ...). The writer table (WriterTable.cpp) is the single
// list, keyed by ir::OpKind, of how every op of ir/Ops.def is exported; the
// writers live in export/ops/*.cpp, grouped like the importer's converters.
// docs/onnx-export.md lists the encodings.
//
// What this deliberately does not do: write graph inputs and constants (the
// driver makes them graph inputs and initializers).
#pragma once

#include "frontends/onnx/export/ExportContext.h"
#include "ir/Op.h"

namespace dlc::onnxfe {

using Writer = Status (*)(ExportContext& ctx);

// The writer of `op`, or nullptr (input and constant have none).
Writer findWriter(ir::OpKind op);

namespace writers {

// Elementwise (ops/Elementwise.cpp).
Status unaryOp(ExportContext& ctx);   // Ops whose ONNX op has the same meaning
Status binaryOp(ExportContext& ctx);  // ditto, two operands
Status writeRsqrt(ExportContext& ctx);
Status writeLeakyRelu(ExportContext& ctx);
Status writeGelu(ExportContext& ctx);
Status writeCast(ExportContext& ctx);
Status writeDiv(ExportContext& ctx);
Status writeComparison(ExportContext& ctx);
Status writeSelect(ExportContext& ctx);
// Shape ops (ops/ShapeOps.cpp).
Status writeReshape(ExportContext& ctx);
Status writeFlatten(ExportContext& ctx);
Status writeTranspose(ExportContext& ctx);
Status writeBroadcastTo(ExportContext& ctx);
Status writeConcat(ExportContext& ctx);
Status writeSlice(ExportContext& ctx);
Status writePad(ExportContext& ctx);
Status writeGather(ExportContext& ctx);
// Reductions and row ops (ops/Normalization.cpp).
Status writeReduce(ExportContext& ctx);
Status writeSoftmax(ExportContext& ctx);
Status writeLayerNorm(ExportContext& ctx);
Status writeBatchNorm(ExportContext& ctx);
// Contractions and pooling (ops/Contraction.cpp).
Status writeMatMul(ExportContext& ctx);
Status writeDense(ExportContext& ctx);
Status writeConv2D(ExportContext& ctx);
Status writePool(ExportContext& ctx);
Status writeGlobalAvgPool(ExportContext& ctx);

// The ONNX op type unaryOp/binaryOp/writeComparison/writeReduce/writePool
// write for `op` ("" for the others).
const char* onnxOpType(ir::OpKind op);

}  // namespace writers
}  // namespace dlc::onnxfe
