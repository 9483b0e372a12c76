// Measured memory bandwidth of a device, STREAM style.
//
// CPU: copy (c = a) and triad (a = b + s*c) over double arrays much larger
// than the last-level cache, split across the device's thread pool; each rep
// counts the bytes read plus written (write-allocate traffic is not counted,
// as in STREAM) and the result is the median over reps. Other devices: a
// timed device-to-device copy. The result is also stored in the device's
// info().measuredBandwidthGBs. This is a measurement, not the theoretical
// peak, and it takes a fraction of a second to a few seconds.
#pragma once

#include <cstddef>

#include "runtime/src/Device.h"

namespace dlc::rt {

// bytesPerArray == 0 picks max(8 x last-level cache, 64 MiB), capped at 1/16
// of the device memory.
StatusOr<double> measureBandwidthGBs(Device& device, size_t bytesPerArray = 0, int reps = 7);

}  // namespace dlc::rt
