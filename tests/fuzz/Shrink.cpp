// Greedy shrinking and repro files (Shrink.h).
#include "tests/fuzz/Shrink.h"

#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>

#include "compiler/reference/Interpreter.h"
#include "frontends/json/JsonWriter.h"
#include "ir/ShapeInference.h"
#include "support/Npy.h"
#include "tests/fuzz/Isolate.h"

namespace dlc::fuzz {

namespace {

using ir::Node;

// One shrinking step: new outputs, nodes bypassed by an operand, nodes cut
// loose as inputs.
struct Edit {
  std::vector<std::string> outputs;
  std::map<std::string, std::string> bypass;  // node -> operand that replaces it
  std::set<std::string> cut;                   // nodes that become inputs
};

struct Candidate {
  std::unique_ptr<ir::Graph> graph;
  InputSet inputs;
};

// Builds the graph `edit` describes from `g` (whose input values are
// `inputs`), keeping only live nodes and used inputs. Cut nodes take their
// values from `cutValues`. nullopt when the edit gives no valid graph.
std::optional<Candidate> derive(const ir::Graph& g, const InputSet& inputs, const Edit& edit,
                                const std::map<std::string, Tensor>& cutValues) {
  std::map<std::string, const Tensor*> values;
  for (size_t i = 0; i < g.inputs().size(); ++i) values[g.inputs()[i]->name] = &inputs.values[i];
  for (const auto& [name, t] : cutValues) values[name] = &t;
  auto resolve = [&](const std::string& name) {
    std::string n = name;
    for (auto it = edit.bypass.find(n); it != edit.bypass.end(); it = edit.bypass.find(n))
      n = it->second;
    return n;
  };
  std::set<std::string> live;
  std::vector<std::string> stack;
  for (const std::string& o : edit.outputs) stack.push_back(resolve(o));
  while (!stack.empty()) {
    std::string n = stack.back();
    stack.pop_back();
    if (!live.insert(n).second || edit.cut.count(n)) continue;
    for (const Node* in : g.find(n)->inputs) stack.push_back(resolve(in->name));
  }
  Candidate c;
  c.graph = std::make_unique<ir::Graph>();
  c.graph->name = g.name;
  c.inputs.batch = inputs.batch;
  for (const auto& node : g.nodes()) {
    if (!live.count(node->name)) continue;
    if (node->op == ir::OpKind::Input || edit.cut.count(node->name)) {
      auto v = values.find(node->name);
      if (v == values.end()) return std::nullopt;
      c.graph->addInput(node->name, node->type);
      c.inputs.values.push_back(v->second->clone());
    } else if (node->op == ir::OpKind::Constant) {
      c.graph->addConstant(node->name, node->value)->type = node->type;
    } else {
      std::vector<Node*> ins;
      for (const Node* in : node->inputs) ins.push_back(c.graph->find(resolve(in->name)));
      Node* n = c.graph->addNode(node->op, node->name, ins, node->attrs);
      if (!ir::inferNodeType(*n).ok() || n->type != node->type) return std::nullopt;
    }
  }
  for (const std::string& o : edit.outputs) {
    Node* n = c.graph->find(resolve(o));
    if (!n || ir::isSource(n->op) || c.graph->isOutput(n)) return std::nullopt;
    c.graph->addOutput(n);
  }
  return c;
}

std::vector<std::string> outputNames(const ir::Graph& g) {
  std::vector<std::string> out;
  for (const Node* n : g.outputs()) out.push_back(n->name);
  return out;
}

}  // namespace

ShrunkCase shrinkCase(const FuzzCase& c, const CheckResult& failure, const ShrinkOptions& options) {
  auto start = std::chrono::steady_clock::now();
  ShrunkCase s;
  auto fails = [&](const ir::Graph& g, const InputSet& in) {
    ++s.attempts;
    CheckResult r =
        runIsolated([&] { return checkGraph(g, {in}, options.checks); }, options.timeoutS);
    // Crashes and timeouts carry no backend: the verdict alone must match.
    bool same = r.verdict == failure.verdict &&
                (failure.verdict == Verdict::kCrash || failure.verdict == Verdict::kTimeout ||
                 failedBackend(r) == failedBackend(failure));
    if (same) s.result = r;
    return same;
  };
  auto budgetLeft = [&] {
    double t = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return s.attempts < options.maxAttempts && t < options.maxSeconds;
  };
  // One failing batch size (the smallest).
  s.graph = c.graph->clone();
  s.inputs = c.runs.back();
  s.result = failure;
  for (const InputSet& run : c.runs) {
    if (run.batch != c.runs.back().batch && fails(*c.graph, run)) {
      s.inputs = run;
      break;
    }
  }
  bool progress = true;
  while (progress && budgetLeft()) {
    progress = false;
    const ir::Graph& g = *s.graph;
    std::vector<const Node*> comps;
    for (const auto& n : g.nodes())
      if (!ir::isSource(n->op)) comps.push_back(n.get());
    std::vector<std::pair<Edit, std::string>> edits;  // edit, node cut (if any)
    for (const Node* n : comps)
      if (g.outputs().size() > 1 || g.outputs()[0] != n) edits.push_back({{{n->name}, {}, {}}, ""});
    for (const Node* n : comps)
      for (const Node* in : n->inputs)
        if (in->type == n->type) {
          Edit e{outputNames(g), {{n->name, in->name}}, {}};
          edits.push_back({e, ""});
        }
    for (const Node* n : comps) {
      bool computedOperand = false;
      for (const Node* in : n->inputs) computedOperand |= !ir::isSource(in->op);
      if (computedOperand) edits.push_back({{outputNames(g), {}, {n->name}}, n->name});
    }
    for (auto& [edit, cutName] : edits) {
      if (!budgetLeft()) break;
      std::map<std::string, Tensor> cutValues;
      if (!cutName.empty()) {
        auto upTo = derive(g, s.inputs, {{cutName}, {}, {}}, {});
        if (!upTo) continue;
        auto v = ref::evaluate(*upTo->graph, upTo->inputs.values);
        if (!v.ok()) continue;
        cutValues[cutName] = (*v)[0];
      }
      auto cand = derive(g, s.inputs, edit, cutValues);
      if (!cand || !fails(*cand->graph, cand->inputs)) continue;
      if (options.verbose) {
        int n = 0;
        for (const auto& node : cand->graph->nodes()) n += ir::isSource(node->op) ? 0 : 1;
        fprintf(stderr, "  shrink: %d computations left\n", n);
      }
      s.graph = std::move(cand->graph);
      s.inputs = std::move(cand->inputs);
      ++s.accepted;
      progress = true;
      break;
    }
  }
  return s;
}

Status writeRepro(const ShrunkCase& s, uint64_t seed, const CheckOptions& checks,
                  const CheckResult& original, const std::string& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return unavailable("cannot create ", dir, ": ", ec.message());
  DLC_RETURN_IF_ERROR(json::writeModel(*s.graph, dir + "/model.json"));
  for (size_t i = 0; i < s.graph->inputs().size(); ++i)
    DLC_RETURN_IF_ERROR(writeNpy(dir + "/" + s.graph->inputs()[i]->name + ".npy",
                                 s.inputs.values[i]));
  std::ofstream readme(dir + "/README.txt");
  readme << "dlc-fuzz repro: dlc-fuzz --seed " << seed << checkFlags(checks) << "\n"
         << "replay: dlc-fuzz --replay " << dir << checkFlags(checks) << "\n"
         << "verdict: " << verdictName(s.result.verdict) << "\n"
         << "batch: " << s.inputs.batch << "\n"
         << "computations: " << original.computations << " -> " << s.result.computations
         << " after shrinking (" << s.accepted << " of " << s.attempts << " candidates kept)\n"
         << "inputs (graph order):";
  for (const Node* in : s.graph->inputs()) readme << " " << in->name << ".npy";
  readme << "\noriginal failure: " << original.message << "\n"
         << "shrunk failure: " << s.result.message << "\n";
  if (!readme) return unavailable("cannot write ", dir, "/README.txt");
  return Status();
}

}  // namespace dlc::fuzz
