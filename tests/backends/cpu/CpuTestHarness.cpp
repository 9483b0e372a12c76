// See CpuTestHarness.h.
#include "tests/backends/cpu/CpuTestHarness.h"

#include <dlfcn.h>
#include <unistd.h>

#include <cmath>
#include <cstdlib>
#include <fstream>
#include <random>
#include <unordered_map>

#include <gtest/gtest.h>

#include "compiler/backends/cpu/CpuFusionPolicy.h"
#include "compiler/reference/Interpreter.h"
#include "ir/Parser.h"
#include "passes/Fusion.h"

namespace dlc::cpu::test {

LoadedObject::~LoadedObject() {
  if (handle_) dlclose(handle_);
  if (!path_.empty()) ::unlink(path_.c_str());
}

std::unique_ptr<LoadedObject> LoadedObject::load(const std::vector<uint8_t>& bytes,
                                                 std::string& error) {
  const char* tmp = std::getenv("TMPDIR");
  std::string pattern = std::string(tmp && *tmp ? tmp : "/tmp") + "/dlc-cpu-test-XXXXXX.so";
  std::vector<char> buf(pattern.begin(), pattern.end());
  buf.push_back('\0');
  int fd = ::mkstemps(buf.data(), 3);
  if (fd < 0) {
    error = "mkstemps failed";
    return nullptr;
  }
  ::close(fd);
  auto obj = std::unique_ptr<LoadedObject>(new LoadedObject());
  obj->path_ = buf.data();
  std::ofstream(obj->path_, std::ios::binary)
      .write(reinterpret_cast<const char*>(bytes.data()), std::streamsize(bytes.size()));
  obj->handle_ = dlopen(obj->path_.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!obj->handle_) {
    error = dlerror();
    return nullptr;
  }
  return obj;
}

void* LoadedObject::symbol(const std::string& name) const { return dlsym(handle_, name.c_str()); }

std::vector<Tensor> runCompiled(const ir::Graph& graph, const ir::KernelPlan& plan,
                                const CompiledCode& mod, const std::vector<Tensor>& inputs,
                                int64_t batch, int chunks) {
  std::string error;
  std::unique_ptr<LoadedObject> so = LoadedObject::load(mod.sharedObject, error);
  EXPECT_TRUE(so) << error;
  if (!so) return {};
  std::unordered_map<const ir::Node*, Tensor> values;
  for (size_t i = 0; i < graph.inputs().size(); ++i) values[graph.inputs()[i]] = inputs[i];
  for (const auto& n : graph.nodes())
    if (n->op == ir::OpKind::Constant) values[n.get()] = n->value;
  // Dense weights the kernels read pre-packed (gemm/PrepackedWeights.h).
  for (const auto& [n, packed] : mod.packedConstants) values[n] = packed;
  using KernelFn = void (*)(void* const*, int64_t, int64_t, int64_t);
  using ExtentFn = int64_t (*)(int64_t);
  for (size_t k = 0; k < plan.kernels.size(); ++k) {
    const ir::Kernel& kernel = plan.kernels[k];
    auto fn = reinterpret_cast<KernelFn>(so->symbol(mod.symbols[k]));
    auto extentFn = reinterpret_cast<ExtentFn>(so->symbol(mod.symbols[k] + "_extent"));
    EXPECT_TRUE(fn && extentFn) << "missing symbol " << mod.symbols[k];
    if (!fn || !extentFn) return {};
    std::vector<void*> args;
    for (const ir::Node* p : kernel.params) {
      EXPECT_TRUE(values.count(p)) << "param " << p->name << " not computed yet";
      args.push_back(values[p].data());
    }
    for (const ir::Node* o : kernel.outputs) {
      Tensor t(o->type.dtype, o->type.shape.bind(batch));
      // Poison outputs so unwritten elements show up.
      if (ir::isFloat(o->type.dtype))
        for (int64_t i = 0; i < t.numElements(); ++i) t.setFromDouble(i, 12345.0);
      values[o] = t;
      args.push_back(values[o].data());
    }
    int64_t extent = extentFn(batch);
    EXPECT_GE(extent, 0);
    if (chunks <= 1) {
      fn(args.data(), batch, 0, extent);
    } else {
      // Uneven chunks, last one first, to catch chunks that depend on each other.
      std::vector<int64_t> cuts{0};
      for (int c = 1; c < chunks; ++c) cuts.push_back(extent * c / chunks + (c == 1 ? 0 : 0));
      cuts.push_back(extent);
      for (int c = chunks; c-- > 0;) fn(args.data(), batch, cuts[size_t(c)], cuts[size_t(c) + 1]);
    }
  }
  std::vector<Tensor> outs;
  for (const ir::Node* o : graph.outputs()) outs.push_back(values[o]);
  return outs;
}

std::string constantLine(const std::string& name, int rows, int cols, int salt) {
  std::string values;
  for (int i = 0; i < (rows > 0 ? rows : 1) * cols; ++i)
    values += (i ? ", " : "") + std::to_string(float((i * 37 + salt) % 201 - 100) / 100.0f);
  std::string type = rows > 0 ? "f32[" + std::to_string(rows) + "," + std::to_string(cols) + "]"
                              : "f32[" + std::to_string(cols) + "]";
  return "  %" + name + " = constant() {value = dense<[" + values + "]>} : " + type + "\n";
}

namespace {

void runAll(ir::Graph& graph, const ir::KernelPlan& plan, const CheckOptions& options) {
  CpuCompileOptions compileOptions;
  compileOptions.cpu = options.cpu;
  compileOptions.conv = options.conv;
  StatusOr<CompiledCode> mod = compile(graph, plan, compileOptions);
  ASSERT_TRUE(mod.ok()) << mod.status().toString();
  if (!options.notesContain.empty()) {
    EXPECT_FALSE(mod->kernelNotes.empty());
    for (const std::string& note : mod->kernelNotes)
      EXPECT_NE(note.find(options.notesContain), std::string::npos) << note;
  }
  if (options.prepackedConstants >= 0)
    EXPECT_EQ(int(mod->packedConstants.size()), options.prepackedConstants);
  ASSERT_EQ(mod->symbols.size(), plan.kernels.size());
  bool hasBatch = false;
  for (const ir::Node* in : graph.inputs()) hasBatch |= in->type.shape.hasBatch();
  std::vector<int64_t> batches = hasBatch ? options.batches : std::vector<int64_t>{1};
  for (int64_t batch : batches) {
    std::vector<Tensor> inputs = options.inputs.empty()
                                     ? randomInputs(graph, batch, options.seed, options.range)
                                     : options.inputs;
    StatusOr<std::vector<Tensor>> expected = ref::evaluate(graph, inputs);
    ASSERT_TRUE(expected.ok()) << expected.status().toString();
    for (int chunks : {1, 3}) {
      std::vector<Tensor> actual = runCompiled(graph, plan, *mod, inputs, batch, chunks);
      ASSERT_EQ(actual.size(), expected->size());
      for (size_t i = 0; i < actual.size(); ++i)
        expectNear(actual[i], (*expected)[i], options.rtol, options.atol,
                   strCat("output ", i, " at batch ", batch, " with ", chunks, " chunks"));
    }
  }
}

}  // namespace

void checkAgainstReference(const std::string& irText, const CheckOptions& options) {
  StatusOr<std::unique_ptr<ir::Graph>> graph = ir::parseGraph(irText, "<test>");
  ASSERT_TRUE(graph.ok()) << graph.status().toString();
  StatusOr<ir::KernelPlan> plan = ir::buildKernelPlan(**graph);
  ASSERT_TRUE(plan.ok()) << plan.status().toString();
  runAll(**graph, *plan, options);
}

int checkFusedAgainstReference(const std::string& irText, const CheckOptions& options) {
  StatusOr<std::unique_ptr<ir::Graph>> graph = ir::parseGraph(irText, "<test>");
  EXPECT_TRUE(graph.ok()) << graph.status().toString();
  if (!graph.ok()) return -1;
  CpuFusionPolicy policy;
  passes::FusionPass fusion(policy);
  StatusOr<bool> changed = fusion.run(**graph);
  EXPECT_TRUE(changed.ok()) << changed.status().toString();
  if (!changed.ok()) return -1;
  runAll(**graph, fusion.plan(), options);
  return int(fusion.plan().kernels.size());
}

}  // namespace dlc::cpu::test
