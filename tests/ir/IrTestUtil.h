// Helpers for the IR tests: build one node over typed inputs and infer it.
#pragma once

#include <gtest/gtest.h>

#include <string>

#include "ir/Graph.h"
#include "ir/ShapeInference.h"

namespace dlc::ir::testing {

// A graph of typed inputs; infer() adds one node over them and infers it.
class OpBuilder {
 public:
  Node* input(TensorType type) {
    return graph.addInput("in" + std::to_string(graph.inputs().size()), std::move(type));
  }
  StatusOr<TensorType> infer(OpKind op, std::vector<TensorType> operands, Attributes attrs = {}) {
    std::vector<Node*> ins;
    for (auto& t : operands) ins.push_back(input(t));
    Node* n = graph.addNode(op, std::string(opName(op)), ins, std::move(attrs));
    return inferType(*n);
  }
  Graph graph;
};

inline Attributes attrs(std::initializer_list<std::pair<const char*, AttrValue>> list) {
  Attributes a;
  for (auto& [k, v] : list) a.set(k, v);
  return a;
}

inline TensorType f32(Shape s) { return {DType::F32, std::move(s)}; }
inline TensorType i32(Shape s) { return {DType::I32, std::move(s)}; }
inline TensorType boolT(Shape s) { return {DType::Bool, std::move(s)}; }
constexpr int64_t N = kBatch;

// Expects `result` to fail with a message containing every part.
template <typename T>
void expectError(const StatusOr<T>& result, std::initializer_list<std::string> parts) {
  ASSERT_FALSE(result.ok()) << "expected an error containing \"" << *parts.begin() << "\"";
  for (const auto& p : parts)
    EXPECT_NE(result.status().message().find(p), std::string::npos)
        << "message: " << result.status().message() << "\nmissing: " << p;
}
inline void expectError(const Status& st, std::initializer_list<std::string> parts) {
  ASSERT_FALSE(st.ok()) << "expected an error containing \"" << *parts.begin() << "\"";
  for (const auto& p : parts)
    EXPECT_NE(st.message().find(p), std::string::npos)
        << "message: " << st.message() << "\nmissing: " << p;
}

}  // namespace dlc::ir::testing
