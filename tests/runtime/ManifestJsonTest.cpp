// Manifest JSON round trip and validation errors naming the field.
#include <functional>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "TestArtifact.h"
#include "runtime/src/ManifestJson.h"

namespace dlc::rt {
namespace {

using nlohmann::json;

std::string errorOf(const std::string& text) {
  auto m = manifestFromJson(text);
  EXPECT_FALSE(m.ok());
  return m.ok() ? "" : m.status().message();
}

// The sum manifest as JSON, edited by `edit`, parsed; returns the error.
template <typename Edit>
std::string errorAfter(Edit edit) {
  json j = json::parse(manifestToJson(testing::sumManifest()));
  edit(j);
  return errorOf(j.dump());
}

TEST(ManifestJson, RoundTrip) {
  Manifest m = testing::sumManifest();
  auto back = manifestFromJson(manifestToJson(m));
  ASSERT_TRUE(back.ok()) << back.status().message();
  EXPECT_EQ(back->modelName, "sum_model");
  ASSERT_EQ(back->buffers.size(), m.buffers.size());
  for (size_t i = 0; i < m.buffers.size(); ++i) {
    EXPECT_EQ(back->buffers[i].name, m.buffers[i].name);
    EXPECT_EQ(back->buffers[i].kind, m.buffers[i].kind);
    EXPECT_EQ(back->buffers[i].dims, m.buffers[i].dims);
    EXPECT_EQ(back->buffers[i].bytes.perBatch, m.buffers[i].bytes.perBatch);
    EXPECT_EQ(back->buffers[i].slot, m.buffers[i].slot);
    EXPECT_EQ(back->buffers[i].ioIndex, m.buffers[i].ioIndex);
  }
  ASSERT_EQ(back->kernels.size(), 4u);
  EXPECT_EQ(back->kernels[3].symbol, "dlc_rowsum");
  EXPECT_EQ(back->kernels[3].args, (std::vector<int>{5, 6}));
  EXPECT_EQ(back->kernels[3].numParams, 1);
  EXPECT_EQ(back->kernels[3].bytesWritten.perBatch, 4);
  EXPECT_EQ(back->kernels[0].nodes, (std::vector<std::string>{"bias_add"}));
  EXPECT_EQ(back->inputs, m.inputs);
  EXPECT_EQ(back->outputs, m.outputs);
  ASSERT_EQ(back->placement.size(), 5u);
  EXPECT_EQ(back->placement[4].kernel, -1);
  EXPECT_EQ(back->slots[0].bytes.perBatch, 16);
  EXPECT_EQ(back->peakTempBytes.perBatch, 16);
  EXPECT_EQ(manifestToJson(*back), manifestToJson(m));
}

TEST(ManifestJson, NotJson) { EXPECT_NE(errorOf("{oops").find("not valid JSON"), std::string::npos); }

TEST(ManifestJson, WrongVersion) {
  std::string e = errorAfter([](json& j) { j["format_version"] = 9; });
  EXPECT_NE(e.find("format_version 9"), std::string::npos) << e;
}

TEST(ManifestJson, ErrorsNameTheField) {
  struct Case {
    std::function<void(json&)> edit;
    std::string expect;
  };
  std::vector<Case> cases = {
      {[](json& j) { j["kernels"][1]["args"][1] = 17; }, "kernels[1].args[1]: buffer id 17 out of range [0, 7)"},
      {[](json& j) { j["kernels"][0]["num_params"] = 3; }, "kernels[0].num_params"},
      {[](json& j) { j["kernels"][0]["num_params"] = -1; }, "kernels[0].num_params"},
      {[](json& j) { j["kernels"][2]["symbol"] = ""; }, "kernels[2].symbol"},
      {[](json& j) { j["kernels"][2]["symbol"] = "a b"; }, "kernels[2].symbol"},
      {[](json& j) { j["kernels"][2].erase("args"); }, "kernels[2].args: missing"},
      {[](json& j) { j["kernels"][2]["args"] = "x"; }, "kernels[2].args: expected an array"},
      {[](json& j) { j["kernels"][1]["id"] = 0; }, "kernels[1].id: duplicate kernel id 0"},
      {[](json& j) { j["kernels"][0]["args"][2] = 0; }, "kernels[0].args[2]: writes input buffer 0"},
      {[](json& j) { j["kernels"][0]["args"][0] = 5; }, "kernels[0].args[0]: reads temp buffer 5 \"t2\" before"},
      {[](json& j) { j["buffers"][3]["slot"] = 4; }, "buffers[3].slot: slot 4 out of range [0, 1)"},
      {[](json& j) { j["buffers"][3]["dtype"] = "f33"; }, "buffers[3].dtype: unknown dtype \"f33\""},
      {[](json& j) { j["buffers"][3]["kind"] = "scratch"; }, "buffers[3].kind"},
      {[](json& j) { j["buffers"][2]["id"] = 5; }, "buffers[2].id"},
      {[](json& j) { j["buffers"][2]["dims"] = json::array({-1, 4}); }, "buffers[2]"},
      {[](json& j) { j["buffers"][0]["dims"] = json::array({-1, -1}); }, "buffers[0].dims"},
      {[](json& j) { j["buffers"][0]["bytes"]["per_batch"] = 12; }, "buffers[0].bytes"},
      {[](json& j) { j["buffers"][0]["io_index"] = 1; }, "buffers[0].io_index"},
      {[](json& j) { j["buffers"][0]["dims"][1] = "4"; }, "buffers[0].dims[1]: expected an integer"},
      {[](json& j) { j["inputs"][1] = 4; }, "inputs[1]: buffer 4 \"sum\" is an output, expected input"},
      {[](json& j) { j["outputs"] = json::array(); }, "outputs"},
      {[](json& j) { j["placement"][0]["kernel"] = 12; }, "placement[0].kernel: kernel 12 does not exist"},
      {[](json& j) { j["slots"][0]["bytes"]["per_batch"] = 8; }, "buffers[3].slot: slot 0 is smaller"},
      {[](json& j) { j.erase("buffers"); }, "buffers: missing"},
  };
  for (const Case& c : cases) {
    std::string e = errorAfter(c.edit);
    EXPECT_NE(e.find(c.expect), std::string::npos) << "got: " << e << "\nwant: " << c.expect;
    EXPECT_EQ(e.rfind("manifest: ", 0), 0u) << e;
  }
}

TEST(ManifestJson, OutputNeverWritten) {
  Manifest m = testing::sumManifest();
  m.kernels.pop_back();
  m.placement.erase(m.placement.begin() + 3);
  Status st = validateManifest(m);
  EXPECT_NE(st.message().find("output buffer 6 \"rowsum\" is never written"), std::string::npos)
      << st.message();
}

}  // namespace
}  // namespace dlc::rt
