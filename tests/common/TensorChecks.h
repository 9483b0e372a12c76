// Tensor helpers every numeric test shares: seeded random inputs for a
// graph, and elementwise comparison with a tolerance, as a gtest assertion
// (expectNear) or as a message (mismatch) for runners that collect results.
// No LLVM, no CUDA: the CPU and CUDA harnesses, the emulator, the ONNX node
// suite and dlc-fuzz all link it.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "ir/Graph.h"
#include "support/Tensor.h"

namespace dlc::test {

struct Range {
  double lo = -2.0;
  double hi = 2.0;
};

// Random inputs for graph.inputs() at `batch` (floats uniform in range,
// integers in [-50, 50] ([0,50] for u8), bools 50/50), fixed seed.
std::vector<Tensor> randomInputs(const ir::Graph& graph, int64_t batch, uint32_t seed,
                                 Range range = {});

// Asserts |a - b| <= atol + rtol·|b| elementwise (NaN matches NaN, an
// infinity itself; ints exact), after equal dims and dtype.
void expectNear(const Tensor& actual, const Tensor& expected, double rtol, double atol,
                const std::string& what);

// "" when `got` matches `want` (same dtype and dims; every element within
// atol + rtol·|want|, NaN matching NaN and an infinity itself); else the
// first dtype/dims difference or the worst element, with both tensors'
// first `shown` elements.
std::string mismatch(const Tensor& got, const Tensor& want, double rtol, double atol,
                     int shown = 8);

}  // namespace dlc::test
