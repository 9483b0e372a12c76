// The reference interpreter's driver: batch symbol N bound from the inputs
// (batch 1 and 5), input validation errors naming the input, outputs that
// are also intermediates, dead nodes, and type/result disagreements reported
// as errors instead of wrong results.
#include "tests/reference/RefTest.h"

namespace dlc::ref::test {
namespace {

using ir::DType;
using ir::kBatch;
using ir::OpKind;
using ir::Shape;
using Ints = std::vector<int64_t>;
using Doubles = std::vector<double>;

// out[n] = sum(relu((x[n] + [1, -1]) * y[n]))  with x[N,2], y[N,1].
std::unique_ptr<ir::Graph> batchGraph() {
  auto graph = std::make_unique<ir::Graph>();
  graph->sourceFile = "batch.json";
  ir::Node* x = graph->addInput("x", {DType::F32, Shape({kBatch, 2})});
  ir::Node* y = graph->addInput("y", {DType::F32, Shape({kBatch, 1})});
  ir::Node* bias = graph->addConstant("bias", f32({2}, {1, -1}));
  ir::Node* add = graph->addNode(OpKind::Add, "add", {x, bias});
  ir::Node* mul = graph->addNode(OpKind::Mul, "mul", {add, y});
  ir::Node* relu = graph->addNode(OpKind::Relu, "relu", {mul});
  ir::Node* sum = graph->addNode(OpKind::ReduceSum, "sum", {relu}, attrs({{"axes", Ints{1}}}));
  graph->setOutputs({sum, relu});
  Status st = ir::inferTypes(*graph);
  EXPECT_TRUE(st.ok()) << st.toString();
  return graph;
}

// Row r: x = [r, -r], y = [2] => relu([2(r+1), -2(r+1)]) = [2(r+1), 0].
std::vector<Tensor> batchInputs(int64_t batch) {
  Tensor x(DType::F32, {batch, 2}), y(DType::F32, {batch, 1});
  for (int64_t r = 0; r < batch; ++r) {
    x.setFromDouble(2 * r, double(r));
    x.setFromDouble(2 * r + 1, -double(r));
    y.setFromDouble(r, 2);
  }
  return {x, y};
}

TEST(ReferenceInterpreter, BatchSymbolAtOneAndFive) {
  auto graph = batchGraph();
  for (int64_t batch : {1, 5}) {
    StatusOr<std::vector<Tensor>> outs = evaluate(*graph, batchInputs(batch));
    ASSERT_TRUE(outs.ok()) << outs.status().toString();
    ASSERT_EQ(outs->size(), 2u);
    Tensor sum = (*outs)[0], relu = (*outs)[1];
    EXPECT_EQ(sum.dims(), (Ints{batch}));
    EXPECT_EQ(relu.dims(), (Ints{batch, 2}));
    for (int64_t r = 0; r < batch; ++r) {
      EXPECT_EQ(sum.getAsDouble(r), 2.0 * double(r + 1)) << "batch " << batch << " row " << r;
      EXPECT_EQ(relu.getAsDouble(2 * r), 2.0 * double(r + 1));
      EXPECT_EQ(relu.getAsDouble(2 * r + 1), 0.0);
    }
  }
}

TEST(ReferenceInterpreter, BatchZeroGivesEmptyOutputs) {
  auto graph = batchGraph();
  StatusOr<std::vector<Tensor>> outs = evaluate(*graph, batchInputs(0));
  ASSERT_TRUE(outs.ok()) << outs.status().toString();
  EXPECT_EQ((*outs)[0].dims(), (Ints{0}));
}

std::string errorOf(const ir::Graph& graph, const std::vector<Tensor>& inputs) {
  StatusOr<std::vector<Tensor>> r = evaluate(graph, inputs);
  EXPECT_FALSE(r.ok());
  return r.ok() ? "" : r.status().message();
}

TEST(ReferenceInterpreter, InputBatchesMustAgree) {
  auto graph = batchGraph();
  std::vector<Tensor> in = batchInputs(5);
  in[1] = batchInputs(3)[1];
  std::string msg = errorOf(*graph, in);
  EXPECT_NE(msg.find("batch.json: input \"y\""), std::string::npos) << msg;
  EXPECT_NE(msg.find("N = 5"), std::string::npos) << msg;
}

TEST(ReferenceInterpreter, InputDTypeAndDimsAreChecked) {
  auto graph = batchGraph();
  std::vector<Tensor> in = batchInputs(2);
  in[0] = Tensor(DType::F16, {2, 2});
  std::string msg = errorOf(*graph, in);
  EXPECT_NE(msg.find("input \"x\": expected f32[N,2], got f16[2,2]"), std::string::npos) << msg;

  in = batchInputs(2);
  in[1] = Tensor(DType::F32, {2, 3});
  msg = errorOf(*graph, in);
  EXPECT_NE(msg.find("input \"y\": expected f32[N,1], got f32[2,3]"), std::string::npos) << msg;

  in = batchInputs(2);
  in[0] = Tensor(DType::F32, {2});
  msg = errorOf(*graph, in);
  EXPECT_NE(msg.find("input \"x\""), std::string::npos) << msg;
}

TEST(ReferenceInterpreter, InputCountIsChecked) {
  auto graph = batchGraph();
  std::string msg = errorOf(*graph, {batchInputs(1)[0]});
  EXPECT_NE(msg.find("expected 2 inputs, got 1"), std::string::npos) << msg;
}

TEST(ReferenceInterpreter, OutputsDoNotAliasInputs) {
  ir::Graph graph;
  ir::Node* x = graph.addInput("x", {DType::F32, Shape({2})});
  ir::Node* e = graph.addNode(OpKind::Neg, "e", {x});
  graph.setOutputs({x, e, e});
  ASSERT_TRUE(ir::inferTypes(graph).ok());
  Tensor in = f32({2}, {1, 2});
  StatusOr<std::vector<Tensor>> outs = evaluate(graph, {in});
  ASSERT_TRUE(outs.ok()) << outs.status().toString();
  (*outs)[0].setFromDouble(0, 100);
  (*outs)[1].setFromDouble(0, 100);
  EXPECT_EQ(values(in), (Doubles{1, 2}));
  EXPECT_EQ(values((*outs)[2]), (Doubles{-1, -2}));
}

TEST(ReferenceInterpreter, DeadNodesAreNotEvaluated) {
  ir::Graph graph;
  ir::Node* x = graph.addInput("x", {DType::I32, Shape({1})});
  ir::Node* zero = graph.addConstant("zero", tensor(DType::I32, {1}, {0}));
  graph.addNode(OpKind::Div, "dead", {x, zero});  // would divide by zero
  ir::Node* live = graph.addNode(OpKind::Neg, "live", {x});
  graph.setOutputs({live});
  ASSERT_TRUE(ir::inferTypes(graph).ok());
  StatusOr<std::vector<Tensor>> outs = evaluate(graph, {tensor(DType::I32, {1}, {7})});
  ASSERT_TRUE(outs.ok()) << outs.status().toString();
  EXPECT_EQ(values((*outs)[0]), (Doubles{-7}));
}

TEST(ReferenceInterpreter, WrongNodeTypeIsAnErrorNotAWrongResult) {
  ir::Graph graph;
  graph.sourceFile = "m.json";
  ir::Node* x = graph.addInput("x", {DType::F32, Shape({kBatch, 3})});
  ir::Node* r = graph.addNode(OpKind::ReduceSum, "r", {x}, attrs({{"axes", Ints{1}}}));
  r->type = {DType::F32, Shape({kBatch, 3})};  // wrong on purpose
  graph.setOutputs({r});
  std::string msg = errorOf(graph, {f32({1, 3}, {1, 2, 3})});
  EXPECT_NE(msg.find("m.json: \"r\" (reduce_sum)"), std::string::npos) << msg;
  EXPECT_NE(msg.find("f32[1] but the node's type says f32[N,3]"), std::string::npos) << msg;
}

TEST(ReferenceInterpreter, EvaluateNodeBindsBatchFromOperands) {
  ir::Graph graph;
  ir::Node* x = graph.addInput("x", {DType::F32, Shape({kBatch, 2})});
  ir::Node* s = graph.addNode(OpKind::Softmax, "s", {x});
  ASSERT_TRUE(ir::inferTypes(graph).ok());
  Tensor v = f32({3, 2}, {0, 0, 1, 1, 5, 5});
  StatusOr<Tensor> out = evaluateNode(*s, {&v});
  ASSERT_TRUE(out.ok()) << out.status().toString();
  EXPECT_EQ(out->dims(), (Ints{3, 2}));
  EXPECT_EQ(values(*out), (Doubles(6, 0.5)));

  Tensor wrong = f32({3, 4}, std::vector<double>(12, 0.0));
  StatusOr<Tensor> bad = evaluateNode(*s, {&wrong});
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("operand 0 (\"x\"): expected f32[N,2], got f32[3,4]"),
            std::string::npos)
      << bad.status().message();
  StatusOr<Tensor> missing = evaluateNode(*s, {});
  EXPECT_FALSE(missing.ok());
}

}  // namespace
}  // namespace dlc::ref::test
