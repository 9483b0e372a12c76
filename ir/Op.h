// OpKind and the questions the op table answers. See ir/Ops.def.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace dlc::ir {

enum OpTrait : uint32_t {
  kNoTraits = 0,
  kSource = 1u << 0,
  kElementwise = 1u << 1,
  kExpensive = 1u << 2,
  kCommutative = 1u << 3,
  kIndexRemap = 1u << 4,
  kReduction = 1u << 5,
  kRow = 1u << 6,
  kContraction = 1u << 7,
  kPool = 1u << 8,
  kComparison = 1u << 9,   // elementwise, result bool, any operand dtype
  kIntegerOk = 1u << 10,   // elementwise on floats and i32/i64
  kBoolOnly = 1u << 11,    // elementwise on bool only
  kAnyDType = 1u << 12,    // elementwise on any dtype (cast, select's branches)
};

// Operand dtype classes (docs/ops.md): Numeric = floats, i32 and i64.
enum class DTypeClass { Any, Float, Numeric, Bool };

enum class OpKind : uint8_t {
#define OP(Enum, name, minIn, maxIn, traits, attrs) Enum,
#include "ir/Ops.def"
#undef OP
};

struct OpInfo {
  OpKind kind;
  std::string_view name;
  int minInputs;
  int maxInputs;
  uint32_t traits;
  std::string_view attributes;  // the attribute names it takes, space-separated
};

const OpInfo& opInfo(OpKind kind);
std::string_view opName(OpKind kind);
std::optional<OpKind> opFromName(std::string_view name);
int numOpKinds();
// Whether `name` is one of the attributes `kind` takes (Ops.def).
bool opTakesAttribute(OpKind kind, std::string_view name);
// The attribute names `kind` takes, in table order.
std::vector<std::string> opAttributeNames(OpKind kind);

inline bool hasTrait(OpKind k, OpTrait t) { return (opInfo(k).traits & t) != 0; }
inline bool isElementwise(OpKind k) { return hasTrait(k, kElementwise); }
inline bool isExpensive(OpKind k) { return hasTrait(k, kExpensive); }
inline bool isIndexRemap(OpKind k) { return hasTrait(k, kIndexRemap); }
inline bool isReduction(OpKind k) { return hasTrait(k, kReduction); }
inline bool isRowOp(OpKind k) { return hasTrait(k, kRow); }
inline bool isContraction(OpKind k) { return hasTrait(k, kContraction); }
inline bool isPool(OpKind k) { return hasTrait(k, kPool); }
inline bool isSource(OpKind k) { return hasTrait(k, kSource); }
inline bool isComparison(OpKind k) { return hasTrait(k, kComparison); }

// The dtypes an elementwise op computes on, from its traits (floats only when
// it has none of kIntegerOk, kBoolOnly, kComparison, kAnyDType). Shape
// inference checks operands against it; the reference and the backends
// implement exactly these classes.
inline DTypeClass elementDTypeClass(OpKind k) {
  if (hasTrait(k, kComparison) || hasTrait(k, kAnyDType)) return DTypeClass::Any;
  if (hasTrait(k, kBoolOnly)) return DTypeClass::Bool;
  if (hasTrait(k, kIntegerOk)) return DTypeClass::Numeric;
  return DTypeClass::Float;
}

}  // namespace dlc::ir
