// ONNX export of whole models: every example model round-trips (export ->
// dlc's ONNX importer -> reference interpreter) to the same outputs at two
// batch sizes; the ModelProto's frame (opset, IR version, producer, dim_param
// "N", initializers, node names) is checked directly; and the errors (bad
// opset, unwritable path, no half-written file) have exact messages.
#include <gtest/gtest.h>

#include <filesystem>
#include <set>

#include "frontends/ModelLoader.h"
#include "frontends/onnx/export/ExportContext.h"
#include "ir/Parser.h"
#include "onnx.pb.h"
#include "tests/frontends_onnx/ExportTestUtil.h"
#include "tests/frontends_onnx/OnnxTestUtil.h"

namespace dlc::onnxfe::testing {
namespace {

namespace fs = std::filesystem;

std::string example(const std::string& file) {
  return std::string(DLC_SOURCE_DIR) + "/examples/" + file;
}

std::unique_ptr<ir::Graph> loadExample(const std::string& file) {
  auto g = frontends::loadModel(example(file));
  EXPECT_TRUE(g.ok()) << g.status().message();
  return g.ok() ? std::move(g).value() : nullptr;
}

::onnx::ModelProto exportProto(const ir::Graph& graph, ExportSummary* summary,
                               int64_t opset = kDefaultExportOpset) {
  ::onnx::ModelProto model;
  auto bytes = exportOnnx(graph, ExportOptions{opset}, summary);
  EXPECT_TRUE(bytes.ok()) << bytes.status().message();
  if (bytes.ok()) EXPECT_TRUE(model.ParseFromString(*bytes));
  return model;
}

struct ExampleCase {
  const char* file;
  bool exact;                    // the ONNX form is the same computation
  std::vector<int64_t> batches;  // static models run once
};

class ExportExample : public ::testing::TestWithParam<ExampleCase> {};

// Exact for elementwise_chain (every op round-trips to itself); within 1e-6
// relative for the others: their dense layers come back as matmul + add,
// batch_norm/layer_norm's epsilon as an ONNX float, gelu as its tanh
// formula below opset 20.
TEST_P(ExportExample, RoundTripComputesTheSameFunction) {
  const ExampleCase& c = GetParam();
  auto graph = loadExample(c.file);
  ASSERT_TRUE(graph);
  for (int64_t opset : {int64_t(17), int64_t(22)}) {
    auto back = roundTrip(*graph, opset);
    ASSERT_TRUE(back);
    for (int64_t batch : c.batches) {
      double diff = expectSameFunction(*graph, *back, batch, c.exact);
      RecordProperty(strCat("max_abs_diff_opset", opset, "_batch", batch), strCat(diff));
      if (c.exact) EXPECT_EQ(diff, 0.0);
    }
  }
}

INSTANTIATE_TEST_SUITE_P(
    Examples, ExportExample,
    ::testing::Values(ExampleCase{"fashion_mnist_mlp.json", false, {1, 5}},
                      ExampleCase{"cnn.json", false, {1, 3}},
                      ExampleCase{"transformer_block.json", false, {1, 2}},
                      ExampleCase{"elementwise_chain.json", true, {1}}),
    [](const auto& info) {
      std::string name = fs::path(info.param.file).stem().string();
      return name;
    });

TEST(Export, ModelFrameInputsOutputsAndInitializers) {
  auto graph = loadExample("fashion_mnist_mlp.json");
  ASSERT_TRUE(graph);
  ExportSummary s;
  ::onnx::ModelProto m = exportProto(*graph, &s);
  EXPECT_EQ(m.ir_version(), 8);
  EXPECT_EQ(m.producer_name(), "dlc");
  ASSERT_EQ(m.opset_import_size(), 1);
  EXPECT_EQ(m.opset_import(0).domain(), "");
  EXPECT_EQ(m.opset_import(0).version(), 17);
  // Inputs and outputs keep names, dtypes and shapes; N is dim_param "N".
  ASSERT_EQ(m.graph().input_size(), int(graph->inputs().size()));
  for (int i = 0; i < m.graph().input_size(); ++i) {
    const ir::Node* in = graph->inputs()[size_t(i)];
    const auto& vi = m.graph().input(i);
    EXPECT_EQ(vi.name(), in->name);
    EXPECT_EQ(vi.type().tensor_type().elem_type(), onnxElemType(in->type.dtype));
    const auto& shape = vi.type().tensor_type().shape();
    ASSERT_EQ(shape.dim_size(), in->type.shape.rank());
    for (int d = 0; d < shape.dim_size(); ++d) {
      if (in->type.shape.dim(d) == ir::kBatch) {
        EXPECT_EQ(shape.dim(d).dim_param(), "N");
      } else {
        EXPECT_EQ(shape.dim(d).dim_value(), in->type.shape.dim(d));
      }
    }
  }
  ASSERT_EQ(m.graph().output_size(), int(graph->outputs().size()));
  EXPECT_EQ(m.graph().output(0).name(), graph->outputs()[0]->name);
  EXPECT_EQ(m.graph().output(0).type().tensor_type().shape().dim(0).dim_param(), "N");
  // Every constant is an initializer of its name holding its bytes.
  int64_t constants = 0, constantBytes = 0;
  std::set<std::string> initNames;
  for (const auto& init : m.graph().initializer()) {
    initNames.insert(init.name());
    EXPECT_TRUE(init.has_raw_data()) << init.name();
  }
  for (const auto& n : graph->nodes()) {
    if (n->op != ir::OpKind::Constant) continue;
    ++constants;
    constantBytes += int64_t(n->value.byteSize());
    EXPECT_TRUE(initNames.count(n->name)) << n->name;
  }
  EXPECT_EQ(s.initializers, m.graph().initializer_size());
  EXPECT_GE(s.initializers, constants);
  EXPECT_GE(s.weightBytes, constantBytes);
  int64_t rawBytes = 0;
  for (const auto& init : m.graph().initializer()) rawBytes += int64_t(init.raw_data().size());
  EXPECT_EQ(s.weightBytes, rawBytes);
  // Every dlc node has an ONNX node of its name producing its value.
  std::set<std::string> nodeNames;
  for (const auto& n : m.graph().node()) nodeNames.insert(n.name());
  int64_t computed = 0;
  for (const auto& n : graph->nodes()) {
    if (ir::isSource(n->op)) continue;
    ++computed;
    EXPECT_TRUE(nodeNames.count(n->name)) << n->name;
  }
  EXPECT_EQ(s.nodes, computed);
  EXPECT_EQ(s.onnxNodes, m.graph().node_size());
  EXPECT_EQ(s.inputs, int64_t(graph->inputs().size()));
  EXPECT_EQ(s.outputs, 1);
}

TEST(Export, InitializerBytesAreTheConstantsBytes) {
  auto graph = loadExample("cnn.json");
  ASSERT_TRUE(graph);
  ExportSummary s;
  ::onnx::ModelProto m = exportProto(*graph, &s);
  for (const auto& init : m.graph().initializer()) {
    const ir::Node* n = graph->find(init.name());
    if (!n || n->op != ir::OpKind::Constant) continue;
    ASSERT_EQ(init.raw_data().size(), n->value.byteSize()) << init.name();
    EXPECT_EQ(0, std::memcmp(init.raw_data().data(), n->value.data(), n->value.byteSize()))
        << init.name();
    EXPECT_EQ(std::vector<int64_t>(init.dims().begin(), init.dims().end()), n->value.dims());
  }
}

TEST(Export, IrVersionFollowsTheOpset) {
  EXPECT_EQ(irVersionForOpset(17), 8);
  EXPECT_EQ(irVersionForOpset(18), 8);
  EXPECT_EQ(irVersionForOpset(19), 9);
  EXPECT_EQ(irVersionForOpset(20), 9);
  EXPECT_EQ(irVersionForOpset(21), 10);
  EXPECT_EQ(irVersionForOpset(22), 10);
  auto graph = loadExample("transformer_block.json");
  ASSERT_TRUE(graph);
  ExportSummary s;
  ::onnx::ModelProto m = exportProto(*graph, &s, 21);
  EXPECT_EQ(m.ir_version(), 10);
  EXPECT_EQ(m.opset_import(0).version(), 21);
  EXPECT_EQ(s.opset, 21);
  // Gelu is an op from opset 20, its tanh formula before.
  auto count = [](const ::onnx::ModelProto& model, const std::string& type) {
    int k = 0;
    for (const auto& n : model.graph().node()) k += n.op_type() == type;
    return k;
  };
  EXPECT_EQ(count(m, "Gelu"), 1);
  EXPECT_EQ(count(m, "Tanh"), 0);
  ::onnx::ModelProto old = exportProto(*graph, &s, 17);
  EXPECT_EQ(count(old, "Gelu"), 0);
  EXPECT_EQ(count(old, "Tanh"), 1);
  EXPECT_EQ(count(old, "LayerNormalization"), 2);
}

TEST(Export, OutputsThatAreInputsOrRepeatedBecomeIdentities) {
  auto g = ir::parseGraph(
      "graph @g(%x: f32[N,3]) {\n  %y = exp(%x) : f32[N,3]\n  return %y, %x, %y\n}", "t.ir");
  ASSERT_TRUE(g.ok()) << g.status().message();
  ::onnx::ModelProto m = exportProto(**g, nullptr);
  ASSERT_EQ(m.graph().output_size(), 3);
  EXPECT_EQ(m.graph().output(0).name(), "y");
  EXPECT_EQ(m.graph().output(1).name(), "x/output");
  EXPECT_EQ(m.graph().output(2).name(), "y/output");
  auto back = roundTrip(**g, 17);
  ASSERT_TRUE(back);
  expectSameFunction(**g, *back, 2, /*exact=*/true);
}

TEST(ExportErrors, BadOpset) {
  auto graph = loadExample("elementwise_chain.json");
  ASSERT_TRUE(graph);
  for (int64_t opset : {int64_t(16), int64_t(23)}) {
    auto bytes = exportOnnx(*graph, ExportOptions{opset});
    ASSERT_FALSE(bytes.ok());
    EXPECT_EQ(bytes.status().message(), strCat("ONNX opset ", opset,
                                               " is not supported: dlc exports opsets 17 to 22"));
  }
}

TEST(ExportErrors, UnwritablePathLeavesNothing) {
  auto graph = loadExample("elementwise_chain.json");
  ASSERT_TRUE(graph);
  TempDir dir;
  std::string path = dir.file("missing/folder/model.onnx");
  Status s = exportOnnxFile(*graph, path);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.message(), path + ": cannot write the ONNX model: No such file or directory");
  // A bad opset writes no file at all, not even a temporary one.
  std::string good = dir.file("model.onnx");
  EXPECT_FALSE(exportOnnxFile(*graph, good, ExportOptions{99}).ok());
  EXPECT_TRUE(fs::is_empty(dir.path()));
  ExportSummary sum;
  ASSERT_TRUE(exportOnnxFile(*graph, good, {}, &sum).ok());
  EXPECT_EQ(std::vector<fs::path>(fs::directory_iterator(dir.path()), fs::directory_iterator()),
            std::vector<fs::path>{fs::path(good)});
  auto back = loadOnnx(good);
  ASSERT_TRUE(back.ok()) << back.status().message();
}

TEST(ExportErrors, AnOpOnnxCannotExpressNamesTheNode) {
  // Reshape to an empty extent next to N: ONNX's allowzero and -1 exclude
  // each other.
  auto g = ir::parseGraph(
      "graph @g(%x: f32[N,0,3]) {\n  %r = reshape(%x) {shape = [-1,0,3]} : f32[N,0,3]\n"
      "  return %r\n}",
      "empty.ir");
  ASSERT_TRUE(g.ok()) << g.status().message();
  auto bytes = exportOnnx(**g);
  ASSERT_FALSE(bytes.ok());
  EXPECT_EQ(bytes.status().message(),
            "empty.ir: \"r\" (reshape): reshape to f32[N,0,3]: ONNX Reshape cannot hold both an "
            "empty extent (allowzero) and the inferred batch N");
}

}  // namespace
}  // namespace dlc::onnxfe::testing
