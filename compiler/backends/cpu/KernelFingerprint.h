// The code of an emitted kernel with its names taken out, so that kernels of
// one plan that compute the same function are compiled once.
//
// A transformer's Q, K and V projections, or a network's repeated blocks,
// are kernels of identical shapes that differ only in which buffers they are
// handed at run time (the args array) and in names: their symbols, the
// module's name and the graph names given to the argument loads. The
// fingerprint is the module's text with exactly those names made generic,
// so equal fingerprints mean equal LLVM IR, instruction for instruction
// (constants, shapes and attributes included), and therefore equal machine
// code. The names are restored before it returns; the module is unchanged.
//
// TVM's TE compiler cache and MLIR's function deduplication key on
// structural equality the same way; the text is the structural form here.
#pragma once

#include <string>

#include <llvm/ADT/ArrayRef.h>
#include <llvm/IR/Module.h>

namespace dlc::cpu {

// `functions`: the kernel's functions (body, extent), renamed f0, f1, ...
// for the print; `namedValues`: values whose names come from the graph,
// printed unnamed.
std::string kernelFingerprint(llvm::Module& module, llvm::ArrayRef<llvm::Function*> functions,
                              llvm::ArrayRef<llvm::Value*> namedValues);

}  // namespace dlc::cpu
