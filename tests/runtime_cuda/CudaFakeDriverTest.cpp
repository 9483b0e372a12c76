// The CUDA device's host-side logic, run here against fake_cuda_driver.cpp
// (loaded through DLC_CUDA_DRIVER, set before anything loads the driver):
// discovery and its numbers, the errors for missing GPUs, kernels and bad
// PTX, the pool's reuse and its one synchronisation, the DlcArgs packing and
// the grid it launches, dynamic shared memory opt-in, capture and replay,
// contexts made current on any thread, and the measurements. What the fake
// cannot show (real kernels, real timing) is CudaDeviceTest's GPU half.
#include <dlfcn.h>

#include <cstdlib>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "runtime/src/Bandwidth.h"
#include "runtime/src/CpuDevice.h"
#include "runtime/src/CudaDevice.h"
#include "runtime/src/DeviceDiscovery.h"
#include "runtime/src/DeviceSet.h"
#include "tests/runtime_cuda/AddKernel.h"

namespace dlc::rt {
namespace {

using test::addCode;
using test::addKernel;

const bool kFakeDriverSet = [] {
  setenv("DLC_CUDA_DRIVER", DLC_FAKE_CUDA_DRIVER, /*overwrite=*/1);
  return true;
}();

// A counter exported by the fake driver.
template <typename T>
T& counter(const char* name) {
  void* lib = dlopen(DLC_FAKE_CUDA_DRIVER, RTLD_NOW | RTLD_NOLOAD);
  EXPECT_TRUE(lib) << "the fake driver is not loaded";
  void* sym = lib ? dlsym(lib, name) : nullptr;
  EXPECT_TRUE(sym) << name;
  static T dummy{};
  return sym ? *static_cast<T*>(sym) : dummy;
}

Device& gpu() {
  StatusOr<Device*> dev = cudaDevice(0);
  EXPECT_TRUE(dev.ok()) << dev.status().toString();
  return **dev;
}

// Runs dlc_test_add at `batch` with fresh inputs and returns out.
std::vector<float> runAdd(Device& d, LoadedModule& module, Stream& stream, int64_t batch) {
  size_t n = size_t(batch) * 4;
  std::vector<float> x(n), y(n), out(n, -1.0f);
  for (size_t i = 0; i < n; ++i) x[i] = float(i), y[i] = 0.5f;
  std::vector<void*> args;
  for (int i = 0; i < 3; ++i) args.push_back(*d.allocate(n * 4));
  EXPECT_TRUE(d.copyHostToDevice(args[0], x.data(), n * 4, stream).ok());
  EXPECT_TRUE(d.copyHostToDevice(args[1], y.data(), n * 4, stream).ok());
  Status st = d.launch(module, 0, args.data(), batch, -1, stream);
  EXPECT_TRUE(st.ok()) << st.toString();
  EXPECT_TRUE(d.copyDeviceToHost(out.data(), args[2], n * 4, stream).ok());
  EXPECT_TRUE(d.synchronize(stream).ok());
  for (void* p : args) d.deallocate(p);
  return out;
}

TEST(CudaFakeDriver, DiscoversTheGpu) {
  ASSERT_TRUE(cudaAvailable().ok()) << cudaAvailable().toString();
  std::vector<DeviceInfo> gpus = listCudaDevices();
  ASSERT_EQ(gpus.size(), 1u);
  const DeviceInfo& g = gpus[0];
  EXPECT_EQ(g.name, "/device:GPU:0");
  EXPECT_EQ(g.kind, DeviceKind::CUDA);
  EXPECT_EQ(g.model, "NVIDIA H100 80GB HBM3");
  EXPECT_EQ(g.cores, 132);
  EXPECT_EQ(g.threads, 132 * 2048);
  EXPECT_EQ(g.computeCapability, "9.0");
  EXPECT_EQ(g.memoryBytes, int64_t(85520809984));
  ASSERT_TRUE(g.peakBandwidthGBs.has_value());
  EXPECT_DOUBLE_EQ(*g.peakBandwidthGBs, 2619000.0 * 5120 / 8 * 2 / 1e6);  // 3352.32
  std::vector<DeviceInfo> all = listDevices();
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].name, "/device:CPU:0");
  EXPECT_EQ(all[1].name, "/device:GPU:0");
}

