// CUDA fused/unfused: NVRTC, the host emulation, a GPU (CudaCheck.h).
#include "tests/fuzz/CudaCheck.h"

#include <cstdlib>
#include <cstring>
#include <map>
#include <unordered_map>

#include "compiler/Compiler.h"
#include "compiler/backends/cuda/CudaBackend.h"
#include "compiler/backends/cuda/CudaCompile.h"
#include "compiler/reference/Interpreter.h"
#include "passes/SoftPlacement.h"
#include "runtime/src/CudaDevice.h"
#include "runtime/src/CudaLaunch.h"
#include "runtime/src/Model.h"
#include "tests/backends/cuda/emu/EmuRunner.h"
#include "tests/fuzz/Scratch.h"
#include "tests/fuzz/Tolerance.h"

namespace dlc::fuzz {

namespace {

using cuda::emu::EmuModule;

// One mode's build: the artifact, the compiled plan, and its GPU kernels
// rendered again for the emulation.
struct CudaBuild {
  std::string backend;  // "cuda fused"
  BuildResult built;
  std::vector<uint8_t> bytes;
  cuda::RenderedProgram program;
  std::vector<int> programIndex;  // per plan kernel: its index in program; -1 on the CPU
};

CheckResult build(const ir::Graph& graph, bool fused, const std::vector<std::string>& cpuOnlyOps,
                  const std::string& scratch, CudaBuild& b) {
  b.backend = fused ? "cuda fused" : "cuda unfused";
  BuildOptions options;
  options.target = "cuda";
  options.fusion = fused;
  options.cudaCacheDir = scratch + "/nvrtc";
  options.cpuOnlyOps = cpuOnlyOps;
  StatusOr<BuildResult> built = compileGraph(graph.clone(), options);
  if (!built.ok())
    return {Verdict::kCompileError, strCat(b.backend, ": compile: ", built.status().toString())};
  b.built = std::move(*built);
  StatusOr<std::vector<uint8_t>> bytes = artifactBytes(b.built);
  if (!bytes.ok())
    return {Verdict::kCompileError, strCat(b.backend, ": artifact: ", bytes.status().toString())};
  b.bytes = std::move(*bytes);
  std::vector<const ir::Kernel*> kernels;
  for (const ir::Kernel& k : b.built.plan.kernels) {
    bool gpu = passes::isGpuDevice(k.device);
    b.programIndex.push_back(gpu ? int(kernels.size()) : -1);
    if (gpu) kernels.push_back(&k);
  }
  if (kernels.empty()) return {};
  StatusOr<cuda::RenderedProgram> program = cuda::render(*b.built.graph, kernels, {});
  if (!program.ok())
    return {Verdict::kCompileError,
            strCat(b.backend, ": rendering the compiled plan: ", program.status().toString())};
  if (program->source != b.built.cudaSource)
    return {Verdict::kNondeterministic,
            strCat(b.backend, ": rendering the compiled plan again gave different CUDA source")};
  b.program = std::move(*program);
  // The default build is PTX for compute_80, which the driver assembles
  // only on a GPU; a CUBIN for the H100 (sm_90) runs ptxas here, so that
  // register and shared-memory limits are checked without one. Fused
  // kernels only: an unfused kernel is a fused one without its epilogue,
  // and the CUBIN costs ~0.3 s of CPU per mode.
  if (!fused) return {};
  cuda::CudaOptions cubin;
  cubin.arch = "sm_90";
  cubin.cubin = true;
  cubin.cacheDir = options.cudaCacheDir;
  if (auto code = cuda::compileProgram(b.program, cubin); !code.ok())
    return {Verdict::kCompileError, strCat(b.backend, ": sm_90 cubin: ", code.status().toString())};
  return {};
}

// Host "device memory": one buffer per IR value, 256-byte aligned as
// cudaMalloc's are (the rendered vector loads rely on it), followed by at
// least kGuardBytes of a known pattern, so that a kernel writing past the
// end of a buffer is caught (an illegal address or silent corruption on a
// GPU).
class HostValues {
 public:
  static constexpr size_t kGuardBytes = 256;
  static constexpr uint8_t kGuard = 0xa5;

  ~HostValues() {
    for (auto& [node, v] : values_) std::free(v.data);
  }
  void* add(const ir::Node* node, const Tensor& init) {
    size_t bytes = (init.byteSize() + kGuardBytes + 255) / 256 * 256;
    Value v{std::aligned_alloc(256, bytes), bytes, init.dtype(), init.dims()};
    std::memcpy(v.data, init.data(), init.byteSize());
    std::memset(static_cast<uint8_t*>(v.data) + init.byteSize(), kGuard, bytes - init.byteSize());
    auto [it, fresh] = values_.emplace(node, v);
    if (!fresh) {
      std::free(it->second.data);
      it->second = v;
    }
    return v.data;
  }
  void* find(const ir::Node* node) const {
    auto it = values_.find(node);
    return it == values_.end() ? nullptr : it->second.data;
  }
  Tensor get(const ir::Node* node) const {
    const Value& v = values_.at(node);
    Tensor t(v.dtype, v.dims);
    std::memcpy(t.data(), v.data, t.byteSize());
    return t;
  }
  // "" when the guard bytes after `node`'s value are intact; else where the
  // first overwritten one is.
  std::string guardDamage(const ir::Node* node) const {
    const Value& v = values_.at(node);
    size_t used = ir::dtypeSize(v.dtype);
    for (int64_t d : v.dims) used *= size_t(d);
    const auto* p = static_cast<const uint8_t*>(v.data);
    for (size_t i = used; i < v.bytes; ++i)
      if (p[i] != kGuard)
        return strCat("wrote past the end of ", node->name, " (", used, " bytes): byte ", i);
    return "";
  }

