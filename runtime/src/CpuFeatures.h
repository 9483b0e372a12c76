// The x86 instruction-set features an artifact's machine code may use, and
// the check of them against the CPU that loads it.
//
// The compiler records in the manifest (Manifest::cpu) the features of this
// table that its LLVM TargetMachine enabled; Model::initialize refuses an
// artifact whose CPU lacks one, instead of dying with SIGILL on the first
// AVX-512 instruction. The running CPU is read with cpuid and xgetbv (the
// OS must save the YMM/ZMM registers for AVX/AVX-512), never with LLVM,
// which the runtime does not link. A name outside the table cannot be
// checked and counts as missing. On non-x86 hosts every feature is missing.
// It does not choose code paths at run time: an artifact holds one.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "runtime/src/Manifest.h"
#include "support/Status.h"

namespace dlc::rt {

// The checkable feature names in LLVM's spelling ("sse4.2", "avx2",
// "avx512f", ...), in a fixed order.
const std::vector<std::string>& checkableCpuFeatures();

// True if the running CPU (and OS) supports `feature`; false for a name
// outside checkableCpuFeatures().
bool hostHasCpuFeature(std::string_view feature);

// The running CPU's brand string ("Intel(R) Xeon(R) Gold 6338 CPU @
// 2.00GHz"), or "an unidentified CPU" when cpuid has none.
std::string hostCpuModelName();

// The names of `enabled` (e.g. every feature of an LLVM TargetMachine) that
// are in checkableCpuFeatures(), in table order.
std::vector<std::string> requiredCpuFeatures(const std::vector<std::string>& enabled);

// OK when the running CPU has every feature of `cpu`; otherwise an
// Unsupported error naming the artifact `source`, the missing features and
// this CPU, and how to rebuild.
Status checkCpuFeatures(const CpuTarget& cpu, const std::string& source);

}  // namespace dlc::rt
