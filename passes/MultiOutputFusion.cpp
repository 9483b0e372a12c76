// Sibling merging for the Fusion pass (see MultiOutputFusion.h).
#include "passes/MultiOutputFusion.h"

namespace dlc::passes {

namespace {

// Tries every pair of groups reading `shared`; merges the first pair that
// may merge. Returns whether it merged one.
bool mergeOnePair(const ir::Node& shared, FusionGroups& groups, const FusionPolicy& policy) {
  std::vector<int> readers = groups.consumerGroups(&shared, groups.groupOf(&shared));
  for (size_t i = 0; i < readers.size(); ++i) {
    for (size_t j = i + 1; j < readers.size(); ++j) {
      const FusionGroup& a = groups.group(readers[i]);
      const FusionGroup& b = groups.group(readers[j]);
      SiblingState state;
      state.kindA = a.kind;
      state.kindB = b.kind;
      state.deviceA = a.device;
      state.deviceB = b.device;
      state.sameIterationSpace = a.space == b.space;
      state.numParams = groups.paramsIfMerged(a.id, b.id);
      if (a.root && b.root) continue;  // one root per kernel
      if (!policy.shouldMergeSiblings(shared, state)) continue;
      if (groups.dependent(a.id, b.id)) continue;
      groups.mergeGroups(std::min(a.id, b.id), std::max(a.id, b.id));
      return true;
    }
  }
  return false;
}

}  // namespace

int mergeSiblingGroups(const ir::Graph& graph, FusionGroups& groups, const FusionPolicy& policy) {
  int merges = 0;
  for (const auto& owned : graph.nodes())
    while (mergeOnePair(*owned, groups, policy)) ++merges;
  return merges;
}

}  // namespace dlc::passes
