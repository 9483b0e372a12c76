// Device discovery: what devices this process can run on, cheaply.
//
// The CPU entry comes from /proc/cpuinfo (model name; physical cores as
// distinct (physical id, core id) pairs, else sysfs topology), the thread
// count the runtime uses, and memory from /proc/meminfo capped by a cgroup v2
// limit. The theoretical peak bandwidth of host memory cannot be read from
// Linux without privileged tools, so it is reported unknown (never guessed);
// measureBandwidthGBs (Bandwidth.h) fills the measured value. The GPUs follow
// the CPU, as listCudaDevices (CudaDevice.h) reads them from the CUDA driver
// (none when libcuda.so.1 is absent). Listing creates no device and runs
// nothing.
#pragma once

#include <vector>

#include "runtime/src/Device.h"

namespace dlc::rt {

// The host CPU, named "/device:CPU:0".
DeviceInfo describeHostCpu();

// Every device this runtime can use: the CPU first, then every CUDA GPU
// ("/device:GPU:<n>"). Devices already created report their info, including
// measured bandwidths.
std::vector<DeviceInfo> listDevices();

}  // namespace dlc::rt
