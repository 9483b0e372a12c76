// The execution report of a model: where every source node ran, and how long
// every kernel took.
//
// Text form, in the spirit of TensorFlow's log_device_placement:
//   h1 (dense): kernel k1 [dense+relu] /device:CPU:0
//   c0 (constant): folded at compile time
// followed by a kernel table (time, bytes, GB/s). JSON form:
//   {"model", "batch", "runs", "placement": [...], "kernels": [...],
//    "peak_temp_bytes", "total_ms"}
// Times are medians over the recorded runs at `batch`; bytes are the
// manifest's estimates evaluated at `batch`. It does not measure anything
// itself (Model records the times).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "runtime/src/Manifest.h"

namespace dlc::rt {

struct KernelReport {
  int id = 0;
  std::string symbol;
  std::string label;
  std::string kind;
  std::string device;
  std::vector<std::string> nodes;
  double timeMs = 0;  // median; 0 when never run
  int64_t bytesRead = 0;
  int64_t bytesWritten = 0;
  int64_t flops = 0;
  double gbs = 0;  // (read + written) / time; 0 when never run
};

struct Report {
  std::string model;
  int64_t batch = 1;
  int runs = 0;  // runs at `batch` the times come from
  std::vector<NodePlacement> placement;
  std::vector<KernelReport> kernels;
  int64_t peakTempBytes = 0;
  double totalMs = 0;  // median wall time of a whole run
};

// `kernelMs[k]` are the recorded times of manifest kernel k; `runMs` those
// of whole runs.
Report buildReport(const Manifest& manifest, int64_t batch,
                   const std::vector<std::vector<double>>& kernelMs,
                   const std::vector<double>& runMs, int64_t peakTempBytes);

std::string reportToText(const Report& report);
std::string reportToJson(const Report& report);

double medianOf(std::vector<double> values);  // 0 for none

}  // namespace dlc::rt
