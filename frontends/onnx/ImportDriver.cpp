// The ONNX import driver (see ImportDriver.h).
#include "frontends/onnx/ImportDriver.h"

#include <algorithm>
#include <map>
#include <queue>
#include <set>

#include "frontends/onnx/BuiltinOps.h"
#include "frontends/onnx/NodeContext.h"
#include "frontends/onnx/OnnxModel.h"
#include "frontends/onnx/OnnxTensor.h"
#include "onnx.pb.h"

namespace dlc::onnxfe {

namespace {

bool isDefaultDomain(const std::string& domain) { return domain.empty() || domain == "ai.onnx"; }

std::string nodeLabel(const ::onnx::NodeProto& node, int index) {
  return node.name().empty() ? strCat(node.op_type(), "_", index) : node.name();
}

class Driver {
 public:
  Driver(const ::onnx::ModelProto& model, std::string file, std::string modelDir)
      : model_(model), onnxGraph_(model.graph()) {
    state_.file = std::move(file);
    state_.modelDir = std::move(modelDir);
  }

  StatusOr<std::unique_ptr<ir::Graph>> run() {
    DLC_RETURN_IF_ERROR(checkHeader());
    graph_ = std::make_unique<ir::Graph>();
    state_.graph = graph_.get();
    graph_->sourceFile = state_.file;
    std::string stem = state_.file.substr(state_.file.find_last_of('/') + 1);
    graph_->name = onnxGraph_.name().empty() ? stem.substr(0, stem.find('.')) : onnxGraph_.name();
    DLC_RETURN_IF_ERROR(addInitializers());
    DLC_RETURN_IF_ERROR(addInputs());
    DLC_RETURN_IF_ERROR(checkSupported());
    DLC_ASSIGN_OR_RETURN(std::vector<int> order, nodeOrder());
    for (int i : order) DLC_RETURN_IF_ERROR(convertNode(i));
    DLC_RETURN_IF_ERROR(addOutputs());
    graph_->removeDeadNodes();
    recordFoldedNodes();
    return renameOutputs();
  }

 private:
  Status fail(StatusCode code, const std::string& message) const {
    return Status(code, strCat(state_.file, ": ", message));
  }

  Status checkHeader() {
    if (!model_.has_ir_version())
      return fail(StatusCode::kInvalidArgument, "not an ONNX model (no ir_version)");
    if (!model_.has_graph())
      return fail(StatusCode::kInvalidArgument, "not an ONNX model (no graph)");
    bool found = false;
    for (const auto& op : model_.opset_import()) {
      if (!isDefaultDomain(op.domain())) continue;
      found = true;
      state_.opset = op.version();
    }
    std::string range = strCat("dlc imports default-domain (ai.onnx) opsets ", kMinOpset,
                               " to ", kMaxOpset);
    if (!found)
      return fail(StatusCode::kInvalidArgument,
                  strCat("no opset_import for the default domain; ", range));
    if (state_.opset < kMinOpset || state_.opset > kMaxOpset)
      return fail(StatusCode::kUnsupported,
                  strCat("opset ", state_.opset, " is not supported; ", range));
    if (onnxGraph_.sparse_initializer_size() > 0)
      return fail(StatusCode::kUnsupported,
                  strCat("sparse initializer \"", onnxGraph_.sparse_initializer(0).values().name(),
                         "\" is not supported"));
    return Status::OK();
  }

  Status addInitializers() {
    for (int i = 0; i < onnxGraph_.initializer_size(); ++i) {
      const ::onnx::TensorProto& proto = onnxGraph_.initializer(i);
      std::string what = strCat(state_.file, ": initializer \"", proto.name(), "\"");
      if (proto.name().empty())
        return fail(StatusCode::kInvalidArgument, strCat("initializer ", i, " has no name"));
      if (state_.values.count(proto.name()))
        return Status(StatusCode::kInvalidArgument, what + ": defined twice");
      DLC_ASSIGN_OR_RETURN(Tensor value, tensorFromProto(proto, state_.modelDir, what));
      ir::Node* node = graph_->addConstant(proto.name(), std::move(value));
      node->location = strCat("graph.initializer[", i, "]");
      state_.values[proto.name()] = OnnxValue{node, std::nullopt};
    }
    return Status::OK();
  }

