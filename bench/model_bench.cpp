// model_bench: the figures issue #2 asks for, measured side by side in one
// run on this machine.
//
//   1. the host memory bandwidth (STREAM-style, the runtime's measurement);
//   2. examples/elementwise_chain.json (16M floats), fused vs unfused: median
//      ms, achieved GB/s (bytes the kernels read + write / time) and its share
//      of the bandwidth measured in step 1, and the speedup;
//   3. examples/fashion_mnist_mlp.json at batch 1, 64 and 1024, fused and
//      unfused: median latency and throughput.
//
// Usage: model_bench [--iterations N] [--json]. Medians over N runs after a
// warm-up run. It measures; it asserts nothing (see tests/ for that).
#include <chrono>
#include <cstdio>
#include <cstring>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <vector>

#include "compiler/Compiler.h"
#include "runtime/src/Bandwidth.h"
#include "runtime/src/CpuDevice.h"
#include "runtime/src/Model.h"
#include "runtime/src/Report.h"
#include "runtime/src/TensorRef.h"

namespace {

using namespace dlc;

struct Timing {
  double medianMs = 0;
  int64_t bytes = 0;  // read + written by all kernels at this batch
  int kernels = 0;
};

StatusOr<std::unique_ptr<rt::Model>> load(const std::string& path, bool fused) {
  BuildOptions options;
  options.fusion = fused;
  DLC_ASSIGN_OR_RETURN(BuildResult built, buildModel(path, options));
  DLC_ASSIGN_OR_RETURN(std::vector<uint8_t> bytes, artifactBytes(built));
  return rt::Model::loadBytes(bytes.data(), bytes.size(), path);
}

std::vector<Tensor> inputsFor(const rt::Model& m, int64_t batch) {
  std::mt19937 rng(1);
  std::uniform_real_distribution<float> u(-1, 1);
  std::vector<Tensor> inputs;
  for (int i = 0; i < m.numInputs(); ++i) {
    Tensor t(m.input(i).dtype, rt::boundDims(m.input(i), batch));
    for (int64_t e = 0; e < t.numElements(); ++e)
      t.setFromDouble(e, m.input(i).dtype == ir::DType::U8 ? double(rng() % 256) : u(rng));
    inputs.push_back(std::move(t));
  }
  return inputs;
}

StatusOr<Timing> time(rt::Model& m, int64_t batch, int iterations) {
  std::vector<Tensor> inputs = inputsFor(m, batch);
  std::vector<rt::TensorRef> in, out(size_t(m.numOutputs()));
  for (const Tensor& t : inputs) in.push_back(rt::refOf(t));
  std::vector<Tensor> outputs;
  for (int i = 0; i < m.numOutputs(); ++i) {
    outputs.emplace_back(m.output(i).dtype, rt::boundDims(m.output(i), batch));
    out[size_t(i)] = rt::refOf(outputs.back());
  }
  DLC_RETURN_IF_ERROR(m.run(batch, in, out));  // warm-up
  std::vector<double> ms;
  for (int i = 0; i < iterations; ++i) {
    auto t0 = std::chrono::steady_clock::now();
    DLC_RETURN_IF_ERROR(m.run(batch, in, out));
    ms.push_back(
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
  }
  Timing t;
  t.medianMs = rt::medianOf(ms);
  t.kernels = int(m.manifest().kernels.size());
  for (const auto& k : m.manifest().kernels) t.bytes += k.bytesRead.at(batch) + k.bytesWritten.at(batch);
  return t;
}

int fail(const Status& s) {
  std::fprintf(stderr, "model_bench: %s\n", s.message().c_str());
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  int iterations = 20;
  bool json = false;
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--iterations") && i + 1 < argc) iterations = std::atoi(argv[++i]);
    else if (!std::strcmp(argv[i], "--json")) json = true;
    else {
      std::fprintf(stderr, "usage: model_bench [--iterations N] [--json]\n");
      return 2;
    }
  }
  if (iterations < 1) iterations = 1;
  const std::string examples = std::string(DLC_SOURCE_DIR) + "/examples/";
  nlohmann::json report;

  auto cpu = rt::defaultCpuDevice();
  if (!cpu.ok()) return fail(cpu.status());
  auto bandwidth = rt::measureBandwidthGBs(**cpu);
  if (!bandwidth.ok()) return fail(bandwidth.status());
  report["device"] = (*cpu)->info().model;
  report["threads"] = (*cpu)->info().threads;
  report["measured_bandwidth_gbs"] = *bandwidth;

  // The elementwise chain, fused vs unfused.
  nlohmann::json chain;
  double fusedMs = 0, unfusedMs = 0;
  for (bool fused : {true, false}) {
    auto m = load(examples + "elementwise_chain.json", fused);
    if (!m.ok()) return fail(m.status());
    auto t = time(**m, 1, iterations);
    if (!t.ok()) return fail(t.status());
    double gbs = double(t->bytes) / (t->medianMs * 1e6);
    chain[fused ? "fused" : "unfused"] = {{"kernels", t->kernels},
                                          {"bytes", t->bytes},
                                          {"median_ms", t->medianMs},
                                          {"gbs", gbs},
                                          {"of_bandwidth", gbs / *bandwidth}};
    (fused ? fusedMs : unfusedMs) = t->medianMs;
  }
  chain["speedup"] = unfusedMs / fusedMs;
  report["elementwise_chain"] = chain;

  // The Fashion-MNIST MLP at three batch sizes.
  nlohmann::json mlp = nlohmann::json::array();
  for (bool fused : {true, false}) {
    auto m = load(examples + "fashion_mnist_mlp.json", fused);
    if (!m.ok()) return fail(m.status());
    for (int64_t batch : {1, 64, 1024}) {
      auto t = time(**m, batch, iterations);
      if (!t.ok()) return fail(t.status());
      mlp.push_back({{"fused", fused},
                     {"batch", batch},
                     {"median_ms", t->medianMs},
                     {"images_per_s", double(batch) / (t->medianMs / 1e3)}});
    }
  }
  report["fashion_mnist_mlp"] = mlp;

  if (json) {
    std::printf("%s\n", report.dump(2).c_str());
    return 0;
  }
  std::printf("device: %s, %d threads, measured bandwidth %.1f GB/s\n\n",
              report["device"].get<std::string>().c_str(), report["threads"].get<int>(),
              *bandwidth);
  std::printf("elementwise_chain (16M floats), median of %d runs:\n", iterations);
  for (const char* side : {"fused", "unfused"}) {
    const auto& s = chain[side];
    std::printf("  %-8s %2d kernels %8.2f ms %7.1f GB/s (%3.0f%% of measured bandwidth)\n", side,
                s["kernels"].get<int>(), s["median_ms"].get<double>(), s["gbs"].get<double>(),
                100 * s["of_bandwidth"].get<double>());
  }
  std::printf("  speedup fused vs unfused: %.2fx\n\n", chain["speedup"].get<double>());
  std::printf("fashion_mnist_mlp, median of %d runs:\n", iterations);
  for (const auto& r : mlp)
    std::printf("  %-8s batch %5lld %9.3f ms %12.0f images/s\n",
                r["fused"].get<bool>() ? "fused" : "unfused", (long long)r["batch"].get<int64_t>(),
                r["median_ms"].get<double>(), r["images_per_s"].get<double>());
  return 0;
}
