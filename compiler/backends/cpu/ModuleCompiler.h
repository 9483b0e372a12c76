// Turns an emitted LLVM module into machine code: the new pass manager at
// the requested -O level with a TargetMachine for the host or a named CPU,
// an in-memory object file and its assembly text, then a shared object
// linked by the system compiler driver. It does not emit kernels.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <llvm/IR/Module.h>
#include <llvm/Target/TargetMachine.h>

#include "support/Status.h"

namespace dlc::cpu {

// The CPU that `dlc build --cpu generic` targets: x86-64-v2 (SSE4.2, POPCNT,
// CX16; every x86-64 CPU since about 2009). Not the plain "x86-64" baseline:
// without SSE4.1's roundps, floor/ceil would become libm calls, which the
// kernels' shared object (linked -nostdlib) cannot make.
inline constexpr const char* kGenericCpu = "x86-64-v2";

// A TargetMachine for the process triple and `cpu`: "native" (or "") = the
// host CPU name with its detected features; "generic" = kGenericCpu; any
// other name is an LLVM CPU ("x86-64-v3" = AVX2+FMA, "x86-64-v4" = AVX-512,
// "skylake-avx512", ...) with exactly the features that CPU implies. An
// unknown name is an InvalidArgument error listing the portable choices.
StatusOr<std::unique_ptr<llvm::TargetMachine>> createTargetMachine(const std::string& cpu,
                                                                   int optLevel);

// LLVM's names of every subtarget feature `tm` enables ("avx2", "fma", ...),
// sorted.
std::vector<std::string> enabledFeatures(const llvm::TargetMachine& tm);

// The widest vector register `tm` may use: 512 (AVX-512F), 256 (AVX) or 128.
unsigned vectorRegisterBits(const llvm::TargetMachine& tm);

struct MachineCode {
  std::string optimizedIR;
  std::string assembly;
  std::vector<uint8_t> object;
};

// Runs dlc's optimisation pipeline on `module` in place: LLVM's default
// pipeline at `optLevel` for `tm`, plus stream prefetching (StreamPrefetch.h)
// after vectorisation.
void optimizeModule(llvm::Module& module, llvm::TargetMachine& tm, int optLevel);

// Emits an ELF object of the (optimised) module and, with `keepText`, its
// LLVM IR and assembly as text.
StatusOr<MachineCode> emitMachineCode(llvm::Module& module, llvm::TargetMachine& tm,
                                      bool keepText);

// `cc -shared -nostdlib -o out.so 0.o 1.o ...` in a private temp dir
// (posix_spawnp, no shell), the objects in the given order; returns the
// shared object's bytes.
StatusOr<std::vector<uint8_t>> linkSharedObject(const std::vector<std::vector<uint8_t>>& objects);

}  // namespace dlc::cpu
