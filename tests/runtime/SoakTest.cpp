// Soak test of the runtime's public API: a real compiled MLP (dense + relu +
// dense + softmax over a batch dimension N) is loaded, queried, run at
// batches 1, 3 and 8, and freed 1,000 times in one process, through the C
// API (dlc/runtime.h; from a file and from bytes) and through the
// header-only C++ API (dlc/runtime.hpp). The error paths (a corrupt
// artifact, a truncated one, a run with a wrong input) run 1,000 times each
// and must give the same exact message every time.
//
// Every iteration's outputs must equal the first iteration's bit for bit
// (and a double-precision reference to 1e-5). After a warm-up of 50
// iterations the process must not grow over the remaining 950, within the
// allocator slack justified below: live heap bytes, RSS (/proc/self/statm),
// open descriptors (exactly), and memory mappings (a code section that is
// dlopen'ed and never closed shows up in both). Under ASan, LeakSanitizer
// also checks for leaks when each test's process exits.
//
// The compiler is used once, to build the artifact; everything after that
// goes through the public headers. This test does not time anything and
// does not use threads (CApiTest covers sharing a model between threads).
#include <dirent.h>
#include <gtest/gtest.h>
#include <malloc.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <functional>
#include <string>
#include <vector>

#include "compiler/Compiler.h"
#include "dlc/runtime.h"
#include "dlc/runtime.hpp"
#include "frontends/json/JsonModel.h"
#include "runtime/src/Checksum.h"
#include "support/Endian.h"

#if defined(__SANITIZE_ADDRESS__)
#define DLC_SOAK_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define DLC_SOAK_ASAN 1
#endif
#endif

#ifdef DLC_SOAK_ASAN
#include <sanitizer/allocator_interface.h>

// ASan keeps freed memory in a quarantine (256 MiB by default on 64-bit
// Linux) before reusing it, so RSS grows until the quarantine is full. One
// load/run/free iteration frees a few hundred KiB, so 1,000 iterations would
// not fill the default one and RSS would rise all the way. This binary's
// default (quarantine_size_mb in ASAN_OPTIONS, if set, still wins) is a
// 4 MiB quarantine, still far more than one iteration frees, so a use after
// free within an iteration is still caught; the RSS bound below allows for
// it filling up during the measured iterations.
extern "C" const char* __asan_default_options() { return "quarantine_size_mb=4"; }
#endif

namespace {

constexpr int kIterations = 1000;
constexpr int kWarmup = 50;
constexpr int kIn = 16, kHidden = 32, kClasses = 10;
constexpr int64_t kBatches[] = {1, 3, 8};

// Weights and inputs: small multiples of 1/16, exact in f32 and in JSON text.
double w1(int i, int j) { return ((i * 7 + j * 13) % 17 - 8) / 16.0; }
double b1(int j) { return (j % 5 - 2) / 8.0; }
double w2(int i, int j) { return ((i * 5 + j * 11) % 13 - 6) / 16.0; }
double b2(int j) { return (j % 3 - 1) / 4.0; }
float inputValue(int64_t n, int k) { return float(((n * 5 + k * 3) % 11 - 5) / 8.0); }

std::string constantJson(const char* name, std::vector<int> shape,
                         const std::function<double(int)>& value) {
  int count = 1;
  std::string dims;
  for (int d : shape) {
    count *= d;
    dims += (dims.empty() ? "" : ", ") + std::to_string(d);
  }
  std::string values;
  for (int i = 0; i < count; ++i) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%s%.17g", i ? ", " : "", value(i));
    values += buf;
  }
  return std::string("{\"name\": \"") + name + "\", \"dtype\": \"f32\", \"shape\": [" + dims +
         "], \"value\": [" + values + "]}";
}

