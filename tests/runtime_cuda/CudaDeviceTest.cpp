// The CUDA device. Without a GPU: CUDA says what is missing (libcuda.so.1
// and how to install the driver), lists nothing, and nothing crashes. With
// a GPU (skipped here with the reason): memory, copies, events, a PTX kernel
// with the DlcArgs ABI, capture and replay, the memory pool, host transfer
// and device bandwidth measurements, and the error for a GPU that does not
// exist.
#include <dlfcn.h>

#include <cstring>
#include <numeric>
#include <vector>

#include <gtest/gtest.h>

#include "runtime/src/Bandwidth.h"
#include "runtime/src/CpuDevice.h"
#include "runtime/src/CudaCode.h"
#include "runtime/src/CudaDevice.h"
#include "runtime/src/DeviceDiscovery.h"
#include "tests/runtime_cuda/AddKernel.h"

namespace dlc::rt {
namespace {

using test::addCode;
using test::addKernel;

bool driverLoads() {
  void* lib = dlopen("libcuda.so.1", RTLD_NOW | RTLD_LOCAL);
  if (lib) dlclose(lib);
  return lib != nullptr;
}

bool haveGpu() { return cudaAvailable().ok(); }

#define SKIP_WITHOUT_GPU()                                                 \
  do {                                                                     \
    Status available_ = cudaAvailable();                                   \
    if (!available_.ok()) GTEST_SKIP() << "no GPU: " << available_.message(); \
  } while (0)

// --- Without a GPU -----------------------------------------------------------

TEST(CudaNoGpu, AvailableSaysWhatIsMissing) {
  if (haveGpu()) GTEST_SKIP() << "this machine has a GPU";
  Status st = cudaAvailable();
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.code(), StatusCode::kUnavailable);
  if (!driverLoads()) {
    EXPECT_NE(st.message().find("libcuda.so.1 not found"), std::string::npos) << st.message();
    EXPECT_NE(st.message().find("install"), std::string::npos) << st.message();
    EXPECT_NE(st.message().find("NVIDIA driver"), std::string::npos) << st.message();
  } else {
    EXPECT_NE(st.message().find("no CUDA GPU"), std::string::npos) << st.message();
  }
  // The answer is cached and stable.
  EXPECT_EQ(cudaAvailable().message(), st.message());
}

TEST(CudaNoGpu, ListsNothing) {
  if (haveGpu()) GTEST_SKIP() << "this machine has a GPU";
  EXPECT_TRUE(listCudaDevices().empty());
}

TEST(CudaNoGpu, DeviceReturnsTheSameError) {
  if (haveGpu()) GTEST_SKIP() << "this machine has a GPU";
  Status why = cudaAvailable();
  for (int ordinal : {0, 1, -1}) {
    StatusOr<Device*> dev = cudaDevice(ordinal);
    ASSERT_FALSE(dev.ok());
    EXPECT_EQ(dev.status().code(), why.code());
    EXPECT_EQ(dev.status().message(), why.message());
  }
}

TEST(CudaNoGpu, ListDevicesStillListsTheCpu) {
  std::vector<DeviceInfo> devices = listDevices();
  ASSERT_GE(devices.size(), 1u);
  EXPECT_EQ(devices[0].name, "/device:CPU:0");
  EXPECT_EQ(devices[0].kind, DeviceKind::CPU);
  size_t gpus = haveGpu() ? listCudaDevices().size() : 0;
  EXPECT_EQ(devices.size(), 1 + gpus);
  for (size_t i = 1; i < devices.size(); ++i) {
    EXPECT_EQ(devices[i].name, strCat("/device:GPU:", i - 1));
    EXPECT_EQ(devices[i].kind, DeviceKind::CUDA);
  }
}

TEST(CudaNoGpu, HostTransfersNeedACudaDevice) {
  auto cpu = CpuDevice::create(1);
  ASSERT_TRUE(cpu.ok());
  Status st = measureHostTransfers(**cpu);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(st.message().find("CUDA devices only"), std::string::npos);
}

// --- With a GPU ----------------------------------------------------------------

// Device buffers freed on scope exit.
struct Buffers {
  Device& dev;
  std::vector<void*> ptrs;
  ~Buffers() {
    for (void* p : ptrs) dev.deallocate(p);
  }
  void* add(size_t bytes) {
    auto p = dev.allocate(bytes);
    EXPECT_TRUE(p.ok()) << p.status().toString();
    ptrs.push_back(p.ok() ? *p : nullptr);
    return ptrs.back();
  }
};

TEST(CudaGpu, DescribesTheGpu) {
  SKIP_WITHOUT_GPU();
  std::vector<DeviceInfo> gpus = listCudaDevices();
  ASSERT_GE(gpus.size(), 1u);
  const DeviceInfo& g = gpus[0];
  EXPECT_EQ(g.name, "/device:GPU:0");
  EXPECT_EQ(g.kind, DeviceKind::CUDA);
  EXPECT_FALSE(g.model.empty());
  EXPECT_GT(g.cores, 0);
  EXPECT_GT(g.memoryBytes, int64_t(1) << 30);
  EXPECT_NE(g.computeCapability.find('.'), std::string::npos);
  if (g.peakBandwidthGBs) {
    EXPECT_GT(*g.peakBandwidthGBs, 100.0);
  }
  auto dev = cudaDevice(0);
  ASSERT_TRUE(dev.ok()) << dev.status().toString();
  EXPECT_FALSE((*dev)->hostAccessible());
  EXPECT_EQ((*dev)->name(), "/device:GPU:0");
  auto again = cudaDevice(0);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, *dev);  // one device per GPU
}

