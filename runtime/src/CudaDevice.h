// The CUDA device: the runtime's Device on an NVIDIA GPU, built on the CUDA
// driver API, which is loaded with dlopen("libcuda.so.1") on first use
// (CudaDriver.h). The same libdlcrt therefore starts on a machine with no
// GPU or no driver, and asking for CUDA there returns an error that says
// what is missing and how to install it.
//
// Memory comes from a per-device pool (freed blocks are kept by size class
// and reused); streams, events for per-kernel timing, modules loaded from
// the artifact's CudaCode (the CUBIN when its arch matches the GPU, else the
// PTX, JIT-compiled by the driver), launches with the manifest's CudaLaunch
// geometry, and CUDA Graph capture/replay.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "runtime/src/Device.h"
#include "support/Status.h"

namespace dlc::rt {

// OK when the driver loads and reports at least one GPU; otherwise an error
// naming what is missing ("libcuda.so.1 not found: install the NVIDIA
// driver ...", "no CUDA GPU: cuInit returned ...").
Status cudaAvailable();

// Every GPU, as "/device:GPU:<ordinal>": name, compute capability, SMs (as
// cores), memory, and the theoretical peak bandwidth from memory clock × bus
// width × 2. Lists nothing (and is not an error) when there is no driver.
std::vector<DeviceInfo> listCudaDevices();

// The process-wide device for GPU `ordinal`, created on first use. Errors
// list the GPUs that exist.
StatusOr<Device*> cudaDevice(int ordinal);

// Host->device and device->host copy rates over `bytes` (pinned host
// memory), recorded in the device's info. Device-to-device bandwidth comes
// from measureBandwidthGBs (Bandwidth.h).
Status measureHostTransfers(Device& device, size_t bytes = 0, int reps = 5);

}  // namespace dlc::rt
