// Helpers for the reference interpreter tests: tensors from literal values,
// values back as doubles, and a one-op graph runner that infers types with
// ir::inferTypes and evaluates through ref::evaluate.
#pragma once

#include <gtest/gtest.h>

#include <initializer_list>
#include <utility>
#include <vector>

#include "compiler/reference/Interpreter.h"
#include "ir/Graph.h"
#include "ir/ShapeInference.h"

namespace dlc::ref::test {

inline Tensor tensor(ir::DType dtype, std::vector<int64_t> dims, std::vector<double> values) {
  Tensor t(dtype, std::move(dims));
  EXPECT_EQ(int64_t(values.size()), t.numElements()) << "test tensor literal size";
  for (size_t i = 0; i < values.size() && int64_t(i) < t.numElements(); ++i)
    t.setFromDouble(int64_t(i), values[i]);
  return t;
}

inline Tensor f32(std::vector<int64_t> dims, std::vector<double> values) {
  return tensor(ir::DType::F32, std::move(dims), std::move(values));
}

// 0, 1, 2, ... in the given dims.
inline Tensor iota(std::vector<int64_t> dims, ir::DType dtype = ir::DType::F32) {
  Tensor t(dtype, std::move(dims));
  for (int64_t i = 0; i < t.numElements(); ++i) t.setFromDouble(i, double(i));
  return t;
}

inline std::vector<double> values(const Tensor& t) {
  std::vector<double> out;
  for (int64_t i = 0; i < t.numElements(); ++i) out.push_back(t.getAsDouble(i));
  return out;
}

inline ir::Attributes attrs(std::initializer_list<std::pair<std::string, ir::AttrValue>> list) {
  ir::Attributes a;
  for (const auto& [name, value] : list) a.set(name, value);
  return a;
}

// Runs `op` on `operands` (each a graph input of exactly its type).
inline StatusOr<Tensor> runOp(ir::OpKind op, const std::vector<Tensor>& operands,
                              ir::Attributes attributes = {}) {
  ir::Graph graph;
  std::vector<ir::Node*> inputs;
  for (size_t i = 0; i < operands.size(); ++i)
    inputs.push_back(graph.addInput("in" + std::to_string(i), operands[i].type()));
  ir::Node* node = graph.addNode(op, "op", inputs, std::move(attributes));
  graph.setOutputs({node});
  DLC_RETURN_IF_ERROR(ir::inferTypes(graph));
  DLC_ASSIGN_OR_RETURN(std::vector<Tensor> outs, evaluate(graph, operands));
  return outs[0];
}

// runOp that must succeed; returns an empty tensor (and fails the test) if not.
inline Tensor run(ir::OpKind op, const std::vector<Tensor>& operands,
                  ir::Attributes attributes = {}) {
  StatusOr<Tensor> r = runOp(op, operands, std::move(attributes));
  EXPECT_TRUE(r.ok()) << r.status().toString();
  return r.ok() ? *r : Tensor();
}

inline void expectNear(const std::vector<double>& actual, const std::vector<double>& expected,
                       double tolerance) {
  ASSERT_EQ(actual.size(), expected.size());
  for (size_t i = 0; i < actual.size(); ++i)
    EXPECT_NEAR(actual[i], expected[i], tolerance) << "element " << i;
}

}  // namespace dlc::ref::test
