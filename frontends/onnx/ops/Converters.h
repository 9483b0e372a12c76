// The ONNX op converters, grouped by kind (one .cpp per group), and the
// small helpers they share. ConverterTable.cpp maps ONNX op types to these.
//
// Every converter reads one ONNX node through ImportContext and emits core
// ops (ir/Ops.def). Unsupported attribute values are kUnsupported errors
// naming the attribute; nothing is guessed.
//
// What this deliberately does not do: it owns no table and no protobuf; the
// import driver binds graph inputs/outputs and folds shape values.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "frontends/onnx/Converter.h"
#include "ir/Graph.h"

namespace dlc::onnxfe::ops {

// ---- Helpers (Helpers.cpp) ----
// Input i, which must be present.
StatusOr<ir::Node*> required(ImportContext& ctx, int i);
// `x` cast to `dtype` (x itself when it already has it).
StatusOr<ir::Node*> castTo(ImportContext& ctx, ir::Node* x, ir::DType dtype,
                           std::string_view suffix = "cast");
// `x` reshaped to `dims` (ir::kBatch entries stand for N).
StatusOr<ir::Node*> reshapeTo(ImportContext& ctx, ir::Node* x, const std::vector<int64_t>& dims,
                              std::string_view suffix = "reshape");
// A scalar of x's dtype.
ir::Node* scalarLike(ImportContext& ctx, const ir::Node* x, double value);
// Normalizes `axis` against `rank` (error naming `attr` when out of range).
StatusOr<int> axisOf(ImportContext& ctx, int64_t axis, int rank, std::string_view attr);
// Axes from attribute `name` (below `inputOpset`) or input `inputIndex`
// (from `inputOpset`); `present` tells whether any were given.
StatusOr<std::vector<int64_t>> axesAttrOrInput(ImportContext& ctx, std::string_view name,
                                               int64_t inputOpset, int inputIndex, bool* present);
// The most elements of an index, mask or table constant a converter builds
// from the input's extents (iota, Trilu mask, CumSum triangle, EyeLike,
// Range): 64M, so a hostile extent is an error, not a huge allocation.
constexpr int64_t kMaxHelperElements = int64_t(1) << 26;
// A zeroed `dtype[dims]` tensor for such a constant; an error naming `what`
// when an extent is the batch N or negative, or there are more than
// kMaxHelperElements elements.
StatusOr<Tensor> helperTensor(ImportContext& ctx, ir::DType dtype,
                              const std::vector<int64_t>& dims, std::string_view what);
// Outputs beyond the first must be unused (error naming the output).
Status onlyFirstOutput(ImportContext& ctx);
// Explicit pads [begin..., end...] of a convolution or pooling window over
// `in` (spatial extents) from the auto_pad and pads attributes.
StatusOr<std::vector<int64_t>> windowPads(ImportContext& ctx, const std::vector<int64_t>& in,
                                          const std::vector<int64_t>& kernel,
                                          const std::vector<int64_t>& strides,
                                          const std::vector<int64_t>& dilations);

// A builder for multi-op decompositions: each call emits one core op; the
// first failure is kept and every later call returns nullptr, so a
// converter checks once, at finish().
class Builder {
 public:
  explicit Builder(ImportContext& ctx) : ctx_(ctx) {}
  ir::Node* op(ir::OpKind kind, std::vector<ir::Node*> inputs, ir::Attributes attrs = {});
  ir::Node* add(ir::Node* a, ir::Node* b) { return op(ir::OpKind::Add, {a, b}); }
  ir::Node* sub(ir::Node* a, ir::Node* b) { return op(ir::OpKind::Sub, {a, b}); }
  ir::Node* mul(ir::Node* a, ir::Node* b) { return op(ir::OpKind::Mul, {a, b}); }
  ir::Node* div(ir::Node* a, ir::Node* b) { return op(ir::OpKind::Div, {a, b}); }
  ir::Node* max(ir::Node* a, ir::Node* b) { return op(ir::OpKind::Maximum, {a, b}); }
  ir::Node* min(ir::Node* a, ir::Node* b) { return op(ir::OpKind::Minimum, {a, b}); }
  ir::Node* select(ir::Node* c, ir::Node* a, ir::Node* b) {
    return op(ir::OpKind::Select, {c, a, b});
  }
  ir::Node* unary(ir::OpKind kind, ir::Node* x) { return op(kind, {x}); }
  // A scalar constant of x's dtype.
  ir::Node* c(const ir::Node* x, double value);
  ir::Node* reshape(ir::Node* x, const std::vector<int64_t>& dims);
  ir::Node* transpose(ir::Node* x, const std::vector<int64_t>& perm);
  // reduce op over `axes` with keepdims.
  ir::Node* reduce(ir::OpKind kind, ir::Node* x, const std::vector<int64_t>& axes, bool keepdims);
  ir::Node* cast(ir::Node* x, ir::DType dtype);
  const Status& status() const { return status_; }
  // Binds output `i` to `y`, or returns the first failure.
  Status finish(int i, ir::Node* y);

