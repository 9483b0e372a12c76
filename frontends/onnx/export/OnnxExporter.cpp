// The export driver: the ModelProto frame (opset, IR version, producer),
// graph inputs and outputs, constants as initializers, every other node
// through the writer table, and the all-or-nothing file write. See
// OnnxExporter.h.
#include "frontends/onnx/export/OnnxExporter.h"

#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <unordered_map>

#include "frontends/onnx/export/Writers.h"

namespace dlc::onnxfe {

namespace {

std::string fileOf(const ir::Graph& graph) {
  return graph.sourceFile.empty() ? std::string("<graph>") : graph.sourceFile;
}

void fillValueInfo(const std::string& name, const ir::TensorType& type,
                   ::onnx::ValueInfoProto* info) {
  info->set_name(name);
  auto* tensor = info->mutable_type()->mutable_tensor_type();
  tensor->set_elem_type(onnxElemType(type.dtype));
  auto* shape = tensor->mutable_shape();
  for (int64_t d : type.shape.dims()) {
    auto* dim = shape->add_dim();
    if (d == ir::kBatch) {
      dim->set_dim_param("N");
    } else {
      dim->set_dim_value(d);
    }
  }
}

}  // namespace

int64_t irVersionForOpset(int64_t opset) {
  if (opset <= 18) return 8;
  if (opset <= 20) return 9;
  return 10;
}

StatusOr<std::string> exportOnnx(const ir::Graph& graph, const ExportOptions& options,
                                 ExportSummary* summary) {
  if (options.opset < kMinExportOpset || options.opset > kMaxExportOpset)
    return invalidArgument("ONNX opset ", options.opset, " is not supported: dlc exports opsets ",
                           kMinExportOpset, " to ", kMaxExportOpset);
  ::onnx::ModelProto model;
  model.set_ir_version(irVersionForOpset(options.opset));
  model.set_producer_name("dlc");
  ::onnx::OperatorSetIdProto* opset = model.add_opset_import();
  opset->set_domain("");
  opset->set_version(options.opset);
  ::onnx::GraphProto* out = model.mutable_graph();
  out->set_name(graph.name);

  ExportState state;
  state.graph = out;
  state.source = &graph;
  state.opset = options.opset;
  for (const auto& n : graph.nodes()) state.names.insert(n->name);

  ExportSummary sum;
  sum.opset = options.opset;
  sum.irVersion = model.ir_version();
  for (const ir::Node* in : graph.inputs()) fillValueInfo(in->name, in->type, out->add_input());
  sum.inputs = int64_t(graph.inputs().size());
  for (const auto& node : graph.nodes()) {
    if (node->op == ir::OpKind::Input) continue;
    if (node->op == ir::OpKind::Constant) {
      fillTensorProto(node->value, node->name, out->add_initializer());
      continue;
    }
    Writer writer = findWriter(node->op);
    ExportContext ctx(state, *node);
    if (!writer)
      return ctx.error(StatusCode::kUnsupported,
                       strCat("op ", ir::opName(node->op), " has no ONNX form"));
    DLC_RETURN_IF_ERROR(writer(ctx));
    ++sum.nodes;
  }
  // Graph outputs. ONNX outputs must be produced by a node and be distinct,
  // so an output that is a graph input, a constant or repeated is an Identity
  // of it, named "<name>/output".
  std::unordered_map<std::string, int> seen;
  for (const ir::Node* o : graph.outputs()) {
    std::string name = o->name;
    if (ir::isSource(o->op) || seen[name]++ > 0) {
      name = state.uniqueName(strCat(o->name, "/output"));
      ::onnx::NodeProto* id = out->add_node();
      id->set_op_type("Identity");
      id->set_name(name);
      id->add_input(o->name);
      id->add_output(name);
    }
    fillValueInfo(name, o->type, out->add_output());
  }
  sum.outputs = int64_t(graph.outputs().size());
  sum.onnxNodes = out->node_size();
  sum.initializers = out->initializer_size();
  for (const auto& init : out->initializer()) sum.weightBytes += int64_t(init.raw_data().size());
  std::string bytes;
  if (!model.SerializeToString(&bytes))
    return outOfRange(fileOf(graph), ": the ONNX model is too large for one protobuf file (",
                      sum.weightBytes, " weight bytes; protobuf's limit is 2 GiB)");
  if (summary) *summary = sum;
  return bytes;
}

Status exportOnnxFile(const ir::Graph& graph, const std::string& path,
                      const ExportOptions& options, ExportSummary* summary) {
  DLC_ASSIGN_OR_RETURN(std::string bytes, exportOnnx(graph, options, summary));
  namespace fs = std::filesystem;
  // Write beside the target and rename into place: a reader never sees a
  // half-written model, and a failed write leaves nothing behind.
  fs::path target(path);
  fs::path temp = target;
  temp += strCat(".tmp-", ::getpid());
  {
    std::ofstream file(temp, std::ios::binary | std::ios::trunc);
    if (!file)
      return invalidArgument(path, ": cannot write the ONNX model: ", std::strerror(errno));
    file.write(bytes.data(), std::streamsize(bytes.size()));
    file.close();
    if (!file) {
      std::error_code ec;
      fs::remove(temp, ec);
      return dataLoss(path, ": writing the ONNX model failed: ", std::strerror(errno));
    }
  }
  std::error_code ec;
  fs::rename(temp, target, ec);
  if (ec) {
    std::error_code ignored;
    fs::remove(temp, ignored);
    return invalidArgument(path, ": cannot write the ONNX model: ", ec.message());
  }
  return Status::OK();
}

}  // namespace dlc::onnxfe
