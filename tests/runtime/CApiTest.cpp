// The C API end to end, and the header-only C++ API over it.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <atomic>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <thread>
#include <unistd.h>

#include "TestArtifact.h"
#include "dlc/runtime.h"
#include "dlc/runtime.hpp"

namespace {

std::string writeSumArtifact() {
  std::string path = ::testing::TempDir() + "/dlcrt_capi_" + std::to_string(getpid()) + ".dlc";
  std::vector<uint8_t> bytes = dlc::rt::testing::sumArtifactBytes();
  std::ofstream(path, std::ios::binary)
      .write(reinterpret_cast<const char*>(bytes.data()), std::streamsize(bytes.size()));
  return path;
}

dlc_tensor tensor(void* data, std::vector<int64_t> dims) {
  dlc_tensor t{};
  t.data = data;
  t.dtype = DLC_F32;
  t.rank = int32_t(dims.size());
  for (size_t i = 0; i < dims.size(); ++i) t.dims[i] = dims[i];
  return t;
}

TEST(CApi, ListDevices) {
  size_t n = 0;
  ASSERT_EQ(dlc_list_devices(nullptr, 0, &n), DLC_OK);
  ASSERT_GE(n, 1u);
  std::vector<dlc_device_info> devs(n);
  ASSERT_EQ(dlc_list_devices(devs.data(), n, &n), DLC_OK);
  EXPECT_STREQ(devs[0].name, "/device:CPU:0");
  EXPECT_STREQ(devs[0].kind, "CPU");
  EXPECT_GT(devs[0].cores, 0);
  EXPECT_GT(devs[0].threads, 0);
  EXPECT_LT(devs[0].peak_bandwidth_gbs, 0);  // unknown
  EXPECT_EQ(dlc_list_devices(nullptr, 0, nullptr), DLC_INVALID_ARGUMENT);
  EXPECT_STREQ(dlc_last_error(), "count is NULL");
}

TEST(CApi, LoadRunReportFree) {
  std::string path = writeSumArtifact();
  dlc_model* m = nullptr;
  ASSERT_EQ(dlc_model_load(path.c_str(), &m), DLC_OK) << dlc_last_error();
  int32_t ni = 0, no = 0;
  ASSERT_EQ(dlc_model_num_inputs(m, &ni), DLC_OK);
  ASSERT_EQ(dlc_model_num_outputs(m, &no), DLC_OK);
  EXPECT_EQ(ni, 2);
  EXPECT_EQ(no, 2);
  const char* name = nullptr;
  ASSERT_EQ(dlc_model_input_name(m, 1, &name), DLC_OK);
  EXPECT_STREQ(name, "y");
  ASSERT_EQ(dlc_model_output_name(m, 1, &name), DLC_OK);
  EXPECT_STREQ(name, "rowsum");
  dlc_dtype dt = DLC_I64;
  ASSERT_EQ(dlc_model_output_dtype(m, 0, &dt), DLC_OK);
  EXPECT_EQ(dt, DLC_F32);
  int32_t rank = 0;
  ASSERT_EQ(dlc_model_input_rank(m, 0, &rank), DLC_OK);
  EXPECT_EQ(rank, 2);
  int64_t dims[8] = {};
  ASSERT_EQ(dlc_model_input_dims(m, 0, dims, 8), DLC_OK);
  EXPECT_EQ(dims[0], -1);
  EXPECT_EQ(dims[1], 4);
  EXPECT_EQ(dlc_model_input_name(m, 2, &name), DLC_OUT_OF_RANGE);
  EXPECT_STREQ(dlc_last_error(), "input index 2 out of range [0, 2)");

  const int64_t batch = 7;
  std::vector<float> x(batch * 4), y(batch * 4, 1.0f), sum(batch * 4), rows(batch);
  for (size_t i = 0; i < x.size(); ++i) x[i] = float(i);
  dlc_tensor in[2] = {tensor(x.data(), {batch, 4}), tensor(y.data(), {batch, 4})};
  dlc_tensor out[2] = {tensor(sum.data(), {batch, 4}), tensor(nullptr, {})};
  ASSERT_EQ(dlc_model_run(m, batch, in, 2, out, 2), DLC_OK) << dlc_last_error();
  const float c[4] = {1, 2, 3, 4};
  for (int64_t r = 0; r < batch; ++r) {
    float row = 0;
    for (int j = 0; j < 4; ++j) {
      float s = x[size_t(r * 4 + j)] + c[j] + 1.0f;
      EXPECT_FLOAT_EQ(sum[size_t(r * 4 + j)], s);
      row += 2 * s;
    }
    ASSERT_NE(out[1].data, nullptr);
    EXPECT_FLOAT_EQ(static_cast<float*>(out[1].data)[r], row);
  }
  EXPECT_EQ(out[1].rank, 1);
  EXPECT_EQ(out[1].dims[0], batch);

  // Validation errors come back as status + message naming the input.
  in[1].dims[1] = 5;
  out[1] = tensor(rows.data(), {batch});
  EXPECT_EQ(dlc_model_run(m, batch, in, 2, out, 2), DLC_INVALID_ARGUMENT);
  EXPECT_NE(std::string(dlc_last_error()).find("input 1 \"y\": expected f32[7,4]"), std::string::npos)
      << dlc_last_error();
  in[1].rank = 99;
  EXPECT_EQ(dlc_model_run(m, batch, in, 2, out, 2), DLC_INVALID_ARGUMENT);
  EXPECT_EQ(dlc_model_run(m, batch, in, 1, out, 2), DLC_INVALID_ARGUMENT);

  const char* json = nullptr;
  ASSERT_EQ(dlc_model_report_json(m, &json), DLC_OK);
  auto j = nlohmann::json::parse(json);
  EXPECT_EQ(j["kernels"].size(), 4u);
  EXPECT_EQ(j["placement"][3]["node"], "rowsum");
  EXPECT_EQ(j["batch"], 7);
  const char* text = nullptr;
  ASSERT_EQ(dlc_model_report_text(m, &text), DLC_OK);
  EXPECT_NE(std::string(text).find("sum (add): kernel k1 [add] /device:CPU:0"), std::string::npos);
  dlc_model_free(m);
  std::remove(path.c_str());
}

// One model shared by four threads, each running at its own batch and
// reading reports: a thread's report string stays intact while the others
// run and report (it used to be one string per model, rewritten by every
// call), and every run computes its own numbers.
TEST(CApi, SharedModelReportsArePerThread) {
  std::string path = writeSumArtifact();
  dlc_model* m = nullptr;
  ASSERT_EQ(dlc_model_load(path.c_str(), &m), DLC_OK) << dlc_last_error();
  std::atomic<int> bad{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&, t] {
      const int64_t batch = 1 + t * 37;
      std::vector<float> x(size_t(batch) * 4, float(t)), y(size_t(batch) * 4, 1.0f);
      std::vector<float> sum(static_cast<size_t>(batch) * 4), rowsum(static_cast<size_t>(batch));
      dlc_tensor in[2] = {tensor(x.data(), {batch, 4}), tensor(y.data(), {batch, 4})};
      dlc_tensor out[2] = {tensor(sum.data(), {batch, 4}), tensor(rowsum.data(), {batch})};
      for (int r = 0; r < 200; ++r) {
        if (dlc_model_run(m, batch, in, 2, out, 2) != DLC_OK) ++bad;
        // sum[0][0] = x + c[0] + y = t + 1 + 1.
        if (sum[0] != float(t + 2) || sum[size_t(batch) * 4 - 1] != float(t + 5)) ++bad;
        const char* json = nullptr;
        const char* text = nullptr;
        if (dlc_model_report_json(m, &json) != DLC_OK) ++bad;
        if (dlc_model_report_text(m, &text) != DLC_OK) ++bad;
        std::string jsonCopy = json, textCopy = text;
        std::this_thread::yield();
        if (jsonCopy != json || textCopy != text) ++bad;  // rewritten by another thread
        auto j = nlohmann::json::parse(jsonCopy, nullptr, /*allow_exceptions=*/false);
        if (j.is_discarded() || j["kernels"].size() != 4u) ++bad;
      }
    });
  for (auto& th : threads) th.join();
  EXPECT_EQ(bad.load(), 0);
  dlc_model_free(m);
  std::remove(path.c_str());
}

