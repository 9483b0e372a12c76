// Sign facts that hold for every element of a node's value, derived from
// the ops that produce it (relu, abs, exp, max with a non-negative
// constant, products and sums of known signs, index remaps, ...). Backends
// use them to pick cheaper forms: the CPU backend's exp of an argument
// known to be <= 0 skips the overflow clamp and builds 2^k in three ops
// instead of six (elementwise_chain's exp(-0.5·max(v, 0))).
//
// "Non-negative" means every element is >= 0 or NaN; "non-positive", <= 0
// or NaN. Signed zeros count as both (-0 >= 0 and +0 <= 0 in IEEE), so no
// rule derives a sign through a division, whose sign a zero can flip.
#pragma once

#include "ir/Graph.h"

namespace dlc::ir {

enum class Sign { kUnknown, kNonNegative, kNonPositive };

// The sign of `node`'s value, looking at most `depth` producers up.
Sign knownSign(const Node& node, int depth = 8);

}  // namespace dlc::ir
