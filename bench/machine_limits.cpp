// machine_limits: this machine's physical limits, for reporting every dlc
// kernel as a fraction of them (roofline): STREAM-style memory bandwidth
// (bench/limits/StreamBench.h) and peak f32 FLOP/s per vector ISA
// (bench/limits/FmaBench.h), on pinned threads.
//
//   machine_limits [--threads N] [--json] [--array-mib M] [--reps R] [--fma-ms T]
//
// Prints a table, or with --json one object (bench/README.md has the
// fields). Bad flags, too many threads, memory that cannot be had and a
// wrong kernel result are a message on stderr and exit code 2.
// It measures; it does not compare with any other program and does not
// change the machine's frequency or cache settings.
#include <charconv>
#include <cmath>
#include <cstdio>
#include <exception>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "bench/limits/FmaBench.h"
#include "bench/limits/StreamBench.h"
#include "bench/limits/Topology.h"

namespace dlc::bench {
namespace {

constexpr const char* kUsage =
    "usage: machine_limits [--threads N] [--json] [--array-mib M] [--reps R] [--fma-ms T]\n"
    "  --threads N    threads, each pinned to its own CPU of the affinity mask\n"
    "                 (default: every CPU this process may run on)\n"
    "  --json         print one JSON object instead of the table\n"
    "  --array-mib M  MiB per STREAM array (default: max(256, 4 x L2 per core))\n"
    "  --reps R       timed STREAM repetitions after one warm-up (default 10)\n"
    "  --fma-ms T     milliseconds per peak-FLOP/s run and ISA (default 200)\n";

constexpr int64_t kMiB = int64_t(1) << 20;

struct Options {
  int threads = 0;  // 0: every CPU of the affinity mask
  bool json = false;
  int64_t arrayMib = 0;  // 0: the default rule
  int reps = 10;
  int fmaMs = 200;
};

StatusOr<int64_t> parseInt(const std::string& flag, const std::string& text, int64_t lo,
                           int64_t hi) {
  int64_t v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size() || v < lo || v > hi)
    return invalidArgument(flag, " expects an integer in [", lo, ", ", hi, "], got '", text, "'");
  return v;
}

// Returns nullopt for --help.
StatusOr<std::optional<Options>> parseArgs(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    std::string flag = argv[i];
    if (flag == "--help" || flag == "-h") return std::optional<Options>();
    if (flag == "--json") {
      o.json = true;
      continue;
    }
    if (flag != "--threads" && flag != "--array-mib" && flag != "--reps" && flag != "--fma-ms")
      return invalidArgument("unknown flag '", flag, "'");
    if (i + 1 >= argc) return invalidArgument(flag, " needs a value");
    std::string value = argv[++i];
    if (flag == "--threads") {
      DLC_ASSIGN_OR_RETURN(int64_t v, parseInt(flag, value, 1, 4096));
      o.threads = int(v);
    } else if (flag == "--array-mib") {
      DLC_ASSIGN_OR_RETURN(o.arrayMib, parseInt(flag, value, 1, int64_t(1) << 20));
    } else if (flag == "--reps") {
      DLC_ASSIGN_OR_RETURN(int64_t v, parseInt(flag, value, 1, 100000));
      o.reps = int(v);
    } else {
      DLC_ASSIGN_OR_RETURN(int64_t v, parseInt(flag, value, 1, 600000));
      o.fmaMs = int(v);
    }
  }
  return std::optional<Options>(o);
}

struct Limits {
  Topology topology;
  std::vector<int> cpus;  // the ones used
  int64_t arrayBytes = 0;
  std::vector<StreamKernelResult> stream;
  std::vector<FmaResult> fma;  // widest ISA first
};

std::optional<double> flopsPerCycle(const Limits& l, const FmaResult& f) {
  if (!l.topology.nominalMhz) return std::nullopt;
  return f.gflopsPerThread * 1e3 / *l.topology.nominalMhz;
}

