// Turns an emitted LLVM module into machine code: the new pass manager at
// the requested -O level with a TargetMachine for the host (or a named) CPU,
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

// A TargetMachine for `cpu` ("" = the host CPU with its detected features).
StatusOr<std::unique_ptr<llvm::TargetMachine>> createTargetMachine(const std::string& cpu,
                                                                   int optLevel);

struct MachineCode {
  std::string optimizedIR;
  std::string assembly;
  std::vector<uint8_t> object;
};

// Optimises `module` in place, then emits assembly and an ELF object.
StatusOr<MachineCode> optimizeAndEmit(llvm::Module& module, llvm::TargetMachine& tm, int optLevel);

// `cc -shared -nostdlib -o out.so in.o` in a private temp dir (posix_spawnp,
// no shell); returns the shared object's bytes.
StatusOr<std::vector<uint8_t>> linkSharedObject(const std::vector<uint8_t>& object);

}  // namespace dlc::cpu
