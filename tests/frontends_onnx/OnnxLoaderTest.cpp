// ONNX import: small models built in C++, loaded, checked structurally and
// evaluated with the reference interpreter against hand-computed values.
#include <gtest/gtest.h>

#include "OnnxTestUtil.h"
#include "compiler/reference/Interpreter.h"
#include "frontends/onnx/OnnxModel.h"

namespace dlc::onnxfe {
namespace {

using namespace dlc::onnxfe::testing;

Tensor f32(std::vector<int64_t> dims, std::vector<float> values) {
  Tensor t(ir::DType::F32, std::move(dims));
  std::copy(values.begin(), values.end(), t.as<float>());
  return t;
}

std::vector<float> values(const Tensor& t) {
  return std::vector<float>(t.as<float>(), t.as<float>() + t.numElements());
}

int countOp(const ir::Graph& g, ir::OpKind op) {
  int n = 0;
  for (const auto& node : g.nodes()) n += node->op == op;
  return n;
}

// y = relu(x @ W + b), W [3,2], b [2].
::onnx::ModelProto mlp(std::vector<int64_t> xDims) {
  auto m = makeModel();
  addInput(m, "x", xDims);
  addInitializer(m, floatTensor("W", {3, 2}, {1, -1, 2, 0, -1, 1}));
  addInitializer(m, floatTensor("b", {2}, {0.5f, -4}));
  addNode(m, "MatMul", {"x", "W"}, {"xw"}, "mm");
  addNode(m, "Add", {"xw", "b"}, {"h"}, "bias");
  addNode(m, "Relu", {"h"}, {"y"}, "act");
  addOutput(m, "y");
  return m;
}

TEST(OnnxLoader, MatMulAddReluMatchesHandComputedValues) {
  TempDir dir;
  auto g = loadOnnx(save(dir, mlp({2, 3})));
  ASSERT_TRUE(g.ok()) << g.status().toString();
  ASSERT_EQ((*g)->inputs().size(), 1u);
  EXPECT_EQ((*g)->inputs()[0]->name, "x");
  ASSERT_EQ((*g)->outputs().size(), 1u);
  const ir::Node* y = (*g)->outputs()[0];
  EXPECT_EQ(y->name, "y");  // named after the ONNX output
  EXPECT_EQ(y->type.str(), "f32[2,2]");
  EXPECT_EQ(y->location, "graph.node[2]");
  EXPECT_EQ(y->origins, std::vector<std::string>{"act"});
  // x = [[1,2,3],[-1,0,1]]: xW = [[2,2],[-2,2]]; +b = [[2.5,-2],[-1.5,-2]].
  auto out = ref::evaluate(**g, {f32({2, 3}, {1, 2, 3, -1, 0, 1})});
  ASSERT_TRUE(out.ok()) << out.status().toString();
  EXPECT_EQ(values((*out)[0]), (std::vector<float>{2.5f, 0, 0, 0}));
}

TEST(OnnxLoader, SymbolicFirstDimensionIsTheBatch) {
  TempDir dir;
  auto g = loadOnnx(save(dir, mlp({-1, 3})));
  ASSERT_TRUE(g.ok()) << g.status().toString();
  EXPECT_EQ((*g)->inputs()[0]->type.str(), "f32[N,3]");
  EXPECT_EQ((*g)->outputs()[0]->type.str(), "f32[N,2]");
  auto out = ref::evaluate(**g, {f32({3, 3}, {1, 2, 3, -1, 0, 1, 0, 0, 1})});
  ASSERT_TRUE(out.ok()) << out.status().toString();
  // Row 3: xW = [-1,1]; +b = [-0.5,-3].
  EXPECT_EQ(values((*out)[0]), (std::vector<float>{2.5f, 0, 0, 0, 0, 0}));
}

TEST(OnnxLoader, DimensionWithoutValueIsTheBatchToo) {
  TempDir dir;
  auto g = loadOnnx(save(dir, mlp({-2, 3})));
  ASSERT_TRUE(g.ok()) << g.status().toString();
  EXPECT_EQ((*g)->inputs()[0]->type.str(), "f32[N,3]");
}

// y = Reshape(x, Concat(Unsqueeze(Gather(Shape(x), 0)), [-1])): x.view(x.size(0), -1).
::onnx::ModelProto flattenByShape(std::vector<int64_t> xDims) {
  auto m = makeModel(13);
  addInput(m, "x", xDims);
  ::onnx::TensorProto zero = int64Tensor("zero", {}, {0});
  addInitializer(m, zero);
  addInitializer(m, int64Tensor("axes0", {1}, {0}));
  addInitializer(m, int64Tensor("minus1", {1}, {-1}));
  addNode(m, "Shape", {"x"}, {"s"}, "shape");
  setInt(addNode(m, "Gather", {"s", "zero"}, {"n"}, "gather"), "axis", 0);
  addNode(m, "Unsqueeze", {"n", "axes0"}, {"n1"}, "unsq");
  setInt(addNode(m, "Concat", {"n1", "minus1"}, {"target"}, "concat"), "axis", 0);
  addNode(m, "Reshape", {"x", "target"}, {"y"}, "reshape");
  addOutput(m, "y");
  return m;
}

TEST(OnnxLoader, ShapeSubgraphWithBatchFoldsIntoReshape) {
  TempDir dir;
  auto g = loadOnnx(save(dir, flattenByShape({-1, 2, 3})));
  ASSERT_TRUE(g.ok()) << g.status().toString();
  EXPECT_EQ((*g)->nodes().size(), 2u);  // x and the reshape: no shape nodes left
  const ir::Node* y = (*g)->outputs()[0];
  EXPECT_EQ(y->op, ir::OpKind::Reshape);
  EXPECT_EQ(y->attrs.getInts("shape", {}), (std::vector<int64_t>{-1, 6}));
  EXPECT_EQ(y->type.str(), "f32[N,6]");
  for (const char* folded : {"shape", "gather", "unsq", "concat"})
    EXPECT_NE(std::find((*g)->foldedOrigins.begin(), (*g)->foldedOrigins.end(), folded),
              (*g)->foldedOrigins.end())
        << folded;
  Tensor x = f32({2, 2, 3}, {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11});
  auto out = ref::evaluate(**g, {x});
  ASSERT_TRUE(out.ok()) << out.status().toString();
  EXPECT_EQ((*out)[0].dims(), (std::vector<int64_t>{2, 6}));
  EXPECT_EQ(values((*out)[0]), values(x));
}

TEST(OnnxLoader, ShapeSubgraphWithStaticShapesFoldsToConstants) {
  TempDir dir;
  auto g = loadOnnx(save(dir, flattenByShape({4, 2, 3})));
  ASSERT_TRUE(g.ok()) << g.status().toString();
  EXPECT_EQ((*g)->nodes().size(), 2u);
  const ir::Node* y = (*g)->outputs()[0];
  EXPECT_EQ(y->op, ir::OpKind::Reshape);
  EXPECT_EQ(y->attrs.getInts("shape", {}), (std::vector<int64_t>{4, -1}));
  EXPECT_EQ(y->type.str(), "f32[4,6]");
}

TEST(OnnxLoader, ShapeArithmeticAndSliceOnShapeValues) {
  // target = Concat(Slice(Shape(x), [0], [1]), Shape(x)[1] * Shape(x)[2] as [1]):
  // [N, 6] built with Slice, Gather and Mul; optional Slice inputs left out ("").
  auto m = makeModel(13);
  addInput(m, "x", {-1, 2, 3});
  addInitializer(m, int64Tensor("i0", {1}, {0}));
  addInitializer(m, int64Tensor("i1", {1}, {1}));
  addInitializer(m, int64Tensor("i2", {1}, {2}));
  addInitializer(m, int64Tensor("one", {1}, {1}));
  addNode(m, "Shape", {"x"}, {"s"}, "shape");
  addNode(m, "Slice", {"s", "i0", "i1", "", "one"}, {"batch"}, "slice");
  addNode(m, "Gather", {"s", "i1"}, {"h"}, "gh");
  addNode(m, "Gather", {"s", "i2"}, {"w"}, "gw");
  addNode(m, "Mul", {"h", "w"}, {"hw"}, "mul");
  setInt(addNode(m, "Concat", {"batch", "hw"}, {"target"}, "concat"), "axis", 0);
  addNode(m, "Reshape", {"x", "target"}, {"y"}, "reshape");
  addOutput(m, "y");
  TempDir dir;
  auto g = loadOnnx(save(dir, m));
  ASSERT_TRUE(g.ok()) << g.status().toString();
  EXPECT_EQ((*g)->nodes().size(), 2u);
  EXPECT_EQ((*g)->outputs()[0]->type.str(), "f32[N,6]");
}

TEST(OnnxLoader, ShapeValueHoldingBatchUsedAsDataIsAnError) {
  auto m = makeModel();
  addInput(m, "x", {-1, 3});
  addNode(m, "Shape", {"x"}, {"s"}, "shape");
  addNode(m, "Neg", {"s"}, {"y"}, "neg1");
  addOutput(m, "y");
  TempDir dir;
  std::string path = save(dir, m);
  auto g = loadOnnx(path);
  ASSERT_FALSE(g.ok());
  EXPECT_NE(g.status().message().find(path + ": node \"neg1\" (Neg): "), std::string::npos)
      << g.status().message();
  EXPECT_NE(g.status().message().find("depends on the batch size N and is used as data"),
            std::string::npos);
}

TEST(OnnxLoader, ShapeOfStaticInputIsAConstant) {
  // y = float(Shape(x)) * float(Shape(x)) = [4, 25], all folded at import.
  auto m = makeModel();
  addInput(m, "x", {2, 5});
  addNode(m, "Shape", {"x"}, {"s"}, "shape");
  setInt(addNode(m, "Cast", {"s"}, {"sf"}, "cast"), "to", ::onnx::TensorProto::FLOAT);
  addNode(m, "Mul", {"sf", "sf"}, {"y"}, "mul");
  addOutput(m, "y");
  TempDir dir;
  auto g = loadOnnx(save(dir, m));
  ASSERT_TRUE(g.ok()) << g.status().toString();
  const ir::Node* y = (*g)->outputs()[0];
  ASSERT_EQ(y->op, ir::OpKind::Constant);
  EXPECT_EQ(y->type.str(), "f32[2]");
  EXPECT_EQ(values(y->value), (std::vector<float>{4, 25}));
}

TEST(OnnxLoader, ConstantAndConstantOfShape) {
  auto m = makeModel();
  addInput(m, "x", {2, 3});
  auto* c = addNode(m, "Constant", {}, {"shape"}, "c");
  auto* a = c->add_attribute();
  a->set_name("value_ints");
  a->set_type(::onnx::AttributeProto::INTS);
  a->add_ints(2);
  a->add_ints(3);
  setTensor(addNode(m, "ConstantOfShape", {"shape"}, {"ones"}, "fill"), "value",
            floatTensor("v", {1}, {1.5f}));
  addNode(m, "Add", {"x", "ones"}, {"y"}, "add");
  addOutput(m, "y");
  TempDir dir;
  auto g = loadOnnx(save(dir, m));
  ASSERT_TRUE(g.ok()) << g.status().toString();
  auto out = ref::evaluate(**g, {f32({2, 3}, {0, 1, 2, 3, 4, 5})});
  ASSERT_TRUE(out.ok()) << out.status().toString();
  EXPECT_EQ(values((*out)[0]), (std::vector<float>{1.5f, 2.5f, 3.5f, 4.5f, 5.5f, 6.5f}));
}

TEST(OnnxLoader, ConstantOfShapeWithBatchBroadcasts) {
  auto m = makeModel();
  addInput(m, "x", {-1, 3});
  addNode(m, "Shape", {"x"}, {"s"}, "shape");
  setTensor(addNode(m, "ConstantOfShape", {"s"}, {"twos"}, "fill"), "value",
            floatTensor("v", {1}, {2.0f}));
  addNode(m, "Mul", {"x", "twos"}, {"y"}, "mul");
  addOutput(m, "y");
  TempDir dir;
  auto g = loadOnnx(save(dir, m));
  ASSERT_TRUE(g.ok()) << g.status().toString();
  EXPECT_EQ(countOp(**g, ir::OpKind::BroadcastTo), 1);
  for (const auto& n : (*g)->nodes()) {
    if (n->op == ir::OpKind::BroadcastTo) {
      EXPECT_EQ(n->attrs.getInts("shape", {}), (std::vector<int64_t>{-1, 3}));
    }
  }
  auto out = ref::evaluate(**g, {f32({2, 3}, {0, 1, 2, 3, 4, 5})});
  ASSERT_TRUE(out.ok()) << out.status().toString();
  EXPECT_EQ(values((*out)[0]), (std::vector<float>{0, 2, 4, 6, 8, 10}));
}

TEST(OnnxLoader, ExternalDataIsReadFromTheModelFolder) {
  TempDir dir;
  std::vector<float> file = {9, 9, 1, -1, 2, 0, -1, 1, 9};  // W at byte offset 8
  dir.write("weights/w.bin", std::string(reinterpret_cast<const char*>(file.data()),
                                         file.size() * sizeof(float)));
  auto m = mlp({2, 3});
  auto* w = m.mutable_graph()->mutable_initializer(0);
  w->clear_raw_data();
  w->set_data_location(::onnx::TensorProto::EXTERNAL);
  for (auto [k, v] : {std::pair{"location", "weights/w.bin"}, {"offset", "8"}, {"length", "24"}}) {
    auto* e = w->add_external_data();
    e->set_key(k);
    e->set_value(v);
  }
  auto g = loadOnnx(save(dir, m));
  ASSERT_TRUE(g.ok()) << g.status().toString();
  auto out = ref::evaluate(**g, {f32({2, 3}, {1, 2, 3, -1, 0, 1})});
  ASSERT_TRUE(out.ok()) << out.status().toString();
  EXPECT_EQ(values((*out)[0]), (std::vector<float>{2.5f, 0, 0, 0}));
}

TEST(OnnxLoader, NodesOutOfOrderAreSorted) {
  auto m = makeModel();
  addInput(m, "x", {2});
  addNode(m, "Relu", {"h"}, {"y"}, "second");
  addNode(m, "Neg", {"x"}, {"h"}, "first");
  addOutput(m, "y");
  TempDir dir;
  auto g = loadOnnx(save(dir, m));
  ASSERT_TRUE(g.ok()) << g.status().toString();
  auto out = ref::evaluate(**g, {f32({2}, {1, -2})});
  ASSERT_TRUE(out.ok()) << out.status().toString();
  EXPECT_EQ(values((*out)[0]), (std::vector<float>{0, 2}));
}

TEST(OnnxLoader, CycleIsAnErrorNamingTheNodes) {
  auto m = makeModel();
  addInput(m, "x", {2});
  addNode(m, "Add", {"x", "b"}, {"a"}, "node_a");
  addNode(m, "Relu", {"a"}, {"b"}, "node_b");
  addOutput(m, "b");
  TempDir dir;
  std::string path = save(dir, m);
  auto g = loadOnnx(path);
  ASSERT_FALSE(g.ok());
  EXPECT_EQ(g.status().message(),
            path + ": the graph has a cycle through nodes \"node_a\", \"node_b\"");
}

TEST(OnnxLoader, UnnamedNodesGetOpTypeAndIndex) {
  auto m = makeModel();
  addInput(m, "x", {2});
  addNode(m, "Neg", {"x"}, {"h"}, "");
  addNode(m, "Relu", {"h"}, {"y"}, "");
  addOutput(m, "y");
  TempDir dir;
  auto g = loadOnnx(save(dir, m));
  ASSERT_TRUE(g.ok()) << g.status().toString();
  EXPECT_NE((*g)->find("Neg_0"), nullptr);
  EXPECT_EQ((*g)->outputs()[0]->origins, std::vector<std::string>{"Relu_1"});
}

TEST(OnnxLoader, AttributeOfWrongTypeNamesTheAttribute) {
  auto m = makeModel();
  addInput(m, "x", {-1, 3});
  addInitializer(m, int64Tensor("minus1", {1}, {-1}));
  addNode(m, "Shape", {"x"}, {"s"}, "shape");
  setFloat(addNode(m, "Concat", {"s", "minus1"}, {"t"}, "cat"), "axis", 0.0f);
  addNode(m, "Reshape", {"x", "t"}, {"y"}, "reshape");
  addOutput(m, "y");
  TempDir dir;
  std::string path = save(dir, m);
  auto g = loadOnnx(path);
  ASSERT_FALSE(g.ok());
  EXPECT_EQ(g.status().message(),
            path + ": node \"cat\" (Concat): attribute \"axis\" is FLOAT, expected INT");
}

TEST(OnnxLoader, SymbolicInnerDimensionIsAnError) {
  auto m = makeModel();
  addInput(m, "x", {-1, 3, -1});
  addNode(m, "Relu", {"x"}, {"y"}, "act");
  addOutput(m, "y");
  TempDir dir;
  std::string path = save(dir, m);
  auto g = loadOnnx(path);
  ASSERT_FALSE(g.ok());
  EXPECT_EQ(g.status().message(),
            path + ": input \"x\": dimension 2 (\"N\") is symbolic; dlc supports a symbolic "
                   "batch dimension (the first) only");
}

TEST(OnnxLoader, UndefinedInputIsAnError) {
  auto m = makeModel();
  addInput(m, "x", {2});
  addNode(m, "Add", {"x", "ghost"}, {"y"}, "add1");
  addOutput(m, "y");
  TempDir dir;
  std::string path = save(dir, m);
  auto g = loadOnnx(path);
  ASSERT_FALSE(g.ok());
  EXPECT_EQ(g.status().message(),
            path + ": node \"add1\" (Add): input \"ghost\" is not produced by any node, "
                   "initializer or graph input");
}

TEST(OnnxLoader, InitializerListedAsInputIsAConstant) {
  auto m = mlp({2, 3});
  addInput(m, "W", {3, 2});
  TempDir dir;
  auto g = loadOnnx(save(dir, m));
  ASSERT_TRUE(g.ok()) << g.status().toString();
  EXPECT_EQ((*g)->inputs().size(), 1u);
}

}  // namespace
}  // namespace dlc::onnxfe
