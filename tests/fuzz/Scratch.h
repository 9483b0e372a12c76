// A per-process scratch folder for the files one check writes (artifact
// files for the C API, the CUDA emulation's g++ output, the NVRTC cache):
// $TMPDIR/dlc-fuzz-scratch/<pid>. The check removes it when done; the
// parent of a child that crashed or timed out removes the child's
// (Isolate.cpp), so campaigns leave nothing behind.
//
// What this deliberately does not do: keep anything between checks (a
// cache would only grow: fuzzed graphs rarely repeat).
#pragma once

#include <sys/types.h>

#include <string>

namespace dlc::fuzz {

// The scratch folder of process `pid` (not created).
std::string scratchDirOf(pid_t pid);

// This process's scratch folder, created on first use; "" when it cannot be.
std::string scratchDir();

// Removes the scratch folder of `pid` and everything in it.
void removeScratchDir(pid_t pid);

}  // namespace dlc::fuzz
