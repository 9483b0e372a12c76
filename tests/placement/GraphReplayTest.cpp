// Whole-run capture and replay (CUDA Graphs), exercised with a CPU device
// that records launches while capturing: the first run at a binding runs
// eagerly, the second captures and replays, later ones replay; a new batch
// starts over; numbers are right every time.
#include <gtest/gtest.h>

#include <functional>
#include <map>

#include "runtime/src/CpuDevice.h"
#include "runtime/src/Model.h"
#include "tests/runtime/TestArtifact.h"

namespace dlc::rt {
namespace {

// Records the work issued while capturing and replays it on demand.
class RecordedWork final : public CapturedWork {
 public:
  std::vector<std::function<Status()>> steps;
};

class CapturingCpu final : public Device {
 public:
  explicit CapturingCpu(Device& cpu) : cpu_(cpu) {}
  int captures = 0, replays = 0, eagerLaunches = 0;

  DeviceInfo info() const override { return cpu_.info(); }
  bool hostAccessible() const override { return true; }
  StatusOr<void*> allocate(size_t bytes) override { return cpu_.allocate(bytes); }
  void deallocate(void* p) override { cpu_.deallocate(p); }
  Status copyHostToDevice(void* d, const void* s, size_t n, Stream& st) override {
    return cpu_.copyHostToDevice(d, s, n, st);
  }
  Status copyDeviceToHost(void* d, const void* s, size_t n, Stream& st) override {
    return cpu_.copyDeviceToHost(d, s, n, st);
  }
  Status copyDeviceToDevice(void* d, const void* s, size_t n, Stream& st) override {
    if (!recording_) return cpu_.copyDeviceToDevice(d, s, n, st);
    recording_->steps.push_back([=, this, &st] { return cpu_.copyDeviceToDevice(d, s, n, st); });
    return Status::OK();
  }
  StatusOr<std::unique_ptr<Stream>> createStream() override { return cpu_.createStream(); }
  StatusOr<std::unique_ptr<Event>> createEvent() override { return cpu_.createEvent(); }
  Status record(Event& e, Stream& s) override {
    if (recording_) return failedPrecondition("event recorded during capture");
    return cpu_.record(e, s);
  }
  Status synchronize(Stream& s) override { return cpu_.synchronize(s); }
  StatusOr<double> elapsedMs(const Event& a, const Event& b) override { return cpu_.elapsedMs(a, b); }
  StatusOr<std::unique_ptr<LoadedModule>> loadModule(const std::vector<uint8_t>& code,
                                                     const std::vector<KernelDesc>& kernels,
                                                     const std::string& source) override {
    auto module = cpu_.loadModule(code, kernels, source);
    if (module.ok()) {
      std::vector<size_t>& counts = argCounts_[module->get()];
      for (const KernelDesc& k : kernels) counts.push_back(k.args.size());
    }
    return module;
  }
  Status launch(LoadedModule& m, int index, void* const* args, int64_t batch, int64_t work,
                Stream& s) override {
    if (!recording_) {
      ++eagerLaunches;
      return cpu_.launch(m, index, args, batch, work, s);
    }
    // A graph keeps the argument values of the capture (as many as the
    // kernel takes: reading past them was a heap overflow ASan found).
    std::vector<void*> kept(args, args + argCounts_.at(&m).at(size_t(index)));
    recording_->steps.push_back([=, this, &m, &s]() mutable {
      return cpu_.launch(m, index, kept.data(), batch, work, s);
    });
    return Status::OK();
  }
  void setMeasuredBandwidth(double gbs) override { cpu_.setMeasuredBandwidth(gbs); }

  bool supportsCapture() const override { return true; }
  Status beginCapture(Stream&) override {
    recording_ = std::make_unique<RecordedWork>();
    return Status::OK();
  }
  StatusOr<std::unique_ptr<CapturedWork>> endCapture(Stream&) override {
    ++captures;
    return std::unique_ptr<CapturedWork>(std::move(recording_));
  }
  Status replay(CapturedWork& work, Stream&) override {
    ++replays;
    for (auto& step : static_cast<RecordedWork&>(work).steps) DLC_RETURN_IF_ERROR(step());
    return Status::OK();
  }

