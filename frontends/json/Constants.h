// The "constants" section of a dlc model: inline values and weight files.
//
// A constant declares name, dtype and shape (no batch symbol), and gets its
// data from exactly one of:
//   "value": a scalar (splatted to the shape), a nested list matching the
//            shape, or a flat list of exactly shape's element count;
//   "file" (+ "key"): a tensor in a .npy / .npz / .safetensors file inside
//            the model folder. "key" defaults to the constant's name for .npz
//            and .safetensors; a .npy file takes none.
// Stored tensors must match the declared dtype and shape exactly: dlc never
// converts or reshapes weights behind the user's back.
//
// What this deliberately does not do: fold, deduplicate or validate the values
// (NaN weights load as NaN).
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "frontends/json/ModelFields.h"
#include "frontends/json/WeightStore.h"
#include "support/Tensor.h"

namespace dlc::json {

// Largest tensor an inline "value" may describe (a splatted scalar or a list);
// checked, with the nested list's shape at every level, before allocating.
constexpr uint64_t kMaxInlineBytes = uint64_t(1) << 30;

struct ConstantEntry {
  std::string name;
  Tensor value;
};

// Reads one entry of "constants" (`where` is its JSON path).
StatusOr<ConstantEntry> readConstant(const nlohmann::json& entry, WeightStore& weights,
                                     const Where& where);

// Builds a tensor of `dtype` and `shape` from an inline JSON value.
StatusOr<Tensor> tensorFromValue(const nlohmann::json& value, ir::DType dtype,
                                 const ir::Shape& shape, const Where& where);

}  // namespace dlc::json
