// NVRTC through compileProgram: PTX and CUBIN for hand-written kernels with
// the DlcArgs ABI, compile errors that name the kernel, toolkit headers
// (f16/bf16/wmma), accurate (not fast) math, the message when NVRTC is
// missing, and the ptxas check of the test harness. No GPU is needed.
#include <gtest/gtest-spi.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <string>

#include "compiler/backends/cuda/CudaCompile.h"
#include "compiler/backends/cuda/Nvrtc.h"
#include "runtime/src/Manifest.h"
#include "tests/backends/cuda/CudaTestHarness.h"

namespace dlc::cuda {
namespace {

const std::string kAbi =
    "struct DlcArgs { void* ptr[" + std::to_string(rt::kMaxKernelArgs) + "]; long long batch; };\n";

// y = x * 2 + 1 over batch * 16 floats, grid-stride; then z = x / y, sqrt.
const std::string kTwoKernels = kAbi + R"(
extern "C" __global__ void dlc_k0(DlcArgs a) {
  const float* x = (const float*)a.ptr[0];
  float* y = (float*)a.ptr[1];
  long long n = a.batch * 16;
  for (long long i = blockIdx.x * (long long)blockDim.x + threadIdx.x; i < n;
       i += (long long)gridDim.x * blockDim.x)
    y[i] = x[i] * 2.0f + 1.0f;
}

extern "C" __global__ void dlc_k1(DlcArgs a) {
  const float* x = (const float*)a.ptr[0];
  const float* y = (const float*)a.ptr[1];
  float* z = (float*)a.ptr[2];
  long long i = blockIdx.x * (long long)blockDim.x + threadIdx.x;
  if (i < a.batch * 16) z[i] = sqrtf(x[i] / y[i]);
}
)";

RenderedProgram program(const std::string& source, int kernels) {
  RenderedProgram p;
  p.source = source;
  for (int k = 0; k < kernels; ++k) {
    RenderedKernel rk;
    rk.id = k;
    rk.symbol = "dlc_k" + std::to_string(k);
    p.kernels.push_back(rk);
  }
  return p;
}

class NvrtcCompileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::random_device rd;
    cacheDir_ = (std::filesystem::temp_directory_path() /
                 ("dlc-nvrtc-test-" + std::to_string(rd()) + std::to_string(::getpid())))
                    .string();
  }
  void TearDown() override {
    std::error_code ec;
    std::filesystem::remove_all(cacheDir_, ec);
  }
  CudaOptions options(const std::string& arch = "", bool cubin = false) const {
    CudaOptions o;
    o.arch = arch;
    o.cubin = cubin;
    o.cacheDir = cacheDir_;
    return o;
  }
  std::string cacheDir_;
};

TEST_F(NvrtcCompileTest, VersionIsReported) {
  StatusOr<std::string> version = nvrtcVersion();
  ASSERT_TRUE(version.ok()) << version.status().toString();
  StatusOr<const Nvrtc*> nvrtc = Nvrtc::get();
  ASSERT_TRUE(nvrtc.ok());
  EXPECT_EQ(*version, std::to_string((*nvrtc)->major()) + "." + std::to_string((*nvrtc)->minor()));
  EXPECT_GE((*nvrtc)->major(), 11);
  EXPECT_NE((*nvrtc)->libraryPath().find("libnvrtc"), std::string::npos) << (*nvrtc)->libraryPath();
}

TEST_F(NvrtcCompileTest, IncludeDirHoldsToolkitHeaders) {
  StatusOr<const Nvrtc*> nvrtc = Nvrtc::get();
  ASSERT_TRUE(nvrtc.ok()) << nvrtc.status().toString();
  const std::string dir = (*nvrtc)->includeDir();
  ASSERT_FALSE(dir.empty());
  for (const char* header : {"cuda_fp16.h", "cuda_bf16.h", "mma.h"}) {
    struct stat st;
    EXPECT_EQ(::stat((dir + "/" + header).c_str(), &st), 0) << dir << "/" << header;
  }
}

TEST_F(NvrtcCompileTest, DefaultArchGivesPtxForCompute80) {
  CompileLog log;
  StatusOr<rt::CudaCode> code = compileProgram(program(kTwoKernels, 2), options(), &log);
  ASSERT_TRUE(code.ok()) << code.status().toString();
  EXPECT_EQ(code->ptxArch, "compute_80");
  EXPECT_NE(code->ptx.find(".target sm_80"), std::string::npos);
  EXPECT_NE(code->ptx.find(".entry dlc_k0("), std::string::npos);
  EXPECT_NE(code->ptx.find(".entry dlc_k1("), std::string::npos);
  EXPECT_EQ(code->ptx.find('\0'), std::string::npos);
  EXPECT_TRUE(code->cubinArch.empty());
  EXPECT_TRUE(code->cubin.empty());
  EXPECT_EQ(log.cacheMisses, 1);
  EXPECT_EQ(log.cacheHits, 0);
}

