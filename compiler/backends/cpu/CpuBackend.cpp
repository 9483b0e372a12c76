// The CPU backend driver: one LLVM function pair per kernel, verification,
// then ModuleCompiler (optimise, object, link), each phase timed. See CpuBackend.h.
#include "compiler/backends/cpu/CpuBackend.h"

#include <llvm/IR/DiagnosticInfo.h>
#include <llvm/IR/DiagnosticPrinter.h>

#include <llvm/IR/Verifier.h>
#include <llvm/Support/raw_ostream.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <unordered_map>
#include <sched.h>
#include <thread>

#include "compiler/backends/cpu/ContractionEmitter.h"
#include "compiler/backends/cpu/EmitContext.h"
#include "compiler/backends/cpu/Epilogue.h"
#include "compiler/backends/cpu/KernelEmitters.h"
#include "compiler/backends/cpu/KernelFingerprint.h"
#include "compiler/backends/cpu/MathApprox.h"
#include "compiler/backends/cpu/ModuleCompiler.h"
#include "compiler/backends/cpu/StreamPrefetch.h"
#include "compiler/backends/cpu/gemm/PrepackedWeights.h"
#include "runtime/src/Manifest.h"

namespace dlc::cpu {
namespace {

// Milliseconds since construction or the previous lap().
class PhaseTimer {
 public:
  double lap() {
    auto now = std::chrono::steady_clock::now();
    double ms = std::chrono::duration<double, std::milli>(now - last_).count();
    last_ = now;
    return ms;
  }