TEST(CudaFakeDriver, OneDevicePerGpuAndMissingGpusAreListed) {
  auto a = cudaDevice(0), b = cudaDevice(0);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(*a, *b);
  EXPECT_FALSE((*a)->hostAccessible());
  EXPECT_TRUE((*a)->supportsCapture());
  auto missing = cudaDevice(1);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(missing.status().message(),
            "no /device:GPU:1: this machine has /device:GPU:0 (NVIDIA H100 80GB HBM3)");
  EXPECT_FALSE(cudaDevice(-1).ok());
}

TEST(CudaFakeDriver, AGpuThatFailsToOpenSaysWhy) {
  // The driver reports two GPUs but GPU 1 cannot be opened: the model's
  // error is the driver's, not "use --virtual-devices".
  ASSERT_TRUE(cudaAvailable().ok());  // loads the fake driver
  int& count = counter<int>("fake_cuda_device_count");
  count = 2;
  auto set = DeviceSet::resolve({"/device:GPU:1"}, {});
  count = 1;
  ASSERT_FALSE(set.ok());
  EXPECT_EQ(set.status().code(), StatusCode::kInternal);
  EXPECT_EQ(set.status().message(),
            "model needs /device:GPU:1: /device:GPU:1: cuDeviceGet: CUresult 101");
  auto beyond = DeviceSet::resolve({"/device:GPU:1"}, {});  // one GPU: the list
  ASSERT_FALSE(beyond.ok());
  EXPECT_NE(beyond.status().message().find("use --virtual-devices 2 to split GPU:0"),
            std::string::npos)
      << beyond.status().message();
}