TEST_F(NvrtcCompileTest, Sm90GivesPtxAndCubin) {
  StatusOr<rt::CudaCode> code =
      compileProgram(program(kTwoKernels, 2), options("sm_90", /*cubin=*/true));
  ASSERT_TRUE(code.ok()) << code.status().toString();
  EXPECT_EQ(code->ptxArch, "compute_90");
  EXPECT_NE(code->ptx.find(".target sm_90"), std::string::npos);
  EXPECT_NE(code->ptx.find(".entry dlc_k0("), std::string::npos);
  EXPECT_EQ(code->cubinArch, "sm_90");
  ASSERT_GE(code->cubin.size(), 64u);
  EXPECT_EQ(code->cubin[0], 0x7f);
  EXPECT_EQ(code->cubin[1], 'E');
  EXPECT_EQ(code->cubin[2], 'L');
  EXPECT_EQ(code->cubin[3], 'F');
  EXPECT_EQ(code->cubin[4], 2);  // ELFCLASS64
}

TEST_F(NvrtcCompileTest, ArchWithoutCubinGivesPtxOnly) {
  StatusOr<rt::CudaCode> code = compileProgram(program(kTwoKernels, 2), options("sm_90"));
  ASSERT_TRUE(code.ok()) << code.status().toString();
  EXPECT_EQ(code->ptxArch, "compute_90");
  EXPECT_NE(code->ptx.find(".target sm_90"), std::string::npos);
  EXPECT_TRUE(code->cubin.empty());
}

TEST_F(NvrtcCompileTest, MathIsAccurateNotFast) {
  StatusOr<rt::CudaCode> code = compileProgram(program(kTwoKernels, 2), options());
  ASSERT_TRUE(code.ok()) << code.status().toString();
  // --use_fast_math would give div.approx / sqrt.approx and flush denormals.
  EXPECT_NE(code->ptx.find("div.rn.f32"), std::string::npos);
  EXPECT_NE(code->ptx.find("sqrt.rn.f32"), std::string::npos);
  EXPECT_EQ(code->ptx.find(".approx"), std::string::npos);
  EXPECT_EQ(code->ptx.find(".ftz"), std::string::npos);
}

TEST_F(NvrtcCompileTest, SyntaxErrorNamesTheKernelAndCarriesTheLog) {
  std::string source = kTwoKernels + R"(
extern "C" __global__ void dlc_k2(DlcArgs a) {
  float* y = (float*)a.ptr[0];
  y[0] = undeclaredThing + 1.0f;
}
)";
  StatusOr<rt::CudaCode> code = compileProgram(program(source, 3), options());
  ASSERT_FALSE(code.ok());
  const std::string msg = code.status().message();
  EXPECT_NE(msg.find("kernel dlc_k2"), std::string::npos) << msg;
  EXPECT_NE(msg.find("undeclaredThing"), std::string::npos) << msg;
  EXPECT_NE(msg.find("error"), std::string::npos) << msg;
  EXPECT_NE(msg.find("for compute_80"), std::string::npos) << msg;
  // The line NVRTC reports is the line of the error in the source.
  int line = 1;
  for (size_t i = 0; i < source.find("undeclaredThing"); ++i) line += source[i] == '\n';
  EXPECT_NE(msg.find("line " + std::to_string(line) + ")"), std::string::npos) << msg;
}

TEST_F(NvrtcCompileTest, ErrorInTheFirstKernelNamesIt) {
  std::string source = kTwoKernels;
  source.replace(source.find("* 2.0f"), 6, "* two");
  StatusOr<rt::CudaCode> code = compileProgram(program(source, 2), options());
  ASSERT_FALSE(code.ok());
  EXPECT_NE(code.status().message().find("kernel dlc_k0 "), std::string::npos)
      << code.status().message();
}

TEST_F(NvrtcCompileTest, ErrorBeforeAnyKernelSaysSo) {
  std::string source = "struct Broken { int x };\n" + kTwoKernels;
  StatusOr<rt::CudaCode> code = compileProgram(program(source, 2), options());
  ASSERT_FALSE(code.ok());
  EXPECT_NE(code.status().message().find("before the first kernel"), std::string::npos)
      << code.status().message();
}