TEST(CApi, RuntimeAllocatedOutputTooLargeIsUnavailable) {
  std::string path = writeSumArtifact();
  dlc_model* m = nullptr;
  ASSERT_EQ(dlc_model_load(path.c_str(), &m), DLC_OK) << dlc_last_error();
  const int64_t batch = int64_t(1) << 56;  // "sum" would be f32[2^56,4]: 2^60 bytes
  float x[4] = {}, y[4] = {};
  dlc_tensor in[2] = {tensor(x, {batch, 4}), tensor(y, {batch, 4})};
  dlc_tensor out[2] = {tensor(nullptr, {}), tensor(nullptr, {})};
  EXPECT_EQ(dlc_model_run(m, batch, in, 2, out, 2), DLC_UNAVAILABLE);
  EXPECT_NE(std::strstr(dlc_last_error(), "1152921504606846976 bytes"), nullptr)
      << dlc_last_error();
  EXPECT_EQ(out[0].data, nullptr);
  dlc_model_free(m);
  std::remove(path.c_str());
}

TEST(CApi, LoadErrors) {
  dlc_model* m = reinterpret_cast<dlc_model*>(1);
  EXPECT_EQ(dlc_model_load("/nonexistent.dlc", &m), DLC_NOT_FOUND);
  EXPECT_EQ(m, nullptr);
  EXPECT_NE(std::string(dlc_last_error()).find("'/nonexistent.dlc' does not exist"), std::string::npos);
  const char junk[] = "DLCARTF";
  EXPECT_EQ(dlc_model_load_bytes(junk, 4, &m), DLC_DATA_LOSS);
  EXPECT_NE(std::string(dlc_last_error()).find("<memory>: truncated"), std::string::npos);
  EXPECT_EQ(dlc_model_load(nullptr, &m), DLC_INVALID_ARGUMENT);
  EXPECT_STREQ(dlc_status_name(DLC_DATA_LOSS), "data loss");
  EXPECT_EQ(dlc_dtype_size(DLC_BF16), 2u);
  dlc_model_free(nullptr);
}

