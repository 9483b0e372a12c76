// The NVRTC result cache: SHA-256 against the FIPS 180 vectors, keys that
// change with every input, the cache folder's defaults, hits and misses
// counted in the CompileLog, and damaged entries recompiled and rewritten.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>

#include "compiler/backends/cuda/CompileCache.h"
#include "compiler/backends/cuda/CudaCompile.h"
#include "runtime/src/Manifest.h"
#include "support/SafePath.h"

namespace dlc::cuda {
namespace {

namespace fs = std::filesystem;

const std::string kSource = "struct DlcArgs { void* ptr[" + std::to_string(rt::kMaxKernelArgs) +
                            "]; long long batch; };\n" + R"(
extern "C" __global__ void dlc_k0(DlcArgs a) {
  const float* x = (const float*)a.ptr[0];
  float* y = (float*)a.ptr[1];
  long long i = blockIdx.x * (long long)blockDim.x + threadIdx.x;
  if (i < a.batch * 4) y[i] = x[i] > 0.0f ? x[i] : 0.0f;
}
)";

RenderedProgram program(const std::string& source = kSource) {
  RenderedProgram p;
  p.source = source;
  RenderedKernel k;
  k.id = 0;
  k.symbol = "dlc_k0";
  p.kernels.push_back(k);
  return p;
}

bool sameCode(const rt::CudaCode& a, const rt::CudaCode& b) {
  return a.ptxArch == b.ptxArch && a.ptx == b.ptx && a.cubinArch == b.cubinArch &&
         a.cubin == b.cubin;
}

std::vector<fs::path> entries(const std::string& dir) {
  std::vector<fs::path> out;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec))
    if (e.path().extension() == ".dlcnvrtc") out.push_back(e.path());
  return out;
}

class ScopedEnv {
 public:
  ScopedEnv(const char* name, const char* value) : name_(name) {
    const char* old = std::getenv(name);
    had_ = old != nullptr;
    if (had_) old_ = old;
    if (value)
      ::setenv(name, value, 1);
    else
      ::unsetenv(name);
  }
  ~ScopedEnv() {
    if (had_)
      ::setenv(name_.c_str(), old_.c_str(), 1);
    else
      ::unsetenv(name_.c_str());
  }

 private:
  std::string name_, old_;
  bool had_ = false;
};

class CompileCacheTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::random_device rd;
    root_ = (fs::temp_directory_path() /
             ("dlc-cache-test-" + std::to_string(rd()) + "-" + std::to_string(::getpid())))
                .string();
    dir_ = root_ + "/nested/cache";  // created on the first store
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(root_, ec);
  }
  CudaOptions options(const std::string& arch = "", bool cubin = false) const {
    CudaOptions o;
    o.arch = arch;
    o.cubin = cubin;
    o.cacheDir = dir_;
    return o;
  }
  rt::CudaCode compile(const CudaOptions& o, CompileLog* log,
                       const RenderedProgram& p = program()) {
    StatusOr<rt::CudaCode> code = compileProgram(p, o, log);
    EXPECT_TRUE(code.ok()) << code.status().toString();
    return code.ok() ? *code : rt::CudaCode{};
  }
  std::string root_, dir_;
};

