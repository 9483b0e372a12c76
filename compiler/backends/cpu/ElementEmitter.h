// Computes the value of a kernel member at a multi-index of its own shape.
//
// emit(node, index) walks the node's operands: elementwise ops map the index
// through NumPy broadcasting (size-1 dims read index 0), index remaps turn
// it into the operand's index (reshape/flatten: linearise + delinearise;
// transpose: permute; slice: start + i·step; pad: clamp + select with the pad
// value; concat: select over the pieces; broadcast_to: broadcasting; gather:
// the index along `axis` is loaded from the indices operand), values
// from outside the kernel (params) are loaded from their buffers (constants
// whose elements are all equal become IR constants instead), and nodes
// with a provider (a reduction result, a contraction accumulator, a row
// value) come from the provider. Results are memoised per (node, index,
// width) until forget(), which emitters call at the start of every loop body
// (a value from one body does not dominate the next).
//
// With width > 1 the index names the first of `width` consecutive elements
// along the last dim and the result is a vector; elementwise ops and params
// stay vectors (a size-1 last dim is splatted), so do reshapes and flattens
// of elementwise chains without broadcasting (the lanes stay consecutive in
// row-major order); other index remaps fall back to one scalar evaluation
// per lane. It emits no loops and no stores except
// store().
#pragma once

#include <functional>
#include <map>
#include <unordered_map>
#include <vector>

#include <llvm/ADT/ArrayRef.h>
#include <llvm/IR/Constants.h>
#include <llvm/IR/Value.h>

#include "compiler/backends/cpu/EmitContext.h"
#include "ir/Graph.h"

namespace dlc::cpu {

class ElementEmitter {
 public:
  using Provider =
      std::function<llvm::Value*(llvm::ArrayRef<llvm::Value*> index, unsigned width)>;

  explicit ElementEmitter(EmitContext& ctx) : ctx_(ctx) {}

  // Whether `node` can be computed here: an elementwise op or index remap
  // with a lowering for its dtypes. Errors name the node.
  static Status checkSupported(const ir::Node& node);

  // `node`'s value comes from `provider` instead of its op.
  void provide(const ir::Node* node, Provider provider) { providers_[node] = std::move(provider); }
  // Index `node` in `dims` instead of its type's dims (LoopEmitter's
  // collapsed view; the element order must be the same).
  void setDims(const ir::Node* node, std::vector<int64_t> dims) { dims_[node] = std::move(dims); }
  const std::vector<int64_t>& dimsOf(const ir::Node* node) const;

  llvm::Value* emit(const ir::Node* node, llvm::ArrayRef<llvm::Value*> index, unsigned width = 1);
  // Stores `value` (compute type) at `index` of `node`'s output buffer.
  void store(const ir::Node* node, llvm::ArrayRef<llvm::Value*> index, llvm::Value* value,
             unsigned width = 1);
  // Row-major linear offset of `index` in `node`'s dims.
  llvm::Value* offsetOf(const ir::Node* node, llvm::ArrayRef<llvm::Value*> index);
  void forget() {
    memo_.clear();
    linearOf_.clear();
  }

  // True for nodes computed inside this kernel (not loaded from a param).
  bool isMember(const ir::Node* node) const;

 private:
  using Key = std::tuple<const ir::Node*, std::vector<llvm::Value*>, unsigned>;

  llvm::Value* compute(const ir::Node* node, llvm::ArrayRef<llvm::Value*> index, unsigned width);
  // The single value of a constant node whose elements are all equal, as an
  // IR constant of its compute type; nullptr for any other node.
  llvm::Constant* splatConstant(const ir::Node* node);
  llvm::Value* perLane(const ir::Node* node, llvm::ArrayRef<llvm::Value*> index, unsigned width);
  // An operand's value for a consumer of dims `outDims` under broadcasting.
  llvm::Value* operand(const ir::Node* input, const std::vector<int64_t>& outDims,
                       llvm::ArrayRef<llvm::Value*> index, unsigned width);
  // width > 1 only for reshape/flatten whose input keepsLanesLinear.
  llvm::Value* remap(const ir::Node* node, llvm::ArrayRef<llvm::Value*> index, unsigned width);
  // Whether `node`'s value for lanes consecutive in row-major order can be
  // emitted as one vector: params, and elementwise members (and reshapes or
  // flattens) whose operands have the node's dims or are scalars.
  bool keepsLanesLinear(const ir::Node* node) const;
  std::vector<llvm::Value*> delinearize(llvm::Value* linear, const std::vector<int64_t>& dims);
  llvm::Value* linearize(llvm::ArrayRef<llvm::Value*> index, const std::vector<int64_t>& dims);

  EmitContext& ctx_;
  std::unordered_map<const ir::Node*, Provider> providers_;
  std::unordered_map<const ir::Node*, std::vector<int64_t>> dims_;
  std::map<Key, llvm::Value*> memo_;
  // The linear offset a reshape/flatten delinearised into (index, dims), so
  // that linearising that index again (a load of a param through a flatten)
  // gives the offset back instead of a chain of udiv/urem LLVM cannot fold.
  std::map<std::pair<std::vector<llvm::Value*>, std::vector<int64_t>>, llvm::Value*> linearOf_;
  std::unordered_map<const ir::Node*, llvm::Constant*> splats_;
};

}  // namespace dlc::cpu