TEST(CudaFakeDriver, CopiesRoundTripAndCheckTheirStream) {
  Device& d = gpu();
  auto stream = d.createStream();
  ASSERT_TRUE(stream.ok());
  std::vector<int32_t> host(300), back(300, 0);
  for (int i = 0; i < 300; ++i) host[size_t(i)] = i * 7 - 5;
  void* a = *d.allocate(1200);
  void* b = *d.allocate(1200);
  EXPECT_EQ(reinterpret_cast<uintptr_t>(a) % 256, 0u);
  ASSERT_TRUE(d.copyHostToDevice(a, host.data(), 1200, **stream).ok());
  ASSERT_TRUE(d.copyDeviceToDevice(b, a, 1200, **stream).ok());
  ASSERT_TRUE(d.copyDeviceToHost(back.data(), b, 1200, **stream).ok());
  ASSERT_TRUE(d.synchronize(**stream).ok());
  EXPECT_EQ(back, host);
  EXPECT_EQ(d.copyDeviceToDevice(static_cast<char*>(a) + 8, a, 100, **stream).code(),
            StatusCode::kInvalidArgument);
  auto cpu = CpuDevice::create(1);
  ASSERT_TRUE(cpu.ok());
  auto cpuStream = (*cpu)->createStream();
  Status foreign = d.copyHostToDevice(a, host.data(), 4, **cpuStream);
  EXPECT_EQ(foreign.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(foreign.message().find("another device"), std::string::npos);
  d.deallocate(a);
  d.deallocate(b);
}

TEST(CudaFakeDriver, PoolReusesBlocksAfterOneSynchronize) {
  Device& d = gpu();
  int& allocations = counter<int>("fake_cuda_allocations");
  int& syncs = counter<int>("fake_cuda_synchronizes");
  auto a = d.allocate(3000);
  ASSERT_TRUE(a.ok());
  int allocated = allocations, synced = syncs;
  d.deallocate(*a);
  auto b = d.allocate(2900);  // the same class (3072)
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(*b, *a);
  EXPECT_EQ(allocations, allocated);  // no cuMemAlloc
  EXPECT_EQ(syncs, synced + 1);       // freed work may still run: one sync
  auto c = d.allocate(2900);          // in use: a new block
  ASSERT_TRUE(c.ok());
  EXPECT_NE(*c, *b);
  EXPECT_EQ(allocations, allocated + 1);
  d.deallocate(*b);
  d.deallocate(*c);
  auto e = d.allocate(3072);  // both come back after one more sync
  auto f = d.allocate(3072);
  ASSERT_TRUE(e.ok() && f.ok());
  EXPECT_EQ(syncs, synced + 2);
  EXPECT_EQ(allocations, allocated + 1);
  d.deallocate(*e);
  d.deallocate(*f);
  d.deallocate(reinterpret_cast<void*>(uintptr_t(0x1234)));  // not ours: ignored
}

TEST(CudaFakeDriver, PoolDoesNotSynchronizeWhileAGraphIsCaptured) {
  // The driver refuses cuCtxSynchronize from any thread while a stream of
  // the GPU captures: another thread's allocation must not fail on it.
  Device& d = gpu();
  int& syncs = counter<int>("fake_cuda_synchronizes");
  auto stream = d.createStream();
  ASSERT_TRUE(stream.ok());
  auto a = d.allocate(5000);  // class 5120, used by no other test
  ASSERT_TRUE(a.ok());
  d.deallocate(*a);  // pending: queued work may still read it
  int synced = syncs;
  ASSERT_TRUE(d.beginCapture(**stream).ok());
  StatusOr<void*> b = internalError("not run");
  std::thread other([&] { b = d.allocate(5000); });
  other.join();
  auto graph = d.endCapture(**stream);
  ASSERT_TRUE(b.ok()) << b.status().toString();
  EXPECT_NE(*b, *a);  // not recycled without a synchronisation: a fresh block
  EXPECT_EQ(syncs, synced);
  ASSERT_TRUE(graph.ok()) << graph.status().toString();
  auto c = d.allocate(5000);  // capture over: the pending block comes back
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(*c, *a);
  EXPECT_EQ(syncs, synced + 1);
  d.deallocate(*b);
  d.deallocate(*c);
}

TEST(CudaFakeDriver, LaunchPacksDlcArgsAndTheGrid) {
  Device& d = gpu();
  auto module = d.loadModule(addCode(), {addKernel()}, "add.dlc");
  ASSERT_TRUE(module.ok()) << module.status().toString();
  auto stream = d.createStream();
  ASSERT_TRUE(stream.ok());
  std::vector<float> out = runAdd(d, **module, **stream, 37);
  ASSERT_EQ(out.size(), 148u);
  for (size_t i = 0; i < out.size(); ++i) ASSERT_EQ(out[i], float(i) + 0.5f) << i;
  EXPECT_EQ(counter<unsigned>("fake_cuda_last_grid"), 2u);  // ceil(148 / 128)
  EXPECT_EQ(counter<unsigned>("fake_cuda_last_block"), 128u);
  EXPECT_EQ(counter<long long>("fake_cuda_last_batch"), 37);
  runAdd(d, **module, **stream, 0);
  EXPECT_EQ(counter<unsigned>("fake_cuda_last_grid"), 1u);  // at least one block
  EXPECT_EQ(d.launch(**module, 1, nullptr, 1, -1, **stream).code(), StatusCode::kOutOfRange);
  EXPECT_EQ(d.launch(**module, 0, nullptr, -1, -1, **stream).code(),
            StatusCode::kInvalidArgument);
}

TEST(CudaFakeDriver, RunsFromAnyThread) {
  Device& d = gpu();
  auto module = d.loadModule(addCode(), {addKernel()}, "add.dlc");
  ASSERT_TRUE(module.ok());
  auto stream = d.createStream();
  ASSERT_TRUE(stream.ok());
  std::vector<float> out;
  // A new thread has no current context: every call must make it current.
  std::thread worker([&] { out = runAdd(d, **module, **stream, 5); });
  worker.join();
  ASSERT_EQ(out.size(), 20u);
  EXPECT_EQ(out[19], 19.5f);
}

TEST(CudaFakeDriver, LargeSharedMemoryIsOptedInto) {
  Device& d = gpu();
  KernelDesc big = addKernel();
  big.launch.sharedBytes = 96 * 1024;
  auto module = d.loadModule(addCode(), {big}, "add.dlc");
  ASSERT_TRUE(module.ok()) << module.status().toString();
  auto stream = d.createStream();
  runAdd(d, **module, **stream, 2);  // the fake refuses > 48 KiB without the opt-in
  EXPECT_EQ(counter<unsigned>("fake_cuda_last_shared"), 96u * 1024);
  KernelDesc huge = addKernel();
  huge.launch.sharedBytes = 300 * 1024;
  auto refused = d.loadModule(addCode(), {huge}, "add.dlc");
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().message(),
            "add.dlc: kernel 0 \"dlc_test_add\" needs 307200 bytes of shared memory per block; "
            "/device:GPU:0 allows 232448");
}

