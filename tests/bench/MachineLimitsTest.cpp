// Runs bench/machine_limits (path from DLC_MACHINE_LIMITS) with tiny sizes:
// the --json object has the documented fields, every GB/s and GFLOP/s is
// positive and finite, the FMA checksum is exact, and bad flags exit 2 with
// a clear message. It asserts no speed: the figures depend on the machine.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cmath>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <string>

namespace {

struct Result {
  int exitCode = -1;
  std::string out;  // stdout
  std::string err;  // stderr
};

Result runMachineLimits(const std::string& args) {
  Result r;
  // One file per process: ctest runs these tests as concurrent processes
  // that share TempDir(), and a shared name mixed up their stderr.
  std::string errFile =
      testing::TempDir() + "machine_limits_stderr." + std::to_string(::getpid()) + ".txt";
  std::string cmd = std::string(DLC_MACHINE_LIMITS) + " " + args + " 2>" + errFile;
  FILE* pipe = popen(cmd.c_str(), "r");
  if (!pipe) return r;
  std::array<char, 4096> buf;
  size_t n;
  while ((n = fread(buf.data(), 1, buf.size(), pipe)) > 0) r.out.append(buf.data(), n);
  int status = pclose(pipe);
  r.exitCode = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  if (FILE* f = fopen(errFile.c_str(), "r")) {
    while ((n = fread(buf.data(), 1, buf.size(), f)) > 0) r.err.append(buf.data(), n);
    fclose(f);
  }
  std::remove(errFile.c_str());
  return r;
}

std::string firstLine(const std::string& s) { return s.substr(0, s.find('\n')); }

void expectPositiveFinite(const nlohmann::json& j, const std::string& key,
                          const std::string& where) {
  ASSERT_TRUE(j.contains(key)) << where << "." << key;
  ASSERT_TRUE(j[key].is_number()) << where << "." << key << " = " << j[key];
  double v = j[key].get<double>();
  EXPECT_TRUE(std::isfinite(v) && v > 0) << where << "." << key << " = " << v;
}

void expectFmaEntry(const nlohmann::json& f, const std::string& where) {
  ASSERT_TRUE(f.is_object()) << where;
  ASSERT_TRUE(f["isa"].is_string()) << where;
  expectPositiveFinite(f, "gflops", where);
  expectPositiveFinite(f, "gflops_per_thread", where);
  expectPositiveFinite(f, "gflops_mean", where);
  // The best window is at least the mean over the run.
  EXPECT_GE(f["gflops"].get<double>(), f["gflops_mean"].get<double>()) << where;
  // One thread: the total is the per-thread figure.
  EXPECT_DOUBLE_EQ(f["gflops"].get<double>(), f["gflops_per_thread"].get<double>()) << where;
  const int bits = f["vector_bits"].get<int>();
  EXPECT_TRUE(bits == 512 || bits == 256 || bits == 128) << where << " bits " << bits;
  // 12 chains x lanes, every accumulator exactly 2.0.
  EXPECT_EQ(f["checksum"].get<double>(), 12.0 * (bits / 32) * 2.0) << where;
  if (f.contains("flops_per_cycle_per_core")) {
    expectPositiveFinite(f, "cycles_nominal_mhz", where);
    expectPositiveFinite(f, "flops_per_cycle_per_core", where);
  }
}

TEST(MachineLimits, JsonSmoke) {
  Result r = runMachineLimits("--json --threads 1 --array-mib 8 --reps 2 --fma-ms 20");
  ASSERT_EQ(r.exitCode, 0) << r.err;
  nlohmann::json j = nlohmann::json::parse(r.out, nullptr, /*allow_exceptions=*/false);
  ASSERT_FALSE(j.is_discarded()) << r.out;
  EXPECT_TRUE(j["cpu"].is_string());
  EXPECT_EQ(j["threads"], 1);
  EXPECT_EQ(j["array_bytes"], 8 << 20);
  EXPECT_EQ(j["element_bytes"], 4);
  EXPECT_EQ(j["stream_bytes_counted"], "STREAM (no write-allocate)");
  EXPECT_TRUE(j["l2_bytes"].is_number_integer());
  EXPECT_TRUE(j["l3_bytes"].is_number_integer());

  const std::array<std::pair<const char*, int>, 6> kernels = {
      {{"copy", 2}, {"scale", 2}, {"add", 3}, {"triad", 3}, {"copy_nt", 2}, {"triad_nt", 3}}};
  ASSERT_TRUE(j["stream"].is_object());
  EXPECT_EQ(j["stream"].size(), kernels.size());
  for (const auto& [name, words] : kernels) {
    const nlohmann::json& k = j["stream"][name];
    expectPositiveFinite(k, "best_gbs", name);
    expectPositiveFinite(k, "median_gbs", name);
    expectPositiveFinite(k, "best_gbs_write_allocate", name);
    expectPositiveFinite(k, "median_gbs_write_allocate", name);
    EXPECT_GE(k["best_gbs"].get<double>(), k["median_gbs"].get<double>()) << name;
    EXPECT_EQ(k["words_per_element"], words) << name;
    // Streaming stores have no write-allocate; the others read one line more.
    const bool nt = std::string(name).ends_with("_nt");
    EXPECT_EQ(k["words_per_element_write_allocate"], nt ? words : words + 1) << name;
    EXPECT_NEAR(k["best_gbs_write_allocate"].get<double>() / k["best_gbs"].get<double>(),
                double(k["words_per_element_write_allocate"].get<int>()) / words, 1e-9)
        << name;
  }

  expectFmaEntry(j["fma"], "fma");
  ASSERT_TRUE(j["fma_by_isa"].is_array());
  ASSERT_FALSE(j["fma_by_isa"].empty());
  for (size_t i = 0; i < j["fma_by_isa"].size(); ++i)
    expectFmaEntry(j["fma_by_isa"][i], "fma_by_isa[" + std::to_string(i) + "]");
  // "fma" is the widest ISA, the first of fma_by_isa; sse2 is always there.
  EXPECT_EQ(j["fma"]["isa"], j["fma_by_isa"][0]["isa"]);
  EXPECT_EQ(j["fma_by_isa"].back()["isa"], "sse2");
  EXPECT_EQ(j["fma_by_isa"].back()["vector_bits"], 128);
  EXPECT_EQ(j["fma_by_isa"].back()["fused"], false);
}

TEST(MachineLimits, TextTableNamesTheCountingRule) {
  Result r = runMachineLimits("--threads 1 --array-mib 1 --reps 1 --fma-ms 1");
  ASSERT_EQ(r.exitCode, 0) << r.err;
  EXPECT_NE(r.out.find("3 arrays of 1 MiB each (--array-mib)"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("counted as STREAM does (no write-allocate)"), std::string::npos);
  EXPECT_NE(r.out.find("triad_nt"), std::string::npos);
  EXPECT_NE(r.out.find("sse2"), std::string::npos);
}

TEST(MachineLimits, BadFlagsExitTwo) {
  Result r = runMachineLimits("--threads 0");
  EXPECT_EQ(r.exitCode, 2);
  EXPECT_EQ(firstLine(r.err), "machine_limits: --threads expects an integer in [1, 4096], got '0'");
  r = runMachineLimits("--reps two");
  EXPECT_EQ(r.exitCode, 2);
  EXPECT_EQ(firstLine(r.err),
            "machine_limits: --reps expects an integer in [1, 100000], got 'two'");
  r = runMachineLimits("--fma-ms");
  EXPECT_EQ(r.exitCode, 2);
  EXPECT_EQ(firstLine(r.err), "machine_limits: --fma-ms needs a value");
  r = runMachineLimits("--frobnicate");
  EXPECT_EQ(r.exitCode, 2);
  EXPECT_EQ(firstLine(r.err), "machine_limits: unknown flag '--frobnicate'");
  EXPECT_TRUE(r.out.empty()) << r.out;
}

TEST(MachineLimits, MoreThreadsThanTheAffinityMaskExitTwo) {
  Result r = runMachineLimits("--threads 4096");
  EXPECT_EQ(r.exitCode, 2);
  EXPECT_EQ(firstLine(r.err).rfind("machine_limits: --threads 4096 is more than the ", 0), 0u)
      << r.err;
  EXPECT_NE(r.err.find("CPU(s) this process may run on (sched_getaffinity)"), std::string::npos)
      << r.err;
}

TEST(MachineLimits, MoreMemoryThanAvailableExitTwo) {
  // 3 x 1 TiB is more than any machine running this test has available.
  Result r = runMachineLimits("--array-mib 1048576 --reps 1 --fma-ms 1");
  EXPECT_EQ(r.exitCode, 2);
  EXPECT_EQ(firstLine(r.err).rfind("machine_limits: STREAM needs 3 arrays of 1048576 MiB ", 0), 0u)
      << r.err;
}

}  // namespace
