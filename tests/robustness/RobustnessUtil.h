// Helpers of the hostile-input catalogue (docs/robustness.md): run a JSON
// model text through every CPU path (the reference interpreter, the CPU
// backend fused and unfused: compileGraph -> artifactBytes ->
// rt::Model::loadBytes -> run), and compare floats by IEEE class (NaN, ±inf,
// zero with its sign, or a finite value of the same sign within a tolerance).
//
// What it deliberately does not do: the CUDA paths (CudaNanInfTest.cpp runs
// those in the emulator) or random inputs; every test states its inputs.
#pragma once

#include <string>
#include <vector>

#include "runtime/src/Model.h"
#include "support/Status.h"
#include "support/Tensor.h"

namespace dlc::robust {

// The three CPU paths a model is run through.
enum class Path { Reference, CpuFused, CpuUnfused };
const char* pathName(Path path);
inline constexpr Path kAllPaths[] = {Path::Reference, Path::CpuFused, Path::CpuUnfused};

// Parses `modelJson` (as "model.json") and runs it on `inputs` along `path`.
StatusOr<std::vector<Tensor>> runModel(const std::string& modelJson,
                                       const std::vector<Tensor>& inputs, Path path);

// Compiles `modelJson` for the CPU (fused or not) and loads the artifact.
StatusOr<std::unique_ptr<rt::Model>> compileModel(const std::string& modelJson, bool fused);

// Compiles `modelJson` for the CPU (fused or not) and returns the runtime
// error or success of running it once on `inputs`.
Status compileAndRun(const std::string& modelJson, const std::vector<Tensor>& inputs, bool fused);

// An f32 tensor of `dims` holding `values`.
Tensor f32(std::vector<int64_t> dims, const std::vector<float>& values);
Tensor i64(std::vector<int64_t> dims, const std::vector<int64_t>& values);

// "" when `got` has the IEEE class of `want` (NaN; +inf; -inf; +0; -0; a
// finite nonzero value of the same sign within rtol, or within 3 ulps when
// `want` is subnormal in f32), else a description of the difference.
std::string classMismatch(double got, double want, double rtol = 2e-5);

// Expects every element of `got` to match `want` by classMismatch.
void expectClasses(const Tensor& got, const std::vector<double>& want, const std::string& what,
                   double rtol = 2e-5);

}  // namespace dlc::robust