std::string mlpJson() {
  return std::string(R"({"format": "dlc.model", "version": 1, "name": "soak_mlp",
    "inputs": [{"name": "x", "dtype": "f32", "shape": ["N", 16]}],
    "constants": [)") +
         constantJson("w1", {kIn, kHidden}, [](int i) { return w1(i / kHidden, i % kHidden); }) +
         ", " + constantJson("b1", {kHidden}, b1) + ", " +
         constantJson("w2", {kHidden, kClasses},
                      [](int i) { return w2(i / kClasses, i % kClasses); }) +
         ", " + constantJson("b2", {kClasses}, b2) + R"(],
    "nodes": [
      {"name": "dense1", "op": "dense", "inputs": ["x", "w1", "b1"]},
      {"name": "hidden", "op": "relu", "inputs": ["dense1"]},
      {"name": "logits", "op": "dense", "inputs": ["hidden", "w2", "b2"]},
      {"name": "probs", "op": "softmax", "inputs": ["logits"], "attrs": {"axis": -1}}],
    "outputs": ["probs"]})";
}

std::vector<float> inputs(int64_t batch) {
  std::vector<float> x(size_t(batch * kIn));
  for (int64_t n = 0; n < batch; ++n)
    for (int k = 0; k < kIn; ++k) x[size_t(n * kIn + k)] = inputValue(n, k);
  return x;
}

// softmax(relu(x w1 + b1) w2 + b2) in double.
std::vector<double> reference(int64_t batch) {
  std::vector<double> out;
  for (int64_t n = 0; n < batch; ++n) {
    double h[kHidden], z[kClasses], zmax = -INFINITY, sum = 0;
    for (int j = 0; j < kHidden; ++j) {
      h[j] = b1(j);
      for (int k = 0; k < kIn; ++k) h[j] += inputValue(n, k) * w1(k, j);
      h[j] = std::max(h[j], 0.0);
    }
    for (int c = 0; c < kClasses; ++c) {
      z[c] = b2(c);
      for (int j = 0; j < kHidden; ++j) z[c] += h[j] * w2(j, c);
      zmax = std::max(zmax, z[c]);
    }
    for (int c = 0; c < kClasses; ++c) sum += std::exp(z[c] - zmax);
    for (int c = 0; c < kClasses; ++c) out.push_back(std::exp(z[c] - zmax) / sum);
  }
  return out;
}

void writeFile(const std::string& path, const std::vector<uint8_t>& bytes) {
  std::ofstream out(path, std::ios::binary);
  out.write(reinterpret_cast<const char*>(bytes.data()), std::streamsize(bytes.size()));
}

// The MLP artifact, compiled once per process, its file, and damaged copies.
struct Artifacts {
  std::vector<uint8_t> bytes, corrupt, truncated;
  std::string path, corruptPath, truncatedPath;
  uint64_t corruptStored = 0, corruptComputed = 0;  // the checksums in the corrupt copy

  Artifacts() {
    auto graph = dlc::json::parseModel(mlpJson(), "soak_mlp.json");
    EXPECT_TRUE(graph.ok()) << graph.status().message();
    if (!graph.ok()) return;
    auto built = dlc::compileGraph(std::move(*graph), dlc::BuildOptions{});
    EXPECT_TRUE(built.ok()) << built.status().message();
    if (!built.ok()) return;
    auto serialized = dlc::artifactBytes(*built);
    EXPECT_TRUE(serialized.ok()) << serialized.status().message();
    if (!serialized.ok()) return;
    bytes = std::move(*serialized);
    std::string base = ::testing::TempDir() + "/dlc_soak_" + std::to_string(getpid());
    path = base + ".dlc";
    writeFile(path, bytes);
    // A flipped byte in the middle of the code section (section kind 3;
    // the table layout is in runtime/src/Artifact.h).
    size_t codeOffset = 0, codeSize = 0;
    for (size_t e = 32; e < 32 + 24 * size_t(dlc::loadLE32(&bytes[24])); e += 24)
      if (dlc::loadLE32(&bytes[e]) == 3) {
        codeOffset = size_t(dlc::loadLE64(&bytes[e + 8]));
        codeSize = size_t(dlc::loadLE64(&bytes[e + 16]));
      }
    EXPECT_GT(codeSize, 1000u) << "no code section";
    corrupt = bytes;
    corrupt[codeOffset + codeSize / 2] ^= 0x20;
    corruptStored = dlc::loadLE64(&corrupt[corrupt.size() - 8]);
    corruptComputed = dlc::rt::checksum64(corrupt.data(), corrupt.size() - 8);
    corruptPath = base + "_corrupt.dlc";
    writeFile(corruptPath, corrupt);
    truncated.assign(bytes.begin(), bytes.begin() + long(bytes.size() / 2));
    truncatedPath = base + "_truncated.dlc";
    writeFile(truncatedPath, truncated);
  }
  ~Artifacts() {
    for (const std::string& p : {path, corruptPath, truncatedPath})
      if (!p.empty()) std::remove(p.c_str());
  }
};

