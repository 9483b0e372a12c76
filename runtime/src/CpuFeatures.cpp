// cpuid-based x86 feature checks. See CpuFeatures.h.
#include "runtime/src/CpuFeatures.h"

#include <algorithm>
#include <cstdint>
#include <cstring>

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#define DLC_X86 1
#endif

namespace dlc::rt {
namespace {

enum Reg { kEax, kEbx, kEcx, kEdx };
// Register state the OS must save for the feature to be usable (XCR0).
enum class OsState { None, Ymm, Zmm };

struct FeatureBit {
  const char* name;  // LLVM's spelling
  unsigned leaf;
  unsigned subleaf;
  Reg reg;
  unsigned bit;
  OsState state;
};

// Intel SDM vol. 2A, CPUID; AMD APM vol. 3, appendix E.
constexpr FeatureBit kFeatures[] = {
    {"cx16", 1, 0, kEcx, 13, OsState::None},
    {"sse3", 1, 0, kEcx, 0, OsState::None},
    {"ssse3", 1, 0, kEcx, 9, OsState::None},
    {"sse4.1", 1, 0, kEcx, 19, OsState::None},
    {"sse4.2", 1, 0, kEcx, 20, OsState::None},
    {"popcnt", 1, 0, kEcx, 23, OsState::None},
    {"movbe", 1, 0, kEcx, 22, OsState::None},
    {"lzcnt", 0x80000001u, 0, kEcx, 5, OsState::None},
    {"bmi", 7, 0, kEbx, 3, OsState::None},
    {"bmi2", 7, 0, kEbx, 8, OsState::None},
    {"avx", 1, 0, kEcx, 28, OsState::Ymm},
    {"fma", 1, 0, kEcx, 12, OsState::Ymm},
    {"f16c", 1, 0, kEcx, 29, OsState::Ymm},
    {"avx2", 7, 0, kEbx, 5, OsState::Ymm},
    {"avxvnni", 7, 1, kEax, 4, OsState::Ymm},
    {"gfni", 7, 0, kEcx, 8, OsState::None},
    {"vaes", 7, 0, kEcx, 9, OsState::Ymm},
    {"vpclmulqdq", 7, 0, kEcx, 10, OsState::Ymm},
    {"avx512f", 7, 0, kEbx, 16, OsState::Zmm},
    {"avx512dq", 7, 0, kEbx, 17, OsState::Zmm},
    {"avx512ifma", 7, 0, kEbx, 21, OsState::Zmm},
    {"avx512cd", 7, 0, kEbx, 28, OsState::Zmm},
    {"avx512bw", 7, 0, kEbx, 30, OsState::Zmm},
    {"avx512vl", 7, 0, kEbx, 31, OsState::Zmm},
    {"avx512vbmi", 7, 0, kEcx, 1, OsState::Zmm},
    {"avx512vbmi2", 7, 0, kEcx, 6, OsState::Zmm},
    {"avx512vnni", 7, 0, kEcx, 11, OsState::Zmm},
    {"avx512bitalg", 7, 0, kEcx, 12, OsState::Zmm},
    {"avx512vpopcntdq", 7, 0, kEcx, 14, OsState::Zmm},
    {"avx512fp16", 7, 0, kEdx, 23, OsState::Zmm},
    {"avx512bf16", 7, 1, kEax, 5, OsState::Zmm},
};

const FeatureBit* findFeature(std::string_view name) {
  for (const FeatureBit& f : kFeatures)
    if (name == f.name) return &f;
  return nullptr;
}

#ifdef DLC_X86
bool cpuid(unsigned leaf, unsigned subleaf, unsigned regs[4]) {
  unsigned max = __get_cpuid_max(leaf & 0x80000000u, nullptr);
  if (max < leaf) return false;
  __cpuid_count(leaf, subleaf, regs[0], regs[1], regs[2], regs[3]);
  return true;
}

// XCR0, or 0 when the OS has not enabled xgetbv (OSXSAVE clear).
uint64_t xcr0() {
  unsigned r[4] = {};
  if (!cpuid(1, 0, r) || !(r[kEcx] & (1u << 27))) return 0;
  uint32_t lo = 0, hi = 0;
  __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
  return (uint64_t(hi) << 32) | lo;
}

bool osSaves(OsState state) {
  constexpr uint64_t kYmm = 0x6;          // SSE + AVX state
  constexpr uint64_t kZmm = 0x6 | 0xE0;   // + opmask, ZMM_Hi256, Hi16_ZMM
  switch (state) {
    case OsState::None: return true;
    case OsState::Ymm: return (xcr0() & kYmm) == kYmm;
    case OsState::Zmm: return (xcr0() & kZmm) == kZmm;
  }
  return false;
}
#endif

}  // namespace

const std::vector<std::string>& checkableCpuFeatures() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> v;
    for (const FeatureBit& f : kFeatures) v.push_back(f.name);
    return v;
  }();
  return names;
}

bool hostHasCpuFeature(std::string_view feature) {
  const FeatureBit* f = findFeature(feature);
  if (!f) return false;
#ifdef DLC_X86
  unsigned r[4] = {};
  if (!cpuid(f->leaf, f->subleaf, r)) return false;
  return (r[f->reg] >> f->bit & 1u) && osSaves(f->state);
#else
  return false;
#endif
}

std::string hostCpuModelName() {
#ifdef DLC_X86
  char brand[49] = {};
  for (unsigned i = 0; i < 3; ++i) {
    unsigned r[4] = {};
    if (!cpuid(0x80000002u + i, 0, r)) return "an unidentified CPU";
    std::memcpy(brand + 16 * i, r, 16);
  }
  std::string s(brand);
  size_t first = s.find_first_not_of(' ');
  if (first == std::string::npos) return "an unidentified CPU";
  size_t last = s.find_last_not_of(' ');
  return s.substr(first, last - first + 1);
#else
  return "an unidentified CPU";
#endif
}

std::vector<std::string> requiredCpuFeatures(const std::vector<std::string>& enabled) {
  std::vector<std::string> out;
  for (const FeatureBit& f : kFeatures)
    if (std::find(enabled.begin(), enabled.end(), f.name) != enabled.end()) out.push_back(f.name);
  return out;
}

Status checkCpuFeatures(const CpuTarget& cpu, const std::string& source) {
  std::vector<std::string> missing;
  for (const std::string& f : cpu.features)
    if (!hostHasCpuFeature(f)) missing.push_back(f);
  if (missing.empty()) return Status::OK();
  std::string list;
  for (size_t i = 0; i < missing.size(); ++i)
    list += (i == 0 ? "" : i + 1 == missing.size() ? " and " : ", ") + missing[i];
  std::string target = cpu.name.empty() ? "" : strCat(" (LLVM cpu \"", cpu.name, "\")");
  return unsupported(source, " was compiled for a CPU with ", list, target, ", which this CPU (",
                     hostCpuModelName(), ") lacks; rebuild it with dlc build --cpu generic or on "
                     "this machine");
}

}  // namespace dlc::rt