TEST(CudaGpu, MissingGpuListsTheGpusThatExist) {
  SKIP_WITHOUT_GPU();
  std::vector<DeviceInfo> gpus = listCudaDevices();
  int missing = int(gpus.size());
  auto dev = cudaDevice(missing);
  ASSERT_FALSE(dev.ok());
  EXPECT_EQ(dev.status().code(), StatusCode::kNotFound);
  std::string expected = strCat("no /device:GPU:", missing, ": this machine has /device:GPU:0 (",
                                gpus[0].model, ")");
  EXPECT_EQ(dev.status().message().substr(0, expected.size()), expected)
      << dev.status().message();
}

TEST(CudaGpu, AllocateAndCopyRoundTrip) {
  SKIP_WITHOUT_GPU();
  auto dev = cudaDevice(0);
  ASSERT_TRUE(dev.ok()) << dev.status().toString();
  Device& d = **dev;
  auto stream = d.createStream();
  ASSERT_TRUE(stream.ok()) << stream.status().toString();
  std::vector<float> host(1000), back(1000, -1.0f);
  std::iota(host.begin(), host.end(), 0.5f);
  Buffers bufs{d, {}};
  void* a = bufs.add(host.size() * sizeof(float));
  void* b = bufs.add(host.size() * sizeof(float));
  void* empty1 = bufs.add(0);
  void* empty2 = bufs.add(0);
  ASSERT_TRUE(a && b && empty1 && empty2);
  EXPECT_NE(empty1, empty2);
  EXPECT_EQ(reinterpret_cast<uintptr_t>(a) % 256, 0u);
  ASSERT_TRUE(d.copyHostToDevice(a, host.data(), host.size() * 4, **stream).ok());
  ASSERT_TRUE(d.copyDeviceToDevice(b, a, host.size() * 4, **stream).ok());
  ASSERT_TRUE(d.copyDeviceToHost(back.data(), b, host.size() * 4, **stream).ok());
  ASSERT_TRUE(d.synchronize(**stream).ok());
  EXPECT_EQ(back, host);
  // Overlapping device ranges are refused, not silently corrupted.
  Status overlap = d.copyDeviceToDevice(static_cast<char*>(a) + 4, a, 400, **stream);
  EXPECT_EQ(overlap.code(), StatusCode::kInvalidArgument);
}

TEST(CudaGpu, EventsTimeWork) {
  SKIP_WITHOUT_GPU();
  auto dev = cudaDevice(0);
  ASSERT_TRUE(dev.ok());
  Device& d = **dev;
  auto stream = d.createStream();
  auto start = d.createEvent();
  auto end = d.createEvent();
  ASSERT_TRUE(stream.ok() && start.ok() && end.ok());
  auto unrecorded = d.elapsedMs(**start, **end);
  EXPECT_EQ(unrecorded.status().code(), StatusCode::kFailedPrecondition);
  Buffers bufs{d, {}};
  size_t bytes = size_t(64) << 20;
  void* a = bufs.add(bytes);
  void* b = bufs.add(bytes);
  ASSERT_TRUE(a && b);
  ASSERT_TRUE(d.record(**start, **stream).ok());
  for (int i = 0; i < 4; ++i) ASSERT_TRUE(d.copyDeviceToDevice(b, a, bytes, **stream).ok());
  ASSERT_TRUE(d.record(**end, **stream).ok());
  ASSERT_TRUE(d.synchronize(**stream).ok());
  auto ms = d.elapsedMs(**start, **end);
  ASSERT_TRUE(ms.ok()) << ms.status().toString();
  EXPECT_GT(*ms, 0.0);
  EXPECT_LT(*ms, 10000.0);
}

