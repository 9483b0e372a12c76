// libFuzzer target fuzz_artifact: bytes -> runtime/src/Artifact.h
// parseArtifact and rt::Model::loadBytes, in two passes per input:
//   1. the bytes as they are: the magic, version, size and checksum checks
//      must reject every corruption with an error;
//   2. the same bytes with the header's file size (offset 16) and the
//      trailing FNV-1a checksum (runtime/src/Checksum.h) rewritten to match
//      them, so that mutations get past the checksum into the section table,
//      the manifest JSON and its validation, the constant ranges and the
//      CUDA code section (parseCudaCode).
// An artifact that parses is loaded by Model::loadBytes on a validating CPU
// device: the real CpuDevice for memory, streams and events, but a
// loadModule that never opens the code section. Loading fuzzed bytes as a
// shared object would run fuzzed machine code (its initializers), so this
// target never dlopens, launches or runs anything: load + validate only.
//
// What this deliberately does not do: exercise CpuModule (dlopen/dlsym of
// the code section) or the CUDA loader; the runtime tests cover those on
// artifacts dlc compiled.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <vector>

#include "runtime/src/Artifact.h"
#include "runtime/src/Checksum.h"
#include "runtime/src/CpuDevice.h"
#include "runtime/src/CudaCode.h"
#include "runtime/src/Model.h"
#include "support/Endian.h"
#include "tests/fuzz/libfuzzer/FuzzSupport.h"

namespace {

using namespace dlc;
using namespace dlc::rt;

// A module that holds nothing: the kernels are counted, never resolved.
class UnloadedModule final : public LoadedModule {
 public:
  explicit UnloadedModule(int n) : n_(n) {}
  int numKernels() const override { return n_; }

 private:
  int n_;
};

// The CPU device with code loading replaced by a count (see the header).
class ValidatingCpuDevice final : public Device {
 public:
  explicit ValidatingCpuDevice(std::unique_ptr<CpuDevice> cpu) : cpu_(std::move(cpu)) {}

  DeviceInfo info() const override { return cpu_->info(); }
  bool hostAccessible() const override { return true; }
  StatusOr<void*> allocate(size_t bytes) override { return cpu_->allocate(bytes); }
  void deallocate(void* ptr) override { cpu_->deallocate(ptr); }
  Status copyHostToDevice(void* dst, const void* src, size_t bytes, Stream& s) override {
    return cpu_->copyHostToDevice(dst, src, bytes, s);
  }
  Status copyDeviceToHost(void* dst, const void* src, size_t bytes, Stream& s) override {
    return cpu_->copyDeviceToHost(dst, src, bytes, s);
  }
  Status copyDeviceToDevice(void* dst, const void* src, size_t bytes, Stream& s) override {
    return cpu_->copyDeviceToDevice(dst, src, bytes, s);
  }
  StatusOr<std::unique_ptr<Stream>> createStream() override { return cpu_->createStream(); }
  StatusOr<std::unique_ptr<Event>> createEvent() override { return cpu_->createEvent(); }
  Status record(Event& e, Stream& s) override { return cpu_->record(e, s); }
  Status synchronize(Stream& s) override { return cpu_->synchronize(s); }
  StatusOr<double> elapsedMs(const Event& a, const Event& b) override {
    return cpu_->elapsedMs(a, b);
  }
  StatusOr<std::unique_ptr<LoadedModule>> loadModule(const std::vector<uint8_t>& code,
                                                     const std::vector<KernelDesc>& kernels,
                                                     const std::string& source) override {
    if (code.empty())
      return dataLoss(source, ": ", kernels.size(), " kernel(s) run on the CPU, but the code "
                      "section is empty");
    return std::unique_ptr<LoadedModule>(new UnloadedModule(int(kernels.size())));
  }
  Status launch(LoadedModule&, int, void* const*, int64_t, int64_t, Stream&) override {
    fuzz::fuzzCheck(false, "fuzz_artifact never launches a kernel");
    return Status::OK();
  }
  void setMeasuredBandwidth(double gbs) override { cpu_->setMeasuredBandwidth(gbs); }

 private:
  std::unique_ptr<CpuDevice> cpu_;
};

ValidatingCpuDevice& device() {
  static ValidatingCpuDevice* dev = [] {
    auto cpu = CpuDevice::create(/*numThreads=*/1);
    fuzz::fuzzCheck(cpu.ok(), "the CPU device is created");
    return new ValidatingCpuDevice(std::move(*cpu));
  }();
  return *dev;
}

void parseAndLoad(const uint8_t* data, size_t size) {
  auto art = parseArtifact(data, size, "fuzz.dlc");
  fuzz::note(art.status());
  if (!art.ok()) return;
  if (!art->cudaCode.empty()) fuzz::note(parseCudaCode(art->cudaCode, "fuzz.dlc").status());
  ModelOptions options;
  options.device = &device();
  options.virtualDevices = 4;
  options.useGraphs = false;
  auto model = Model::fromArtifact(std::move(*art), options);
  fuzz::note(model.status());
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  device();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  // Pass 1: the raw bytes (Model::loadBytes is parseArtifact + fromArtifact).
  parseAndLoad(data, size);
  // Pass 2: the size field and checksum made to match the bytes.
  constexpr size_t kHeader = 32, kTrailer = 8;
  if (size < kHeader + kTrailer) return 0;
  std::vector<uint8_t> fixed(data, data + size);
  storeLE(fixed.data() + 16, uint64_t(size), 8);
  storeLE(fixed.data() + size - kTrailer, checksum64(fixed.data(), size - kTrailer), 8);
  if (std::memcmp(fixed.data(), data, size) == 0) return 0;  // pass 1 saw these bytes
  parseAndLoad(fixed.data(), fixed.size());
  return 0;
}
