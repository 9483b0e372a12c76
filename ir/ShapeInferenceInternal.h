// Private to the ShapeInference*.cpp files: attribute readers that validate
// types and lengths, operand naming for messages, and the per-family rules.
//
// Every reader returns an error that names the op and the attribute; every
// rule returns the bare problem ("dense expects w of shape [784,out], got
// [100,128]"), and inferNodeType/inferTypes add the node and file context.
// Nothing here is part of dlc_ir's public API.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "ir/Graph.h"

namespace dlc::ir::infer {

// "dense" for messages.
std::string op(const Node& node);
// The documented name of operand i ("x", "w", "b", "cond", ...).
std::string operandName(const Node& node, size_t i);
// Type of operand i.
const TensorType& operandType(const Node& node, size_t i);

// Attribute readers. A missing attribute yields `def`; a present one of the
// wrong kind is an error naming it. Ints read as floats; a single int reads
// as a one-entry int list (as Attributes::getInts does).
StatusOr<int64_t> intAttr(const Node& node, const std::string& name, int64_t def);
StatusOr<int64_t> requiredIntAttr(const Node& node, const std::string& name);
StatusOr<bool> boolAttr(const Node& node, const std::string& name, bool def);
StatusOr<double> floatAttr(const Node& node, const std::string& name, double def);
StatusOr<std::string> stringAttr(const Node& node, const std::string& name,
                                 const std::string& def);
StatusOr<std::optional<std::vector<int64_t>>> optionalIntsAttr(const Node& node,
                                                               const std::string& name);
StatusOr<std::vector<int64_t>> requiredIntsAttr(const Node& node, const std::string& name);
// `expectedLength` < 0 accepts any length.
StatusOr<std::vector<int64_t>> intsAttr(const Node& node, const std::string& name,
                                        std::vector<int64_t> def, int expectedLength = -1);

// Normalises a possibly negative axis for attribute `name`.
StatusOr<int> axisAttrValue(const Node& node, const std::string& name, int64_t axis, int rank);

// Dtype classes: ir::DTypeClass (ir/Op.h).
Status checkDType(const Node& node, size_t operand, DTypeClass cls);
// Every operand in [first, last) has the dtype of operand `first`.
Status checkSameDType(const Node& node, size_t first, size_t last);
// Operand `i` has exactly `rank` dims (or at least, when `atLeast`).
Status checkRank(const Node& node, size_t i, int rank, bool atLeast = false);
// A dimension that must not be the batch symbol.
Status checkStatic(const Node& node, size_t i, int dim, const char* what);

// Rule families; each assumes the arity was checked.
StatusOr<TensorType> inferShapeOp(const Node& node);      // ShapeInferenceShapeOps.cpp
StatusOr<TensorType> inferReduceOrRow(const Node& node);  // ShapeInferenceNN.cpp
StatusOr<TensorType> inferContraction(const Node& node);  // ShapeInferenceNN.cpp
StatusOr<TensorType> inferPool(const Node& node);         // ShapeInferenceNN.cpp

}  // namespace dlc::ir::infer
