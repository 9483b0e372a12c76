// What machine_limits needs to know about the machine before measuring: the
// CPUs this process may run on (sched_getaffinity), the per-core L2 and the
// L3 size of the first of them (sysfs), the CPU model and its "cpu MHz".
//
// It reads; it does not measure anything, and it does not try to find the
// real (turbo) clock: "cpu MHz" on a VM is usually the nominal frequency.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "support/Status.h"

namespace dlc::bench {

struct Topology {
  std::vector<int> cpus;             // the affinity mask, ascending
  std::string cpuModel;              // "model name" of /proc/cpuinfo; "" if absent
  std::optional<double> nominalMhz;  // "cpu MHz" of cpus[0]; absent if unreadable
  int64_t l2Bytes = 0;               // per-core L2 of cpus[0]; 0 if sysfs has none
  int64_t l3Bytes = 0;               // L3 of cpus[0] (often shared); 0 if none
  int64_t memAvailableBytes = 0;     // MemAvailable of /proc/meminfo; 0 if unknown
};

StatusOr<Topology> readTopology();

// "2048K" -> 2097152, "480M" -> 503316480; nullopt for anything else.
std::optional<int64_t> parseCacheSize(const std::string& text);

}  // namespace dlc::bench
