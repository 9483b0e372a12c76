// Test artifacts for the runtime tests: a small manifest over the kernels in
// test_kernels.c, packaged with the artifact writer.
//
// The "sum model": inputs x, y f32[N,4]; constant c = {1, 2, 3, 4}
//   k0 add_bias: t0 = x + c            (temp, slot 0)
//   k1 add:      sum = t0 + y          (output 0)
//   k2 add:      t2 = sum + sum        (temp, slot 0 again: t0 is dead)
//   k3 rowsum:   rowsum = sum_j t2     (output 1, f32[N])
// plus a placement entry for a folded constant node "scale".
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "runtime/src/Manifest.h"

namespace dlc::rt::testing {

std::vector<uint8_t> kernelCode();  // the test_kernels.c shared object
Manifest sumManifest();
std::vector<uint8_t> sumConstants();
std::vector<uint8_t> sumArtifactBytes();
// One kernel "stack_user": out = x + 1 for x f32[N,4].
Manifest stackManifest();
// One kernel "add_bias": out = x + c for x f32[N,4], c = {1, 2, 3, 4}
// (constants: sumConstants()).
Manifest biasManifest();
// One kernel "row_brightness": u8[N,28,28] -> f32[N,10], the mean of rows 0..9.
Manifest brightnessManifest();

}  // namespace dlc::rt::testing