 private:
  std::chrono::steady_clock::time_point last_ = std::chrono::steady_clock::now();
};

void setTargetAttributes(llvm::Function* f, const llvm::TargetMachine& tm) {
  f->addFnAttr("target-cpu", tm.getTargetCPU());
  if (!tm.getTargetFeatureString().empty())
    f->addFnAttr("target-features", tm.getTargetFeatureString());
  f->addFnAttr(llvm::Attribute::NoUnwind);
  math::setMathAttributes(f, vectorRegisterBits(tm));
}

// Loop, reduction, row and pool kernels are long streaming loops:
//  - they ask for stream prefetching (StreamPrefetch.h), which the pass
//    pipeline applies after vectorization;
//  - on AVX-512 targets they ask for 512-bit vectors: LLVM prefers 256-bit
//    ones there by default, and the loop vectorizer would leave half of
//    every zmm register unused. `vectorBits` comes from the TargetMachine's
//    features (dlc build --cpu), never from the build host.
// Contraction kernels size their own vectors and pack their operands into
// cache (gemm/GemmEmitter.cpp).
void setStreamingAttributes(llvm::Function* f, ir::KernelKind kind, unsigned vectorBits) {
  if (kind == ir::KernelKind::Contraction) return;
  f->addFnAttr(kStreamPrefetchAttr);
  if (vectorBits < 512) return;
  f->addFnAttr("prefer-vector-width", "512");
  f->addFnAttr("min-legal-vector-width", "512");
}

Status emitBody(EmitContext& ctx) {
  const ir::Kernel& k = ctx.kernel;
  switch (k.kind) {
    case ir::KernelKind::Loop: return emitLoopKernel(ctx);
    case ir::KernelKind::Reduction: return emitReductionKernel(ctx);
    case ir::KernelKind::Row: return emitRowKernel(ctx);
    case ir::KernelKind::Pool: return emitPoolKernel(ctx);
    case ir::KernelKind::Contraction: {
      if (!k.root) return internalError("contraction kernel without a root");
      DLC_ASSIGN_OR_RETURN(EpilogueFn epilogue, makeEpilogue(ctx, *k.root));
      return emitContraction(ctx, *k.root, epilogue);
    }
  }
  return internalError("unknown kernel kind");
}

// Emits the kernel's two functions into `module`; `argLoads` receives the
// loads of its args, which carry graph names (KernelFingerprint.h).
// `notes` receives the emitter's choices (EmitContext::notes).
Status emitKernel(llvm::Module& module, llvm::IRBuilder<>& builder, const llvm::TargetMachine& tm,
                  unsigned vectorBits, ConvAlgorithm conv, const ir::Graph& graph,
                  const ir::Kernel& kernel,
                  const std::unordered_map<const ir::Node*, Tensor>& prepacked,
                  std::vector<llvm::Value*>& argLoads, std::vector<std::string>& notes) {
  llvm::LLVMContext& c = module.getContext();
  llvm::Type* i64 = llvm::Type::getInt64Ty(c);
  llvm::Type* ptr = llvm::PointerType::get(c, 0);
  std::string symbol = kernelSymbol(kernel.id);
  auto* bodyType = llvm::FunctionType::get(llvm::Type::getVoidTy(c), {ptr, i64, i64, i64}, false);
  auto* extentType = llvm::FunctionType::get(i64, {i64}, false);
  llvm::Function* fn =
      llvm::Function::Create(bodyType, llvm::GlobalValue::ExternalLinkage, symbol, module);
  llvm::Function* extentFn = llvm::Function::Create(
      extentType, llvm::GlobalValue::ExternalLinkage, symbol + "_extent", module);
  setTargetAttributes(fn, tm);
  setTargetAttributes(extentFn, tm);
  setStreamingAttributes(fn, kernel.kind, vectorBits);
  fn->addParamAttr(0, llvm::Attribute::ReadOnly);
  fn->addParamAttr(0, llvm::Attribute::NoCapture);

  builder.SetInsertPoint(llvm::BasicBlock::Create(c, "entry", fn));
  EmitContext ctx{c, module, builder, graph, kernel};
  ctx.vectorBits = vectorBits;
  ctx.convAlgorithm = conv;
  ctx.prepackedWeights = &prepacked;
  ctx.function = fn;
  ctx.extentFunction = extentFn;
  ctx.args = fn->getArg(0);
  ctx.batch = fn->getArg(1);
  ctx.begin = fn->getArg(2);
  ctx.end = fn->getArg(3);
  ctx.args->setName("args");
  ctx.batch->setName("batch");
  ctx.begin->setName("begin");
  ctx.end->setName("end");
  extentFn->getArg(0)->setName("batch");
  size_t slot = 0;
  auto loadArg = [&](const ir::Node* n) {
    llvm::Value* p = builder.CreateInBoundsGEP(ptr, ctx.args, ctx.constI64(int64_t(slot++)));
    argLoads.push_back(builder.CreateAlignedLoad(ptr, p, llvm::Align(8), n->name));
    return argLoads.back();
  };
  for (const ir::Node* p : kernel.params) ctx.params[p] = loadArg(p);
  for (const ir::Node* o : kernel.outputs) ctx.outputs[o] = loadArg(o);

  DLC_RETURN_IF_ERROR(emitBody(ctx));
  notes = std::move(ctx.notes);
  if (ctx.stackBytes > rt::kCpuKernelStackBytes)
    return internalError("the kernel's stack buffers take ", ctx.stackBytes,
                         " bytes, more than the ", rt::kCpuKernelStackBytes,
                         " the runtime guarantees (rt::kCpuKernelStackBytes)");
  if (kernel.root && !extentFn->empty()) emitOutputNests(ctx, producerOutputs(kernel, *kernel.root));
  builder.CreateRetVoid();
  if (extentFn->empty())
    return internalError("the ", ir::kernelKindName(kernel.kind), " emitter defined no extent");
  return Status::OK();
}

}  // namespace

std::string kernelSymbol(int id) { return "dlc_k" + std::to_string(id); }

namespace {

// One kernel compiled on its own: an LLVM context and module of its own, so
// that kernels compile on several threads at once. Emitted first, then
// compiled unless an earlier kernel of the plan has the same fingerprint
// (`sameAs`), whose object it shares.
struct KernelUnit {
  Status status;
  std::unique_ptr<llvm::LLVMContext> context;
  std::unique_ptr<llvm::Module> module;
  std::string fingerprint;
  size_t sameAs = SIZE_MAX;
  std::vector<uint8_t> object;
  std::string optimizedIR;
  std::string assembly;
  std::vector<std::string> diagnostics;
  std::vector<std::string> notes;
  double emitMs = 0, optMs = 0, codegenMs = 0;
  size_t instructions = 0;  // in the emitted module: what its compile time grows with
};

void emitUnit(const ir::Graph& graph, const ir::Kernel& kernel, const llvm::TargetMachine& tm,
              const std::unordered_map<const ir::Node*, Tensor>& prepacked, ConvAlgorithm conv,
              KernelUnit& unit) {
  PhaseTimer timer;
  unit.context = std::make_unique<llvm::LLVMContext>();
  llvm::LLVMContext& context = *unit.context;
  // LLVM's own warnings and remarks (e.g. "loop not vectorized") are kept
  // for --dump-ir instead of going to stderr; errors still fail the build.
  context.setDiagnosticHandlerCallBack(
      [](const llvm::DiagnosticInfo* info, void* sink) {
        std::string text;
        llvm::raw_string_ostream os(text);
        llvm::DiagnosticPrinterRawOStream printer(os);
        info->print(printer);
        os.flush();
        static_cast<std::vector<std::string>*>(sink)->push_back(
            std::string(llvm::LLVMContext::getDiagnosticMessagePrefix(info->getSeverity())) +
            ": " + text);
      },
      &unit.diagnostics);
  unit.module = std::make_unique<llvm::Module>(graph.name + "." + kernelSymbol(kernel.id), context);
  llvm::Module& module = *unit.module;
  module.setTargetTriple(tm.getTargetTriple().str());
  module.setDataLayout(tm.createDataLayout());
  llvm::IRBuilder<> builder(context);
  // Contraction into FMA is always allowed; reductions add `reassoc` on
  // their accumulation only. No nnan/ninf: NaN and inf behave as IEEE.
  llvm::FastMathFlags fmf;
  fmf.setAllowContract();
  builder.setFastMathFlags(fmf);
  std::vector<llvm::Value*> argLoads;
  Status s = emitKernel(module, builder, tm, vectorRegisterBits(tm), conv, graph, kernel,
                        prepacked, argLoads, unit.notes);
  if (!s.ok()) {
    unit.status = s.withContext(strCat(graph.sourceFile.empty() ? graph.name : graph.sourceFile,
                                       ": kernel ", kernel.id, " (", kernel.label(), ")"));
    return;
  }
  std::string verifierText;
  llvm::raw_string_ostream vos(verifierText);
  if (llvm::verifyModule(module, &vos)) {
    vos.flush();
    unit.status = internalError("the CPU backend emitted invalid LLVM IR: ", verifierText);
    return;
  }
  const std::string symbol = kernelSymbol(kernel.id);
  unit.fingerprint = kernelFingerprint(
      module, {module.getFunction(symbol), module.getFunction(symbol + "_extent")}, argLoads);
  for (const llvm::Function& f : module) unit.instructions += f.getInstructionCount();
  unit.emitMs = timer.lap();
}

void compileUnit(const CpuCompileOptions& options, llvm::TargetMachine& tm, KernelUnit& unit) {
  PhaseTimer timer;
  optimizeModule(*unit.module, tm, options.optLevel);
  unit.optMs = timer.lap();
  StatusOr<MachineCode> code = emitMachineCode(*unit.module, tm, options.keepText);
  unit.codegenMs = timer.lap();
  unit.module.reset();
  unit.context.reset();
  if (!code.ok()) {
    unit.status = code.status();
    return;
  }
  unit.object = std::move(code->object);
  unit.optimizedIR = std::move(code->optimizedIR);
  unit.assembly = std::move(code->assembly);
}

// Runs task(worker's TargetMachine, i) for every i < n on `machines.size()`
// threads, each index claimed once.
void forEachParallel(std::vector<llvm::TargetMachine*>& machines, size_t n,
                     const std::function<void(llvm::TargetMachine&, size_t)>& task) {
  std::atomic<size_t> next{0};
  auto work = [&](llvm::TargetMachine* machine) {
    for (size_t i; (i = next.fetch_add(1)) < n;) task(*machine, i);
  };
  std::vector<std::thread> workers;
  for (size_t t = 1; t < machines.size(); ++t) workers.emplace_back(work, machines[t]);
  work(machines[0]);
  for (std::thread& w : workers) w.join();
}

// The CPUs this process may run on (at least 1).
int availableCpus() {
  cpu_set_t set;
  if (sched_getaffinity(0, sizeof(set), &set) == 0) return std::max(1, CPU_COUNT(&set));
  return std::max(1u, std::thread::hardware_concurrency());
}

}  // namespace

StatusOr<CompiledCode> compile(const ir::Graph& graph, const ir::KernelPlan& plan,
                            const CpuCompileOptions& options) {
  PhaseTimer phaseTimer;
  DLC_ASSIGN_OR_RETURN(std::unique_ptr<llvm::TargetMachine> tm,
                       createTargetMachine(options.cpu, options.optLevel));
  CompiledCode result;
  result.cpu = std::string(tm->getTargetCPU());
  result.cpuFeatures = enabledFeatures(*tm);

  // Kernels are claimed one at a time by `threads` workers, each with its
  // own TargetMachine; every kernel is its own module and object file, so
  // the shared object is the same whatever the thread count. All kernels
  // are emitted first; a kernel whose fingerprint an earlier one has is not
  // compiled but uses that kernel's symbol.
  const size_t n = plan.kernels.size();
  std::vector<KernelUnit> units(n);
  const int threads =
      int(std::min<size_t>(n, size_t(options.threads > 0 ? options.threads : availableCpus())));
  std::vector<std::unique_ptr<llvm::TargetMachine>> owned;
  std::vector<llvm::TargetMachine*> machines = {tm.get()};
  for (int t = 1; t < threads; ++t) {
    DLC_ASSIGN_OR_RETURN(std::unique_ptr<llvm::TargetMachine> m,
                         createTargetMachine(options.cpu, options.optLevel));
    machines.push_back(m.get());
    owned.push_back(std::move(m));
  }
  // Dense weights stored in the GEMM's panel layout, packed here once.
  for (const auto& [w, layout] :
       gemm::choosePrepackedWeights(graph, plan, vectorRegisterBits(*tm)))
    result.packedConstants.emplace(w, gemm::packWeights(w->value, layout));
  forEachParallel(machines, n, [&](llvm::TargetMachine& machine, size_t k) {
    emitUnit(graph, plan.kernels[k], machine, result.packedConstants, options.conv, units[k]);
  });
  std::vector<size_t> distinct;
  std::unordered_map<std::string, size_t> byFingerprint;
  for (size_t k = 0; k < n; ++k) {
    DLC_RETURN_IF_ERROR(units[k].status);
    auto [it, inserted] = byFingerprint.emplace(std::move(units[k].fingerprint), k);
    if (inserted) {
      distinct.push_back(k);
    } else {
      units[k].sameAs = it->second;
      units[k].module.reset();
      units[k].context.reset();
    }
  }
  // Largest first (by emitted instructions), so that the longest compile
  // does not start last while the other threads sit idle.
  std::vector<size_t> order = distinct;
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    return units[a].instructions > units[b].instructions;
  });
  forEachParallel(machines, order.size(), [&](llvm::TargetMachine& machine, size_t i) {
    compileUnit(options, machine, units[order[i]]);
  });
  const double wallMs = phaseTimer.lap();

  std::vector<std::vector<uint8_t>> objects;
  double emitMs = 0, optMs = 0, codegenMs = 0;
  for (size_t k = 0; k < n; ++k) {
    KernelUnit& u = units[k];
    DLC_RETURN_IF_ERROR(u.status);
    const std::string symbol = kernelSymbol(plan.kernels[k].id);
    emitMs += u.emitMs;
    for (const std::string& note : u.notes)
      result.kernelNotes.push_back(
          strCat("k", plan.kernels[k].id, " ", plan.kernels[k].label(), ": ", note));
    if (u.sameAs != SIZE_MAX) {
      const std::string shared = result.symbols[u.sameAs];
      result.symbols.push_back(shared);
      if (options.keepText) {
        std::string note = strCat("; ", symbol, ": the same code as ", shared, "\n\n");
        result.optimizedIR += note;
        result.assembly += "#" + note.substr(1);
      }
      continue;
    }
    objects.push_back(std::move(u.object));
    result.symbols.push_back(symbol);
    result.optimizedIR += u.optimizedIR;
    result.assembly += u.assembly;
    for (std::string& d : u.diagnostics) result.diagnostics.push_back(std::move(d));
    optMs += u.optMs;
    codegenMs += u.codegenMs;
  }
  result.compiledKernels = int(distinct.size());
  result.phaseMilliseconds = {
      {"cpu-emit", emitMs, true},
      {"cpu-llvm-opt", optMs, true},
      {"cpu-codegen", codegenMs, true},
      {strCat("cpu-kernels-wall (", threads, " threads, ", distinct.size(), " of ", n,
              " kernels distinct)"),
       wallMs, false}};
  // The kernels that bound the parallel step: the three slowest to compile.
  std::vector<size_t> slowest = distinct;
  auto cost = [&](size_t k) { return units[k].optMs + units[k].codegenMs; };
  std::stable_sort(slowest.begin(), slowest.end(),
                   [&](size_t a, size_t b) { return cost(a) > cost(b); });
  if (slowest.size() > 3) slowest.resize(3);
  for (size_t k : slowest) {
    result.phaseMilliseconds.push_back({strCat("cpu-kernel k", plan.kernels[k].id, " ",
                                               plan.kernels[k].label(), " (opt + codegen)"),
                                        cost(k), true});
  }
  phaseTimer.lap();
  DLC_ASSIGN_OR_RETURN(result.sharedObject, linkSharedObject(objects));
  result.phaseMilliseconds.push_back({"cpu-link", phaseTimer.lap(), false});
  return result;
}

}  // namespace dlc::cpu
