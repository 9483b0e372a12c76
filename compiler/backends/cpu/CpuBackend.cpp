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
#include <sched.h>
#include <thread>

#include "compiler/backends/cpu/ContractionEmitter.h"
#include "compiler/backends/cpu/EmitContext.h"
#include "compiler/backends/cpu/Epilogue.h"
#include "compiler/backends/cpu/KernelEmitters.h"
#include "compiler/backends/cpu/ModuleCompiler.h"
#include "compiler/backends/cpu/StreamPrefetch.h"

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

Status emitKernel(llvm::Module& module, llvm::IRBuilder<>& builder, const llvm::TargetMachine& tm,
                  unsigned vectorBits, const ir::Graph& graph, const ir::Kernel& kernel) {
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
    return builder.CreateAlignedLoad(ptr, p, llvm::Align(8), n->name);
  };
  for (const ir::Node* p : kernel.params) ctx.params[p] = loadArg(p);
  for (const ir::Node* o : kernel.outputs) ctx.outputs[o] = loadArg(o);

  DLC_RETURN_IF_ERROR(emitBody(ctx));
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
// that kernels compile on several threads at once.
struct KernelUnit {
  Status status;
  std::vector<uint8_t> object;
  std::string optimizedIR;
  std::string assembly;
  std::vector<std::string> diagnostics;
  double emitMs = 0, optMs = 0, codegenMs = 0;
};

void compileKernel(const ir::Graph& graph, const ir::Kernel& kernel,
                   const CpuCompileOptions& options, llvm::TargetMachine& tm, KernelUnit& unit) {
  PhaseTimer timer;
  llvm::LLVMContext context;
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
  auto module = std::make_unique<llvm::Module>(graph.name + "." + kernelSymbol(kernel.id), context);
  module->setTargetTriple(tm.getTargetTriple().str());
  module->setDataLayout(tm.createDataLayout());
  llvm::IRBuilder<> builder(context);
  // Contraction into FMA is always allowed; reductions add `reassoc` on
  // their accumulation only. No nnan/ninf: NaN and inf behave as IEEE.
  llvm::FastMathFlags fmf;
  fmf.setAllowContract();
  builder.setFastMathFlags(fmf);
  Status s = emitKernel(*module, builder, tm, vectorRegisterBits(tm), graph, kernel);
  if (!s.ok()) {
    unit.status = s.withContext(strCat(graph.sourceFile.empty() ? graph.name : graph.sourceFile,
                                       ": kernel ", kernel.id, " (", kernel.label(), ")"));
    return;
  }
  std::string verifierText;
  llvm::raw_string_ostream vos(verifierText);
  if (llvm::verifyModule(*module, &vos)) {
    vos.flush();
    unit.status = internalError("the CPU backend emitted invalid LLVM IR: ", verifierText);
    return;
  }
  unit.emitMs = timer.lap();
  optimizeModule(*module, tm, options.optLevel);
  unit.optMs = timer.lap();
  StatusOr<MachineCode> code = emitMachineCode(*module, tm, options.keepText);
  unit.codegenMs = timer.lap();
  if (!code.ok()) {
    unit.status = code.status();
    return;
  }
  unit.object = std::move(code->object);
  unit.optimizedIR = std::move(code->optimizedIR);
  unit.assembly = std::move(code->assembly);
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
  // the shared object is the same whatever the thread count.
  const size_t n = plan.kernels.size();
  std::vector<KernelUnit> units(n);
  const int threads =
      int(std::min<size_t>(n, size_t(options.threads > 0 ? options.threads : availableCpus())));
  std::atomic<size_t> next{0};
  auto work = [&](llvm::TargetMachine& machine) {
    for (size_t k; (k = next.fetch_add(1)) < n;)
      compileKernel(graph, plan.kernels[k], options, machine, units[k]);
  };
  std::vector<std::unique_ptr<llvm::TargetMachine>> machines;
  for (int t = 1; t < threads; ++t) {
    DLC_ASSIGN_OR_RETURN(std::unique_ptr<llvm::TargetMachine> m,
                         createTargetMachine(options.cpu, options.optLevel));
    machines.push_back(std::move(m));
  }
  std::vector<std::thread> workers;
  for (auto& m : machines) workers.emplace_back(work, std::ref(*m));
  work(*tm);
  for (std::thread& w : workers) w.join();
  const double wallMs = phaseTimer.lap();

  std::vector<std::vector<uint8_t>> objects;
  double emitMs = 0, optMs = 0, codegenMs = 0;
  for (size_t k = 0; k < n; ++k) {
    KernelUnit& u = units[k];
    DLC_RETURN_IF_ERROR(u.status);
    objects.push_back(std::move(u.object));
    result.symbols.push_back(kernelSymbol(plan.kernels[k].id));
    result.optimizedIR += u.optimizedIR;
    result.assembly += u.assembly;
    for (std::string& d : u.diagnostics) result.diagnostics.push_back(std::move(d));
    emitMs += u.emitMs;
    optMs += u.optMs;
    codegenMs += u.codegenMs;
  }
  result.phaseMilliseconds = {{"cpu-emit", emitMs},
                              {"cpu-llvm-opt", optMs},
                              {"cpu-codegen", codegenMs},
                              {strCat("cpu-kernels-wall (", threads, " threads)"), wallMs}};
  phaseTimer.lap();
  DLC_ASSIGN_OR_RETURN(result.sharedObject, linkSharedObject(objects));
  result.phaseMilliseconds.emplace_back("cpu-link", phaseTimer.lap());
  return result;
}

}  // namespace dlc::cpu
