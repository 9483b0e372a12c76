// Helpers for the ONNX export tests: export -> re-import round trips and
// output comparisons on the reference interpreter.
#pragma once

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "compiler/reference/Interpreter.h"
#include "frontends/onnx/OnnxModel.h"
#include "frontends/onnx/export/OnnxExporter.h"
#include "ir/Graph.h"

namespace dlc::onnxfe::testing {

// Random inputs for `graph` at `batch`: floats in [-1, 1], u8 in [0, 255],
// integers in [-6, 6] (out-of-range gather indices included), random bools.
inline std::vector<Tensor> randomInputs(const ir::Graph& graph, int64_t batch, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> uniform(-1.0, 1.0);
  std::vector<Tensor> out;
  for (const ir::Node* in : graph.inputs()) {
    Tensor t(in->type.dtype, in->type.shape.bind(batch));
    for (int64_t i = 0; i < t.numElements(); ++i) {
      double v = uniform(rng);
      switch (in->type.dtype) {
        case ir::DType::U8: v = std::floor((v + 1) * 127.9); break;
        case ir::DType::I32:
        case ir::DType::I64: v = std::round(v * 6); break;
        case ir::DType::Bool: v = v > 0 ? 1 : 0; break;
        default: break;
      }
      t.setFromDouble(i, v);
    }
    out.push_back(std::move(t));
  }
  return out;
}

// Exports `graph` at `opset` and imports the bytes again.
inline std::unique_ptr<ir::Graph> roundTrip(const ir::Graph& graph, int64_t opset,
                                            ExportSummary* summary = nullptr) {
  ExportOptions options;
  options.opset = opset;
  auto bytes = exportOnnx(graph, options, summary);
  EXPECT_TRUE(bytes.ok()) << bytes.status().message();
  if (!bytes.ok()) return nullptr;
  auto back = parseOnnx(*bytes, "exported.onnx");
  EXPECT_TRUE(back.ok()) << back.status().message();
  return back.ok() ? std::move(back).value() : nullptr;
}

// Largest |a - b| over the float outputs; -1 when dtypes or dims differ.
inline double maxAbsDiff(const Tensor& a, const Tensor& b) {
  if (a.dtype() != b.dtype() || a.dims() != b.dims()) return -1;
  double worst = 0;
  for (int64_t i = 0; i < a.numElements(); ++i) {
    double x = a.getAsDouble(i), y = b.getAsDouble(i);
    if (std::isnan(x) && std::isnan(y)) continue;
    worst = std::max(worst, std::fabs(x - y));
  }
  return worst;
}

inline bool sameBits(const Tensor& a, const Tensor& b) {
  return a.dtype() == b.dtype() && a.dims() == b.dims() &&
         std::memcmp(a.data(), b.data(), a.byteSize()) == 0;
}

// Runs both graphs on the same random inputs at `batch` and compares every
// output: bit-exact when `exact` (and always for non-float outputs), else
// |a - b| <= 1e-6 * (1 + |b|). Returns the largest |a - b|.
inline double expectSameFunction(const ir::Graph& original, const ir::Graph& exported,
                                 int64_t batch, bool exact) {
  std::vector<Tensor> inputs = randomInputs(original, batch, 1234 + uint64_t(batch));
  // The re-imported graph lists the same inputs by name, in order.
  EXPECT_EQ(original.inputs().size(), exported.inputs().size());
  for (size_t i = 0; i < original.inputs().size() && i < exported.inputs().size(); ++i)
    EXPECT_EQ(original.inputs()[i]->name, exported.inputs()[i]->name);
  auto want = ref::evaluate(original, inputs);
  auto got = ref::evaluate(exported, inputs);
  EXPECT_TRUE(want.ok()) << want.status().message();
  EXPECT_TRUE(got.ok()) << got.status().message();
  if (!want.ok() || !got.ok()) return INFINITY;
  EXPECT_EQ(want->size(), got->size());
  double worst = 0;
  for (size_t i = 0; i < want->size() && i < got->size(); ++i) {
    const Tensor& w = (*want)[i];
    const Tensor& g = (*got)[i];
    double diff = maxAbsDiff(g, w);
    EXPECT_GE(diff, 0) << "output " << i << ": " << g.summary() << " vs " << w.summary();
    worst = std::max(worst, diff);
    if (exact || !ir::isFloat(w.dtype())) {
      EXPECT_TRUE(sameBits(g, w)) << "output " << i << " at batch " << batch << ": "
                                  << g.summary() << " vs " << w.summary();
      continue;
    }
    for (int64_t e = 0; e < w.numElements() && diff >= 0; ++e) {
      double x = g.getAsDouble(e), y = w.getAsDouble(e);
      if (std::isnan(x) && std::isnan(y)) continue;
      if (std::fabs(x - y) > 1e-6 * (1 + std::fabs(y))) {
        ADD_FAILURE() << "output " << i << " element " << e << " at batch " << batch << ": "
                      << x << " vs " << y;
        break;
      }
    }
  }
  return worst;
}

}  // namespace dlc::onnxfe::testing
