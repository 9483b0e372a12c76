// Loop dim collapsing. See LoopCollapse.h.
#include "ir/LoopCollapse.h"

#include <algorithm>
#include <utility>

#include "ir/Op.h"

namespace dlc::ir {

CollapsedDims collapseDims(const std::vector<int64_t>& outDims,
                           const std::vector<const Node*>& nodes) {
  size_t r = outDims.size();
  auto aligned = [&](const Node* n) {
    std::vector<int64_t> a(r, 1);
    const std::vector<int64_t>& d = n->type.shape.dims();
    std::copy(d.begin(), d.end(), a.begin() + long(r - d.size()));
    return a;
  };
  std::vector<std::vector<int64_t>> all;
  for (const Node* n : nodes) all.push_back(aligned(n));
  // groups[g] = [first, last] dims of outDims. Each member reads a group
  // either whole (its extents equal the output's) or not at all (extents 1);
  // `reads[k]` is how member k reads the open group, 0 while the group holds
  // only output extents of 1, which every member reads both ways. Comparing
  // with the whole group, not just the previous dim, matters: [1,5] against
  // [3,1,5] reads dim 0 broadcast and dim 2 whole, and the extent-1 dim
  // between them must not join the two.
  enum Read { kEither = 0, kWhole, kBroadcast };
  std::vector<std::pair<size_t, size_t>> groups;
  std::vector<Read> reads(all.size(), kEither);
  bool groupHasBatch = false;
  for (size_t i = 0; i < r; ++i) {
    bool isBatch = outDims[i] == kBatch;
    std::vector<Read> cur(all.size(), kEither);
    for (size_t k = 0; k < all.size(); ++k)
      if (outDims[i] != 1) cur[k] = all[k][i] == outDims[i] ? kWhole : kBroadcast;
    bool merge = !groups.empty() && !isBatch && !groupHasBatch;
    for (size_t k = 0; merge && k < all.size(); ++k)
      if (reads[k] != kEither && cur[k] != kEither && reads[k] != cur[k]) merge = false;
    if (merge) {
      groups.back().second = i;
      for (size_t k = 0; k < all.size(); ++k)
        if (reads[k] == kEither) reads[k] = cur[k];
    } else {
      groups.push_back({i, i});
      reads = cur;
      groupHasBatch = isBatch;
    }
  }
  // A group with the batch dim is that dim alone: it stays kBatch.
  auto view = [&](const std::vector<int64_t>& a) {
    std::vector<int64_t> v;
    for (auto [f, l] : groups) {
      int64_t p = 1;
      for (size_t i = f; i <= l; ++i) p = a[i] == kBatch ? kBatch : p * a[i];
      v.push_back(p);
    }
    return v;
  };
  CollapsedDims result;
  result.output = view(outDims);
  for (size_t k = 0; k < nodes.size(); ++k) result.nodes[nodes[k]] = view(all[k]);
  return result;
}

bool isCollapsible(const Kernel& kernel) {
  for (const Node* n : kernel.nodes)
    if (!(isElementwise(n->op) || n->op == OpKind::BroadcastTo) || n->op == OpKind::BatchNorm)
      return false;
  return true;
}

}  // namespace dlc::ir
