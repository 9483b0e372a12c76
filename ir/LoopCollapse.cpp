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
  // groups[g] = [first, last] dims of outDims.
  std::vector<std::pair<size_t, size_t>> groups;
  for (size_t i = 0; i < r; ++i) {
    bool merge = !groups.empty() && outDims[i] != kBatch && outDims[i - 1] != kBatch;
    for (size_t k = 0; merge && k < all.size(); ++k) {
      bool prevFull = all[k][i - 1] == outDims[i - 1], prevOne = all[k][i - 1] == 1;
      bool curFull = all[k][i] == outDims[i], curOne = all[k][i] == 1;
      if (!((prevFull && curFull) || (prevOne && curOne))) merge = false;
    }
    if (merge)
      groups.back().second = i;
    else
      groups.push_back({i, i});
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
