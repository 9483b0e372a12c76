// The verifier accepts a well-formed graph and names the node for each kind
// of corruption: order, foreign operands, arity, stale types, constant data,
// duplicate names, outputs, inputs and kernel annotations.
#include "IrTestUtil.h"
#include "ir/Verifier.h"

namespace dlc::ir {
namespace {

using namespace testing;

// x:[N,4] -> relu -> add(c) -> out
struct Small {
  Small() {
    x = g.addInput("x", f32({N, 4}));
    c = g.addConstant("c", Tensor(DType::F32, {4}));
    r = g.addNode(OpKind::Relu, "r", {x});
    a = g.addNode(OpKind::Add, "a", {r, c});
    g.setOutputs({a});
    EXPECT_TRUE(inferTypes(g).ok());
  }
  Graph g;
  Node *x, *c, *r, *a;
};

TEST(Verifier, AcceptsAWellFormedGraph) {
  Small s;
  EXPECT_TRUE(verify(s.g).ok()) << verify(s.g).message();
}

TEST(Verifier, TopologicalOrder) {
  Small s;
  s.g.moveBefore(s.a, s.r);
  expectError(verify(s.g), {"\"a\" (add)", "operand 0 \"r\" comes later", "topologically"});
}

TEST(Verifier, OperandNotInGraph) {
  Small s;
  Graph other;
  Node* foreign = other.addInput("y", f32({N, 4}));
  s.r->inputs[0] = foreign;
  expectError(verify(s.g), {"\"r\" (relu): operand 0 is not a node of the graph"});
}

TEST(Verifier, Arity) {
  Small s;
  s.r->inputs.push_back(s.x);
  expectError(verify(s.g), {"\"r\" (relu): has 2 operands, the op table allows 1 to 1"});
}

TEST(Verifier, StoredTypeMustEqualInferred) {
  Small s;
  s.r->type = f32({N, 5});
  expectError(verify(s.g), {"\"r\" (relu): stored type f32[N,5] differs from the inferred type f32[N,4]"});
}

TEST(Verifier, ShapeErrorsNameTheNode) {
  Small s;
  s.c->value = Tensor(DType::F32, {3});
  s.c->type = f32({3});
  expectError(verify(s.g), {"\"a\" (add): add cannot broadcast"});
}

TEST(Verifier, ConstantData) {
  Small s;
  s.c->value = Tensor(DType::I32, {4});
  expectError(verify(s.g), {"\"c\" (constant): constant data is i32[4] but its type is f32[4]"});
  s.c->value = Tensor();
  expectError(verify(s.g), {"\"c\" (constant): constant has no data"});
}

TEST(Verifier, UniqueNames) {
  Small s;
  s.a->name = s.r->name;
  expectError(verify(s.g), {"\"r\" (add): the name is used by two nodes"});
}

TEST(Verifier, OutputsAndInputs) {
  {
    Small s;
    Graph other;
    s.g.addOutput(other.addInput("y", f32({1})));
    expectError(verify(s.g), {"graph output 1 is not a node of the graph"});
  }
  {
    Small s;
    s.x->op = OpKind::Constant;  // the listed graph input is no longer an input node
    s.x->value = Tensor(DType::F32, {2, 4});
    s.x->type = f32({2, 4});
    ASSERT_TRUE(inferTypes(s.g).ok());
    expectError(verify(s.g),
                {"\"x\" (constant): listed as a graph input but is not an input node"});
  }
  {
    Small s;
    s.g.addNode(OpKind::Input, "stray", {})->type = f32({1});
    expectError(verify(s.g), {"\"stray\" (input): input node is not listed as a graph input"});
  }
}

TEST(Verifier, KernelAnnotationsAllOrNothing) {
  Small s;
  s.r->kernel = 0;
  expectError(verify(s.g), {"\"a\" (add): has no kernel annotation but \"r\" (relu) has #k0"});
  s.a->kernel = 0;
  EXPECT_TRUE(verify(s.g).ok()) << verify(s.g).message();
  s.a->device = "/device:CPU:0";
  expectError(verify(s.g), {"kernel k0 (relu+add) mixes devices"});
}

TEST(Verifier, ErrorsNameTheSourceFile) {
  Small s;
  s.g.sourceFile = "model.json";
  s.r->type = f32({1});
  expectError(verify(s.g), {"model.json: verifier: \"r\" (relu)"});
}

}  // namespace
}  // namespace dlc::ir
