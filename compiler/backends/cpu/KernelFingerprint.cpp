// Kernel text without its names. See KernelFingerprint.h.
#include "compiler/backends/cpu/KernelFingerprint.h"

#include <vector>

#include <llvm/Support/raw_ostream.h>

namespace dlc::cpu {

std::string kernelFingerprint(llvm::Module& module, llvm::ArrayRef<llvm::Function*> functions,
                              llvm::ArrayRef<llvm::Value*> namedValues) {
  const std::string moduleId = module.getModuleIdentifier();
  const std::string sourceName = module.getSourceFileName();
  std::vector<std::string> functionNames, valueNames;
  for (llvm::Function* f : functions) functionNames.push_back(f->getName().str());
  for (llvm::Value* v : namedValues) valueNames.push_back(v->getName().str());

  module.setModuleIdentifier("");
  module.setSourceFileName("");
  // Two passes, so that no new name collides with an old one on the way.
  for (size_t i = 0; i < functions.size(); ++i) functions[i]->setName("");
  for (size_t i = 0; i < functions.size(); ++i) functions[i]->setName("f" + std::to_string(i));
  for (llvm::Value* v : namedValues) v->setName("");

  std::string text;
  llvm::raw_string_ostream os(text);
  module.print(os, nullptr);
  os.flush();

  for (size_t i = 0; i < functions.size(); ++i) functions[i]->setName("");
  for (size_t i = 0; i < functions.size(); ++i) functions[i]->setName(functionNames[i]);
  for (size_t i = 0; i < namedValues.size(); ++i) namedValues[i]->setName(valueNames[i]);
  module.setModuleIdentifier(moduleId);
  module.setSourceFileName(sourceName);
  return text;
}

}  // namespace dlc::cpu