StatusOr<Limits> measure(const Options& o) {
  Limits l;
  DLC_ASSIGN_OR_RETURN(l.topology, readTopology());
  const std::vector<int>& all = l.topology.cpus;
  const int threads = o.threads ? o.threads : int(all.size());
  if (threads > int(all.size()))
    return invalidArgument("--threads ", threads, " is more than the ", all.size(),
                           " CPU(s) this process may run on (sched_getaffinity)");
  l.cpus.assign(all.begin(), all.begin() + threads);
  l.arrayBytes =
      o.arrayMib ? o.arrayMib * kMiB : std::max<int64_t>(256 * kMiB, 4 * l.topology.l2Bytes);
  const int64_t need = 3 * l.arrayBytes;
  if (l.topology.memAvailableBytes > 0 && need > l.topology.memAvailableBytes)
    return outOfRange("STREAM needs 3 arrays of ", l.arrayBytes / kMiB, " MiB (", need / kMiB,
                      " MiB) but only ", l.topology.memAvailableBytes / kMiB,
                      " MiB is available (MemAvailable); pass a smaller --array-mib");
  DLC_ASSIGN_OR_RETURN(l.stream, runStream(l.cpus, l.arrayBytes, o.reps));
  for (const std::string& isa : supportedFmaIsas()) {
    DLC_ASSIGN_OR_RETURN(FmaResult f, runFma(l.cpus, isa, o.fmaMs));
    l.fma.push_back(f);
  }
  for (const StreamKernelResult& k : l.stream)
    if (!std::isfinite(k.bestGBs) || !(k.medianGBs > 0))
      return internalError("STREAM ", k.name, ": bandwidth is not a positive number");
  for (const FmaResult& f : l.fma)
    if (!std::isfinite(f.gflops) || !(f.gflops > 0))
      return internalError("FMA ", f.isa, ": GFLOP/s is not a positive number");
  return l;
}

nlohmann::ordered_json fmaJson(const Limits& l, const FmaResult& f) {
  nlohmann::ordered_json j;
  j["isa"] = f.isa;
  j["vector_bits"] = f.vectorBits;
  j["fused"] = f.fused;
  j["gflops"] = f.gflops;
  j["gflops_per_thread"] = f.gflopsPerThread;
  j["gflops_mean"] = f.gflopsMean;
  if (auto fpc = flopsPerCycle(l, f)) {
    j["cycles_nominal_mhz"] = *l.topology.nominalMhz;
    j["flops_per_cycle_per_core"] = *fpc;
  }
  j["checksum"] = f.checksum;
  return j;
}

nlohmann::ordered_json toJson(const Limits& l, const Options& o) {
  nlohmann::ordered_json j;
  j["cpu"] = l.topology.cpuModel;
  j["threads"] = l.cpus.size();
  j["cpus"] = l.cpus;
  j["l2_bytes"] = l.topology.l2Bytes;
  j["l3_bytes"] = l.topology.l3Bytes;
  j["array_bytes"] = l.arrayBytes;
  j["element_bytes"] = 4;
  j["reps"] = o.reps;
  nlohmann::ordered_json stream = nlohmann::ordered_json::object();
  for (const StreamKernelResult& k : l.stream) {
    nlohmann::ordered_json s;
    s["best_gbs"] = k.bestGBs;
    s["median_gbs"] = k.medianGBs;
    s["words_per_element"] = k.wordsStream;
    s["best_gbs_write_allocate"] = k.bestGBsWriteAllocate;
    s["median_gbs_write_allocate"] = k.medianGBsWriteAllocate;
    s["words_per_element_write_allocate"] = k.wordsWriteAllocate;
    stream[k.name] = s;
  }
  j["stream"] = stream;
  j["stream_bytes_counted"] = "STREAM (no write-allocate)";
  j["fma_ms"] = o.fmaMs;
  j["fma"] = fmaJson(l, l.fma.front());
  nlohmann::ordered_json byIsa = nlohmann::ordered_json::array();
  for (const FmaResult& f : l.fma) byIsa.push_back(fmaJson(l, f));
  j["fma_by_isa"] = byIsa;
  return j;
}

