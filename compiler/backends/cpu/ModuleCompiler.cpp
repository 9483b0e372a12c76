// Optimisation, object emission and shared-object linking. See ModuleCompiler.h.
#include "compiler/backends/cpu/ModuleCompiler.h"
#include "compiler/backends/cpu/StreamPrefetch.h"

#include <fcntl.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <mutex>
#include <sstream>

#include <llvm/Analysis/CGSCCPassManager.h>
#include <llvm/Analysis/LoopAnalysisManager.h>
#include <llvm/IR/LegacyPassManager.h>
#include <llvm/IR/PassManager.h>
#include <llvm/MC/MCSubtargetInfo.h>
#include <llvm/MC/TargetRegistry.h>
#include <llvm/Passes/PassBuilder.h>
#include <llvm/Support/TargetSelect.h>
#include <llvm/Support/raw_ostream.h>
#include <llvm/TargetParser/Host.h>
#include <llvm/Transforms/Utils/Cloning.h>

extern char** environ;

namespace dlc::cpu {
namespace {

void initializeTargets() {
  static std::once_flag once;
  std::call_once(once, [] {
    llvm::InitializeNativeTarget();
    llvm::InitializeNativeTargetAsmPrinter();
  });
}

llvm::OptimizationLevel passLevel(int optLevel) {
  switch (optLevel) {
    case 0: return llvm::OptimizationLevel::O0;
    case 1: return llvm::OptimizationLevel::O1;
    case 2: return llvm::OptimizationLevel::O2;
    default: return llvm::OptimizationLevel::O3;
  }
}

StatusOr<std::string> emitFile(llvm::Module& module, llvm::TargetMachine& tm,
                               llvm::CodeGenFileType type) {
  llvm::SmallString<0> buffer;
  llvm::raw_svector_ostream os(buffer);
  llvm::legacy::PassManager pm;
  if (tm.addPassesToEmitFile(pm, os, nullptr, type))
    return internalError("the LLVM target cannot emit this file type");
  pm.run(module);
  return std::string(buffer.str());
}

Status readFile(const std::string& path, std::vector<uint8_t>& out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return internalError("cannot read the linked shared object ", path);
  out.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  return Status::OK();
}

// Removes the temp dir and its files on scope exit.
struct TempDir {
  std::string path;
  std::vector<std::string> files;
  ~TempDir() {
    for (const std::string& f : files) ::unlink(f.c_str());
    if (!path.empty()) ::rmdir(path.c_str());
  }
};

}  // namespace

StatusOr<std::unique_ptr<llvm::TargetMachine>> createTargetMachine(const std::string& cpu,
                                                                   int optLevel) {
  initializeTargets();
  std::string triple = llvm::sys::getProcessTriple();
  std::string error;
  const llvm::Target* target = llvm::TargetRegistry::lookupTarget(triple, error);
  if (!target) return unavailable("no LLVM target for ", triple, ": ", error);
  std::string cpuName = cpu;
  std::string features;
  if (cpuName.empty() || cpuName == "native") {
    cpuName = llvm::sys::getHostCPUName().str();
    std::vector<std::string> list;
    for (const auto& f : llvm::sys::getHostCPUFeatures())
      list.push_back((f.second ? "+" : "-") + f.first().str());
    std::sort(list.begin(), list.end());
    for (const std::string& f : list) features += (features.empty() ? "" : ",") + f;
  } else {
    if (cpuName == "generic") cpuName = kGenericCpu;
    // Asked of a subtarget for the generic CPU, so that an unknown name is
    // reported here rather than warned about on stderr by LLVM.
    std::unique_ptr<llvm::MCSubtargetInfo> sti(
        target->createMCSubtargetInfo(triple, "generic", ""));
    if (!sti || !sti->isCPUStringValid(cpuName))
      return invalidArgument("unknown CPU \"", cpu, "\" for ", triple,
                             "; use native, generic (", kGenericCpu,
                             "), x86-64-v3 (AVX2, FMA), x86-64-v4 (AVX-512) or an LLVM CPU "
                             "name such as skylake-avx512 (llc -mcpu=help lists them)");
  }
  llvm::TargetOptions options;
  llvm::CodeGenOptLevel level = optLevel >= 3   ? llvm::CodeGenOptLevel::Aggressive
                                : optLevel == 0 ? llvm::CodeGenOptLevel::None
                                                : llvm::CodeGenOptLevel::Default;
  std::unique_ptr<llvm::TargetMachine> tm(target->createTargetMachine(
      triple, cpuName, features, options, llvm::Reloc::PIC_, std::nullopt, level));
  if (!tm) return unavailable("cannot create an LLVM target machine for ", triple, " cpu ", cpuName);
  return tm;
}

std::vector<std::string> enabledFeatures(const llvm::TargetMachine& tm) {
  const llvm::MCSubtargetInfo* sti = tm.getMCSubtargetInfo();
  std::vector<std::string> names;
  if (!sti) return names;
  const llvm::FeatureBitset& bits = sti->getFeatureBits();
  for (const llvm::SubtargetFeatureKV& kv : sti->getAllProcessorFeatures())
    if (bits.test(kv.Value)) names.push_back(kv.Key);
  std::sort(names.begin(), names.end());
  return names;
}

unsigned vectorRegisterBits(const llvm::TargetMachine& tm) {
  const llvm::MCSubtargetInfo* sti = tm.getMCSubtargetInfo();
  if (!sti) return 128;
  if (sti->checkFeatures("+avx512f")) return 512;
  if (sti->checkFeatures("+avx")) return 256;
  return 128;
}

void optimizeModule(llvm::Module& module, llvm::TargetMachine& tm, int optLevel) {
  llvm::LoopAnalysisManager lam;
  llvm::FunctionAnalysisManager fam;
  llvm::CGSCCAnalysisManager cgam;
  llvm::ModuleAnalysisManager mam;
  llvm::PipelineTuningOptions pto;
  pto.LoopVectorization = optLevel >= 2;
  pto.SLPVectorization = optLevel >= 2;
  llvm::PassBuilder pb(&tm, pto);
  pb.registerModuleAnalyses(mam);
  pb.registerCGSCCAnalyses(cgam);
  pb.registerFunctionAnalyses(fam);
  pb.registerLoopAnalyses(lam);
  pb.crossRegisterProxies(lam, fam, cgam, mam);
  // After vectorization: prefetch the streams of kernels marked for it.
  pb.registerOptimizerLastEPCallback([](llvm::ModulePassManager& mpm, llvm::OptimizationLevel) {
    mpm.addPass(llvm::createModuleToFunctionPassAdaptor(StreamPrefetchPass()));
  });
  llvm::ModulePassManager mpm = optLevel == 0
                                    ? pb.buildO0DefaultPipeline(llvm::OptimizationLevel::O0)
                                    : pb.buildPerModuleDefaultPipeline(passLevel(optLevel));
  mpm.run(module, mam);
}

StatusOr<MachineCode> emitMachineCode(llvm::Module& module, llvm::TargetMachine& tm,
                                      bool keepText) {
  MachineCode code;
  if (keepText) {
    llvm::raw_string_ostream irOs(code.optimizedIR);
    module.print(irOs, nullptr);
    irOs.flush();
    // Code generation mutates the IR (CodeGenPrepare), so each file type
    // gets its own copy of the optimised module.
    std::unique_ptr<llvm::Module> forAsm = llvm::CloneModule(module);
    DLC_ASSIGN_OR_RETURN(code.assembly,
                         emitFile(*forAsm, tm, llvm::CodeGenFileType::AssemblyFile));
  }
  DLC_ASSIGN_OR_RETURN(std::string obj, emitFile(module, tm, llvm::CodeGenFileType::ObjectFile));
  code.object.assign(obj.begin(), obj.end());
  return code;
}

StatusOr<std::vector<uint8_t>> linkSharedObject(const std::vector<std::vector<uint8_t>>& objects) {
  const char* tmp = std::getenv("TMPDIR");
  std::string pattern = std::string(tmp && *tmp ? tmp : "/tmp") + "/dlc-link-XXXXXX";
  std::vector<char> buf(pattern.begin(), pattern.end());
  buf.push_back('\0');
  if (!::mkdtemp(buf.data()))
    return unavailable("cannot create a temp dir ", pattern, ": ", std::strerror(errno));
  TempDir dir{buf.data(), {}};
  std::string soPath = dir.path + "/kernels.so";
  std::string logPath = dir.path + "/link.log";
  dir.files = {soPath, logPath};
  std::vector<std::string> argv = {"cc", "-shared", "-nostdlib", "-o", soPath};
  for (size_t i = 0; i < objects.size(); ++i) {
    std::string objPath = dir.path + "/" + std::to_string(i) + ".o";
    dir.files.push_back(objPath);
    std::ofstream out(objPath, std::ios::binary);
    out.write(reinterpret_cast<const char*>(objects[i].data()), std::streamsize(objects[i].size()));
    if (!out) return unavailable("cannot write ", objPath);
    argv.push_back(objPath);
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, logPath.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  posix_spawn_file_actions_adddup2(&actions, 1, 2);
  std::vector<char*> cargv;
  for (std::string& a : argv) cargv.push_back(a.data());
  cargv.push_back(nullptr);
  pid_t pid = 0;
  int rc = posix_spawnp(&pid, "cc", &actions, nullptr, cargv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) {
    return unavailable("the CPU backend links kernels with the system C compiler driver `cc` "
                       "(cc -shared -nostdlib), which could not be run: ",
                       std::strerror(rc), rc == ENOENT ? " (cc is missing from PATH)" : "");
  }
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) return internalError("waitpid on cc failed: ", std::strerror(errno));
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    std::ifstream log(logPath);
    std::stringstream ss;
    ss << log.rdbuf();
    return internalError("linking the kernels' shared object with `cc -shared -nostdlib` failed: ",
                         ss.str());
  }
  std::vector<uint8_t> so;
  DLC_RETURN_IF_ERROR(readFile(soPath, so));
  return so;
}

}  // namespace dlc::cpu