  StatusOr<ir::TensorType> inputType(const ::onnx::ValueInfoProto& info) {
    std::string what = strCat(state_.file, ": input \"", info.name(), "\"");
    if (!info.type().has_tensor_type())
      return unsupported(what, ": only tensor inputs are supported (not sequences, maps or "
                               "optionals)");
    const auto& tt = info.type().tensor_type();
    ir::TensorType type;
    DLC_ASSIGN_OR_RETURN(type.dtype, dtypeFromOnnx(tt.elem_type(), what));
    if (!tt.has_shape()) return invalidArgument(what, ": has no shape (unknown rank)");
    std::vector<int64_t> dims;
    for (int d = 0; d < tt.shape().dim_size(); ++d) {
      const auto& dim = tt.shape().dim(d);
      if (dim.has_dim_value() && dim.dim_value() >= 0) {
        dims.push_back(dim.dim_value());
        continue;
      }
      std::string label = dim.has_dim_param() ? strCat(" (\"", dim.dim_param(), "\")") : "";
      if (d != 0)
        return unsupported(what, ": dimension ", d, label,
                           " is symbolic; dlc supports a symbolic batch dimension (the first) "
                           "only");
      dims.push_back(ir::kBatch);
    }
    type.shape = ir::Shape(dims);
    Status valid = ir::validateShape(type.shape);
    if (!valid.ok()) return valid.withContext(what);
    return type;
  }

  Status addInputs() {
    for (int i = 0; i < onnxGraph_.input_size(); ++i) {
      const ::onnx::ValueInfoProto& info = onnxGraph_.input(i);
      if (state_.values.count(info.name())) continue;  // an initializer: a constant
      if (info.name().empty())
        return fail(StatusCode::kInvalidArgument, strCat("graph input ", i, " has no name"));
      DLC_ASSIGN_OR_RETURN(ir::TensorType type, inputType(info));
      ir::Node* node = graph_->addInput(info.name(), type);
      node->location = strCat("graph.input[", i, "]");
      state_.values[info.name()] = OnnxValue{node, std::nullopt};
    }
    return Status::OK();
  }

  // One error listing every node whose op type dlc cannot convert.
  Status checkSupported() {
    std::map<std::string, std::vector<std::string>> missing;
    int count = 0;
    for (int i = 0; i < onnxGraph_.node_size(); ++i) {
      const ::onnx::NodeProto& node = onnxGraph_.node(i);
      if (isDefaultDomain(node.domain())) {
        if (isBuiltinOp(node.op_type()) || findConverter(node.op_type())) continue;
        missing[node.op_type()].push_back(nodeLabel(node, i));
      } else {
        missing[strCat(node.domain(), ":", node.op_type())].push_back(nodeLabel(node, i));
      }
      ++count;
    }
    if (missing.empty()) return Status::OK();
    std::string list;
    for (const auto& [op, names] : missing) {
      list += (list.empty() ? "" : ", ") + op + " (";
      for (size_t k = 0; k < names.size(); ++k) list += (k ? ", " : "") + names[k];
      list += ")";
    }
    return fail(StatusCode::kUnsupported,
                strCat(count, count == 1 ? " unsupported op: " : " unsupported ops: ", list));
  }

  // Node indices in topological order, keeping file order where it allows.
  StatusOr<std::vector<int>> nodeOrder() {
    int n = onnxGraph_.node_size();
    std::unordered_map<std::string, int> producer;
    for (int i = 0; i < n; ++i)
      for (const std::string& out : onnxGraph_.node(i).output()) {
        if (out.empty()) continue;
        if (state_.values.count(out) || !producer.emplace(out, i).second)
          return fail(StatusCode::kInvalidArgument,
                      strCat("node \"", nodeLabel(onnxGraph_.node(i), i), "\" (",
                             onnxGraph_.node(i).op_type(), "): output \"", out,
                             "\" is defined twice"));
      }
    for (const auto& out : onnxGraph_.output()) state_.used.insert(out.name());
    std::vector<std::vector<int>> users(static_cast<size_t>(n));
    std::vector<int> pending(static_cast<size_t>(n), 0);
    for (int i = 0; i < n; ++i) {
      const ::onnx::NodeProto& node = onnxGraph_.node(i);
      std::set<int> deps;
      for (const std::string& in : node.input()) {
        if (in.empty()) continue;
        state_.used.insert(in);
        if (auto it = producer.find(in); it != producer.end()) {
          deps.insert(it->second);
        } else if (!state_.values.count(in)) {
          return fail(StatusCode::kInvalidArgument,
                      strCat("node \"", nodeLabel(node, i), "\" (", node.op_type(),
                             "): input \"", in,
                             "\" is not produced by any node, initializer or graph input"));
        }
      }
      for (int d : deps) users[size_t(d)].push_back(i);
      pending[size_t(i)] = int(deps.size());
    }
    std::priority_queue<int, std::vector<int>, std::greater<int>> ready;
    for (int i = 0; i < n; ++i)
      if (pending[size_t(i)] == 0) ready.push(i);
    std::vector<int> order;
    while (!ready.empty()) {
      int i = ready.top();
      ready.pop();
      order.push_back(i);
      for (int u : users[size_t(i)])
        if (--pending[size_t(u)] == 0) ready.push(u);
    }
    if (int(order.size()) == n) return order;
    std::string cycle;
    int listed = 0;
    for (int i = 0; i < n && listed < 8; ++i)
      if (pending[size_t(i)] > 0) {
        cycle += (listed++ ? ", \"" : "\"") + nodeLabel(onnxGraph_.node(i), i) + "\"";
      }
    return fail(StatusCode::kInvalidArgument,
                strCat("the graph has a cycle through nodes ", cycle));
  }