const Artifacts& artifacts() {
  static Artifacts a;
  return a;
}

// What the process holds: resident memory, live heap bytes (glibc's or
// ASan's allocator statistics: freed memory kept for reuse does not count),
// open file descriptors and memory mappings.
struct Usage {
  int64_t rssBytes = 0, heapBytes = 0, fds = 0, mappings = 0;
};

Usage usage() {
  Usage u;
  long pages = 0, resident = 0;
  if (FILE* f = std::fopen("/proc/self/statm", "r")) {
    if (std::fscanf(f, "%ld %ld", &pages, &resident) != 2) resident = 0;
    std::fclose(f);
  }
  u.rssBytes = int64_t(resident) * sysconf(_SC_PAGESIZE);
#ifdef DLC_SOAK_ASAN
  u.heapBytes = int64_t(__sanitizer_get_current_allocated_bytes());
#else
  struct mallinfo2 mi = mallinfo2();
  u.heapBytes = int64_t(mi.uordblks + mi.hblkhd);
#endif
  if (DIR* d = opendir("/proc/self/fd")) {
    while (dirent* e = readdir(d)) u.fds += e->d_name[0] != '.';
    closedir(d);
    u.fds -= 1;  // the descriptor opendir itself holds
  }
  std::ifstream maps("/proc/self/maps");
  for (std::string line; std::getline(maps, line);) ++u.mappings;
  return u;
}

// How much RSS may grow over the measured iterations of a leak-free loop.
// Freed memory is not always returned to the kernel at once: glibc keeps up
// to M_TRIM_THRESHOLD (128 KiB) at the top of each arena and reuses free
// chunks in place, and the pages of a chunk once touched stay resident.
// Release runs measured here grew by 0 to 84 KiB. RSS is the coarse check:
// a model left loaded costs about 40 KiB of it, so 2 MiB is some 50 leaked
// models over 950 iterations; the heap, descriptor and mapping checks
// catch a single one. Under ASan twice the quarantine (quarantine_size_mb, see
// __asan_default_options above) is added: the quarantine counts the bytes
// the program asked for, and each chunk also has a header, redzones,
// size-class rounding and shadow (1/8). The error paths, which free little
// per iteration, fill the quarantine during the measured iterations: their
// RSS grew by up to 4.2 MiB under ASan, against a bound of 10 MiB.
int64_t rssBound() {
  int64_t bound = int64_t(2) << 20;
#ifdef DLC_SOAK_ASAN
  int64_t quarantineMiB = 4;
  if (const char* opts = std::getenv("ASAN_OPTIONS"))
    if (const char* q = std::strstr(opts, "quarantine_size_mb="))
      quarantineMiB = std::atoll(q + 19);
  if (quarantineMiB < 0) quarantineMiB = 256;  // the documented 64-bit default
  bound += 2 * (quarantineMiB << 20);
#endif
  return bound;
}

// Live heap bytes may grow by at most this much over the 950 measured
// iterations. glibc's statistics count as in use the chunks a thread's
// cache keeps for reuse (tcache: up to 7 chunks of each size up to 1 KiB,
// about 240 KiB per thread) and the header of an arena created for a thread
// that allocates for the first time, which happens at times in the middle of
// a run. Release runs measured here grew by 0 or 2,912 bytes (one new arena),
// and by about 55 KiB at most; ASan's count never moved. A leak of 280 bytes
// per iteration exceeds this; a leaked model (about 14 KiB of heap, plus
// its descriptor and mappings) fails at once.
constexpr int64_t kHeapSlack = 256 << 10;

// Mappings may grow by two per thread of the runtime's pool (and the
// caller): glibc gives a thread that first allocates an arena, a 64 MiB
// reservation mapped in two parts. A code section left loaded adds at least
// four mappings per iteration.
int64_t mappingBound() {
  size_t n = 0;
  dlc_device_info cpu{};
  if (dlc_list_devices(&cpu, 1, &n) != DLC_OK || n == 0) return 2;
  return 2 * (int64_t(cpu.threads) + 1);
}

