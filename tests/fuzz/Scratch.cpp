// Per-process scratch folders (Scratch.h).
#include "tests/fuzz/Scratch.h"

#include <unistd.h>

#include <cstdlib>
#include <filesystem>

namespace dlc::fuzz {

std::string scratchDirOf(pid_t pid) {
  const char* tmp = std::getenv("TMPDIR");
  return std::string(tmp && *tmp ? tmp : "/tmp") + "/dlc-fuzz-scratch/" + std::to_string(pid);
}

std::string scratchDir() {
  std::string dir = scratchDirOf(::getpid());
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  return ec ? "" : dir;
}

void removeScratchDir(pid_t pid) {
  std::error_code ec;
  std::filesystem::remove_all(scratchDirOf(pid), ec);
}

}  // namespace dlc::fuzz