TEST(Sha256Test, MatchesFips180Vectors) {
  EXPECT_EQ(sha256Hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(sha256Hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  EXPECT_EQ(
      sha256Hex("abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmno"
                "pqklmnopqrlmnopqrsmnopqrstnopqrstu"),
      "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1");
  EXPECT_EQ(sha256Hex(std::string(1000000, 'a')),
            "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST(Sha256Test, PaddingBoundaries) {
  // 55, 56 and 64 bytes: the length fits the last block, needs one more, fills it.
  EXPECT_EQ(sha256Hex(std::string(55, 'a')),
            "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318");
  EXPECT_EQ(sha256Hex(std::string(56, 'a')),
            "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a");
  EXPECT_EQ(sha256Hex(std::string(64, 'a')),
            "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb");
}

TEST(CacheKeyTest, EveryFieldChangesTheKey) {
  CompileKey base{
      "src", {"-std=c++17", "--gpu-architecture=compute_80"}, "compute_80", false, "13.0"};
  const std::string k = cacheKeyOf(base);
  EXPECT_EQ(k.size(), 64u);
  EXPECT_EQ(cacheKeyOf(base), k);
  CompileKey c = base;
  c.source = "src ";
  EXPECT_NE(cacheKeyOf(c), k);
  c = base;
  c.options.push_back("-I/x");
  EXPECT_NE(cacheKeyOf(c), k);
  c = base;
  c.arch = "compute_90";
  EXPECT_NE(cacheKeyOf(c), k);
  c = base;
  c.cubin = true;
  EXPECT_NE(cacheKeyOf(c), k);
  c = base;
  c.nvrtcVersion = "13.1";
  EXPECT_NE(cacheKeyOf(c), k);
  // Fields are length-prefixed: moving bytes between them changes the key.
  CompileKey a{"ab", {"c"}, "x", false, "1"};
  CompileKey b{"a", {"bc"}, "x", false, "1"};
  EXPECT_NE(cacheKeyOf(a), cacheKeyOf(b));
  CompileKey one{"s", {"-a -b"}, "x", false, "1"};
  CompileKey two{"s", {"-a", "-b"}, "x", false, "1"};
  EXPECT_NE(cacheKeyOf(one), cacheKeyOf(two));
}

TEST(CacheDirTest, ConfiguredThenXdgThenHome) {
  ScopedEnv xdg("XDG_CACHE_HOME", "/xdg/cache");
  ScopedEnv home("HOME", "/home/someone");
  EXPECT_EQ(cacheDirFor("/my/dir"), "/my/dir");
  EXPECT_EQ(cacheDirFor(""), "/xdg/cache/dlc/cuda");
  {
    ScopedEnv relative("XDG_CACHE_HOME", "relative/path");  // ignored, as the spec says
    EXPECT_EQ(cacheDirFor(""), "/home/someone/.cache/dlc/cuda");
  }
  {
    ScopedEnv none("XDG_CACHE_HOME", nullptr);
    EXPECT_EQ(cacheDirFor(""), "/home/someone/.cache/dlc/cuda");
    ScopedEnv noHome("HOME", nullptr);
    EXPECT_EQ(cacheDirFor(""), "");
  }
}

TEST_F(CompileCacheTest, SecondCompileHits) {
  CompileLog first;
  rt::CudaCode a = compile(options(), &first);
  EXPECT_EQ(first.cacheMisses, 1);
  EXPECT_EQ(first.cacheHits, 0);
  ASSERT_EQ(entries(dir_).size(), 1u);
  ASSERT_FALSE(first.lines.empty());
  EXPECT_EQ(first.lines[0].rfind("cuda cache miss ", 0), 0u) << first.lines[0];
  EXPECT_NE(first.lines[0].find("compute_80 ptx"), std::string::npos) << first.lines[0];

  CompileLog second;
  rt::CudaCode b = compile(options(), &second);
  EXPECT_EQ(second.cacheHits, 1);
  EXPECT_EQ(second.cacheMisses, 0);
  ASSERT_EQ(second.lines.size(), 1u);  // no NVRTC line: it did not run
  EXPECT_EQ(second.lines[0].rfind("cuda cache hit ", 0), 0u) << second.lines[0];
  EXPECT_TRUE(sameCode(a, b));
  EXPECT_EQ(entries(dir_).size(), 1u);
}

TEST_F(CompileCacheTest, CubinHitsToo) {
  CompileLog log;
  rt::CudaCode a = compile(options("sm_90", /*cubin=*/true), &log);
  rt::CudaCode b = compile(options("sm_90", /*cubin=*/true), &log);
  EXPECT_EQ(log.cacheMisses, 1);
  EXPECT_EQ(log.cacheHits, 1);
  EXPECT_FALSE(b.cubin.empty());
  EXPECT_TRUE(sameCode(a, b));
}

TEST_F(CompileCacheTest, ArchCubinAndSourceChangesMiss) {
  CompileLog log;
  compile(options(), &log);
  compile(options("sm_90"), &log);
  compile(options("sm_90", /*cubin=*/true), &log);
  compile(options("sm_86"), &log);
  RenderedProgram changed = program(kSource + "// a comment changes the source\n");
  compile(options(), &log, changed);
  EXPECT_EQ(log.cacheMisses, 5);
  EXPECT_EQ(log.cacheHits, 0);
  EXPECT_EQ(entries(dir_).size(), 5u);
  // Each of them now hits.
  CompileLog again;
  compile(options(), &again);
  compile(options("sm_90"), &again);
  compile(options("sm_90", /*cubin=*/true), &again);
  compile(options("sm_86"), &again);
  compile(options(), &again, changed);
  EXPECT_EQ(again.cacheHits, 5);
  EXPECT_EQ(again.cacheMisses, 0);
}

TEST_F(CompileCacheTest, DamagedEntriesAreRecompiledAndRewritten) {
  CompileLog log;
  const rt::CudaCode good = compile(options(), &log);
  ASSERT_EQ(entries(dir_).size(), 1u);
  const fs::path entry = entries(dir_)[0];
  StatusOr<std::string> bytes = readFileBytes(entry.string(), uint64_t(1) << 30);
  ASSERT_TRUE(bytes.ok());
  const std::string original = *bytes;

  std::string flipped = original;
  flipped[flipped.size() / 2] ^= 0x20;  // inside the PTX: checksum mismatch
  std::string badMagic = original;
  badMagic[0] = 'X';
  const std::vector<std::string> damaged = {original.substr(0, original.size() - 1),
                                            original.substr(0, 20),
                                            std::string(),
                                            flipped,
                                            badMagic,
                                            original + "trailing"};
  for (size_t i = 0; i < damaged.size(); ++i) {
    SCOPED_TRACE("damage " + std::to_string(i));
    ASSERT_TRUE(writeFileBytes(entry.string(), damaged[i]).ok());
    CompileLog recompiled;
    rt::CudaCode code = compile(options(), &recompiled);
    EXPECT_EQ(recompiled.cacheMisses, 1);
    EXPECT_EQ(recompiled.cacheHits, 0);
    ASSERT_FALSE(recompiled.lines.empty());
    EXPECT_NE(recompiled.lines[0].find("damaged entry"), std::string::npos) << recompiled.lines[0];
    EXPECT_TRUE(sameCode(code, good));
    // Rewritten whole: the next compile hits.
    StatusOr<std::string> rewritten = readFileBytes(entry.string(), uint64_t(1) << 30);
    ASSERT_TRUE(rewritten.ok());
    EXPECT_EQ(*rewritten, original);
    CompileLog hit;
    compile(options(), &hit);
    EXPECT_EQ(hit.cacheHits, 1);
  }
}

TEST_F(CompileCacheTest, StoreThenLookup) {
  CompileCache cache(dir_);
  rt::CudaCode code{"compute_90", ".version 8.0\n.target sm_90\n", "sm_90", {0x7f, 'E', 'L', 'F'}};
  const std::string key = sha256Hex("some key");
  CompileLog log;
  EXPECT_FALSE(cache.lookup(key, "sm_90 ptx+cubin", &log).has_value());
  ASSERT_TRUE(cache.store(key, code).ok());
  EXPECT_EQ(cache.pathOf(key), dir_ + "/" + key + ".dlcnvrtc");
  std::optional<rt::CudaCode> hit = cache.lookup(key, "sm_90 ptx+cubin", &log);
  ASSERT_TRUE(hit.has_value());
  EXPECT_TRUE(sameCode(*hit, code));
  EXPECT_EQ(log.cacheMisses, 1);
  EXPECT_EQ(log.cacheHits, 1);
  EXPECT_NE(log.lines.back().find(key.substr(0, 16)), std::string::npos);
  EXPECT_NE(log.lines.back().find("sm_90 ptx+cubin"), std::string::npos);
  // No temporary files left beside the entry.
  size_t files = 0;
  for (const auto& e : fs::directory_iterator(dir_)) files += e.is_regular_file();
  EXPECT_EQ(files, 1u);
}

TEST_F(CompileCacheTest, UseCacheOffWritesNothing) {
  CudaOptions o = options();
  o.useCache = false;
  CompileLog log;
  compile(o, &log);
  compile(o, &log);
  EXPECT_EQ(log.cacheHits, 0);
  EXPECT_EQ(log.cacheMisses, 0);
  EXPECT_FALSE(fs::exists(dir_));
}

TEST_F(CompileCacheTest, UnwritableFolderStillCompiles) {
  ASSERT_TRUE(fs::create_directories(root_));
  const std::string file = root_ + "/a-file";
  ASSERT_TRUE(writeFileBytes(file, "x").ok());
  CudaOptions o = options();
  o.cacheDir = file + "/cache";  // under a regular file: cannot be created
  CompileLog log;
  StatusOr<rt::CudaCode> code = compileProgram(program(), o, &log);
  ASSERT_TRUE(code.ok()) << code.status().toString();
  EXPECT_FALSE(code->ptx.empty());
  bool said = false;
  for (const std::string& line : log.lines)
    said |= line.rfind("cuda cache not written: ", 0) == 0 && line.find(file) != std::string::npos;
  EXPECT_TRUE(said);
}

TEST_F(CompileCacheTest, DefaultFolderFollowsXdgCacheHome) {
  ScopedEnv xdg("XDG_CACHE_HOME", root_.c_str());
  CudaOptions o;  // no cacheDir
  CompileLog log;
  StatusOr<rt::CudaCode> code = compileProgram(program(), o, &log);
  ASSERT_TRUE(code.ok()) << code.status().toString();
  EXPECT_EQ(entries(root_ + "/dlc/cuda").size(), 1u);
}

}  // namespace
}  // namespace dlc::cuda
