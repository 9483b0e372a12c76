// The CUDA C++ text of every elementwise op on already-computed operands:
// the counterpart of the CPU backend's ElementOps (compiler/backends/cpu/
// ElementOps.h), with the same semantics (docs/ops.md, the reference
// interpreter): floats compute in float with the accurate CUDA math
// functions (expf, tanhf, erff, ...; f16/bf16 results rounded to their dtype
// after every op), integers wrap (arithmetic through the unsigned type),
// integer division never traps, maximum/minimum/relu propagate NaN, float ->
// integer casts saturate with NaN -> 0. The helpers it calls (dlc_max,
// dlc_div, dlc_f2i32, ...) are in the prelude (Prelude.h).
//
// It also spells dtypes (compute and storage C types), literals, loads and
// stores. Indexing and broadcasting are ElementRenderer's job, not this
// file's.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "ir/Graph.h"
#include "support/Status.h"

namespace dlc::cuda {

// Whether `node` (an elementwise op) has a lowering for its dtypes.
Status checkElementwiseOp(const ir::Node& node);

// The expression of `node`'s op on `operands` (one C expression per input,
// in compute types). Float results of f16/bf16 nodes are rounded.
std::string elementwiseExpr(const ir::Node& node, const std::vector<std::string>& operands);

// "float" for f32/f16/bf16, "int", "long long", "unsigned char", "bool".
std::string computeTypeName(ir::DType dtype);
// "float", "__half", "__nv_bfloat16", "int", "long long", "unsigned char"
// (u8 and bool: bool is stored as one byte 0/1).
std::string storageTypeName(ir::DType dtype);

// `pointer[offset]` converted to the compute type, and the statement storing
// `value` (compute type) there.
std::string loadExpr(ir::DType dtype, const std::string& pointer, const std::string& offset);
std::string storeStmt(ir::DType dtype, const std::string& pointer, const std::string& offset,
                      const std::string& value);
// `value` (float) rounded to f16/bf16 and back; `value` for other dtypes.
std::string roundTo(ir::DType dtype, const std::string& value);

// A literal of `dtype`'s compute type: floats exactly ("0.5f", "DLC_INF",
// "-0.0f"), integers wrapped to the dtype, bool as true/false.
std::string floatLiteral(float value);
std::string literal(ir::DType dtype, double value);
std::string intLiteral(ir::DType dtype, int64_t value);

// The literal of a constant whose elements are all equal (bit for bit), or
// nullopt for any other node.
std::optional<std::string> splatLiteral(const ir::Node& node);

}  // namespace dlc::cuda
