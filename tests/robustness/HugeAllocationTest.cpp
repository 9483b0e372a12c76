// Huge declared allocations and real out-of-memory: a model whose temporary
// memory exceeds the host (a static shape, or a batch-dependent one at run
// time) is refused before anything is allocated, with the byte count; an
// allocation the host could hold but the process may not (RLIMIT_AS) fails
// as a Status, and the model still runs afterwards.
//
// What it deliberately does not cover: int64 overflow of a size (that is an
// error before any memory question: tests/frontends/TensorTest.cpp,
// tests/e2e/CliTest.cpp HugeRandomInputIsAnErrorNotAnAbort).
#include <gtest/gtest.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <fstream>
#include <string>

#include "support/Tensor.h"
#include "tests/robustness/RobustnessUtil.h"
#include "tests/common/Sanitizers.h"

namespace dlc::robust {
namespace {

// relu over x broadcast to `shape` then summed: unfused, the broadcast and
// the relu are temporaries of the full size.
std::string broadcastSum(const std::string& inShape, const std::string& shape) {
  std::string model = R"({"format": "dlc.model", "version": 1, "name": "huge",
    "inputs": [{"name": "x", "dtype": "f32", "shape": )";
  model.append(inShape).append(R"(}],
    "nodes": [{"name": "b", "op": "broadcast_to", "inputs": ["x"], "attrs": {"shape": )");
  model.append(shape).append(R"(}},
              {"name": "r", "op": "relu", "inputs": ["b"]},
              {"name": "s", "op": "reduce_sum", "inputs": ["r"]}],
    "outputs": ["s"]})");
  return model;
}

TEST(HugeAllocation, StaticTemporariesBeyondTheHostAreRefusedUpFront) {
  // f32[2^38, 4]: 4 TiB per temporary, 8 TiB of arena.
  std::string model = broadcastSum("[4]", "[274877906944, 4]");
  Status st = compileAndRun(model, {f32({4}, {1, 2, 3, 4})}, /*fused=*/false);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.code(), StatusCode::kUnavailable);
  EXPECT_NE(st.message().find("/device:CPU:0: out of memory allocating 8796093022208 bytes: more "
                              "than the "),
            std::string::npos)
      << st.message();
  EXPECT_NE(st.message().find(" bytes of memory of this device"), std::string::npos)
      << st.message();
}

TEST(HugeAllocation, BatchDependentTemporariesAreRefusedAtRunTime) {
  // [N, 2^30, 4] f32: 16 GiB per batch element and temporary; batch 1000
  // needs 32000 GiB of arena. The same model runs at a small batch when
  // fused (no temporaries at all).
  std::string model = broadcastSum(R"(["N", 1, 4])", R"(["N", 1073741824, 4])");
  Tensor x(ir::DType::F32, {1000, 1, 4});
  Status st = compileAndRun(model, {x}, /*fused=*/false);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.code(), StatusCode::kUnavailable);
  EXPECT_NE(st.message().find("out of memory allocating 34359738368000 bytes: more than the "),
            std::string::npos)
      << st.message();
}

TEST(HugeAllocation, HostTensorBeyondTheHostIsRefusedUpFront) {
  // Runtime-allocated outputs, inputs read from files and weights are host
  // Tensors: one larger than physical memory is never attempted.
  auto t = Tensor::create(ir::DType::F32, {int64_t(1) << 40});
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(t.status().message().find("out of host memory allocating 4398046511104 bytes for tensor "
                                      "f32[1099511627776]: more than the host's "),
            std::string::npos)
      << t.status().message();
}

// The process's current virtual size in bytes (/proc/self/statm).
int64_t virtualBytes() {
  std::ifstream in("/proc/self/statm");
  int64_t pages = 0;
  in >> pages;
  return pages * ::sysconf(_SC_PAGE_SIZE);
}

// Runs `model` in a child limited to its current address space + 256 MiB:
// at batch 64 its unfused temporaries need 2 GiB, well under physical
// memory, so the up-front check passes and the allocation is really
// attempted. It must fail as a Status naming the byte count, and the same
// model must then run at batch 1. Exit code 0 when all of that held.
[[noreturn]] void runUnderAddressSpaceLimit(rt::Model& model) {
  rlim_t limit = rlim_t(virtualBytes()) + (rlim_t(256) << 20);
  struct rlimit lim = {limit, limit};
  if (::setrlimit(RLIMIT_AS, &lim) != 0) ::_exit(2);
  auto out = model.run({Tensor(ir::DType::F32, {64, 1, 4})});
  if (out.ok() || out.status().code() != StatusCode::kUnavailable ||
      out.status().message().find("out of memory allocating 2147483648 bytes") ==
          std::string::npos) {
    std::fprintf(stderr, "got: %s\n", out.status().toString().c_str());
    ::_exit(3);
  }
  ::_exit(model.run({Tensor(ir::DType::F32, {1, 1, 4})}).ok() ? 0 : 4);
}

TEST(HugeAllocation, OutOfMemoryUnderRlimitIsAStatusNotACrash) {
  DLC_SKIP_IF_ADDRESS_SPACE_CAPPED_UNDER_ASAN();
  // [N, 2^20, 4] f32: 16 MiB per batch element in each of two temporaries.
  auto model = compileModel(broadcastSum(R"(["N", 1, 4])", R"(["N", 1048576, 4])"),
                            /*fused=*/false);
  ASSERT_TRUE(model.ok()) << model.status().toString();
  // The runtime's worker threads do not survive a plain fork: the child
  // re-runs this test from the start instead.
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_EXIT(runUnderAddressSpaceLimit(**model), ::testing::ExitedWithCode(0), "");
}

}  // namespace
}  // namespace dlc::robust
