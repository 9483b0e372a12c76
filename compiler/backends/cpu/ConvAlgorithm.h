// How the CPU backend computes conv2d (CpuCompileOptions::conv, dlc build
// --conv-algorithm):
//   auto:   per conv, by the rule in DirectConv.h (the default);
//   direct: the direct convolution for every conv it can compute (stride 1
//           along the width), the implicit GEMM for the others;
//   im2col: the implicit GEMM (gemm/Problems.h) for every conv.
// The outputs agree to rounding whichever is used; only the speed differs.
#pragma once

#include <optional>
#include <string>

namespace dlc::cpu {

enum class ConvAlgorithm { kAuto, kDirect, kIm2col };

inline std::optional<ConvAlgorithm> parseConvAlgorithm(const std::string& name) {
  if (name == "auto") return ConvAlgorithm::kAuto;
  if (name == "direct") return ConvAlgorithm::kDirect;
  if (name == "im2col") return ConvAlgorithm::kIm2col;
  return std::nullopt;
}

inline const char* convAlgorithmName(ConvAlgorithm a) {
  switch (a) {
    case ConvAlgorithm::kDirect: return "direct";
    case ConvAlgorithm::kIm2col: return "im2col";
    default: return "auto";
  }
}

}  // namespace dlc::cpu
