// dlc devices: every device this process can use, like TensorFlow's
// list_local_devices, with theoretical and (--measure) measured bandwidth.
#include <cstdio>
#include <iostream>
#include <nlohmann/json.hpp>

#include "compiler/tools/dlc/Commands.h"
#include "compiler/tools/dlc/ModelSession.h"
#include "runtime/src/Bandwidth.h"
#include "runtime/src/CpuDevice.h"
#include "runtime/src/DeviceDiscovery.h"

namespace dlc::cli {

static const CommandSpec kDevicesSpec = {
    "devices",
    "dlc devices [--measure] [--json]",
    "Lists every device with its name, kind, cores and threads, memory and theoretical peak\n"
    "memory bandwidth where it can be known (\"unknown\" otherwise, never a guess).",
    {{"--measure", "", "also measure the memory bandwidth (STREAM-style copy/triad)"},
     {"--json", "", "print {\"devices\": [...]}"}},
    0,
    0,
};

int devicesCommand(const std::vector<std::string>& argv) {
  CommandStart cmd = startCommand(kDevicesSpec, argv);
  if (!cmd.args) return cmd.exitCode;
  const Args& args = *cmd.args;
  std::vector<rt::DeviceInfo> devices = rt::listDevices();
  if (args.has("--measure")) {
    auto cpu = rt::defaultCpuDevice();
    if (!cpu.ok()) return fail("devices", cpu.status());
    auto gbs = rt::measureBandwidthGBs(**cpu);
    if (!gbs.ok()) return fail("devices", gbs.status());
    for (auto& d : devices)
      if (d.name == (*cpu)->name()) d.measuredBandwidthGBs = *gbs;
  }
  nlohmann::json list = nlohmann::json::array();
  for (const auto& d : devices) {
    nlohmann::json j = {{"name", d.name},          {"kind", rt::deviceKindName(d.kind)},
                        {"model", d.model},        {"cores", d.cores},
                        {"threads", d.threads},    {"memory_bytes", d.memoryBytes}};
    j["peak_bandwidth_gbs"] = d.peakBandwidthGBs ? nlohmann::json(*d.peakBandwidthGBs) : nullptr;
    if (args.has("--measure"))
      j["measured_bandwidth_gbs"] =
          d.measuredBandwidthGBs ? nlohmann::json(*d.measuredBandwidthGBs) : nullptr;
    list.push_back(j);
  }
  if (args.has("--json")) {
    std::cout << jsonText(nlohmann::json{{"devices", list}}) << "\n";
    return 0;
  }
  for (const auto& d : devices) {
    std::printf("%s  %s  %s\n", d.name.c_str(), rt::deviceKindName(d.kind), d.model.c_str());
    std::printf("  cores %d, threads %d, memory %.1f GiB\n", d.cores, d.threads,
                double(d.memoryBytes) / (1 << 30));
    if (d.peakBandwidthGBs)
      std::printf("  peak memory bandwidth %.1f GB/s (theoretical)\n", *d.peakBandwidthGBs);
    else
      std::printf("  peak memory bandwidth unknown (not readable on this system)\n");
    if (d.measuredBandwidthGBs)
      std::printf("  measured memory bandwidth %.1f GB/s\n", *d.measuredBandwidthGBs);
  }
  return 0;
}

}  // namespace dlc::cli
