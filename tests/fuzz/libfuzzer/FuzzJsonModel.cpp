// libFuzzer target fuzz_json_model: bytes -> frontends/json parseModel.
//
// The model "lives" in <scratch>/model/model.json, a folder holding small
// valid weight files (w.safetensors with tensors "a" f32[2,2], "b" f32[2],
// "i" i32[3]; w.npz with "a" and "b"; b.npy f32[2]), so constants with a
// "file" reach the weight readers; <scratch>/outside.npy lies outside the
// model folder and model/zero.npy is a symlink to /dev/zero (both must be
// refused). A graph that loads is printed with ir/Printer and parsed back
// with ir/Parser; the reparsed graph must print identically
// (FuzzSupport.h's checkIrRoundTrip).
//
// The JSON nesting limit (frontends/json/JsonDocument.h) is what keeps
// deeply nested input ([[[[... 100k levels) from overflowing the stack in
// nlohmann's recursive copy and dump; the seed corpus holds such inputs.
//
// What this deliberately does not do: compile or run the graph.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>

#include "frontends/json/JsonModel.h"
#include "support/Npy.h"
#include "support/Safetensors.h"
#include "tests/fuzz/libfuzzer/FuzzSupport.h"

namespace {

dlc::Tensor ramp(dlc::ir::DType dtype, std::vector<int64_t> dims) {
  dlc::Tensor t(dtype, std::move(dims));
  for (int64_t i = 0; i < t.numElements(); ++i) t.setFromDouble(i, double(i) - 1.5);
  return t;
}

void must(const dlc::Status& s) {
  dlc::fuzz::fuzzCheck(s.ok(), s.message().c_str());
}

std::string setUpModelFolder() {
  using dlc::ir::DType;
  std::string dir = dlc::fuzz::scratchDir() + "/model";
  std::filesystem::create_directories(dir);
  dlc::Tensor a = ramp(DType::F32, {2, 2}), b = ramp(DType::F32, {2}), i = ramp(DType::I32, {3});
  must(dlc::writeSafetensors(dir + "/w.safetensors", {{"a", a}, {"b", b}, {"i", i}}));
  must(dlc::writeNpz(dir + "/w.npz", {{"a", a}, {"b", b}}));
  must(dlc::writeNpy(dir + "/b.npy", b));
  must(dlc::writeNpy(dlc::fuzz::scratchDir() + "/outside.npy", b));
  std::filesystem::create_symlink("/dev/zero", dir + "/zero.npy");
  return dir + "/model.json";
}

const std::string& modelPath() {
  static const std::string path = setUpModelFolder();
  return path;
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  modelPath();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  auto graph = dlc::json::parseModel(text, modelPath());
  dlc::fuzz::note(graph.status());
  if (!graph.ok()) return 0;
  dlc::fuzz::checkIrRoundTrip(**graph);
  return 0;
}
