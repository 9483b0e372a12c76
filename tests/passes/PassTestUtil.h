// Helpers for the pass tests: tensors from literals, seeded random tensors,
// and a shorthand for appending a node and inferring its type.
#pragma once

#include <gtest/gtest.h>

#include <random>
#include <vector>

#include "ir/Graph.h"
#include "ir/ShapeInference.h"
#include "support/Tensor.h"

namespace dlc::passes::testing {

inline Tensor makeTensor(std::vector<int64_t> dims, const std::vector<double>& values,
                         ir::DType dtype = ir::DType::F32) {
  Tensor t(dtype, std::move(dims));
  EXPECT_EQ(t.numElements(), int64_t(values.size()));
  for (size_t i = 0; i < values.size(); ++i) t.setFromDouble(int64_t(i), values[i]);
  return t;
}

inline Tensor randomTensor(std::vector<int64_t> dims, uint32_t seed, double lo = -1.0,
                           double hi = 1.0) {
  Tensor t(ir::DType::F32, std::move(dims));
  std::mt19937 rng(seed);
  std::uniform_real_distribution<double> dist(lo, hi);
  for (int64_t i = 0; i < t.numElements(); ++i) t.setFromDouble(i, dist(rng));
  return t;
}

// Appends a node and infers its type (the test fails if inference does).
inline ir::Node* add(ir::Graph& g, ir::OpKind op, const std::string& name,
                     std::vector<ir::Node*> inputs, ir::Attributes attrs = {}) {
  ir::Node* n = g.addNode(op, name, std::move(inputs), std::move(attrs));
  Status s = ir::inferNodeType(*n);
  EXPECT_TRUE(s.ok()) << s.toString();
  return n;
}

inline ir::Attributes attrs(std::initializer_list<std::pair<const char*, ir::AttrValue>> kv) {
  ir::Attributes a;
  for (const auto& [k, v] : kv) a.set(k, v);
  return a;
}

inline ir::TensorType f32(std::vector<int64_t> dims) {
  return ir::TensorType{ir::DType::F32, ir::Shape(std::move(dims))};
}

}  // namespace dlc::passes::testing