 private:
  ir::Node* check(StatusOr<ir::Node*> r);
  ImportContext& ctx_;
  Status status_;
  int counter_ = 0;
};

// ---- Elementwise.cpp ----
Status unary(ImportContext& ctx, ir::OpKind op, ir::Attributes attrs = {});
// Binary with ONNX broadcasting; u8 operands of integer ops compute in i32.
Status binary(ImportContext& ctx, ir::OpKind op);
// Sum / Max / Min over any number of inputs.
Status variadic(ImportContext& ctx, ir::OpKind op);
Status convertMean(ImportContext& ctx);
Status convertPow(ImportContext& ctx);
Status convertXor(ImportContext& ctx);
Status convertWhere(ImportContext& ctx);
Status convertIsNaN(ImportContext& ctx);
Status convertIsInf(ImportContext& ctx);
Status convertSign(ImportContext& ctx);
Status convertMod(ImportContext& ctx);
Status convertCast(ImportContext& ctx);
Status convertCastLike(ImportContext& ctx);
Status convertClip(ImportContext& ctx);
Status convertIdentity(ImportContext& ctx);
Status convertDropout(ImportContext& ctx);

// ---- Activations.cpp ----
Status convertLeakyRelu(ImportContext& ctx);
Status convertGelu(ImportContext& ctx);
Status convertHardSigmoid(ImportContext& ctx);
Status convertHardSwish(ImportContext& ctx);
Status convertSoftplus(ImportContext& ctx);
Status convertSoftsign(ImportContext& ctx);
Status convertElu(ImportContext& ctx);
Status convertSelu(ImportContext& ctx);
Status convertCelu(ImportContext& ctx);
Status convertPRelu(ImportContext& ctx);
Status convertThresholdedRelu(ImportContext& ctx);
Status convertMish(ImportContext& ctx);
Status convertShrink(ImportContext& ctx);
Status convertSoftmax(ImportContext& ctx);
Status convertLogSoftmax(ImportContext& ctx);

// ---- Contraction.cpp ----
Status convertMatMul(ImportContext& ctx);
Status convertGemm(ImportContext& ctx);
Status convertConv(ImportContext& ctx);

// ---- Pooling.cpp ----
Status convertMaxPool(ImportContext& ctx);
Status convertAveragePool(ImportContext& ctx);
Status convertGlobalAveragePool(ImportContext& ctx);
Status convertGlobalMaxPool(ImportContext& ctx);

// ---- Normalization.cpp ----
Status convertBatchNormalization(ImportContext& ctx);
Status convertLayerNormalization(ImportContext& ctx);
Status convertInstanceNormalization(ImportContext& ctx);
Status convertMeanVarianceNormalization(ImportContext& ctx);

// ---- ShapeOps.cpp ----
Status convertReshape(ImportContext& ctx);
Status convertFlatten(ImportContext& ctx);
Status convertTranspose(ImportContext& ctx);
Status convertConcat(ImportContext& ctx);
Status convertSlice(ImportContext& ctx);
Status convertPad(ImportContext& ctx);
Status convertSqueeze(ImportContext& ctx);
Status convertUnsqueeze(ImportContext& ctx);
Status convertExpand(ImportContext& ctx);

// ---- Reductions.cpp ----
// kind: the ONNX reduction (ReduceSum, ReduceL2, ...).
Status reduce(ImportContext& ctx, std::string_view kind);

// ---- Indexing.cpp ----
Status convertArgMax(ImportContext& ctx);
Status convertArgMin(ImportContext& ctx);
Status convertHardmax(ImportContext& ctx);
Status convertOneHot(ImportContext& ctx);
Status convertTrilu(ImportContext& ctx);
Status convertCumSum(ImportContext& ctx);
Status convertSize(ImportContext& ctx);

// ---- Losses.cpp ----
Status convertNegativeLogLikelihoodLoss(ImportContext& ctx);
Status convertSoftmaxCrossEntropyLoss(ImportContext& ctx);

// ---- Misc.cpp ----
Status convertGather(ImportContext& ctx);
Status convertSplit(ImportContext& ctx);
Status convertTile(ImportContext& ctx);
Status convertRange(ImportContext& ctx);
Status convertDepthToSpace(ImportContext& ctx);
Status convertSpaceToDepth(ImportContext& ctx);
Status convertEyeLike(ImportContext& ctx);

}  // namespace dlc::onnxfe::ops