  Status convertNode(int index) {
    const ::onnx::NodeProto& proto = onnxGraph_.node(index);
    NodeContext ctx(state_, proto, index);
    onnxNames_.push_back(ctx.nodeName());
    DLC_ASSIGN_OR_RETURN(bool done, convertBuiltin(ctx));
    if (!done) {
      Converter convert = findConverter(proto.op_type());
      DLC_CHECK(convert, "checkSupported let ", proto.op_type(), " through");
      Status s = convert(ctx);
      if (!s.ok()) {
        // Converters should prefix through ctx.error(); add it when one did not.
        std::string prefix = strCat(state_.file, ": node \"", ctx.nodeName(), "\"");
        if (s.message().compare(0, prefix.size(), prefix) != 0) return ctx.withNode(s);
        return s;
      }
    }
    for (int i = 0; i < ctx.numOutputs(); ++i)
      if (ctx.outputUsed(i) && !ctx.outputBound(i))
        return ctx.error(StatusCode::kInternal,
                         strCat("the converter did not produce output ", i, " \"",
                                ctx.outputName(i), "\""));
    return Status::OK();
  }

  Status addOutputs() {
    for (int i = 0; i < onnxGraph_.output_size(); ++i) {
      const std::string& name = onnxGraph_.output(i).name();
      auto it = state_.values.find(name);
      if (it == state_.values.end())
        return fail(StatusCode::kInvalidArgument,
                    strCat("graph output \"", name, "\" is not produced by any node"));
      if (!it->second.node)
        return fail(StatusCode::kUnsupported,
                    strCat("graph output \"", name, "\" is the shape value ",
                           it->second.shape->str(),
                           ", which depends on the batch size N; dlc cannot return it"));
      graph_->addOutput(it->second.node);
    }
    return Status::OK();
  }

  // ONNX nodes no remaining IR node implements were folded away at import.
  void recordFoldedNodes() {
    std::set<std::string> live;
    for (const auto& node : graph_->nodes())
      live.insert(node->origins.begin(), node->origins.end());
    for (const std::string& name : onnxNames_)
      if (!live.count(name)) graph_->addFoldedOrigin(name);
  }

  // Gives each computed graph output its ONNX tensor name, rebuilding the
  // graph (ir::Graph has no rename) when some output's IR name differs.
  StatusOr<std::unique_ptr<ir::Graph>> renameOutputs() {
    std::unordered_map<const ir::Node*, std::string> want;
    const auto& outs = graph_->outputs();
    for (size_t i = 0; i < outs.size(); ++i) {
      const std::string& name = onnxGraph_.output(int(i)).name();
      if (ir::isSource(outs[i]->op) || outs[i]->name == name || graph_->find(name) ||
          std::count(outs.begin(), outs.end(), outs[i]) != 1)
        continue;
      want[outs[i]] = name;
    }
    if (want.empty()) return std::move(graph_);
    auto g = std::make_unique<ir::Graph>();
    g->name = graph_->name;
    g->sourceFile = graph_->sourceFile;
    g->foldedOrigins = graph_->foldedOrigins;
    std::unordered_map<const ir::Node*, ir::Node*> map;
    for (const auto& owned : graph_->nodes()) {
      const ir::Node& n = *owned;
      auto it = want.find(&n);
      const std::string& name = it == want.end() ? n.name : it->second;
      ir::Node* copy;
      if (n.op == ir::OpKind::Input) {
        copy = g->addInput(name, n.type);
      } else if (n.op == ir::OpKind::Constant) {
        copy = g->addConstant(name, n.value);
      } else {
        std::vector<ir::Node*> inputs;
        for (const ir::Node* in : n.inputs) inputs.push_back(map.at(in));
        copy = g->addNode(n.op, name, std::move(inputs), n.attrs);
      }
      copy->type = n.type;
      copy->device = n.device;
      copy->location = n.location;
      copy->origins = n.origins;
      copy->kernel = n.kernel;
      map[&n] = copy;
    }
    for (const ir::Node* out : outs) g->addOutput(map.at(out));
    return g;
  }

  const ::onnx::ModelProto& model_;
  const ::onnx::GraphProto& onnxGraph_;
  ImportState state_;
  std::unique_ptr<ir::Graph> graph_;
  std::vector<std::string> onnxNames_;  // converted nodes, in order
};

}  // namespace

StatusOr<std::unique_ptr<ir::Graph>> importModel(const ::onnx::ModelProto& model,
                                                 const std::string& file,
                                                 const std::string& modelDir) {
  return Driver(model, file, modelDir).run();
}

}  // namespace dlc::onnxfe