// Runs `step` kIterations times (it returns "" or what went wrong) and
// checks that nothing grew after the warm-up.
void soak(const std::string& what, const std::function<std::string(int)>& step) {
  Usage before;
  for (int i = 0; i < kIterations; ++i) {
    if (i == kWarmup) before = usage();
    std::string error = step(i);
    ASSERT_EQ(error, "") << what << ", iteration " << i;
  }
  Usage after = usage();
  std::printf(
      "[soak] %s: RSS %lld -> %lld KiB, live heap %lld -> %lld bytes, fds %lld -> %lld, "
      "mappings %lld -> %lld\n",
      what.c_str(), (long long)before.rssBytes >> 10, (long long)after.rssBytes >> 10,
      (long long)before.heapBytes, (long long)after.heapBytes, (long long)before.fds,
      (long long)after.fds, (long long)before.mappings, (long long)after.mappings);
  EXPECT_LE(after.heapBytes - before.heapBytes, kHeapSlack) << what;
  EXPECT_LE(after.rssBytes - before.rssBytes, rssBound()) << what;
  EXPECT_EQ(after.fds, before.fds) << what;
  EXPECT_LE(after.mappings - before.mappings, mappingBound()) << what;
}

std::string dimsText(const int64_t* dims, int rank) {
  std::string s = "[";
  for (int i = 0; i < rank; ++i) {
    if (i) s += ',';
    s += std::to_string(dims[i]);
  }
  s += ']';
  return s;
}

// Checks the signature of a loaded model through the C API.
std::string checkSignature(const dlc_model* m) {
  int32_t nin = 0, nout = 0, rank = 0;
  const char *inName = nullptr, *outName = nullptr;
  dlc_dtype inType = DLC_BOOL, outType = DLC_BOOL;
  int64_t inDims[DLC_MAX_RANK] = {}, outDims[DLC_MAX_RANK] = {};
  if (dlc_model_num_inputs(m, &nin) || dlc_model_num_outputs(m, &nout) ||
      dlc_model_input_name(m, 0, &inName) || dlc_model_output_name(m, 0, &outName) ||
      dlc_model_input_dtype(m, 0, &inType) || dlc_model_output_dtype(m, 0, &outType) ||
      dlc_model_input_rank(m, 0, &rank) || dlc_model_input_dims(m, 0, inDims, DLC_MAX_RANK) ||
      dlc_model_output_dims(m, 0, outDims, DLC_MAX_RANK))
    return std::string("signature query failed: ") + dlc_last_error();
  std::string got = std::to_string(nin) + " " + std::to_string(nout) + " " + inName +
                    dimsText(inDims, rank) + " " + outName + dimsText(outDims, 2) + " " +
                    std::to_string(inType) + std::to_string(outType);
  return got == "1 1 x[-1,16] probs[-1,10] 00" ? "" : "signature: " + got;
}

// Runs `m` at every batch of kBatches (caller outputs at 1 and 3, runtime
// outputs at 8) and appends the outputs to `out`.
std::string runBatches(dlc_model* m, std::vector<float>& out) {
  for (int64_t batch : kBatches) {
    std::vector<float> x = inputs(batch), y(size_t(batch * kClasses));
    dlc_tensor in = {x.data(), DLC_F32, 2, {batch, kIn}};
    dlc_tensor o = {batch == 8 ? nullptr : y.data(), DLC_F32, 2, {batch, kClasses}};
    if (dlc_model_run(m, batch, &in, 1, &o, 1) != DLC_OK)
      return "run at batch " + std::to_string(batch) + ": " + dlc_last_error();
    if (o.dtype != DLC_F32 || dimsText(o.dims, o.rank) != "[" + std::to_string(batch) + ",10]")
      return "output at batch " + std::to_string(batch) + ": " + dimsText(o.dims, o.rank);
    const float* p = static_cast<const float*>(o.data);
    out.insert(out.end(), p, p + batch * kClasses);
  }
  return "";
}