TEST_F(NvrtcCompileTest, MissingEntryIsAnError) {
  RenderedProgram p = program(kTwoKernels, 2);
  p.kernels[1].symbol = "dlc_k7";
  StatusOr<rt::CudaCode> code = compileProgram(p, options());
  ASSERT_FALSE(code.ok());
  EXPECT_NE(code.status().message().find("dlc_k7"), std::string::npos);
  EXPECT_NE(code.status().message().find("extern \"C\""), std::string::npos);
}

TEST_F(NvrtcCompileTest, BadArchIsInvalidArgument) {
  for (const char* arch : {"gfx90a", "sm_9", "sm_90b", "sm_", "sm_1000", "compute"}) {
    StatusOr<rt::CudaCode> code = compileProgram(program(kTwoKernels, 2), options(arch));
    ASSERT_FALSE(code.ok()) << arch;
    EXPECT_EQ(code.status().code(), StatusCode::kInvalidArgument) << arch;
    EXPECT_NE(code.status().message().find(arch), std::string::npos);
  }
  StatusOr<rt::CudaCode> code =
      compileProgram(program(kTwoKernels, 2), options("compute_80", /*cubin=*/true));
  ASSERT_FALSE(code.ok());
  EXPECT_EQ(code.status().code(), StatusCode::kInvalidArgument);
}

TEST_F(NvrtcCompileTest, ArchUnknownToNvrtcIsInvalidArgument) {
  // Well formed, but no NVRTC knows it.
  StatusOr<rt::CudaCode> code = compileProgram(program(kTwoKernels, 2), options("sm_999"));
  ASSERT_FALSE(code.ok());
  EXPECT_EQ(code.status().code(), StatusCode::kInvalidArgument);
  const std::string msg = code.status().message();
  EXPECT_EQ(msg.rfind("CUDA arch compute_999: NVRTC ", 0), 0u) << msg;
  EXPECT_NE(msg.find("--gpu-architecture=compute_999"), std::string::npos) << msg;
}

TEST_F(NvrtcCompileTest, ArchSpecificSuffixCompiles) {
  StatusOr<rt::CudaCode> code =
      compileProgram(program(kTwoKernels, 2), options("sm_90a", /*cubin=*/true));
  ASSERT_TRUE(code.ok()) << code.status().toString();
  EXPECT_EQ(code->ptxArch, "compute_90a");
  EXPECT_EQ(code->cubinArch, "sm_90a");
  EXPECT_NE(code->ptx.find(".target sm_90a"), std::string::npos);
}

const std::string kHalfSource = kAbi + R"(
#include <cuda_fp16.h>
#include <cuda_bf16.h>
#include <mma.h>
extern "C" __global__ void dlc_k0(DlcArgs a) {
  const __half* x = (const __half*)a.ptr[0];
  __nv_bfloat16* y = (__nv_bfloat16*)a.ptr[1];
  long long i = blockIdx.x * (long long)blockDim.x + threadIdx.x;
  if (i < a.batch * 8) {
    __half h = __hadd(x[i], __float2half(1.0f));
    y[i] = __float2bfloat16(__half2float(h) * 2.0f);
  }
}
extern "C" __global__ void dlc_k1(DlcArgs a) {
  using namespace nvcuda;
  wmma::fragment<wmma::matrix_a, 16, 16, 16, __half, wmma::row_major> fa;
  wmma::fragment<wmma::matrix_b, 16, 16, 16, __half, wmma::col_major> fb;
  wmma::fragment<wmma::accumulator, 16, 16, 16, float> fc;
  wmma::fill_fragment(fc, 0.0f);
  wmma::load_matrix_sync(fa, (const __half*)a.ptr[0], 16);
  wmma::load_matrix_sync(fb, (const __half*)a.ptr[1], 16);
  wmma::mma_sync(fc, fa, fb, fc);
  wmma::store_matrix_sync((float*)a.ptr[2], fc, 16, wmma::mem_row_major);
}
)";

TEST_F(NvrtcCompileTest, HalfBf16AndWmmaCompile) {
  StatusOr<rt::CudaCode> code = compileProgram(program(kHalfSource, 2), options("sm_80"));
  ASSERT_TRUE(code.ok()) << code.status().toString();
  EXPECT_NE(code->ptx.find(".entry dlc_k0("), std::string::npos);
  EXPECT_NE(code->ptx.find("wmma.mma.sync"), std::string::npos);
}

