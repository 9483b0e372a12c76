// Helpers for the import-fixture tests: find a file of tests/fixtures/,
// import a model through a frontend, compile it for the CPU (fused or not),
// load it in the runtime, and compare its outputs with the framework's.
//
// The fixtures were written by real Keras and ONNX (tests/fixtures/
// make_fixtures.py); these helpers need neither. They do not hide failures:
// an import, build or load error is a test failure with the Status message.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "ir/Graph.h"
#include "runtime/src/Model.h"
#include "support/Status.h"
#include "support/Tensor.h"

namespace dlc::test {

// <repo>/tests/fixtures/<relative>.
std::string fixturePath(const std::string& relative);

// Reads a fixture .npy file; a failure is a test failure (empty tensor).
Tensor fixtureNpy(const std::string& relative);

using GraphLoader = std::function<StatusOr<std::unique_ptr<ir::Graph>>()>;

// Imports with `load`, compiles for the CPU with or without fusion, and loads
// the artifact in the runtime. `what` names the model in failures. Returns
// nullptr (after a test failure) when any step fails. `inputTypes`, when not
// null, receives the imported graph's input types.
std::unique_ptr<rt::Model> importAndLoad(const GraphLoader& load, bool fused,
                                         const std::string& what,
                                         std::vector<ir::TensorType>* inputTypes = nullptr);

// Runs `model` on `inputs` and returns its outputs (empty after a failure).
std::vector<Tensor> runModel(rt::Model& model, const std::vector<Tensor>& inputs,
                             const std::string& what);

// Expects `got` to match `want` elementwise: |got - want| <= atol + rtol*|want|,
// same dims and dtype. Reports the worst element.
void expectClose(const Tensor& got, const Tensor& want, double rtol, double atol,
                 const std::string& what);

// The first `count` rows (leading dimension) of `t`.
Tensor firstRows(const Tensor& t, int64_t count);

// Expects `status` to be an error whose message contains every one of
// `needles` (spaces are ignored on both sides, so "[784, 15]" matches
// "[784,15]").
void expectErrorMentions(const Status& status, const std::vector<std::string>& needles,
                         const std::string& what);

}  // namespace dlc::test
