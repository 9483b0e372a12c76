// dlc devices: every device this process can use, like TensorFlow's
// list_local_devices, with theoretical and (--measure) measured bandwidth:
// the host CPU and every CUDA GPU. Where no GPU is listed it says why (the
// driver's absence is a reason, not an error).
#include <cstdio>
#include <iostream>
#include <nlohmann/json.hpp>

#include "compiler/tools/dlc/Commands.h"
#include "compiler/tools/dlc/ModelSession.h"
#include "runtime/src/Bandwidth.h"
#include "runtime/src/CpuDevice.h"
#include "runtime/src/CudaDevice.h"
#include "runtime/src/DeviceDiscovery.h"

namespace dlc::cli {

static const CommandSpec kDevicesSpec = {
    "devices",
    "dlc devices [--measure] [--json]",
    "Lists every device with its name, kind, cores (SMs on a GPU) and threads, memory and\n"
    "theoretical peak memory bandwidth where it can be known (\"unknown\" otherwise, never a\n"
    "guess); GPUs also with their compute capability. With no usable GPU it says why.",
    {{"--measure", "",
      "also measure the memory bandwidth: STREAM-style copy/triad on the\n"
      "CPU; on a GPU a device-to-device copy and the host<->device\n"
      "(PCIe) copy rates"},
     {"--json", "", "print {\"devices\": [...], \"cuda\": {\"available\", \"reason\"?}}"}},
    0,
    0,
};

namespace {

bool isGpu(const rt::DeviceInfo& d) { return d.kind == rt::DeviceKind::CUDA; }

// The GPU ordinal of "/device:GPU:<n>", or -1.
int gpuOrdinal(const std::string& name) {
  const std::string prefix = "/device:GPU:";
  if (name.rfind(prefix, 0) != 0 || name.size() == prefix.size()) return -1;
  int n = 0;
  for (size_t i = prefix.size(); i < name.size(); ++i) {
    if (name[i] < '0' || name[i] > '9' || n > 100000) return -1;
    n = n * 10 + (name[i] - '0');
  }
  return n;
}

// The CPU's and then every GPU's info, each name once.
std::vector<rt::DeviceInfo> allDevices() {
  std::vector<rt::DeviceInfo> devices = rt::listDevices();
  for (rt::DeviceInfo& gpu : rt::listCudaDevices()) {
    bool seen = false;
    for (const rt::DeviceInfo& d : devices) seen = seen || d.name == gpu.name;
    if (!seen) devices.push_back(std::move(gpu));
  }
  return devices;
}

// Measures `d` in place. A GPU gets a device-to-device copy bandwidth and
// the host<->device rates; the CPU its STREAM bandwidth.
Status measure(rt::DeviceInfo& d) {
  if (!isGpu(d)) {
    DLC_ASSIGN_OR_RETURN(rt::CpuDevice * cpu, rt::defaultCpuDevice());
    if (d.name != cpu->name()) return Status::OK();
    DLC_ASSIGN_OR_RETURN(double gbs, rt::measureBandwidthGBs(*cpu));
    d.measuredBandwidthGBs = gbs;
    return Status::OK();
  }
  int ordinal = gpuOrdinal(d.physical.empty() ? d.name : d.physical);
  if (ordinal < 0) return invalidArgument("cannot tell the GPU ordinal of ", d.name);
  DLC_ASSIGN_OR_RETURN(rt::Device * gpu, rt::cudaDevice(ordinal));
  DLC_RETURN_IF_ERROR(rt::measureBandwidthGBs(*gpu).status());
  DLC_RETURN_IF_ERROR(rt::measureHostTransfers(*gpu));
  rt::DeviceInfo measured = gpu->info();
  d.measuredBandwidthGBs = measured.measuredBandwidthGBs;
  d.measuredHostToDeviceGBs = measured.measuredHostToDeviceGBs;
  d.measuredDeviceToHostGBs = measured.measuredDeviceToHostGBs;
  return Status::OK();
}

nlohmann::json optionalJson(const std::optional<double>& v) {
  return v ? nlohmann::json(*v) : nlohmann::json(nullptr);
}

nlohmann::json deviceJson(const rt::DeviceInfo& d, bool measured, const std::string& error) {
  nlohmann::json j = {{"name", d.name},       {"kind", rt::deviceKindName(d.kind)},
                      {"model", d.model},     {"cores", d.cores},
                      {"threads", d.threads}, {"memory_bytes", d.memoryBytes}};
  j["peak_bandwidth_gbs"] = optionalJson(d.peakBandwidthGBs);
  if (isGpu(d)) {
    j["compute_capability"] = d.computeCapability;
    j["sms"] = d.cores;
  }
  if (!d.physical.empty()) j["physical"] = d.physical;
  if (measured) {
    j["measured_bandwidth_gbs"] = optionalJson(d.measuredBandwidthGBs);
    if (isGpu(d)) {
      j["measured_host_to_device_gbs"] = optionalJson(d.measuredHostToDeviceGBs);
      j["measured_device_to_host_gbs"] = optionalJson(d.measuredDeviceToHostGBs);
    }
    if (!error.empty()) j["measure_error"] = error;
  }
  return j;
}

void printDevice(const rt::DeviceInfo& d, const std::string& error) {
  std::printf("%s  %s  %s\n", d.name.c_str(), rt::deviceKindName(d.kind), d.model.c_str());
  if (isGpu(d))
    std::printf("  compute capability %s, %d SMs, memory %.1f GiB\n", d.computeCapability.c_str(),
                d.cores, double(d.memoryBytes) / (1 << 30));
  else
    std::printf("  cores %d, threads %d, memory %.1f GiB\n", d.cores, d.threads,
                double(d.memoryBytes) / (1 << 30));
  if (!d.physical.empty()) std::printf("  a logical device of %s\n", d.physical.c_str());
  if (d.peakBandwidthGBs)
    std::printf("  peak memory bandwidth %.1f GB/s (theoretical)\n", *d.peakBandwidthGBs);
  else
    std::printf("  peak memory bandwidth unknown (not readable on this system)\n");
  if (d.measuredBandwidthGBs)
    std::printf("  measured memory bandwidth %.1f GB/s%s\n", *d.measuredBandwidthGBs,
                isGpu(d) ? " (device-to-device copy)" : "");
  if (d.measuredHostToDeviceGBs)
    std::printf("  measured host to device %.1f GB/s\n", *d.measuredHostToDeviceGBs);
  if (d.measuredDeviceToHostGBs)
    std::printf("  measured device to host %.1f GB/s\n", *d.measuredDeviceToHostGBs);
  if (!error.empty()) std::printf("  measurement failed: %s\n", error.c_str());
}

}  // namespace

int devicesCommand(const std::vector<std::string>& argv) {
  CommandStart cmd = startCommand(kDevicesSpec, argv);
  if (!cmd.args) return cmd.exitCode;
  const Args& args = *cmd.args;
  const bool measuring = args.has("--measure");
  std::vector<rt::DeviceInfo> devices = allDevices();
  std::vector<std::string> errors(devices.size());
  int exitCode = 0;
  if (measuring) {
    for (size_t i = 0; i < devices.size(); ++i) {
      if (Status s = measure(devices[i]); !s.ok()) {
        errors[i] = s.message();
        exitCode = fail("devices", s.withContext(devices[i].name));
      }
    }
  }
  Status cuda = rt::cudaAvailable();
  if (args.has("--json")) {
    nlohmann::json list = nlohmann::json::array();
    for (size_t i = 0; i < devices.size(); ++i)
      list.push_back(deviceJson(devices[i], measuring, errors[i]));
    nlohmann::json cudaJson = {{"available", cuda.ok()}};
    if (!cuda.ok()) cudaJson["reason"] = cuda.message();
    std::cout << jsonText(nlohmann::json{{"devices", list}, {"cuda", cudaJson}}) << "\n";
    return exitCode;
  }
  for (size_t i = 0; i < devices.size(); ++i) printDevice(devices[i], errors[i]);
  if (!cuda.ok()) std::printf("no GPU listed: %s\n", cuda.message().c_str());
  return exitCode;
}

}  // namespace dlc::cli
