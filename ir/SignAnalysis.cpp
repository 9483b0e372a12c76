// Sign facts about node values. See SignAnalysis.h.
#include "ir/SignAnalysis.h"

#include <cmath>

namespace dlc::ir {
namespace {

// Constants larger than this are not scanned.
constexpr int64_t kMaxScannedElements = 4096;

Sign constantSign(const Node& n) {
  const Tensor& t = n.value;
  if (t.empty() || t.numElements() > kMaxScannedElements) return Sign::kUnknown;
  bool nonNeg = true, nonPos = true;
  for (int64_t i = 0; i < t.numElements(); ++i) {
    double v = t.getAsDouble(i);
    if (std::isnan(v)) continue;
    nonNeg = nonNeg && v >= 0;
    nonPos = nonPos && v <= 0;
  }
  if (nonNeg) return Sign::kNonNegative;
  return nonPos ? Sign::kNonPositive : Sign::kUnknown;
}

Sign flip(Sign s) {
  if (s == Sign::kNonNegative) return Sign::kNonPositive;
  if (s == Sign::kNonPositive) return Sign::kNonNegative;
  return Sign::kUnknown;
}

// The sign of a product (or quotient-free combination) of two known signs.
Sign productSign(Sign a, Sign b) {
  if (a == Sign::kUnknown || b == Sign::kUnknown) return Sign::kUnknown;
  return a == b ? Sign::kNonNegative : Sign::kNonPositive;
}

// a + b: both of one sign keep it (NaN aside, inf + -inf cannot occur).
Sign sumSign(Sign a, Sign b) { return a == b ? a : Sign::kUnknown; }

}  // namespace

Sign knownSign(const Node& node, int depth) {
  if (!isFloat(node.type.dtype) || depth <= 0) return Sign::kUnknown;
  auto in = [&](size_t i) { return knownSign(*node.inputs[i], depth - 1); };
  switch (node.op) {
    case OpKind::Constant: return constantSign(node);
    case OpKind::Relu:
    case OpKind::Abs:
    case OpKind::Exp:
    case OpKind::Sigmoid:
    case OpKind::Sqrt: return Sign::kNonNegative;
    case OpKind::Neg: return flip(in(0));
    case OpKind::Mul:
      if (node.inputs[0] == node.inputs[1]) return Sign::kNonNegative;
      return productSign(in(0), in(1));
    case OpKind::Add: return sumSign(in(0), in(1));
    case OpKind::Sub: return sumSign(in(0), flip(in(1)));
    case OpKind::Maximum: {
      Sign a = in(0), b = in(1);
      if (a == Sign::kNonNegative || b == Sign::kNonNegative) return Sign::kNonNegative;
      return a == Sign::kNonPositive && b == Sign::kNonPositive ? a : Sign::kUnknown;
    }
    case OpKind::Minimum: {
      Sign a = in(0), b = in(1);
      if (a == Sign::kNonPositive || b == Sign::kNonPositive) return Sign::kNonPositive;
      return a == Sign::kNonNegative && b == Sign::kNonNegative ? a : Sign::kUnknown;
    }
    case OpKind::Select: return sumSign(in(1), in(2));
    case OpKind::Reshape:
    case OpKind::Flatten:
    case OpKind::Transpose:
    case OpKind::BroadcastTo:
    case OpKind::Slice: return in(0);
    case OpKind::Concat: {
      Sign s = in(0);
      for (size_t i = 1; i < node.inputs.size() && s != Sign::kUnknown; ++i) s = sumSign(s, in(i));
      return s;
    }
    default: return Sign::kUnknown;
  }
}

}  // namespace dlc::ir
