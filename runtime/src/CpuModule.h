// Loads an artifact's CPU code section (an ELF shared object) and resolves
// every kernel's entry points.
//
// The bytes are written to an anonymous memfd and opened with
// dlopen("/proc/self/fd/N"), so nothing touches the filesystem; where memfd
// is unavailable they go to a private temp file that is unlinked right after
// dlopen. The fd stays open while the library is loaded so that its
// /proc/self/fd name is unique among loaded modules. The library is
// dlclose'd on destruction. Kernel ABI: see Manifest.h.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "runtime/src/Device.h"

namespace dlc::rt {

using KernelFn = void (*)(void* const* args, int64_t batch, int64_t begin, int64_t end);
using ExtentFn = int64_t (*)(int64_t batch);

class CpuModule final : public LoadedModule {
 public:
  static StatusOr<std::unique_ptr<CpuModule>> load(const std::vector<uint8_t>& code,
                                                   const std::vector<std::string>& symbols,
                                                   const std::string& source);
  ~CpuModule() override;

  int numKernels() const override { return int(kernels_.size()); }
  KernelFn kernel(int i) const { return kernels_[size_t(i)].fn; }
  ExtentFn extent(int i) const { return kernels_[size_t(i)].extent; }
  const std::string& symbol(int i) const { return kernels_[size_t(i)].symbol; }

 private:
  CpuModule() = default;
  struct Entry {
    std::string symbol;
    KernelFn fn = nullptr;
    ExtentFn extent = nullptr;
  };
  void* handle_ = nullptr;
  int fd_ = -1;
  std::vector<Entry> kernels_;
};

}  // namespace dlc::rt
