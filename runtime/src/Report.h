// The execution report of a model: where every source node ran, and how long
// every kernel took.
//
// Text form, in the spirit of TensorFlow's log_device_placement:
//   h1 (dense): kernel k1 [dense+relu] /device:CPU:0
//   s (softmax): kernel k4 [softmax] /device:CPU:0 (soft placement: <why>)
//   c0 (constant): folded at compile time
// followed by a kernel table (time, bytes, GB/s) and, for a model on
// several devices, its transfers:
//   transfers: 2, 1.5 KiB per run
//   k7     h1 GPU:0->CPU:0      1.0 KiB   0.0123 ms   0.08 GB/s
// JSON form:
//   {"model", "batch", "runs", "placement": [...] (with "fallback" where
//    soft placement moved a node), "kernels": [...], "devices": [...],
//    "transfers": [...], "peak_temp_bytes", "total_ms"}
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

// One copy between devices (a manifest kernel of kind "transfer").
struct TransferReport {
  int kernel = 0;      // its kernel id
  std::string label;   // "h1 GPU:0->CPU:0"
  std::string from;    // the device the bytes leave
  std::string to;      // the device they arrive on
  int64_t bytes = 0;
  double timeMs = 0;   // median; 0 when never run
  double gbs = 0;
};

struct Report {
  std::string model;
  std::vector<std::string> devices;  // the manifest's devices list
  int64_t batch = 1;
  int runs = 0;  // runs at `batch` the times come from
  std::vector<NodePlacement> placement;
  std::vector<KernelReport> kernels;
  std::vector<TransferReport> transfers;
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
