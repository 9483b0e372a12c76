// Weight files a model's constants point at: .npy, .npz and .safetensors.
//
// Paths are resolved inside the model folder (support/SafePath.h), and each
// file is read and decoded once per model load however many constants use it
// (the cache is keyed by the file's canonical path).
//
// What this deliberately does not do: check the tensor against the constant's
// declared dtype and shape (Constants.cpp does), or keep files open.
#pragma once

#include <map>
#include <optional>
#include <string>

#include "frontends/json/ModelFields.h"
#include "support/Tensor.h"

namespace dlc::json {

class WeightStore {
 public:
  explicit WeightStore(std::string folder) : folder_(std::move(folder)) {}

  // The tensor stored under `key` in `file` (relative to the model folder).
  // A .npy file holds one tensor and takes no key. Errors are prefixed with
  // `where` (the constant's JSON path).
  StatusOr<Tensor> get(const std::string& file, const std::string& key, bool hasKey,
                       const Where& where);

  // How many weight files were read from disk so far.
  int filesRead() const { return filesRead_; }

 private:
  std::string folder_;
  std::map<std::string, std::map<std::string, Tensor>> archives_;  // canonical path -> tensors
  int filesRead_ = 0;
};

}  // namespace dlc::json