// The outputs of kBatches, concatenated, must match the reference.
void expectReference(const std::vector<float>& got) {
  std::vector<double> want;
  for (int64_t batch : kBatches) {
    std::vector<double> r = reference(batch);
    want.insert(want.end(), r.begin(), r.end());
  }
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < got.size(); ++i) EXPECT_NEAR(got[i], want[i], 1e-5) << "element " << i;
}

// Outputs equal to the first iteration's, bit for bit.
std::string sameAsFirst(std::vector<float>& first, const std::vector<float>& got, int i) {
  if (i == 0) {
    first = got;
    return "";
  }
  if (got.size() != first.size() || std::memcmp(got.data(), first.data(), got.size() * 4) != 0)
    return "outputs differ from the first iteration's";
  return "";
}

// load (by `load`), query, run, free: one iteration through the C API.
std::string cycleC(const std::function<dlc_status(dlc_model**)>& load, std::vector<float>& out) {
  dlc_model* m = nullptr;
  if (load(&m) != DLC_OK) return std::string("load: ") + dlc_last_error();
  std::string error = checkSignature(m);
  if (error.empty()) error = runBatches(m, out);
  dlc_model_free(m);
  return error;
}

TEST(RuntimeSoak, CApiLoadRunFreeFromFile) {
  const Artifacts& a = artifacts();
  ASSERT_FALSE(a.bytes.empty());
  std::vector<float> first;
  soak("C API, dlc_model_load", [&](int i) {
    std::vector<float> got;
    std::string error =
        cycleC([&](dlc_model** m) { return dlc_model_load(a.path.c_str(), m); }, got);
    return error.empty() ? sameAsFirst(first, got, i) : error;
  });
  expectReference(first);
}

TEST(RuntimeSoak, CApiLoadRunFreeFromBytes) {
  const Artifacts& a = artifacts();
  ASSERT_FALSE(a.bytes.empty());
  std::vector<float> first;
  soak("C API, dlc_model_load_bytes", [&](int i) {
    // A fresh copy each time, freed right after the load: the model must
    // not keep pointers into the caller's bytes.
    std::vector<uint8_t> copy = a.bytes;
    dlc_model* m = nullptr;
    if (dlc_model_load_bytes(copy.data(), copy.size(), &m) != DLC_OK)
      return std::string("load: ") + dlc_last_error();
    std::vector<uint8_t>().swap(copy);
    std::vector<float> got;
    std::string error = checkSignature(m);
    if (error.empty()) error = runBatches(m, got);
    dlc_model_free(m);
    return error.empty() ? sameAsFirst(first, got, i) : error;
  });
  expectReference(first);
}

TEST(RuntimeSoak, CppApiLoadRunFree) {
  const Artifacts& a = artifacts();
  ASSERT_FALSE(a.bytes.empty());
  std::vector<float> first;
  soak("C++ API, Model::load / loadBytes", [&](int i) -> std::string {
    auto model = i % 2 ? dlc::runtime::Model::loadBytes(a.bytes.data(), a.bytes.size())
                       : dlc::runtime::Model::load(a.path);
    if (!model.ok()) return "load: " + model.status().message();
    const auto& in = model->inputs();
    const auto& out = model->outputs();
    if (in.size() != 1 || out.size() != 1 || in[0].name != "x" || out[0].name != "probs" ||
        in[0].dims != std::vector<int64_t>{-1, kIn} ||
        out[0].dims != std::vector<int64_t>{-1, kClasses})
      return "unexpected signature";
    std::vector<float> got;
    for (int64_t batch : kBatches) {
      dlc::runtime::HostTensor x(DLC_F32, {batch, kIn});
      std::vector<float> values = inputs(batch);
      std::memcpy(x.data(), values.data(), values.size() * 4);
      std::vector<dlc::runtime::HostTensor> outputs;
      if (batch == 8) {
        auto ran = model->run({x});  // outputs allocated by the C++ layer
        if (!ran.ok()) return "run: " + ran.status().message();
        outputs = std::move(*ran);
      } else {
        outputs.emplace_back(DLC_F32, std::vector<int64_t>{batch, kClasses});
        dlc::runtime::Status st = model->run(batch, {x}, outputs);
        if (!st.ok()) return "run: " + st.message();
      }
      if (outputs.size() != 1 || outputs[0].dims() != std::vector<int64_t>{batch, kClasses})
        return "unexpected output shape";
      const float* p = outputs[0].data<float>();
      got.insert(got.end(), p, p + batch * kClasses);
    }
    return sameAsFirst(first, got, i);
  });
  expectReference(first);
}