TEST(CApi, LoadBytes) {
  std::vector<uint8_t> bytes = dlc::rt::testing::sumArtifactBytes();
  dlc_model* m = nullptr;
  ASSERT_EQ(dlc_model_load_bytes(bytes.data(), bytes.size(), &m), DLC_OK) << dlc_last_error();
  bytes.assign(bytes.size(), 0);  // the model keeps its own copy
  float x[4] = {1, 1, 1, 1}, y[4] = {0, 0, 0, 0}, s[4], r[1];
  dlc_tensor in[2] = {tensor(x, {1, 4}), tensor(y, {1, 4})};
  dlc_tensor out[2] = {tensor(s, {1, 4}), tensor(r, {1})};
  ASSERT_EQ(dlc_model_run(m, 1, in, 2, out, 2), DLC_OK) << dlc_last_error();
  EXPECT_FLOAT_EQ(r[0], 2 * (2 + 3 + 4 + 5));
  dlc_model_free(m);
}

TEST(CppApi, LoadRunReport) {
  std::string path = writeSumArtifact();
  auto model = dlc::runtime::Model::load(path);
  ASSERT_TRUE(model.ok()) << model.status().message();
  ASSERT_EQ(model->inputs().size(), 2u);
  EXPECT_EQ(model->inputs()[0].name, "x");
  EXPECT_EQ(model->inputs()[0].dims, (std::vector<int64_t>{-1, 4}));
  EXPECT_EQ(model->outputs()[1].name, "rowsum");
  dlc::runtime::HostTensor x(DLC_F32, {3, 4}), y(DLC_F32, {3, 4});
  for (int i = 0; i < 12; ++i) x.data<float>()[i] = float(i);
  auto out = model->run({x, y});
  ASSERT_TRUE(out.ok()) << out.status().message();
  ASSERT_EQ(out->size(), 2u);
  EXPECT_EQ((*out)[1].dims(), (std::vector<int64_t>{3}));
  // Row 2: x = {8, 9, 10, 11} + c = {9, 11, 13, 15}: 2 * 48 = 96.
  EXPECT_FLOAT_EQ((*out)[1].data<float>()[2], 96.0f);
  auto report = model->reportJson();
  ASSERT_TRUE(report.ok());
  EXPECT_NE(report->find("\"peak_temp_bytes\""), std::string::npos);
  auto bad = model->run({x});
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), DLC_INVALID_ARGUMENT);
  EXPECT_NE(bad.status().message().find("expected 2 input(s), got 1"), std::string::npos);
  auto missing = dlc::runtime::Model::load("/nonexistent.dlc");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), DLC_NOT_FOUND);
  auto devices = dlc::runtime::listDevices();
  ASSERT_TRUE(devices.ok());
  EXPECT_EQ((*devices)[0].name, "/device:CPU:0");
  std::remove(path.c_str());
}

}  // namespace