TEST(CudaFakeDriver, LoadErrorsSayWhatFailed) {
  Device& d = gpu();
  auto missing = d.loadModule(addCode(), {addKernel(), addKernel("dlc_k9")}, "add.dlc");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().message(), "add.dlc: kernel \"dlc_k9\" not found in the CUDA code (PTX)");
  KernelDesc wide = addKernel();
  wide.args.assign(65, 0);
  auto tooMany = d.loadModule(addCode(), {wide}, "add.dlc");
  ASSERT_FALSE(tooMany.ok());
  EXPECT_EQ(tooMany.status().message(),
            "add.dlc: kernel 0 \"dlc_test_add\" takes 65 buffers; the CUDA kernel ABI passes at "
            "most 64");
  KernelDesc transfer;
  transfer.kind = "transfer";
  EXPECT_FALSE(d.loadModule(addCode(), {transfer}, "add.dlc").ok());
  CudaCode bad;
  bad.ptxArch = "compute_80";
  bad.ptx = ".version 7.0\n.target sm_80\n.address_size 64\nsyntax error\n";
  auto broken = d.loadModule(serializeCudaCode(bad), {addKernel()}, "bad.dlc");
  ASSERT_FALSE(broken.ok());
  EXPECT_EQ(broken.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(broken.status().message(),
            "bad.dlc: JIT-compiling the PTX (compute_80) for sm_90 on /device:GPU:0: "
            "cuModuleLoadDataEx: CUDA_ERROR_INVALID_PTX (a PTX JIT compilation failed)\n"
            "ptxas fatal   : syntax error in line 4");
  auto garbage = d.loadModule({1, 2, 3}, {addKernel()}, "junk.dlc");
  ASSERT_FALSE(garbage.ok());
  EXPECT_NE(garbage.status().message().find("junk.dlc"), std::string::npos);
}

TEST(CudaFakeDriver, LoadsTheCubinForThisArch) {
  Device& d = gpu();
  CudaCode code;
  code.cubinArch = "sm_90";
  std::string image = "\x7f" "ELF .visible .entry dlc_test_add(";
  code.cubin.assign(image.begin(), image.end());
  code.cubin.push_back(0);
  auto module = d.loadModule(serializeCudaCode(code), {addKernel()}, "cubin.dlc");
  ASSERT_TRUE(module.ok()) << module.status().toString();
  code.cubinArch = "sm_80";
  auto other = d.loadModule(serializeCudaCode(code), {addKernel()}, "cubin.dlc");
  ASSERT_FALSE(other.ok());
  EXPECT_NE(other.status().message().find("CUBIN for sm_80 and no PTX, and this GPU is sm_90"),
            std::string::npos);
}