// Loads the add kernel, runs it at `batch` on fresh inputs, returns out.
std::vector<float> runAdd(Device& d, LoadedModule& module, Stream& stream, int64_t batch,
                          float offset) {
  size_t n = size_t(batch) * 4;
  std::vector<float> x(n), y(n), out(n, -1.0f);
  for (size_t i = 0; i < n; ++i) x[i] = float(i) + offset, y[i] = 0.25f * float(i);
  Buffers bufs{d, {}};
  void* args[3] = {bufs.add(n * 4), bufs.add(n * 4), bufs.add(n * 4)};
  EXPECT_TRUE(d.copyHostToDevice(args[0], x.data(), n * 4, stream).ok());
  EXPECT_TRUE(d.copyHostToDevice(args[1], y.data(), n * 4, stream).ok());
  Status st = d.launch(module, 0, args, batch, -1, stream);
  EXPECT_TRUE(st.ok()) << st.toString();
  EXPECT_TRUE(d.copyDeviceToHost(out.data(), args[2], n * 4, stream).ok());
  EXPECT_TRUE(d.synchronize(stream).ok());
  return out;
}

TEST(CudaGpu, LoadsPtxAndLaunchesWithTheDlcArgsAbi) {
  SKIP_WITHOUT_GPU();
  auto dev = cudaDevice(0);
  ASSERT_TRUE(dev.ok());
  Device& d = **dev;
  auto module = d.loadModule(addCode(), {addKernel()}, "add.dlc");
  ASSERT_TRUE(module.ok()) << module.status().toString();
  EXPECT_EQ((*module)->numKernels(), 1);
  auto stream = d.createStream();
  ASSERT_TRUE(stream.ok());
  for (int64_t batch : {1, 37, 1000}) {  // 1, 2 (partial) and 32 blocks
    std::vector<float> out = runAdd(d, **module, **stream, batch, 1.0f);
    ASSERT_EQ(out.size(), size_t(batch) * 4);
    for (size_t i = 0; i < out.size(); ++i)
      ASSERT_EQ(out[i], float(i) + 1.0f + 0.25f * float(i)) << "batch " << batch << " i " << i;
  }
  Status badIndex = d.launch(**module, 1, nullptr, 1, -1, **stream);
  EXPECT_EQ(badIndex.code(), StatusCode::kOutOfRange);
}

TEST(CudaGpu, LoadErrorsNameTheKernel) {
  SKIP_WITHOUT_GPU();
  auto dev = cudaDevice(0);
  ASSERT_TRUE(dev.ok());
  auto missing = (*dev)->loadModule(addCode(), {addKernel("dlc_k9")}, "add.dlc");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  EXPECT_NE(missing.status().message().find("add.dlc: kernel \"dlc_k9\" not found"),
            std::string::npos)
      << missing.status().message();
  KernelDesc wide = addKernel();
  wide.args.assign(65, 0);
  auto tooMany = (*dev)->loadModule(addCode(), {wide}, "add.dlc");
  ASSERT_FALSE(tooMany.ok());
  EXPECT_NE(tooMany.status().message().find("at most 64"), std::string::npos);
  CudaCode bad;
  bad.ptxArch = "compute_80";
  bad.ptx = ".version 7.0\n.target sm_80\n.address_size 64\nthis is not ptx\n";
  auto broken = (*dev)->loadModule(serializeCudaCode(bad), {addKernel()}, "bad.dlc");
  ASSERT_FALSE(broken.ok());
  EXPECT_NE(broken.status().message().find("bad.dlc: JIT-compiling the PTX"), std::string::npos)
      << broken.status().message();
  auto garbage = (*dev)->loadModule({1, 2, 3}, {addKernel()}, "junk.dlc");
  EXPECT_FALSE(garbage.ok());
}

