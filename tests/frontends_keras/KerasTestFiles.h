// Test helpers for the Keras importer: an HDF5 writer on the C API (so the
// reader is checked against files it did not write), builders for Keras 3
// config JSON in the shape real Keras writes, and .keras archive assembly.
#pragma once

#include <gtest/gtest.h>
#include <hdf5.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "frontends/keras/KerasModel.h"
#include "support/Zip.h"
#include "tests/frontends/TestFiles.h"

namespace dlc::testing {

using nlohmann::json;

// Writes an HDF5 file: groups are created on demand.
class H5Writer {
 public:
  explicit H5Writer(const std::string& path) {
    H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);  // H5Lexists on a missing parent complains
    file_ = H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    EXPECT_GE(file_, 0) << path;
    lcpl_ = H5Pcreate(H5P_LINK_CREATE);
    H5Pset_create_intermediate_group(lcpl_, 1);
  }
  ~H5Writer() {
    H5Pclose(lcpl_);
    H5Fclose(file_);
  }
  H5Writer(const H5Writer&) = delete;
  H5Writer& operator=(const H5Writer&) = delete;

  void group(const std::string& path) {
    if (H5Lexists(file_, path.c_str(), H5P_DEFAULT) > 0) return;
    hid_t g = H5Gcreate2(file_, path.c_str(), lcpl_, H5P_DEFAULT, H5P_DEFAULT);
    EXPECT_GE(g, 0) << path;
    H5Gclose(g);
  }
  void dataset(const std::string& path, const std::vector<hsize_t>& dims,
               const std::vector<float>& values) {
    hid_t space = dims.empty() ? H5Screate(H5S_SCALAR)
                               : H5Screate_simple(int(dims.size()), dims.data(), nullptr);
    hid_t ds = H5Dcreate2(file_, path.c_str(), H5T_IEEE_F32LE, space, lcpl_, H5P_DEFAULT,
                          H5P_DEFAULT);
    EXPECT_GE(ds, 0) << path;
    H5Dwrite(ds, H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data());
    H5Dclose(ds);
    H5Sclose(space);
  }
  // A variable-length UTF-8 string attribute (what h5py writes for str):
  // scalar when `scalar`, else a 1-D array.
  void strings(const std::string& path, const std::string& name,
               const std::vector<std::string>& values, bool scalar = false) {
    hid_t type = H5Tcopy(H5T_C_S1);
    H5Tset_size(type, H5T_VARIABLE);
    H5Tset_cset(type, H5T_CSET_UTF8);
    hsize_t n = values.size();
    hid_t space = scalar ? H5Screate(H5S_SCALAR) : H5Screate_simple(1, &n, nullptr);
    std::vector<const char*> ptrs;
    for (const std::string& v : values) ptrs.push_back(v.c_str());
    hid_t attr = H5Acreate_by_name(file_, path.c_str(), name.c_str(), type, space, H5P_DEFAULT,
                                   H5P_DEFAULT, H5P_DEFAULT);
    EXPECT_GE(attr, 0) << path << " " << name;
    H5Awrite(attr, type, ptrs.data());
    H5Aclose(attr);
    H5Sclose(space);
    H5Tclose(type);
  }
  // A fixed-length byte-string array attribute (what Keras 2 wrote with h5py 2).
  void fixedStrings(const std::string& path, const std::string& name,
                    const std::vector<std::string>& values) {
    size_t width = 1;
    for (const std::string& v : values) width = std::max(width, v.size());
    hid_t type = H5Tcopy(H5T_C_S1);
    H5Tset_size(type, width);
    H5Tset_strpad(type, H5T_STR_NULLPAD);
    hsize_t n = values.size();
    hid_t space = H5Screate_simple(1, &n, nullptr);
    std::string buf(width * values.size(), '\0');
    for (size_t i = 0; i < values.size(); ++i) buf.replace(i * width, values[i].size(), values[i]);
    hid_t attr = H5Acreate_by_name(file_, path.c_str(), name.c_str(), type, space, H5P_DEFAULT,
                                   H5P_DEFAULT, H5P_DEFAULT);
    H5Awrite(attr, type, buf.data());
    H5Aclose(attr);
    H5Sclose(space);
    H5Tclose(type);
  }

 private:
  hid_t file_ = -1;
  hid_t lcpl_ = -1;
};

