// The executor: numbers at several batch sizes, memory planning, input
// validation, staging through device buffers, report and placement.
#include <pthread.h>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cstring>

#include "TestArtifact.h"
#include "runtime/src/Artifact.h"
#include "runtime/src/Model.h"

namespace dlc::rt {
namespace {

std::unique_ptr<Model> loadSum(ModelOptions options = {}) {
  std::vector<uint8_t> bytes = testing::sumArtifactBytes();
  auto model = Model::loadBytes(bytes.data(), bytes.size(), "sum.dlc", options);
  EXPECT_TRUE(model.ok()) << model.status().message();
  return model.ok() ? std::move(*model) : nullptr;
}

Tensor filled(int64_t batch, float base) {
  Tensor t(ir::DType::F32, {batch, 4});
  for (int64_t i = 0; i < batch * 4; ++i) t.as<float>()[i] = base + float(i);
  return t;
}

void expectSumNumbers(const Tensor& x, const Tensor& y, const std::vector<Tensor>& out) {
  ASSERT_EQ(out.size(), 2u);
  int64_t batch = x.dims()[0];
  ASSERT_EQ(out[0].dims(), (std::vector<int64_t>{batch, 4}));
  ASSERT_EQ(out[1].dims(), (std::vector<int64_t>{batch}));
  const float c[4] = {1, 2, 3, 4};
  for (int64_t r = 0; r < batch; ++r) {
    float row = 0;
    for (int j = 0; j < 4; ++j) {
      float s = x.as<float>()[r * 4 + j] + c[j] + y.as<float>()[r * 4 + j];
      EXPECT_FLOAT_EQ(out[0].as<float>()[r * 4 + j], s) << r << "," << j;
      row += 2 * s;
    }
    EXPECT_FLOAT_EQ(out[1].as<float>()[r], row) << "row " << r;
  }
}

TEST(Model, RunsAtBatchOneAndSeven) {
  auto model = loadSum();
  ASSERT_TRUE(model);
  for (int64_t batch : {1, 7, 1}) {
    Tensor x = filled(batch, 0.5f), y = filled(batch, -3.0f);
    auto out = model->run({x, y});
    ASSERT_TRUE(out.ok()) << out.status().message();
    expectSumNumbers(x, y, *out);
  }
  // Batch 1: x = {0.5, 1.5, 2.5, 3.5}, y = {-3, -2, -1, 0}: sum = {-1.5, 1.5, 4.5, 7.5}.
  auto out = model->run({filled(1, 0.5f), filled(1, -3.0f)});
  ASSERT_TRUE(out.ok());
  EXPECT_FLOAT_EQ((*out)[0].as<float>()[0], -1.5f);
  EXPECT_FLOAT_EQ((*out)[0].as<float>()[3], 7.5f);
  EXPECT_FLOAT_EQ((*out)[1].as<float>()[0], 24.0f);
}

TEST(Model, LargeBatchSpreadsOverThreads) {
  auto model = loadSum();
  ASSERT_TRUE(model);
  Tensor x = filled(10007, 0.0f), y = filled(10007, 1.0f);
  auto out = model->run({x, y});
  ASSERT_TRUE(out.ok()) << out.status().message();
  expectSumNumbers(x, y, *out);
}

TEST(Model, StagedThroughDeviceBuffers) {
  ModelOptions options;
  options.bindHostBuffers = false;
  auto model = loadSum(options);
  ASSERT_TRUE(model);
  Tensor x = filled(7, 2.0f), y = filled(7, 5.0f);
  auto out = model->run({x, y});
  ASSERT_TRUE(out.ok()) << out.status().message();
  expectSumNumbers(x, y, *out);
  // Staged: kernels never saw the caller's pointers.
  EXPECT_NE(model->lastAddress(0), x.data());
}

TEST(Model, CallerBuffersAreUsedInPlace) {
  auto model = loadSum();
  ASSERT_TRUE(model);
  Tensor x = filled(3, 0), y = filled(3, 0), sum(ir::DType::F32, {3, 4}), rows(ir::DType::F32, {3});
  std::vector<TensorRef> outs = {{sum.data(), ir::DType::F32, {3, 4}}, {rows.data(), ir::DType::F32, {3}}};
  ASSERT_TRUE(model->run(3, {{x.data(), ir::DType::F32, {3, 4}}, {y.data(), ir::DType::F32, {3, 4}}}, outs).ok());
  EXPECT_EQ(model->lastAddress(0), x.data());
  EXPECT_EQ(model->lastAddress(4), sum.data());
  EXPECT_FLOAT_EQ(sum.as<float>()[1], 4.0f);  // x + c + y at index 1: 1 + 2 + 1
}

TEST(Model, RuntimeAllocatesMissingOutputs) {
  auto model = loadSum();
  ASSERT_TRUE(model);
  Tensor x = filled(2, 1), y = filled(2, 1);
  std::vector<TensorRef> outs(2);
  ASSERT_TRUE(model->run(2, {{x.data(), ir::DType::F32, {2, 4}}, {y.data(), ir::DType::F32, {2, 4}}}, outs).ok());
  ASSERT_NE(outs[1].data, nullptr);
  EXPECT_EQ(outs[1].dims, (std::vector<int64_t>{2}));
  // Row 0: x = y = {1, 2, 3, 4}, c = {1, 2, 3, 4}: 2 * (3 * 10) = 60.
  EXPECT_FLOAT_EQ(static_cast<float*>(outs[1].data)[0], 60.0f);
}

// The batch is the caller's: at N = 2^56 the runtime-allocated output "sum"
// (f32[N,4], 2^60 bytes) cannot exist. That is an error naming the output,
// not an abort. The inputs are never read: allocation fails first.
TEST(Model, RuntimeAllocatedOutputTooLargeIsAnError) {
  auto model = loadSum();
  ASSERT_TRUE(model);
  const int64_t batch = int64_t(1) << 56;
  float x[4] = {}, y[4] = {};
  std::vector<TensorRef> outs(2);
  Status st = model->run(batch, {{x, ir::DType::F32, {batch, 4}}, {y, ir::DType::F32, {batch, 4}}},
                         outs);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.code(), StatusCode::kUnavailable);
  EXPECT_NE(st.message().find("sum.dlc: output 0 \"sum\" at batch 72057594037927936"),
            std::string::npos)
      << st.message();
  EXPECT_NE(st.message().find("1152921504606846976 bytes"), std::string::npos) << st.message();
  // The model still runs afterwards.
  Tensor a = filled(3, 1), b = filled(3, 2);
  auto out = model->run({a, b});
  ASSERT_TRUE(out.ok()) << out.status().message();
  expectSumNumbers(a, b, *out);
}

TEST(Model, TempsShareTheirSlot) {
  auto model = loadSum();
  ASSERT_TRUE(model);
  ASSERT_TRUE(model->run({filled(7, 0), filled(7, 0)}).ok());
  // t0 (buffer 3) and t2 (buffer 5) are both in slot 0.
  EXPECT_EQ(model->lastAddress(3), model->lastAddress(5));
  EXPECT_EQ(model->arenaBytes(), 7 * 16 + (64 - 7 * 16 % 64));  // 112 rounded up to 128
  EXPECT_EQ(reinterpret_cast<uintptr_t>(model->lastAddress(3)) % 64, 0u);
  EXPECT_EQ(model->report().peakTempBytes, 128);
}

TEST(Model, PlannerAlignsSlots) {
  Manifest m = testing::sumManifest();
  m.slots.push_back(SlotDesc{1, Affine{10, 4}});
  auto plan = planMemory(m, 3);
  ASSERT_TRUE(plan.ok());
  EXPECT_EQ(plan->slotOffsets, (std::vector<int64_t>{0, 64}));
  EXPECT_EQ(plan->slotBytes, (std::vector<int64_t>{48, 22}));
  EXPECT_EQ(plan->arenaBytes, 128);
  EXPECT_FALSE(planMemory(m, 0).ok());
  auto huge = planMemory(m, int64_t(1) << 62);
  ASSERT_FALSE(huge.ok());
  EXPECT_NE(huge.status().message().find("overflows"), std::string::npos);
}

TEST(Model, InputValidationNamesTheInput) {
  auto model = loadSum();
  ASSERT_TRUE(model);
  auto expectError = [&](const std::vector<Tensor>& in, const std::string& want) {
    auto out = model->run(in);
    ASSERT_FALSE(out.ok());
    EXPECT_NE(out.status().message().find(want), std::string::npos)
        << "got: " << out.status().message() << "\nwant: " << want;
  };
  expectError({filled(7, 0), Tensor(ir::DType::F32, {7, 5})},
              "input 1 \"y\": expected f32[7,4] (f32[N,4] at N=7), got f32[7,5]");
  expectError({filled(7, 0), Tensor(ir::DType::I32, {7, 4})}, "input 1 \"y\": expected f32[7,4]");
  expectError({filled(7, 0), Tensor(ir::DType::F32, {7, 4, 1})}, "got f32[7,4,1]");
  expectError({filled(7, 0), filled(6, 0)}, "input 1 \"y\": expected f32[7,4]");
  expectError({filled(7, 0)}, "sum.dlc: expected 2 input(s), got 1");
  expectError({Tensor(ir::DType::F32, {0, 4}), Tensor(ir::DType::F32, {0, 4})}, "batch must be >= 1");

  Tensor x = filled(2, 0), y = filled(2, 0), sum(ir::DType::F32, {2, 4});
  std::vector<TensorRef> outs = {{sum.data(), ir::DType::F32, {2, 3}}, {}};
  Status st = model->run(2, {{x.data(), ir::DType::F32, {2, 4}}, {y.data(), ir::DType::F32, {2, 4}}}, outs);
  EXPECT_NE(st.message().find("output 0 \"sum\": expected f32[2,4]"), std::string::npos) << st.message();
  outs = {{x.data(), ir::DType::F32, {2, 4}}, {}};
  st = model->run(2, {{x.data(), ir::DType::F32, {2, 4}}, {y.data(), ir::DType::F32, {2, 4}}}, outs);
  EXPECT_NE(st.message().find("output 0 \"sum\": buffer overlaps input 0 \"x\""), std::string::npos)
      << st.message();
  std::vector<TensorRef> none(2);
  st = model->run(2, {{nullptr, ir::DType::F32, {2, 4}}, {y.data(), ir::DType::F32, {2, 4}}}, none);
  EXPECT_NE(st.message().find("input 0 \"x\": no data"), std::string::npos) << st.message();
}

TEST(Model, ReportHasKernelsAndPlacement) {
  auto model = loadSum();
  ASSERT_TRUE(model);
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(model->run({filled(7, 0), filled(7, 1)}).ok());
  Report r = model->report();
  EXPECT_EQ(r.batch, 7);
  EXPECT_EQ(r.runs, 5);
  ASSERT_EQ(r.kernels.size(), 4u);
  const KernelReport& k = r.kernels[3];
  EXPECT_EQ(k.id, 3);
  EXPECT_EQ(k.label, "reduce_sum");
  EXPECT_EQ(k.kind, "reduction");
  EXPECT_EQ(k.device, "/device:CPU:0");
  EXPECT_EQ(k.nodes, (std::vector<std::string>{"rowsum"}));
  EXPECT_EQ(k.bytesRead, 7 * 16);
  EXPECT_EQ(k.bytesWritten, 7 * 4);
  EXPECT_GE(k.timeMs, 0.0);
  EXPECT_EQ(r.kernels[0].bytesRead, 16 + 7 * 16);
  for (const KernelReport& kr : r.kernels) {
    if (kr.timeMs > 0) {
      EXPECT_NEAR(kr.gbs, double(kr.bytesRead + kr.bytesWritten) / (kr.timeMs * 1e6), 1e-6 * kr.gbs);
    }
  }
  EXPECT_GT(r.totalMs, 0.0);

  std::string text = reportToText(r);
  EXPECT_NE(text.find("bias_add (add): kernel k0 [add_bias] /device:CPU:0\n"), std::string::npos) << text;
  EXPECT_NE(text.find("rowsum (reduce_sum): kernel k3 [reduce_sum] /device:CPU:0\n"), std::string::npos);
  EXPECT_NE(text.find("scale (constant): folded at compile time\n"), std::string::npos);
  EXPECT_NE(text.find("GB/s"), std::string::npos);

  auto j = nlohmann::json::parse(reportToJson(r));
  ASSERT_EQ(j["placement"].size(), 5u);
  EXPECT_EQ(j["placement"][0]["node"], "bias_add");
  EXPECT_EQ(j["placement"][0]["kernel"], 0);
  EXPECT_EQ(j["placement"][0]["device"], "/device:CPU:0");
  EXPECT_EQ(j["placement"][4]["kernel"], -1);
  ASSERT_EQ(j["kernels"].size(), 4u);
  EXPECT_EQ(j["kernels"][1]["nodes"][0], "sum");
  EXPECT_EQ(j["kernels"][1]["bytes_read"], 7 * 32);
  EXPECT_TRUE(j["kernels"][1]["time_ms"].is_number());
  EXPECT_TRUE(j["kernels"][1]["gbs"].is_number());
  EXPECT_EQ(j["peak_temp_bytes"], 128);
  EXPECT_EQ(j["batch"], 7);

  // A new batch size starts a new set of timings.
  ASSERT_TRUE(model->run({filled(2, 0), filled(2, 1)}).ok());
  EXPECT_EQ(model->report().runs, 1);
  EXPECT_EQ(model->report().batch, 2);
}

TEST(Model, MissingSymbolIsNamed) {
  Manifest m = testing::sumManifest();
  m.kernels[2].symbol = "dlc_missing";
  auto bytes = serializeArtifact(m, testing::sumConstants(), testing::kernelCode());
  ASSERT_TRUE(bytes.ok());
  auto model = Model::loadBytes(bytes->data(), bytes->size(), "missing.dlc");
  ASSERT_FALSE(model.ok());
  EXPECT_EQ(model.status().message(),
            "missing.dlc: kernel symbol \"dlc_missing\" not found in the code section");
}

TEST(Model, CodeThatIsNotElf) {
  auto bytes = serializeArtifact(testing::sumManifest(), testing::sumConstants(), {1, 2, 3, 4, 5});
  ASSERT_TRUE(bytes.ok());
  auto model = Model::loadBytes(bytes->data(), bytes->size(), "junk.dlc");
  ASSERT_FALSE(model.ok());
  EXPECT_NE(model.status().message().find("junk.dlc: the code section is not an ELF"), std::string::npos);
}

TEST(Model, WrongTargetOrDevice) {
  Manifest m = testing::sumManifest();
  m.target = "cuda";
  auto bytes = serializeArtifact(m, testing::sumConstants(), testing::kernelCode());
  ASSERT_TRUE(bytes.ok());
  auto model = Model::loadBytes(bytes->data(), bytes->size(), "gpu.dlc");
  ASSERT_FALSE(model.ok());
  EXPECT_NE(model.status().message().find("gpu.dlc: compiled for target \"cuda\""), std::string::npos);
  m = testing::sumManifest();
  m.kernels[1].device = "/device:CUDA:0";
  bytes = serializeArtifact(m, testing::sumConstants(), testing::kernelCode());
  model = Model::loadBytes(bytes->data(), bytes->size(), "mixed.dlc");
  ASSERT_FALSE(model.ok());
  EXPECT_NE(model.status().message().find("kernel k1 [add] is placed on /device:CUDA:0"), std::string::npos);
}

// The kernel's frame is kCpuKernelStackBytes. It runs from the main thread
// (8 MiB: the caller takes chunks) and from a thread whose 1 MiB stack could
// not hold it: that caller must leave the kernel to the workers.
TEST(Model, KernelsMayUseAMegabyteOfStack) {
  auto bytes = serializeArtifact(testing::stackManifest(), {}, testing::kernelCode());
  ASSERT_TRUE(bytes.ok()) << bytes.status().message();
  auto model = Model::loadBytes(bytes->data(), bytes->size(), "stack.dlc");
  ASSERT_TRUE(model.ok()) << model.status().message();
  Tensor x = filled(64, 0);
  auto out = (*model)->run({x});
  ASSERT_TRUE(out.ok()) << out.status().message();
  for (int64_t i = 0; i < 64 * 4; ++i) ASSERT_FLOAT_EQ((*out)[0].as<float>()[i], float(i) + 1.0f);

  struct Call {
    Model* model;
    Tensor* x;
    bool ok = false;
    std::vector<float> values;
  } call{model->get(), &x};
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setstacksize(&attr, size_t(kCpuKernelStackBytes));
  pthread_t t;
  ASSERT_EQ(pthread_create(&t, &attr, [](void* p) -> void* {
    auto* c = static_cast<Call*>(p);
    auto r = c->model->run({*c->x});
    c->ok = r.ok();
    if (c->ok) c->values.assign((*r)[0].as<float>(), (*r)[0].as<float>() + 64 * 4);
    return nullptr;
  }, &call), 0);
  pthread_join(t, nullptr);
  pthread_attr_destroy(&attr);
  ASSERT_TRUE(call.ok);
  for (int64_t i = 0; i < 64 * 4; ++i) ASSERT_FLOAT_EQ(call.values[size_t(i)], float(i) + 1.0f);
}

TEST(Model, TwoModelsFromTheSameCodeCoexist) {
  auto a = loadSum();
  auto b = loadSum();
  ASSERT_TRUE(a && b);
  Tensor x = filled(3, 1), y = filled(3, 2);
  auto outA = a->run({x, y});
  a.reset();
  auto outB = b->run({x, y});
  ASSERT_TRUE(outA.ok() && outB.ok());
  expectSumNumbers(x, y, *outB);
}

}  // namespace
}  // namespace dlc::rt
