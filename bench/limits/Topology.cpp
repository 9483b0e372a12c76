#include "bench/limits/Topology.h"

#include <sched.h>

#include <cctype>
#include <fstream>
#include <sstream>

namespace dlc::bench {

namespace {

std::string trim(const std::string& s) {
  size_t b = 0, e = s.size();
  while (b < e && std::isspace(static_cast<unsigned char>(s[b]))) ++b;
  while (e > b && std::isspace(static_cast<unsigned char>(s[e - 1]))) --e;
  return s.substr(b, e - b);
}

std::string readFirstLine(const std::string& path) {
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);
  return trim(line);
}

// Fills l2Bytes / l3Bytes from /sys/devices/system/cpu/cpu<cpu>/cache/index*.
void readCaches(int cpu, Topology& t) {
  for (int i = 0; i < 16; ++i) {
    std::string dir = detail::strCat("/sys/devices/system/cpu/cpu", cpu, "/cache/index", i, "/");
    std::string level = readFirstLine(dir + "level");
    if (level.empty()) break;
    std::string type = readFirstLine(dir + "type");
    if (type != "Unified" && type != "Data") continue;
    std::optional<int64_t> size = parseCacheSize(readFirstLine(dir + "size"));
    if (!size) continue;
    if (level == "2") t.l2Bytes = *size;
    if (level == "3") t.l3Bytes = *size;
  }
}

// Model name and "cpu MHz" of the block "processor : <cpu>" in /proc/cpuinfo.
void readCpuinfo(int cpu, Topology& t) {
  std::ifstream in("/proc/cpuinfo");
  std::string line;
  int current = -1;
  while (std::getline(in, line)) {
    size_t colon = line.find(':');
    if (colon == std::string::npos) continue;
    std::string key = trim(line.substr(0, colon));
    std::string value = trim(line.substr(colon + 1));
    if (key == "processor") {
      current = std::atoi(value.c_str());
    } else if (key == "model name" && (current == cpu || t.cpuModel.empty())) {
      t.cpuModel = value;
    } else if (key == "cpu MHz" && current == cpu) {
      char* end = nullptr;
      double mhz = std::strtod(value.c_str(), &end);
      if (end != value.c_str() && mhz > 0) t.nominalMhz = mhz;
    }
  }
}

int64_t readMemAvailable() {
  std::ifstream in("/proc/meminfo");
  std::string key;
  int64_t kib = 0;
  std::string unit;
  while (in >> key >> kib >> unit)
    if (key == "MemAvailable:") return kib * 1024;
  return 0;
}

}  // namespace

std::optional<int64_t> parseCacheSize(const std::string& text) {
  size_t k = 0;
  int64_t v = 0;
  while (k < text.size() && std::isdigit(static_cast<unsigned char>(text[k]))) {
    if (v > (int64_t(1) << 40)) return std::nullopt;
    v = v * 10 + (text[k++] - '0');
  }
  if (k == 0) return std::nullopt;
  std::string unit = text.substr(k);
  if (unit.empty()) return v;
  if (unit == "K" || unit == "k") return v << 10;
  if (unit == "M") return v << 20;
  if (unit == "G") return v << 30;
  return std::nullopt;
}

StatusOr<Topology> readTopology() {
  Topology t;
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof(set), &set) != 0)
    return unavailable("sched_getaffinity failed: cannot tell which CPUs this process may use");
  for (int c = 0; c < CPU_SETSIZE; ++c)
    if (CPU_ISSET(c, &set)) t.cpus.push_back(c);
  if (t.cpus.empty()) return unavailable("sched_getaffinity returned an empty CPU set");
  readCaches(t.cpus[0], t);
  readCpuinfo(t.cpus[0], t);
  t.memAvailableBytes = readMemAvailable();
  return t;
}

}  // namespace dlc::bench