// A Keras 3 layer entry: {"module", "class_name", "config", "registered_name"}.
inline json layer(const std::string& cls, const std::string& name, json config = json::object()) {
  config["name"] = name;
  config["trainable"] = true;
  config["dtype"] = {{"module", "keras"},
                     {"class_name", "DTypePolicy"},
                     {"config", {{"name", "float32"}}},
                     {"registered_name", nullptr}};
  return {{"module", "keras.layers"}, {"class_name", cls}, {"config", config},
          {"registered_name", nullptr}};
}

inline json inputLayer(const std::string& name, const std::vector<json>& batchShape) {
  return {{"module", "keras.layers"},
          {"class_name", "InputLayer"},
          {"config", {{"batch_shape", batchShape}, {"dtype", "float32"}, {"sparse", false},
                      {"name", name}}},
          {"registered_name", nullptr}};
}

inline json sequential(const std::vector<json>& layers) {
  return {{"module", "keras"}, {"class_name", "Sequential"},
          {"config", {{"name", "sequential"}, {"trainable", true}, {"layers", layers}}},
          {"registered_name", nullptr}};
}

// A Keras 3 functional inbound node reading `sources` (one tensor each).
inline json kerasNode(const std::vector<std::string>& sources) {
  json tensors = json::array();
  for (const std::string& s : sources)
    tensors.push_back({{"class_name", "__keras_tensor__"},
                       {"config", {{"shape", nullptr}, {"dtype", "float32"},
                                   {"keras_history", {s, 0, 0}}}}});
  json args = sources.size() == 1 ? tensors : json::array({tensors});
  return json::array({{{"args", args}, {"kwargs", json::object()}}});
}

// Writes a Keras 3 weights file: for each (group key, layer name, weights)
// /layers/<key>/vars/<i> plus the vars group's name attribute.
struct VarsEntry {
  std::string key;
  std::string layerName;
  std::vector<std::pair<std::vector<hsize_t>, std::vector<float>>> vars;
};
inline void writeKeras3Weights(const std::string& path, const std::vector<VarsEntry>& entries) {
  H5Writer h5(path);
  h5.group("/layers");
  h5.group("/vars");
  for (const VarsEntry& e : entries) {
    std::string vars = "/layers/" + e.key + "/vars";
    h5.group(vars);
    h5.strings(vars, "name", {e.layerName}, /*scalar=*/true);
    for (size_t i = 0; i < e.vars.size(); ++i)
      h5.dataset(vars + "/" + std::to_string(i), e.vars[i].first, e.vars[i].second);
  }
}

// Zips config.json and model.weights.h5 (read from `weightsPath`) into a
// .keras archive at `path`; `skip` leaves one member out.
inline std::string writeKerasArchive(const TempDir& dir, const std::string& name,
                                     const json& config, const std::string& weightsPath,
                                     const std::string& skip = "") {
  std::vector<ZipMember> members;
  members.push_back({"metadata.json", R"({"keras_version": "3.15.1"})"});
  if (skip != "config.json") members.push_back({"config.json", config.dump()});
  if (skip != "model.weights.h5") members.push_back({"model.weights.h5", readAll(weightsPath)});
  auto zip = writeZipStored(members);
  EXPECT_TRUE(zip.ok());
  return dir.write(name, *zip);
}

// Deterministic test values in [-1, 1).
inline std::vector<float> values(size_t n, int seed) {
  std::vector<float> v(n);
  uint32_t s = uint32_t(seed) * 2654435761u + 1;
  for (float& x : v) {
    s = s * 1664525u + 1013904223u;
    x = float(s >> 8) / float(1 << 24) * 2.0f - 1.0f;
  }
  return v;
}

// The small Sequential model the error tests corrupt: an input [None, 4]
// and one Dense layer "dense" (linear, with bias).
inline json denseModel(int units = 3) {
  return sequential({inputLayer("input_layer", {nullptr, 4}),
                     layer("Dense", "dense", {{"units", units}, {"activation", "linear"},
                                              {"use_bias", true}})});
}

// Loads `path` with stderr captured: the load must fail with every one of
// `parts` in its message, and nothing (no HDF5 or libzip text) may be printed.
inline void expectError(const std::string& path, const std::vector<std::string>& parts) {
  ::testing::internal::CaptureStderr();
  auto r = keras::loadKeras(path);
  std::string printed = ::testing::internal::GetCapturedStderr();
  EXPECT_TRUE(failsWith(r.status(), parts));
  EXPECT_EQ(printed, "");
}

}  // namespace dlc::testing