TEST(CudaFakeDriver, CaptureRecordsAndReplayRuns) {
  Device& d = gpu();
  auto module = d.loadModule(addCode(), {addKernel()}, "add.dlc");
  ASSERT_TRUE(module.ok());
  auto stream = d.createStream();
  ASSERT_TRUE(stream.ok());
  const size_t n = 40;
  std::vector<float> x(n, 1.0f), y(n, 2.0f), out(n, -1.0f);
  void* args[3] = {*d.allocate(n * 4), *d.allocate(n * 4), *d.allocate(n * 4)};
  ASSERT_TRUE(d.copyHostToDevice(args[0], x.data(), n * 4, **stream).ok());
  ASSERT_TRUE(d.copyHostToDevice(args[1], y.data(), n * 4, **stream).ok());
  ASSERT_TRUE(d.copyHostToDevice(args[2], out.data(), n * 4, **stream).ok());
  ASSERT_TRUE(d.beginCapture(**stream).ok());
  ASSERT_TRUE(d.launch(**module, 0, args, 10, -1, **stream).ok());
  auto graph = d.endCapture(**stream);
  ASSERT_TRUE(graph.ok()) << graph.status().toString();
  ASSERT_TRUE(d.copyDeviceToHost(out.data(), args[2], n * 4, **stream).ok());
  EXPECT_EQ(out[0], -1.0f);  // captured, not run
  ASSERT_TRUE(d.replay(**graph, **stream).ok());
  ASSERT_TRUE(d.copyDeviceToHost(out.data(), args[2], n * 4, **stream).ok());
  EXPECT_EQ(out, std::vector<float>(n, 3.0f));
  // Replays read the buffers as they are then.
  std::fill(x.begin(), x.end(), 10.0f);
  ASSERT_TRUE(d.copyHostToDevice(args[0], x.data(), n * 4, **stream).ok());
  ASSERT_TRUE(d.replay(**graph, **stream).ok());
  ASSERT_TRUE(d.copyDeviceToHost(out.data(), args[2], n * 4, **stream).ok());
  EXPECT_EQ(out, std::vector<float>(n, 12.0f));
  for (void* p : args) d.deallocate(p);
}

TEST(CudaFakeDriver, EventsAndMeasurements) {
  Device& d = gpu();
  auto stream = d.createStream();
  auto start = d.createEvent(), end = d.createEvent();
  ASSERT_TRUE(stream.ok() && start.ok() && end.ok());
  EXPECT_EQ(d.elapsedMs(**start, **end).status().code(), StatusCode::kFailedPrecondition);
  ASSERT_TRUE(d.record(**start, **stream).ok());
  ASSERT_TRUE(d.record(**end, **stream).ok());
  auto ms = d.elapsedMs(**start, **end);
  ASSERT_TRUE(ms.ok()) << ms.status().toString();
  EXPECT_GE(*ms, 0.0);
  Status st = measureHostTransfers(d, size_t(4) << 20, 2);
  ASSERT_TRUE(st.ok()) << st.toString();
  DeviceInfo info = d.info();
  ASSERT_TRUE(info.measuredHostToDeviceGBs && info.measuredDeviceToHostGBs);
  EXPECT_GT(*info.measuredHostToDeviceGBs, 0.0);
  EXPECT_GT(*info.measuredDeviceToHostGBs, 0.0);
  auto gbs = measureBandwidthGBs(d, size_t(4) << 20, 2);  // Bandwidth.cpp's copy path
  ASSERT_TRUE(gbs.ok()) << gbs.status().toString();
  EXPECT_GT(*gbs, 0.0);
  std::vector<DeviceInfo> all = listDevices();
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[1].measuredBandwidthGBs, *gbs);
  EXPECT_EQ(all[1].measuredHostToDeviceGBs, info.measuredHostToDeviceGBs);
}

}  // namespace
}  // namespace dlc::rt
