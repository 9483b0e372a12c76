// Device names -> devices: virtual devices over the CPU, errors that list
// what exists, and copies between devices.
#include <gtest/gtest.h>

#include <cstring>

#include "runtime/src/CpuDevice.h"
#include "runtime/src/CudaDevice.h"
#include "runtime/src/DeviceSet.h"
#include "runtime/src/VirtualDevice.h"

namespace dlc::rt {
namespace {

TEST(DeviceSet, ParsesDeviceNames) {
  auto cpu = parseDeviceName("/device:CPU:12");
  ASSERT_TRUE(cpu);
  EXPECT_EQ(cpu->kind, DeviceKind::CPU);
  EXPECT_EQ(cpu->index, 12);
  auto gpu = parseDeviceName("/device:GPU:0");
  ASSERT_TRUE(gpu);
  EXPECT_EQ(gpu->kind, DeviceKind::CUDA);
  for (const char* bad : {"/device:CUDA:0", "/device:CPU:", "/device:CPU:x", "cpu0",
                          "/device:CPU:1234567890", "/device:GPU:-1"})
    EXPECT_FALSE(parseDeviceName(bad)) << bad;
}

TEST(DeviceSet, VirtualCpusForwardToTheCpu) {
  auto set = DeviceSet::resolve({"/device:CPU:0", "/device:CPU:1", "/device:CPU:0"},
                                {nullptr, /*virtualDevices=*/2});
  ASSERT_TRUE(set.ok()) << set.status().message();
  EXPECT_EQ((*set)->names(), (std::vector<std::string>{"/device:CPU:0", "/device:CPU:1"}));
  Device* cpu0 = (*set)->find("/device:CPU:0");
  Device* cpu1 = (*set)->find("/device:CPU:1");
  ASSERT_TRUE(cpu0 && cpu1);
  EXPECT_EQ(cpu0, *defaultCpuDevice());
  EXPECT_EQ(cpu1->name(), "/device:CPU:1");
  EXPECT_EQ(cpu1->info().physical, "/device:CPU:0");
  EXPECT_TRUE(cpu0->info().physical.empty());
  EXPECT_EQ(cpu1->kind(), DeviceKind::CPU);
  EXPECT_TRUE(cpu1->hostAccessible());
  EXPECT_EQ(&physicalOf(*cpu1), cpu0);
  EXPECT_EQ((*set)->find("/device:CPU:2"), nullptr);

  // Memory and streams are the CPU's: a copy between the two works.
  auto stream = cpu1->createStream();
  ASSERT_TRUE(stream.ok());
  auto a = cpu0->allocate(16), b = cpu1->allocate(16);
  ASSERT_TRUE(a.ok() && b.ok());
  float src[4] = {1, 2, 3, 4};
  std::memcpy(*a, src, 16);
  std::vector<uint8_t> staging;
  ASSERT_TRUE(copyAcross(*cpu0, *a, **stream, *cpu1, *b, **stream, 16, staging).ok());
  EXPECT_EQ(static_cast<float*>(*b)[3], 4.0f);
  EXPECT_TRUE(staging.empty());  // one physical device: no host staging
  cpu0->deallocate(*a);
  cpu1->deallocate(*b);
}

TEST(DeviceSet, AGivenCpuDeviceBasesTheVirtualOnes) {
  auto mine = CpuDevice::create(/*numThreads=*/2);
  ASSERT_TRUE(mine.ok());
  auto set = DeviceSet::resolve({"/device:CPU:0", "/device:CPU:3"}, {mine->get(), 4});
  ASSERT_TRUE(set.ok()) << set.status().message();
  EXPECT_EQ((*set)->find("/device:CPU:0"), mine->get());
  EXPECT_EQ(&physicalOf(*(*set)->find("/device:CPU:3")), mine->get());
}

TEST(DeviceSet, AMissingCpuListsTheDevicesThatExist) {
  auto set = DeviceSet::resolve({"/device:CPU:0", "/device:CPU:3"}, {nullptr, 2});
  ASSERT_FALSE(set.ok());
  std::string m = set.status().message();
  EXPECT_NE(m.find("model needs /device:CPU:3, but this machine has /device:CPU:0, "
                   "/device:CPU:1 (virtual)"),
            std::string::npos)
      << m;
  EXPECT_NE(m.find("use --virtual-devices 4 to split CPU:0"), std::string::npos) << m;
}

TEST(DeviceSet, MalformedNameIsAnError) {
  auto set = DeviceSet::resolve({"/device:TPU:0"}, {});
  ASSERT_FALSE(set.ok());
  EXPECT_NE(set.status().message().find("\"/device:TPU:0\" is not a device name"),
            std::string::npos);
}

TEST(DeviceSet, AGpuWithoutCudaSaysWhy) {
  Status available = cudaAvailable();
  if (available.ok()) GTEST_SKIP() << "this machine has a CUDA GPU";
  auto set = DeviceSet::resolve({"/device:CPU:0", "/device:GPU:0"}, {});
  ASSERT_FALSE(set.ok());
  std::string m = set.status().message();
  EXPECT_NE(m.find("model needs /device:GPU:0, but this machine has /device:CPU:0 ("),
            std::string::npos)
      << m;
  EXPECT_NE(m.find(available.message()), std::string::npos) << m;
  // A virtual GPU needs a physical one under it.
  auto split = DeviceSet::resolve({"/device:GPU:1"}, {nullptr, 2});
  ASSERT_FALSE(split.ok());
  EXPECT_NE(split.status().message().find(available.message()), std::string::npos);
}

}  // namespace
}  // namespace dlc::rt
