// LowerPrecision: `dlc build --precision f16|bf16`. Float constants become
// f16/bf16 constants, f32 graph inputs are cast to the low precision right
// after they are read, every f32 value computed inside becomes the low
// dtype, and outputs are cast back to f32 so the model's interface does not
// change. Kernels accumulate in f32 (reductions, contractions, rows) and
// round on store, as the reference interpreter does for f16/bf16 values.
// It does not touch integer or bool values, nor the u8 -> f32 cast of image
// inputs (which becomes u8 -> low directly).
#pragma once

#include <memory>

#include "ir/Types.h"
#include "passes/Pass.h"

namespace dlc::passes {

// `precision` is DType::F16 or DType::BF16.
std::unique_ptr<Pass> createLowerPrecisionPass(ir::DType precision);

}  // namespace dlc::passes
