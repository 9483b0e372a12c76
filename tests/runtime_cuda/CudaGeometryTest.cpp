// The pure parts of the CUDA device, run everywhere (no GPU, no driver):
// launch geometry, which image of a CudaCode a GPU loads, pool size classes.
#include <cstddef>

#include <gtest/gtest.h>

#include "runtime/src/CudaLaunch.h"
#include "runtime/src/CudaMemoryPool.h"
#include "runtime/src/CudaModule.h"

namespace dlc::rt {
namespace {

CudaLaunch geometry(Affine items, int64_t itemsPerBlock, int64_t maxBlocks = 0) {
  CudaLaunch l;
  l.items = items;
  l.itemsPerBlock = itemsPerBlock;
  l.threads = 256;
  l.maxBlocks = maxBlocks;
  return l;
}

TEST(CudaLaunchGeometry, BlocksRoundUpAndScaleWithTheBatch) {
  CudaLaunch l = geometry(Affine{10, 1000}, 256);
  EXPECT_EQ(launchBlocks(l, 0), 1);    // 10 items
  EXPECT_EQ(launchBlocks(l, 1), 4);    // 1010 -> ceil(1010/256) = 4
  EXPECT_EQ(launchBlocks(l, 5), 20);   // 5010 -> 19.57 -> 20
  CudaLaunch exact = geometry(Affine::batched(512), 256);
  EXPECT_EQ(launchBlocks(exact, 3), 6);  // 1536 / 256, no extra block
  CudaLaunch one = geometry(Affine::constant(1), 1);
  EXPECT_EQ(launchBlocks(one, 7), 1);
}

TEST(CudaLaunchGeometry, AtLeastOneBlock) {
  EXPECT_EQ(launchBlocks(geometry(Affine::batched(64), 256), 0), 1);  // 0 items
  EXPECT_EQ(launchBlocks(geometry(Affine::constant(0), 256), 4), 1);
  EXPECT_EQ(launchBlocks(geometry(Affine::constant(-5), 256), 1), 1);
  EXPECT_EQ(launchBlocks(geometry(Affine::constant(100), 0), 1), 100);  // per block 0 -> 1
}

TEST(CudaLaunchGeometry, MaxBlocksCapsTheGrid) {
  CudaLaunch l = geometry(Affine::batched(1 << 20), 256, /*maxBlocks=*/132 * 4);
  EXPECT_EQ(launchBlocks(l, 1), 528);      // 4096 needed, capped
  EXPECT_EQ(launchBlocks(l, 100), 528);
  CudaLaunch small = geometry(Affine::constant(1000), 256, /*maxBlocks=*/528);
  EXPECT_EQ(launchBlocks(small, 1), 4);    // below the cap: unchanged
}

TEST(CudaLaunchGeometry, HugeItemCountsDoNotOverflow) {
  int64_t big = int64_t(1) << 62;
  CudaLaunch l = geometry(Affine::constant(big + 1), 1024);
  EXPECT_EQ(launchBlocks(l, 1), (big >> 10) + 1);
  auto grid = gridBlocks(l, 1, "k");
  ASSERT_FALSE(grid.ok());
  EXPECT_EQ(grid.status().code(), StatusCode::kOutOfRange);
  EXPECT_NE(grid.status().message().find("at most 2147483647"), std::string::npos);
  CudaLaunch capped = geometry(Affine::constant(big), 1024, /*maxBlocks=*/1000);
  auto cappedGrid = gridBlocks(capped, 1, "k");
  ASSERT_TRUE(cappedGrid.ok());
  EXPECT_EQ(*cappedGrid, 1000);
}

TEST(CudaLaunchGeometry, GridBlocksRejectsNegativeItems) {
  auto grid = gridBlocks(geometry(Affine{-10, 1}, 256), 3, "m.dlc: kernel \"dlc_k0\"");
  ASSERT_FALSE(grid.ok());
  EXPECT_NE(grid.status().message().find("dlc_k0"), std::string::npos);
  EXPECT_NE(grid.status().message().find("-7 work items at batch 3"), std::string::npos);
}

TEST(CudaLaunchGeometry, CheckLaunchNamesTheKernel) {
  CudaLaunch ok = geometry(Affine::batched(4), 128);
  EXPECT_TRUE(checkLaunch(ok, "k").ok());
  CudaLaunch threads = ok;
  threads.threads = 2048;
  Status st = checkLaunch(threads, "m.dlc: kernel \"dlc_k3\"");
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.message(), "m.dlc: kernel \"dlc_k3\": launch threads 2048 per block is outside "
                          "[1, 1024]");
  CudaLaunch zeroThreads = ok;
  zeroThreads.threads = 0;
  EXPECT_FALSE(checkLaunch(zeroThreads, "k").ok());
  CudaLaunch per = ok;
  per.itemsPerBlock = 0;
  EXPECT_FALSE(checkLaunch(per, "k").ok());
  CudaLaunch shared = ok;
  shared.sharedBytes = -1;
  EXPECT_FALSE(checkLaunch(shared, "k").ok());
  CudaLaunch cap = ok;
  cap.maxBlocks = -2;
  EXPECT_FALSE(checkLaunch(cap, "k").ok());
}

TEST(CudaLaunchGeometry, DlcArgsMatchesTheDeviceLayout) {
  // ptr[64] at offset 0, batch at 512: the PTX reads param+512 for it.
  EXPECT_EQ(sizeof(DlcArgs), 520u);
  EXPECT_EQ(offsetof(DlcArgs, batch), 512u);
  EXPECT_EQ(alignof(DlcArgs), 8u);
}

CudaCode code(std::string cubinArch, bool withPtx, bool withCubin) {
  CudaCode c;
  c.ptxArch = "compute_80";
  if (withPtx) c.ptx = ".version 7.0\n.target sm_80\n";
  c.cubinArch = std::move(cubinArch);
  if (withCubin) c.cubin = {0x7f, 'E', 'L', 'F'};
  return c;
}

TEST(CudaImageChoice, CubinOnlyForTheExactArch) {
  auto same = chooseCudaImage(code("sm_90", true, true), "sm_90", "m.dlc");
  ASSERT_TRUE(same.ok());
  EXPECT_EQ(*same, CudaImage::Cubin);
  auto other = chooseCudaImage(code("sm_80", true, true), "sm_90", "m.dlc");
  ASSERT_TRUE(other.ok());
  EXPECT_EQ(*other, CudaImage::Ptx);
  auto ptxOnly = chooseCudaImage(code("", true, false), "sm_90", "m.dlc");
  ASSERT_TRUE(ptxOnly.ok());
  EXPECT_EQ(*ptxOnly, CudaImage::Ptx);
}

TEST(CudaImageChoice, NothingLoadableIsAnError) {
  auto wrongCubin = chooseCudaImage(code("sm_80", false, true), "sm_90", "m.dlc");
  ASSERT_FALSE(wrongCubin.ok());
  EXPECT_EQ(wrongCubin.status().message(),
            "m.dlc: the CUDA code has a CUBIN for sm_80 and no PTX, and this GPU is sm_90: "
            "rebuild with --cuda-arch sm_90");
  auto empty = chooseCudaImage(code("", false, false), "sm_90", "m.dlc");
  ASSERT_FALSE(empty.ok());
  EXPECT_EQ(empty.status().code(), StatusCode::kDataLoss);
}

TEST(CudaPoolSizeClass, RoundsUpBy256AndQuarterPowersOfTwo) {
  EXPECT_EQ(CudaMemoryPool::sizeClass(0), 256u);
  EXPECT_EQ(CudaMemoryPool::sizeClass(1), 256u);
  EXPECT_EQ(CudaMemoryPool::sizeClass(256), 256u);
  EXPECT_EQ(CudaMemoryPool::sizeClass(257), 512u);
  EXPECT_EQ(CudaMemoryPool::sizeClass(1000), 1024u);
  EXPECT_EQ(CudaMemoryPool::sizeClass(1025), 1280u);   // 1024 + 256
  EXPECT_EQ(CudaMemoryPool::sizeClass(4097), 5120u);   // 4096 + 1024
  EXPECT_EQ(CudaMemoryPool::sizeClass(100u << 20), 112u << 20);  // 64 MiB + 3 x 16 MiB
  EXPECT_EQ(CudaMemoryPool::sizeClass(size_t(1) << 63), 0u);     // too large
  for (size_t bytes : {size_t(3), size_t(777), size_t(65537), size_t(12345678)}) {
    size_t cls = CudaMemoryPool::sizeClass(bytes);
    EXPECT_GE(cls, bytes);
    EXPECT_EQ(cls % 256, 0u);
    EXPECT_LE(double(cls), double(bytes) * 1.25 + 256) << bytes;
    EXPECT_EQ(CudaMemoryPool::sizeClass(cls), cls);  // a class is its own class
  }
}

}  // namespace
}  // namespace dlc::rt