std::string sizeText(int64_t bytes) {
  if (bytes <= 0) return "unknown";
  if (bytes % kMiB == 0) return detail::strCat(bytes / kMiB, " MiB");
  return detail::strCat(bytes / 1024, " KiB");
}

void printTable(const Limits& l, const Options& o) {
  const Topology& t = l.topology;
  std::string cpus;
  for (int c : l.cpus) {
    if (!cpus.empty()) cpus += ',';
    cpus += std::to_string(c);
  }
  std::printf("cpu: %s\nthreads: %zu, pinned to CPUs %s\n", t.cpuModel.c_str(), l.cpus.size(),
              cpus.c_str());
  std::printf("caches (sysfs, CPU %d): L2 %s per core, L3 %s\n", t.cpus[0],
              sizeText(t.l2Bytes).c_str(), sizeText(t.l3Bytes).c_str());
  std::printf(
      "\nSTREAM, f32 (4-byte elements): 3 arrays of %s each%s; best and median of %d "
      "reps after 1 warm-up\n",
      sizeText(l.arrayBytes).c_str(),
      o.arrayMib ? " (--array-mib)" : " (default: max(256 MiB, 4 x L2))", o.reps);
  std::printf("  %-9s %10s %12s   %22s %12s\n", "kernel", "best GB/s", "median GB/s",
              "with write-alloc: best", "median");
  for (const StreamKernelResult& k : l.stream)
    std::printf("  %-9s %10.2f %12.2f   %22.2f %12.2f\n", k.name.c_str(), k.bestGBs, k.medianGBs,
                k.bestGBsWriteAllocate, k.medianGBsWriteAllocate);
  std::printf(
      "  GB/s = 1e9 bytes/s, counted as STREAM does (no write-allocate): copy, scale 2 "
      "words per element, add, triad 3.\n"
      "  'with write-alloc' adds the read of each stored line: copy, scale 3, add, "
      "triad 4; copy_nt and triad_nt\n"
      "  use streaming stores, which have no write-allocate (same count).\n");
  std::printf(
      "\npeak f32: 12 independent chains per thread, %d ms per ISA, all threads at "
      "once; 2 FLOPs per lane per multiply-add;\n  GFLOP/s: the team's best of 10 "
      "windows of time; mean: over the whole run\n",
      o.fmaMs);
  std::string clock = t.nominalMhz ? detail::strCat(" @ ", *t.nominalMhz, " MHz nominal") : "";
  std::printf("  %-8s %5s %-8s %10s %9s %11s   %s\n", "isa", "bits", "op", "GFLOP/s", "mean",
              "per thread", ("FLOPs/cycle/core" + clock).c_str());
  for (const FmaResult& f : l.fma) {
    char perCycle[32] = "(clock unknown)";
    if (auto fpc = flopsPerCycle(l, f)) std::snprintf(perCycle, sizeof(perCycle), "%.1f", *fpc);
    std::printf("  %-8s %5d %-8s %10.1f %9.1f %11.1f   %s\n", f.isa.c_str(), f.vectorBits,
                f.fused ? "fma" : "mul+add", f.gflops, f.gflopsMean, f.gflopsPerThread, perCycle);
  }
}

int run(int argc, char** argv) {
  auto options = parseArgs(argc, argv);
  if (!options.ok()) {
    std::fprintf(stderr, "machine_limits: %s\n%s", options.status().message().c_str(), kUsage);
    return 2;
  }
  if (!options->has_value()) {
    std::fputs(kUsage, stdout);
    return 0;
  }
  const Options& o = **options;
  auto limits = measure(o);
  if (!limits.ok()) {
    std::fprintf(stderr, "machine_limits: %s\n", limits.status().message().c_str());
    return 2;
  }
  if (o.json)
    std::printf("%s\n", toJson(*limits, o).dump(2).c_str());
  else
    printTable(*limits, o);
  return 0;
}

}  // namespace
}  // namespace dlc::bench

int main(int argc, char** argv) {
  try {
    return dlc::bench::run(argc, argv);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "machine_limits: %s\n", e.what());
    return 2;
  }
}
