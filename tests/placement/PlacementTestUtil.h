// Helpers for the placement tests: a small model written with per-node
// devices, built and loaded with chosen options, checked against the
// reference interpreter.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "compiler/Compiler.h"
#include "runtime/src/Model.h"
#include "support/Tensor.h"

namespace dlc::test {

// The placement model, x f32[N,8] -> (y f32[N,4], m f32[N,8]):
//   h = dense(x, w, b)   dev["h"]     (w f32[8,4], b f32[4])
//   a = tanh(h)          dev["a"]
//   s = mul(a, c)        dev["s"]     (c = 0.5, read on two devices)
//   g = mul(h, c)        dev["g"]
//   y = add(s, g)        dev["y"]
//   m = mul(x, x)        dev["m"]
// A node missing from `devices` has no device (the target's default).
// Returns the file's path (a fresh temp file).
std::string writePlacementModel(const std::string& tag,
                                const std::map<std::string, std::string>& devices);

// Builds `path` with `options` and loads the artifact bytes with
// `modelOptions`; failures are test failures (and a null model).
struct Built {
  BuildResult build;
  std::vector<uint8_t> artifact;
  std::unique_ptr<rt::Model> model;
};
Built buildAndLoad(const std::string& path, const BuildOptions& options,
                   const rt::ModelOptions& modelOptions = {});

// Runs `model` on random inputs at `batch` and compares every output with
// the reference interpreter on `graphPath`'s model; returns the outputs.
std::vector<Tensor> runAgainstReference(rt::Model& model, const std::string& graphPath,
                                        int64_t batch);

// The manifest kernels of kind "transfer".
std::vector<const rt::KernelDesc*> transfersOf(const rt::Manifest& manifest);

}  // namespace dlc::test