 private:
  struct Value {
    void* data;
    size_t bytes;  // allocated, guard included
    ir::DType dtype;
    std::vector<int64_t> dims;
  };
  std::unordered_map<const ir::Node*, Value> values_;
};

// A kernel soft placement left on the CPU, member by member with the
// reference, its outputs stored in `values`.
CheckResult evaluateOnHost(const ir::Kernel& kernel, HostValues& values, const std::string& where) {
  std::unordered_map<const ir::Node*, Tensor> local;
  for (const ir::Node* n : kernel.nodes) {
    std::vector<Tensor> held;
    held.reserve(n->inputs.size());
    std::vector<const Tensor*> operands;
    for (const ir::Node* in : n->inputs) {
      auto it = local.find(in);
      if (it != local.end()) {
        operands.push_back(&it->second);
        continue;
      }
      if (!values.find(in))
        return {Verdict::kRunError, strCat(where, ": CPU kernel ", kernel.label(), " reads ",
                                           in->name, " before any kernel computed it")};
      held.push_back(values.get(in));
      operands.push_back(&held.back());
    }
    StatusOr<Tensor> v = ref::evaluateNode(*n, operands);
    if (!v.ok())
      return {Verdict::kRunError, strCat(where, ": the reference refused CPU-placed ", n->name,
                                         ": ", v.status().toString())};
    local[n] = std::move(*v);
  }
  for (const ir::Node* o : kernel.outputs) values.add(o, local.at(o));
  return {};
}

// Runs every kernel of `b`'s plan at run.batch in the emulation (program
// `index` of `module`) and returns the graph outputs in *outputs.
CheckResult emulate(const EmuModule& module, size_t index, const CudaBuild& b,
                    const ir::Graph& original, const InputSet& run, std::vector<Tensor>* outputs) {
  const ir::Graph& g = *b.built.graph;
  const std::string where = strCat(b.backend, ", batch ", run.batch);
  std::map<std::string, const Tensor*> inputByName;
  for (size_t i = 0; i < original.inputs().size(); ++i)
    inputByName[original.inputs()[i]->name] = &run.values[i];
  HostValues values;
  for (const ir::Node* in : g.inputs()) {
    auto it = inputByName.find(in->name);
    if (it == inputByName.end())
      return {Verdict::kCompileError, strCat(where, ": the compiled graph has an input \"",
                                             in->name, "\" the model lacks")};
    values.add(in, *it->second);
  }
  for (const auto& n : g.nodes())
    if (n->op == ir::OpKind::Constant) values.add(n.get(), n->value);
  const std::map<std::string, int> bounds = cuda::emu::launchBounds(b.program.source);
  for (size_t k = 0; k < b.built.plan.kernels.size(); ++k) {
    const ir::Kernel& kernel = b.built.plan.kernels[k];
    if (b.programIndex[k] < 0) {
      CheckResult r = evaluateOnHost(kernel, values, where);
      if (r.verdict != Verdict::kPass) return r;
      continue;
    }
    const cuda::RenderedKernel& rk = b.program.kernels[size_t(b.programIndex[k])];
    const std::string what = strCat(where, ": ", rk.symbol, " (", kernel.label(), ")");
    std::vector<void*> args;
    for (const ir::Node* p : kernel.params) {
      void* ptr = values.find(p);
      if (!ptr)
        return {Verdict::kRunError, strCat(what, " reads ", p->name, " before it is computed")};
      args.push_back(ptr);
    }
    for (const ir::Node* o : kernel.outputs) {
      // Poisoned, so that elements the kernel never writes show up.
      Tensor poison(o->type.dtype, o->type.shape.bind(run.batch));
      if (ir::isFloat(o->type.dtype))
        for (int64_t i = 0; i < poison.numElements(); ++i) poison.setFromDouble(i, 12345.0);
      else
        std::memset(poison.data(), 0x5a, poison.byteSize());
      args.push_back(values.add(o, poison));
    }
    if (args.size() > size_t(rt::kMaxKernelArgs))
      return {Verdict::kCompileError,
              strCat(what, ": ", args.size(), " arguments, the ABI takes ", rt::kMaxKernelArgs)};
    const rt::CudaLaunch& launch = rk.launch;
    if (Status st = rt::checkLaunch(launch, rk.symbol); !st.ok())
      return {Verdict::kCompileError, strCat(what, ": ", st.toString())};
    if (launch.sharedBytes != 0)
      return {Verdict::kRunError,
              strCat(what, ": asks for dynamic shared memory, which the emulation lacks")};
    auto bound = bounds.find(rk.symbol);
    if (bound == bounds.end())
      return {Verdict::kCompileError, strCat(what, ": no __launch_bounds__ in the source")};
    if (launch.threads > bound->second)
      return {Verdict::kRunError,
              strCat(what, ": launched with ", launch.threads,
                     " threads past its __launch_bounds__(", bound->second, ")")};
    StatusOr<int64_t> grid = rt::gridBlocks(launch, run.batch, rk.symbol);
    if (!grid.ok()) return {Verdict::kRunError, strCat(what, ": ", grid.status().toString())};
    if (Status st =
            module.launch(index, size_t(b.programIndex[k]), args, run.batch, *grid, launch.threads);
        !st.ok())
      return {Verdict::kRunError, strCat(what, ": ", st.message())};
    for (const std::vector<ir::Node*>* list : {&kernel.params, &kernel.outputs})
      for (const ir::Node* n : *list)
        if (std::string damage = values.guardDamage(n); !damage.empty())
          return {Verdict::kRunError, strCat(what, ": ", damage)};
  }
  for (const ir::Node* o : g.outputs()) {
    if (!values.find(o))
      return {Verdict::kWrongResult, strCat(where, ": graph output ", o->name, " never computed")};
    outputs->push_back(values.get(o));
  }
  return {};
}

// EmuModule::compile with its g++ output under `scratch` (it writes to
// $TMPDIR/dlc-cuda-emu), so that nothing is left once the check ends.
StatusOr<std::unique_ptr<EmuModule>> compileEmulation(
    const std::vector<const cuda::RenderedProgram*>& programs, const std::string& scratch) {
  const char* old = std::getenv("TMPDIR");
  const std::string saved = old ? old : "";
  ::setenv("TMPDIR", scratch.c_str(), 1);
  auto module = EmuModule::compile(programs);
  if (old)
    ::setenv("TMPDIR", saved.c_str(), 1);
  else
    ::unsetenv("TMPDIR");
  return module;
}

// The artifact on a real GPU through rt::Model, every run compared.
CheckResult runOnGpu(const CudaBuild& b, const ir::Graph& graph, const std::vector<InputSet>& runs,
                     const std::vector<std::vector<Tensor>>& refs) {
  return runAndCompare(b.bytes, graph, runs, refs, b.backend + " on gpu");
}

}  // namespace

CheckResult checkCuda(const ir::Graph& graph, const std::vector<InputSet>& runs,
                      const std::vector<std::vector<Tensor>>& refs,
                      const std::vector<std::string>& cpuOnlyOps) {
  CheckResult result;
  auto fail = [&](CheckResult r) {
    r.cudaEmulated = result.cudaEmulated;
    r.cudaOnGpu = result.cudaOnGpu;
    r.cudaGpuSkipped = result.cudaGpuSkipped;
    return r;
  };
  if (!cuda::nvrtcVersion().ok()) {
    result.cudaNotBuilt = 2;
    return result;
  }
  const std::string scratch = scratchDir();
  if (scratch.empty()) return {Verdict::kRunError, "cuda: no scratch folder"};
  CudaBuild builds[2];
  for (int i = 0; i < 2; ++i) {
    CheckResult r = build(graph, /*fused=*/i == 0, cpuOnlyOps, scratch, builds[i]);
    if (r.verdict != Verdict::kPass) return fail(r);
  }
  auto module = compileEmulation({&builds[0].program, &builds[1].program}, scratch);
  if (!module.ok())
    return fail(
        {Verdict::kCompileError,
         strCat("cuda emulation: g++ refused the rendered kernels: ", module.status().message())});
  for (size_t i = 0; i < 2; ++i) {
    for (size_t r = 0; r < runs.size(); ++r) {
      std::vector<Tensor> outs;
      CheckResult e = emulate(**module, i, builds[i], graph, runs[r], &outs);
      if (e.verdict != Verdict::kPass) return fail(e);
      std::string diff = compareOutputs(graph, outs, refs[r], builds[i].backend, runs[r].batch,
                                        runs[r].coneMagnitude);
      if (!diff.empty()) return fail({Verdict::kWrongResult, diff});
    }
    ++result.cudaEmulated;
  }
  // Asked only now: the driver is loaded in this (child) process only.
  const bool gpu = rt::cudaAvailable().ok();
  for (const CudaBuild& b : builds) {
    if (!gpu) {
      ++result.cudaGpuSkipped;
      continue;
    }
    CheckResult r = runOnGpu(b, graph, runs, refs);
    if (r.verdict != Verdict::kPass) return fail(r);
    ++result.cudaOnGpu;
  }
  return result;
}

}  // namespace dlc::fuzz
