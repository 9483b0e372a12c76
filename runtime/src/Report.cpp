#include "runtime/src/Report.h"

#include <algorithm>
#include <cstdio>
#include <map>
#include <nlohmann/json.hpp>

namespace dlc::rt {

double medianOf(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  size_t n = v.size();
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

Report buildReport(const Manifest& m, int64_t batch,
                   const std::vector<std::vector<double>>& kernelMs,
                   const std::vector<double>& runMs, int64_t peakTempBytes) {
  Report r;
  r.model = m.modelName;
  r.batch = batch;
  r.runs = int(runMs.size());
  r.placement = m.placement;
  r.peakTempBytes = peakTempBytes;
  r.totalMs = medianOf(runMs);
  for (size_t i = 0; i < m.kernels.size(); ++i) {
    const KernelDesc& k = m.kernels[i];
    KernelReport kr;
    kr.id = k.id;
    kr.symbol = k.symbol;
    kr.label = k.label;
    kr.kind = k.kind;
    kr.device = k.device;
    kr.nodes = k.nodes;
    kr.bytesRead = k.bytesRead.at(batch);
    kr.bytesWritten = k.bytesWritten.at(batch);
    kr.flops = k.flops.at(batch);
    if (i < kernelMs.size()) kr.timeMs = medianOf(kernelMs[i]);
    if (kr.timeMs > 0) kr.gbs = double(kr.bytesRead + kr.bytesWritten) / (kr.timeMs * 1e-3) / 1e9;
    if (k.kind == "transfer" && k.args.size() == 2 && size_t(k.args[0]) < m.buffers.size()) {
      TransferReport t;
      t.kernel = k.id;
      t.label = k.label;
      t.from = m.buffers[size_t(k.args[0])].device;
      t.to = k.device;
      t.bytes = kr.bytesWritten;
      t.timeMs = kr.timeMs;
      if (t.timeMs > 0) t.gbs = double(t.bytes) / (t.timeMs * 1e-3) / 1e9;
      r.transfers.push_back(std::move(t));
    }
    r.kernels.push_back(std::move(kr));
  }
  r.devices = m.devices;
  return r;
}

namespace {

std::string humanBytes(int64_t b) {
  char buf[32];
  if (b < 10 * 1024) std::snprintf(buf, sizeof buf, "%lld B", static_cast<long long>(b));
  else if (b < 10 * 1024 * 1024) std::snprintf(buf, sizeof buf, "%.1f KiB", double(b) / 1024);
  else std::snprintf(buf, sizeof buf, "%.1f MiB", double(b) / (1024 * 1024));
  return buf;
}

}  // namespace

std::string reportToText(const Report& r) {
  std::map<int, const KernelReport*> byId;
  for (const KernelReport& k : r.kernels) byId[k.id] = &k;
  std::string out;
  for (const NodePlacement& n : r.placement) {
    out += strCat(n.node, " (", n.op, "): ");
    auto it = byId.find(n.kernel);
    if (n.kernel < 0 || it == byId.end()) {
      out += "folded at compile time\n";
      continue;
    }
    out += strCat("kernel k", n.kernel, " [", it->second->label, "] ",
                  n.device.empty() ? it->second->device : n.device);
    if (!n.fallback.empty()) out += strCat(" (soft placement: ", n.fallback, ")");
    out += "\n";
  }
  char line[512];
  std::snprintf(line, sizeof line, "\nmodel %s, batch %lld, %d run(s), %.3f ms per run, temp %s\n",
                r.model.c_str(), static_cast<long long>(r.batch), r.runs, r.totalMs,
                humanBytes(r.peakTempBytes).c_str());
  out += line;
  std::snprintf(line, sizeof line, "%-6s %-28s %-12s %-16s %10s %12s %12s %8s\n", "kernel",
                "label", "kind", "device", "time ms", "read", "written", "GB/s");
  out += line;
  for (const KernelReport& k : r.kernels) {
    std::string label = k.label.size() > 28 ? k.label.substr(0, 25) + "..." : k.label;
    std::snprintf(line, sizeof line, "k%-5d %-28s %-12s %-16s %10.4f %12s %12s %8.2f\n", k.id,
                  label.c_str(), k.kind.c_str(), k.device.c_str(), k.timeMs,
                  humanBytes(k.bytesRead).c_str(), humanBytes(k.bytesWritten).c_str(), k.gbs);
    out += line;
  }
  if (r.transfers.empty()) return out;
  int64_t total = 0;
  for (const TransferReport& t : r.transfers) total += t.bytes;
  out += strCat("\ntransfers: ", r.transfers.size(), ", ", humanBytes(total), " per run\n");
  for (const TransferReport& t : r.transfers) {
    std::string label = t.label.size() > 28 ? t.label.substr(0, 25) + "..." : t.label;
    std::snprintf(line, sizeof line, "k%-5d %-28s %12s %10.4f ms %8.2f GB/s\n", t.kernel,
                  label.c_str(), humanBytes(t.bytes).c_str(), t.timeMs, t.gbs);
    out += line;
  }
  return out;
}

std::string reportToJson(const Report& r) {
  using nlohmann::json;
  json placement = json::array();
  for (const NodePlacement& n : r.placement) {
    json jn = {{"node", n.node}, {"op", n.op}, {"kernel", n.kernel}, {"device", n.device}};
    if (!n.fallback.empty()) jn["fallback"] = n.fallback;
    placement.push_back(std::move(jn));
  }
  json kernels = json::array();
  for (const KernelReport& k : r.kernels)
    kernels.push_back({{"id", k.id},
                       {"symbol", k.symbol},
                       {"label", k.label},
                       {"kind", k.kind},
                       {"device", k.device},
                       {"nodes", k.nodes},
                       {"time_ms", k.timeMs},
                       {"bytes_read", k.bytesRead},
                       {"bytes_written", k.bytesWritten},
                       {"flops", k.flops},
                       {"gbs", k.gbs}});
  json transfers = json::array();
  for (const TransferReport& t : r.transfers)
    transfers.push_back({{"kernel", t.kernel},
                         {"label", t.label},
                         {"from", t.from},
                         {"to", t.to},
                         {"bytes", t.bytes},
                         {"time_ms", t.timeMs},
                         {"gbs", t.gbs}});
  json j = {{"model", r.model},         {"batch", r.batch},
            {"runs", r.runs},           {"placement", std::move(placement)},
            {"kernels", std::move(kernels)}, {"peak_temp_bytes", r.peakTempBytes},
            {"total_ms", r.totalMs}, {"devices", r.devices},
            {"transfers", std::move(transfers)}};
  return j.dump(1, ' ', /*ensure_ascii=*/false, json::error_handler_t::replace);
}

}  // namespace dlc::rt
