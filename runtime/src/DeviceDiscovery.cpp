#include "runtime/src/DeviceDiscovery.h"

#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <utility>

#include "runtime/src/CpuDevice.h"
#include "runtime/src/CudaDevice.h"

namespace dlc::rt {

namespace {

std::string trim(const std::string& s) {
  size_t b = s.find_first_not_of(" \t");
  size_t e = s.find_last_not_of(" \t\r\n");
  return b == std::string::npos ? "" : s.substr(b, e - b + 1);
}

bool readFirstLine(const std::string& path, std::string& out) {
  std::ifstream in(path);
  return bool(std::getline(in, out));
}

struct CpuInfo {
  std::string model;
  int logical = 0;
  int cores = 0;
};

CpuInfo parseCpuInfo() {
  CpuInfo info;
  std::ifstream in("/proc/cpuinfo");
  std::string line;
  std::set<std::pair<std::string, std::string>> cores;
  std::string physId, coreId;
  auto flush = [&] {
    if (!coreId.empty()) cores.insert({physId, coreId});
    physId.clear();
    coreId.clear();
  };
  while (std::getline(in, line)) {
    size_t colon = line.find(':');
    if (colon == std::string::npos) {
      flush();
      continue;
    }
    std::string key = trim(line.substr(0, colon)), value = trim(line.substr(colon + 1));
    if (key == "processor") ++info.logical;
    else if (key == "model name" && info.model.empty()) info.model = value;
    else if (key == "Hardware" && info.model.empty()) info.model = value;
    else if (key == "physical id") physId = value;
    else if (key == "core id") coreId = value;
  }
  flush();
  info.cores = int(cores.size());
  if (info.cores == 0) {
    // No core ids in cpuinfo (e.g. arm64): count sysfs topology pairs.
    std::set<std::pair<std::string, std::string>> topo;
    for (int cpu = 0; cpu < 4096; ++cpu) {
      std::string base = strCat("/sys/devices/system/cpu/cpu", cpu, "/topology/");
      std::string pkg, core;
      if (!readFirstLine(base + "core_id", core)) break;
      readFirstLine(base + "physical_package_id", pkg);
      topo.insert({pkg, core});
    }
    info.cores = int(topo.size());
  }
  return info;
}

int64_t memoryBytes() {
  int64_t total = 0;
  std::ifstream in("/proc/meminfo");
  std::string key;
  int64_t kb = 0;
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream ls(line);
    if (ls >> key >> kb && key == "MemTotal:") {
      total = kb * 1024;
      break;
    }
  }
  std::string limit;
  if (readFirstLine("/sys/fs/cgroup/memory.max", limit) && limit != "max") {
    try {
      int64_t v = std::stoll(limit);
      if (v > 0 && (total == 0 || v < total)) total = v;
    } catch (...) {
    }
  }
  return total;
}

}  // namespace

DeviceInfo describeHostCpu() {
  CpuInfo cpu = parseCpuInfo();
  DeviceInfo info;
  info.name = "/device:CPU:0";
  info.kind = DeviceKind::CPU;
  info.model = cpu.model.empty() ? "unknown CPU" : cpu.model;
  auto threads = cpuThreadCount();
  int hw = int(std::thread::hardware_concurrency());
  info.threads = threads.ok() ? *threads : (hw > 0 ? hw : 1);
  info.cores = cpu.cores > 0 ? cpu.cores : (cpu.logical > 0 ? cpu.logical : info.threads);
  info.memoryBytes = memoryBytes();
  return info;
}

std::vector<DeviceInfo> listDevices() {
  std::vector<DeviceInfo> out;
  if (CpuDevice* dev = existingDefaultCpuDevice()) out.push_back(dev->info());
  else out.push_back(describeHostCpu());
  for (DeviceInfo& gpu : listCudaDevices()) out.push_back(std::move(gpu));
  return out;
}

}  // namespace dlc::rt