TEST(NvrtcLoadTest, MissingLibrarySaysWhatAndHowToInstall) {
  StatusOr<std::unique_ptr<Nvrtc>> nvrtc =
      Nvrtc::load({"/nonexistent/lib64/libnvrtc.so.13", "libnvrtc-not-a-real-name.so.99"});
  ASSERT_FALSE(nvrtc.ok());
  EXPECT_EQ(nvrtc.status().code(), StatusCode::kUnavailable);
  const std::string msg = nvrtc.status().message();
  EXPECT_NE(msg.find("NVRTC (libnvrtc.so.13) not found"), std::string::npos) << msg;
  EXPECT_NE(msg.find("install the CUDA toolkit"), std::string::npos) << msg;
  EXPECT_NE(msg.find("CUDA_HOME"), std::string::npos) << msg;
  EXPECT_NE(msg.find("/nonexistent/lib64/libnvrtc.so.13"), std::string::npos) << msg;
  EXPECT_NE(msg.find("libnvrtc-not-a-real-name.so.99"), std::string::npos) << msg;
}

TEST(NvrtcLoadTest, LibraryWithoutNvrtcSymbolsIsRefused) {
  StatusOr<std::unique_ptr<Nvrtc>> nvrtc = Nvrtc::load({"libc.so.6"});
  ASSERT_FALSE(nvrtc.ok());
  EXPECT_EQ(nvrtc.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(nvrtc.status().message().find("lacks nvrtcGetErrorString"), std::string::npos)
      << nvrtc.status().message();
}

TEST(NvrtcLoadTest, CandidatesTryCudaHomeFirstThenTheLoaderThenUsrLocal) {
  const char* old = std::getenv("CUDA_HOME");
  std::string saved = old ? old : "";
  ::setenv("CUDA_HOME", "/opt/my-cuda", 1);
  std::vector<std::string> c = Nvrtc::defaultCandidates();
  if (old)
    ::setenv("CUDA_HOME", saved.c_str(), 1);
  else
    ::unsetenv("CUDA_HOME");
  ASSERT_GE(c.size(), 9u);
  EXPECT_EQ(c.front(), "/opt/my-cuda/lib64/libnvrtc.so.13");
  EXPECT_NE(std::find(c.begin(), c.end(), "libnvrtc.so.12"), c.end());
  EXPECT_NE(std::find(c.begin(), c.end(), "libnvrtc.so"), c.end());
  EXPECT_EQ(c.back(), "/usr/local/cuda/lib64/libnvrtc.so");
}

TEST(NvrtcLoadTest, ExplicitPathLoads) {
  StatusOr<const Nvrtc*> shared = Nvrtc::get();
  ASSERT_TRUE(shared.ok()) << shared.status().toString();
  StatusOr<std::unique_ptr<Nvrtc>> nvrtc = Nvrtc::load({(*shared)->libraryPath()});
  ASSERT_TRUE(nvrtc.ok()) << nvrtc.status().toString();
  EXPECT_EQ((*nvrtc)->version(), (*shared)->version());
}

// The harness check: NVRTC + ptxas, for the default and Hopper archs.
RenderedProgram gTwoKernels = program(kTwoKernels, 2);
RenderedProgram gBadSource =
    program(kAbi + "extern \"C\" __global__ void dlc_k0(DlcArgs a) { x; }", 1);
// NVRTC passes inline PTX through unchecked; ptxas rejects it.
RenderedProgram gBadPtx = program(kAbi + R"(
extern "C" __global__ void dlc_k0(DlcArgs a) { asm volatile("not.an.instruction;"); }
)",
                                  1);

TEST(CompileCheckTest, ValidProgramAssembles) {
  test::expectCompiles(gTwoKernels, "sm_90");
  test::expectCompiles(gTwoKernels, "sm_80");
  test::expectCompiles(program(kHalfSource, 2), "sm_90");
}

TEST(CompileCheckTest, NvrtcErrorFailsTheTest) {
  EXPECT_FATAL_FAILURE(test::expectCompiles(gBadSource, "sm_90"), "kernel dlc_k0");
}

TEST(CompileCheckTest, PtxasErrorFailsTheTestWithItsOutput) {
  EXPECT_NONFATAL_FAILURE(test::expectCompiles(gBadPtx, "sm_90"), "Ptx assembly aborted");
}

}  // namespace
}  // namespace dlc::cuda