 private:
  Device& cpu_;
  std::unique_ptr<RecordedWork> recording_;
  std::map<const LoadedModule*, std::vector<size_t>> argCounts_;  // per kernel index
};

Tensor filled(int64_t batch, float base) {
  Tensor t(ir::DType::F32, {batch, 4});
  for (int64_t i = 0; i < batch * 4; ++i) t.as<float>()[i] = base + float(i);
  return t;
}

// Output 1 of the sum model: row r of 2 * (x + c + y), c = {1, 2, 3, 4}.
float expectedRow(const Tensor& x, const Tensor& y, int64_t r) {
  const float c[4] = {1, 2, 3, 4};
  float row = 0;
  for (int j = 0; j < 4; ++j) row += 2 * (x.as<float>()[r * 4 + j] + c[j] + y.as<float>()[r * 4 + j]);
  return row;
}

std::unique_ptr<Model> loadOn(Device& device, bool useGraphs) {
  std::vector<uint8_t> bytes = testing::sumArtifactBytes();
  ModelOptions options;
  options.device = &device;
  options.useGraphs = useGraphs;
  auto model = Model::loadBytes(bytes.data(), bytes.size(), "sum.dlc", options);
  EXPECT_TRUE(model.ok()) << model.status().message();
  return model.ok() ? std::move(*model) : nullptr;
}

TEST(GraphReplay, SecondRunCapturesLaterRunsReplay) {
  auto cpu = CpuDevice::create(2);
  ASSERT_TRUE(cpu.ok());
  CapturingCpu device(**cpu);
  auto model = loadOn(device, /*useGraphs=*/true);
  ASSERT_TRUE(model);
  Tensor x = filled(3, 1), y = filled(3, -2), sum(ir::DType::F32, {3, 4}), rows(ir::DType::F32, {3});
  std::vector<TensorRef> in = {{x.data(), ir::DType::F32, {3, 4}}, {y.data(), ir::DType::F32, {3, 4}}};
  std::vector<TensorRef> out = {{sum.data(), ir::DType::F32, {3, 4}}, {rows.data(), ir::DType::F32, {3}}};
  std::vector<bool> replayed;
  for (int run = 0; run < 4; ++run) {
    rows.as<float>()[2] = -1;
    // New input values each run: a replay reads the bound buffers again.
    x.as<float>()[8] = float(run);
    ASSERT_TRUE(model->run(3, in, out).ok());
    replayed.push_back(model->lastRunReplayed());
    EXPECT_FLOAT_EQ(rows.as<float>()[2], expectedRow(x, y, 2)) << "run " << run;
  }
  EXPECT_EQ(replayed, (std::vector<bool>{false, true, true, true}));
  EXPECT_EQ(device.captures, 1);
  EXPECT_EQ(device.replays, 3);
  EXPECT_EQ(device.eagerLaunches, 4);  // the first run's four kernels only
  // Per-kernel times come from the eager run; every run counts.
  Report r = model->report();
  EXPECT_EQ(r.runs, 4);
  // A new batch binds new buffers: eager again, then a new capture.
  Tensor x5 = filled(5, 0), y5 = filled(5, 1), sum5(ir::DType::F32, {5, 4}), rows5(ir::DType::F32, {5});
  std::vector<TensorRef> in5 = {{x5.data(), ir::DType::F32, {5, 4}}, {y5.data(), ir::DType::F32, {5, 4}}};
  std::vector<TensorRef> out5 = {{sum5.data(), ir::DType::F32, {5, 4}},
                                 {rows5.data(), ir::DType::F32, {5}}};
  ASSERT_TRUE(model->run(5, in5, out5).ok());
  EXPECT_FALSE(model->lastRunReplayed());
  rows5.as<float>()[4] = 0;
  ASSERT_TRUE(model->run(5, in5, out5).ok());
  EXPECT_TRUE(model->lastRunReplayed());
  EXPECT_EQ(device.captures, 2);
  EXPECT_FLOAT_EQ(rows5.as<float>()[4], expectedRow(x5, y5, 4));
}

TEST(GraphReplay, OffWhenNotAsked) {
  auto cpu = CpuDevice::create(2);
  ASSERT_TRUE(cpu.ok());
  CapturingCpu device(**cpu);
  auto model = loadOn(device, /*useGraphs=*/false);
  ASSERT_TRUE(model);
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(model->run({filled(2, 0), filled(2, 1)}).ok());
  EXPECT_FALSE(model->lastRunReplayed());
  EXPECT_EQ(device.captures, 0);
}

}  // namespace
}  // namespace dlc::rt
