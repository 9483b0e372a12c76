// The artifact file through the public C API (ArtifactFileCheck.h).
#include "tests/fuzz/ArtifactFileCheck.h"

#include <cstring>
#include <filesystem>
#include <fstream>

#include "dlc/runtime.h"
#include "tests/fuzz/Scratch.h"

namespace dlc::fuzz {

namespace {

// Frees the model on every path out.
struct ModelHandle {
  dlc_model* model = nullptr;
  ~ModelHandle() { dlc_model_free(model); }
};

dlc_tensor viewOf(Tensor& t) {
  dlc_tensor v{};
  v.data = t.data();
  v.dtype = dlc_dtype(int(t.dtype()));
  v.rank = int32_t(t.rank());
  for (int d = 0; d < t.rank() && d < DLC_MAX_RANK; ++d) v.dims[d] = t.dims()[size_t(d)];
  return v;
}

// "" when `got` has the bits of `want`; else the first differing element.
std::string bitDifference(const Tensor& got, const Tensor& want) {
  if (got.dtype() != want.dtype() || got.dims() != want.dims())
    return strCat("got ", got.type().str(), ", in memory ", want.type().str());
  const size_t width = ir::dtypeSize(got.dtype());
  const auto* a = static_cast<const uint8_t*>(got.data());
  const auto* b = static_cast<const uint8_t*>(want.data());
  for (int64_t i = 0; i < got.numElements(); ++i) {
    if (std::memcmp(a + size_t(i) * width, b + size_t(i) * width, width) == 0) continue;
    return strCat("element ", i, " is ", got.getAsDouble(i), ", in memory ", want.getAsDouble(i),
                  " (bits differ)");
  }
  return "";
}

}  // namespace

std::string firstByteDifference(const std::vector<uint8_t>& a, const std::vector<uint8_t>& b) {
  size_t n = std::min(a.size(), b.size());
  size_t i = 0;
  while (i < n && a[i] == b[i]) ++i;
  if (i == n && a.size() == b.size()) return "";
  return strCat(a.size(), " and ", b.size(), " bytes, first difference at byte ", i);
}

CheckResult checkArtifactFile(const std::vector<uint8_t>& bytes, const ir::Graph& graph,
                              const std::vector<InputSet>& runs,
                              const std::vector<std::vector<Tensor>>& expected,
                              const std::string& backend) {
  const std::string what = "c-api file, " + backend;
  std::string dir = scratchDir();
  if (dir.empty())
    return {Verdict::kRunError, strCat(what, ": no scratch folder for the artifact")};
  const std::string path = strCat(dir, "/", backend == "cpu fused" ? "fused" : "unfused", ".dlc");
  {
    std::ofstream out(path, std::ios::binary);
    out.write(reinterpret_cast<const char*>(bytes.data()), std::streamsize(bytes.size()));
    if (!out) return {Verdict::kRunError, strCat(what, ": cannot write ", path)};
  }
  ModelHandle handle;
  dlc_status loaded = dlc_model_load(path.c_str(), &handle.model);
  std::error_code ec;
  std::filesystem::remove(path, ec);  // the model holds its own copy
  if (loaded != DLC_OK)
    return {Verdict::kCompileError, strCat(what, ": dlc_model_load: ", dlc_last_error())};
  for (size_t r = 0; r < runs.size(); ++r) {
    std::vector<Tensor> inputs;
    std::vector<dlc_tensor> in, out;
    for (const Tensor& t : runs[r].values) inputs.push_back(t.clone());
    for (Tensor& t : inputs) in.push_back(viewOf(t));
    std::vector<Tensor> outputs;
    for (const Tensor& t : expected[r]) outputs.emplace_back(t.dtype(), t.dims());
    for (Tensor& t : outputs) out.push_back(viewOf(t));
    if (dlc_model_run(handle.model, runs[r].batch, in.data(), int32_t(in.size()), out.data(),
                      int32_t(out.size())) != DLC_OK)
      return {Verdict::kRunError,
              strCat(what, ", batch ", runs[r].batch, ": dlc_model_run: ", dlc_last_error())};
    for (size_t o = 0; o < outputs.size(); ++o) {
      std::string diff = bitDifference(outputs[o], expected[r][o]);
      if (!diff.empty())
        return {Verdict::kWrongResult, strCat(what, ", batch ", runs[r].batch, ", output ", o,
                                              " (\"", graph.outputs()[o]->name, "\"): ", diff)};
    }
  }
  return {};
}

}  // namespace dlc::fuzz