// A load that must fail with `code` and exactly `message`, leaving *m NULL.
std::string expectLoadError(dlc_status status, dlc_model* m, dlc_status code,
                            const std::string& message) {
  if (status != code) return std::string("status ") + dlc_status_name(status);
  if (m) return "a model was returned";
  if (dlc_last_error() != message) return std::string("message: ") + dlc_last_error();
  return "";
}

TEST(RuntimeSoak, CorruptArtifactIsRejectedEveryTime) {
  const Artifacts& a = artifacts();
  ASSERT_FALSE(a.bytes.empty());
  ASSERT_NE(a.corruptStored, a.corruptComputed);
  const std::string tail = ": corrupt artifact: checksum mismatch (stored " +
                           std::to_string(a.corruptStored) + ", computed " +
                           std::to_string(a.corruptComputed) + ")";
  soak("corrupt artifact", [&](int i) {
    dlc_model* m = reinterpret_cast<dlc_model*>(&m);  // must be reset to NULL
    dlc_status st = i % 2 ? dlc_model_load(a.corruptPath.c_str(), &m)
                          : dlc_model_load_bytes(a.corrupt.data(), a.corrupt.size(), &m);
    return expectLoadError(st, m, DLC_DATA_LOSS, (i % 2 ? a.corruptPath : "<memory>") + tail);
  });
  auto model = dlc::runtime::Model::load(a.corruptPath);
  ASSERT_FALSE(model.ok());
  EXPECT_EQ(model.status().code(), DLC_DATA_LOSS);
  EXPECT_EQ(model.status().message(), a.corruptPath + tail);
}

TEST(RuntimeSoak, TruncatedArtifactIsRejectedEveryTime) {
  const Artifacts& a = artifacts();
  ASSERT_FALSE(a.bytes.empty());
  const std::string tail = ": truncated artifact: header says " + std::to_string(a.bytes.size()) +
                           " bytes, got " + std::to_string(a.truncated.size());
  soak("truncated artifact", [&](int i) {
    dlc_model* m = reinterpret_cast<dlc_model*>(&m);  // must be reset to NULL
    dlc_status st = i % 2 ? dlc_model_load(a.truncatedPath.c_str(), &m)
                          : dlc_model_load_bytes(a.truncated.data(), a.truncated.size(), &m);
    return expectLoadError(st, m, DLC_DATA_LOSS, (i % 2 ? a.truncatedPath : "<memory>") + tail);
  });
}

TEST(RuntimeSoak, WrongInputIsRejectedEveryTimeAndTheModelStillRuns) {
  const Artifacts& a = artifacts();
  ASSERT_FALSE(a.bytes.empty());
  dlc_model* m = nullptr;
  ASSERT_EQ(dlc_model_load(a.path.c_str(), &m), DLC_OK) << dlc_last_error();
  std::vector<float> x = inputs(3), y(3 * kClasses), first;
  const std::string prefix = "input 0 \"x\": expected f32[3,16] (f32[N,16] at N=3), got ";
  soak("wrong input", [&](int i) -> std::string {
    // Alternately a wrong extent and a wrong dtype, then a correct run.
    dlc_tensor in = {x.data(), i % 2 ? DLC_I32 : DLC_F32, 2, {3, i % 2 ? kIn : kIn - 1}};
    dlc_tensor out = {i % 3 ? y.data() : nullptr, DLC_F32, 2, {3, kClasses}};
    dlc_status st = dlc_model_run(m, 3, &in, 1, &out, 1);
    std::string want = prefix + (i % 2 ? "i32[3,16]" : "f32[3,15]");
    if (st != DLC_INVALID_ARGUMENT) return std::string("status ") + dlc_status_name(st);
    if (dlc_last_error() != want) return std::string("message: ") + dlc_last_error();
    std::vector<float> got;
    std::string error = runBatches(m, got);
    return error.empty() ? sameAsFirst(first, got, i) : error;
  });
  dlc_model_free(m);
  expectReference(first);
}

}  // namespace
