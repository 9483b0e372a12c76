// Renders the value of a kernel member at a multi-index of its own shape, as
// CUDA C++: the text counterpart of the CPU backend's ElementEmitter, with the
// same rules (docs/ops.md; compiler/backends/cpu/ElementEmitter.h):
// elementwise ops map the index through NumPy broadcasting; index remaps
// (reshape/flatten, transpose, slice, pad, concat, broadcast_to, gather) turn it
// into the operand's index; params are loaded from their buffers (constants
// whose elements are all equal become literals); nodes with a provider (a
// reduction result, an accumulator, a row value) come from the provider.
//
// emit() writes `const <type> vN = ...;` declarations into the context's
// writer and returns the local's name; results are memoised per (node,
// index text) until forget(), which renderers call at the start of every
// scope that the next use does not share. Values compute in float for
// f32/f16/bf16 (rounded to f16/bf16 after every op, as the reference does),
// in the integer type for integers and in bool for bool.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <unordered_map>
#include <vector>

#include "compiler/backends/cuda/RenderContext.h"
#include "ir/Graph.h"

namespace dlc::cuda {

class ElementRenderer {
 public:
  // Returns a C expression for `node` at `index` (one C expression per dim).
  using Provider = std::function<std::string(const std::vector<std::string>& index)>;

  explicit ElementRenderer(RenderContext& ctx) : ctx_(ctx) {}

  // Whether `node` can be computed here: an elementwise op or index remap
  // with a CUDA lowering for its dtypes. Errors name the node.
  static Status checkSupported(const ir::Node& node);

  void provide(const ir::Node* node, Provider provider) { providers_[node] = std::move(provider); }
  // Index `node` in `dims` instead of its type's dims (a collapsed view with
  // the same element order).
  void setDims(const ir::Node* node, std::vector<int64_t> dims) { dims_[node] = std::move(dims); }
  const std::vector<int64_t>& dimsOf(const ir::Node* node) const;

  // The name of a local holding `node` at `index` (compute type).
  std::string emit(const ir::Node* node, const std::vector<std::string>& index);
  // Writes `value` (compute type) to `node`'s output buffer at `index`.
  void store(const ir::Node* node, const std::vector<std::string>& index,
             const std::string& value);
  // Row-major linear offset of `index` in `node`'s dims (a C expression).
  std::string offsetOf(const ir::Node* node, const std::vector<std::string>& index);
  // Splits a linear offset into one index expression per dim (writes locals).
  std::vector<std::string> delinearize(const std::string& linear,
                                       const std::vector<int64_t>& dims);
  void forget() { memo_.clear(); }

  bool isMember(const ir::Node* node) const;
  // The C type values of `dtype` compute in ("float", "int", "long long",
  // "bool", "unsigned char") and the one they are stored as ("__half",
  // "__nv_bfloat16", "float", ...).
  static std::string computeType(ir::DType dtype);
  static std::string storageType(ir::DType dtype);

 private:
  std::string compute(const ir::Node* node, const std::vector<std::string>& index);
  // An operand's value for a consumer of dims `outDims` under broadcasting.
  std::string operand(const ir::Node* input, const std::vector<int64_t>& outDims,
                      const std::vector<std::string>& index);
  std::string remap(const ir::Node* node, const std::vector<std::string>& index);
  // A local holding `value` clamped to [0, hi].
  std::string clampedLocal(const std::string& value, int64_t hi);

  RenderContext& ctx_;
  std::unordered_map<const ir::Node*, Provider> providers_;
  std::unordered_map<const ir::Node*, std::vector<int64_t>> dims_;
  std::map<std::pair<const ir::Node*, std::string>, std::string> memo_;
};

}  // namespace dlc::cuda