TEST(CudaGpu, CaptureAndReplayGiveTheSameResult) {
  SKIP_WITHOUT_GPU();
  auto dev = cudaDevice(0);
  ASSERT_TRUE(dev.ok());
  Device& d = **dev;
  ASSERT_TRUE(d.supportsCapture());
  auto module = d.loadModule(addCode(), {addKernel()}, "add.dlc");
  ASSERT_TRUE(module.ok()) << module.status().toString();
  auto stream = d.createStream();
  ASSERT_TRUE(stream.ok());
  const int64_t batch = 300;
  const size_t n = size_t(batch) * 4;
  std::vector<float> direct = runAdd(d, **module, **stream, batch, 2.0f);

  std::vector<float> x(n), y(n), out(n, -1.0f);
  for (size_t i = 0; i < n; ++i) x[i] = float(i) + 2.0f, y[i] = 0.25f * float(i);
  Buffers bufs{d, {}};
  void* args[3] = {bufs.add(n * 4), bufs.add(n * 4), bufs.add(n * 4)};
  ASSERT_TRUE(d.copyHostToDevice(args[0], x.data(), n * 4, **stream).ok());
  ASSERT_TRUE(d.copyHostToDevice(args[1], y.data(), n * 4, **stream).ok());
  ASSERT_TRUE(d.synchronize(**stream).ok());
  ASSERT_TRUE(d.beginCapture(**stream).ok());
  Status launched = d.launch(**module, 0, args, batch, -1, **stream);
  auto graph = d.endCapture(**stream);
  ASSERT_TRUE(launched.ok()) << launched.toString();
  ASSERT_TRUE(graph.ok()) << graph.status().toString();
  for (int rep = 0; rep < 3; ++rep) {
    std::fill(out.begin(), out.end(), -1.0f);
    ASSERT_TRUE(d.replay(**graph, **stream).ok());
    ASSERT_TRUE(d.copyDeviceToHost(out.data(), args[2], n * 4, **stream).ok());
    ASSERT_TRUE(d.synchronize(**stream).ok());
    EXPECT_EQ(out, direct) << "replay " << rep;
  }
}

TEST(CudaGpu, PoolReusesFreedBlocks) {
  SKIP_WITHOUT_GPU();
  auto dev = cudaDevice(0);
  ASSERT_TRUE(dev.ok());
  Device& d = **dev;
  auto a = d.allocate(1000);
  ASSERT_TRUE(a.ok());
  d.deallocate(*a);
  auto b = d.allocate(1000);  // same size class
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(*b, *a);
  auto c = d.allocate(1000);  // the block is in use again: a new one
  ASSERT_TRUE(c.ok());
  EXPECT_NE(*c, *b);
  d.deallocate(*b);
  d.deallocate(*c);
  auto bigger = d.allocate(1 << 20);  // another class: not one of the freed blocks
  ASSERT_TRUE(bigger.ok());
  EXPECT_NE(*bigger, *b);
  EXPECT_NE(*bigger, *c);
  d.deallocate(*bigger);
}

TEST(CudaGpu, MeasuresHostTransfersAndDeviceBandwidth) {
  SKIP_WITHOUT_GPU();
  auto dev = cudaDevice(0);
  ASSERT_TRUE(dev.ok());
  Status st = measureHostTransfers(**dev, size_t(16) << 20, 3);
  ASSERT_TRUE(st.ok()) << st.toString();
  DeviceInfo info = (*dev)->info();
  ASSERT_TRUE(info.measuredHostToDeviceGBs.has_value());
  ASSERT_TRUE(info.measuredDeviceToHostGBs.has_value());
  EXPECT_GT(*info.measuredHostToDeviceGBs, 0.5);
  EXPECT_GT(*info.measuredDeviceToHostGBs, 0.5);
  auto gbs = measureBandwidthGBs(**dev, size_t(64) << 20, 3);
  ASSERT_TRUE(gbs.ok()) << gbs.status().toString();
  EXPECT_GT(*gbs, 50.0);
  EXPECT_EQ((*dev)->info().measuredBandwidthGBs, *gbs);
  // listDevices reports the created device, measurements included.
  std::vector<DeviceInfo> all = listDevices();
  ASSERT_GE(all.size(), 2u);
  EXPECT_EQ(all[1].measuredBandwidthGBs, *gbs);
}

}  // namespace
}  // namespace dlc::rt
