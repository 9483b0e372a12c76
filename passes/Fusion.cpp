// The Fusion pass: grouping driver and structural rules (see Fusion.h).
#include "passes/Fusion.h"

#include <algorithm>

#include "passes/FusionGroups.h"
#include "passes/MultiOutputFusion.h"

namespace dlc::passes {

namespace {

class Fuser {
 public:
  Fuser(ir::Graph& graph, const FusionPolicy& policy)
      : graph_(graph), policy_(policy), groups_(graph) {}

  FusionGroups& groups() { return groups_; }
  const FusionLog& log() const { return log_; }

  // Step 1: roots absorb their epilogue consumers.
  void fuseEpilogues(const std::vector<ir::Node*>& order);
  // Step 2: producers join their consumers' kernels, consumers first.
  void fuseProducers(const std::vector<ir::Node*>& order);

 private:
  FusionDecision checkEpilogue(ir::Node* member, ir::Node* user, int gid) const;
  FusionDecision checkJoin(ir::Node* producer, int gid, bool asOutput, bool asClone) const;
  void fuseProducer(ir::Node* producer);
  void fuseIntoSeveral(ir::Node* producer, const std::vector<int>& consumers);
  void explainAnchored(ir::Node* producer, int gid);
  // Records `reason` for every user of `producer` in kernel `gid`: the log
  // explains each producer -> consumer edge that crosses kernels, and a
  // producer may feed several nodes of one kernel (a root and its epilogue).
  void refuse(const ir::Node* producer, int gid, const std::string& reason) {
    for (const ir::Node* user : groups_.users(producer))
      if (groups_.groupOf(user) == gid) log_.record(producer, user, reason);
  }
  FusionRole producerRole(int gid) const {
    return groups_.group(gid).kind == ir::KernelKind::Loop ? FusionRole::Loop
                                                           : FusionRole::Producer;
  }

  ir::Graph& graph_;
  const FusionPolicy& policy_;
  FusionGroups groups_;
  FusionLog log_;
};

std::string cycleReason(const ir::Node& producer, const ir::Node& consumer) {
  return strCat("would create a cycle between kernels: another path from ", producer.name,
                " to ", consumer.name, " leaves the kernel");
}

void Fuser::fuseEpilogues(const std::vector<ir::Node*>& order) {
  for (ir::Node* root : order) {
    int gid = groups_.groupOf(root);
    if (gid < 0 || groups_.group(gid).root != root) continue;
    std::vector<ir::Node*> work{root};
    for (size_t i = 0; i < work.size(); ++i) {
      for (ir::Node* user : groups_.users(work[i])) {
        if (groups_.groupOf(user) == gid) continue;
        FusionDecision d = checkEpilogue(work[i], user, gid);
        if (!d) {
          log_.record(work[i], user, d.reason);
          continue;
        }
        groups_.addToGroup(user, gid, FusionRole::Epilogue);
        work.push_back(user);
      }
    }
  }
}

FusionDecision Fuser::checkEpilogue(ir::Node* member, ir::Node* user, int gid) const {
  const FusionGroup& g = groups_.group(gid);
  FusionState state;
  state.kind = g.kind;
  state.root = g.root;
  state.epilogue = true;
  state.numParams = groups_.paramsIfMerged(gid, groups_.groupOf(user));
  state.numConsumerKernels = int(groups_.consumerGroups(member, gid).size());
  state.producerIsOutput = graph_.isOutput(member);
  FusionDecision d = policy_.shouldFuseProducer(*member, *user, state);
  if (!d) return d;
  if (rootKindOf(user->op))
    return FusionDecision::no(strCat(user->name, " roots its own kernel; a kernel has one root (",
                                     g.root->name, ")"));
  if (!groups_.isSingleton(user))
    return FusionDecision::no(strCat(user->name, " already belongs to another kernel"));
  const bool remap = isLayoutRemap(user->op);
  if (remap && !(ElementCount::of(user->type) == ElementCount::of(g.root->type)))
    return FusionDecision::no(strCat("it has ", ElementCount::of(user->type).str(),
                                     " elements, but ", g.root->name, " has ",
                                     ElementCount::of(g.root->type).str(), ": not an epilogue"));
  if (!remap && user->type.shape != g.root->type.shape)
    return FusionDecision::no(strCat("its shape ", user->type.shape.str(), " is not the shape ",
                                     g.root->type.shape.str(), " of ", g.root->name,
                                     ": not an epilogue"));
  for (const ir::Node* in : user->inputs) {
    if (groups_.groupOf(in) != gid) continue;
    if (groups_.role(in) == FusionRole::Producer)
      return FusionDecision::no(strCat(user->name, " reads ", in->name,
                                       ", a producer of the root: not an epilogue"));
    if (!remap && isLayoutRemap(in->op))
      return FusionDecision::no(strCat(user->name, " reads ", in->name, ", which ",
                                       g.root->name, "'s epilogue only stores (", in->name,
                                       " is a ", ir::opName(in->op),
                                       "): a remap ends the epilogue"));
  }
  if (remap)
    for (const ir::Node* u : groups_.users(user))
      if (groups_.groupOf(u) == gid)
        return FusionDecision::no(strCat(u->name, " is already in the epilogue of ", g.root->name,
                                         " and reads ", user->name,
                                         ": a remap ends the epilogue, nothing may read it there"));
  if (groups_.mergeCreatesCycle(groups_.groupOf(user), gid))
    return FusionDecision::no(cycleReason(*member, *user));
  return FusionDecision::yes();
}

FusionDecision Fuser::checkJoin(ir::Node* producer, int gid, bool asOutput, bool asClone) const {
  const FusionGroup& g = groups_.group(gid);
  ir::Node* consumer = groups_.firstUserIn(producer, gid);
  FusionState state;
  state.kind = g.kind;
  state.root = g.root;
  state.numParams = asClone ? groups_.paramsIfMerged(gid, -1, producer)
                            : groups_.paramsIfMerged(gid, groups_.groupOf(producer));
  state.numConsumerKernels = int(groups_.consumerGroups(producer).size());
  state.producerIsOutput = asOutput;
  FusionDecision d = policy_.shouldFuseProducer(*producer, *consumer, state);
  if (!d) return d;
  if (rootKindOf(producer->op))
    return FusionDecision::no(strCat(producer->name, " roots its own kernel: it cannot join the "
                                     "kernel of ", consumer->name));
  for (const ir::Node* user : groups_.users(producer))
    if (groups_.groupOf(user) == gid && groups_.role(user) == FusionRole::Epilogue)
      return FusionDecision::no(strCat("it would feed the epilogue of ", g.root->name,
                                       "; epilogue operands come from outside the kernel"));
  ElementCount count = ElementCount::of(producer->type);
  if (asOutput && !(count == g.space))
    return FusionDecision::no(strCat("it stays materialized with ", count.str(),
                                     " elements, but the kernel of ", consumer->name,
                                     " writes outputs of ", g.space.str(), " elements"));
  if (!asClone && groups_.mergeCreatesCycle(groups_.groupOf(producer), gid))
    return FusionDecision::no(cycleReason(*producer, *consumer));
  return FusionDecision::yes();
}

void Fuser::fuseProducers(const std::vector<ir::Node*>& order) {
  for (auto it = order.rbegin(); it != order.rend(); ++it)
    if (!ir::isSource((*it)->op)) fuseProducer(*it);
}

void Fuser::explainAnchored(ir::Node* producer, int gid) {
  FusionDecision d = checkJoin(producer, gid, /*asOutput=*/true, /*asClone=*/false);
  if (!d) {
    refuse(producer, gid, d.reason);
    return;
  }
  const FusionGroup& own = groups_.group(groups_.groupOf(producer));
  refuse(producer, gid,
         own.root ? strCat("it is already fused as the epilogue of ", own.root->name)
                  : std::string("it already belongs to another kernel"));
}

void Fuser::fuseProducer(ir::Node* producer) {
  int own = groups_.groupOf(producer);
  std::vector<int> consumers = groups_.consumerGroups(producer, own);
  if (consumers.empty()) return;
  if (groups_.role(producer) != FusionRole::Loop || !groups_.isSingleton(producer)) {
    for (int gid : consumers) explainAnchored(producer, gid);
    return;
  }
  if (consumers.size() > 1) {
    fuseIntoSeveral(producer, consumers);
    return;
  }
  int gid = consumers.front();
  FusionDecision d = checkJoin(producer, gid, /*asOutput=*/graph_.isOutput(producer),
                               /*asClone=*/false);
  if (d)
    groups_.addToGroup(producer, gid, producerRole(gid));
  else
    refuse(producer, gid, d.reason);
}

void Fuser::fuseIntoSeveral(ir::Node* producer, const std::vector<int>& consumers) {
  FusionDecision dup = policy_.shouldDuplicate(*producer, int(consumers.size()));
  // Whether each consumer kernel could take a private copy of the producer.
  std::vector<FusionDecision> copy;
  for (int gid : consumers)
    copy.push_back(checkJoin(producer, gid, /*asOutput=*/false, /*asClone=*/true));

  int home = -1;  // the consumer kernel that takes the original
  if (dup) {
    bool allAccept = std::all_of(copy.begin(), copy.end(), [](auto& d) { return d.fuse; });
    bool needOriginal = graph_.isOutput(producer) || !allAccept;
    for (size_t i = 0; i < consumers.size() && home < 0; ++i)
      if (copy[i] && (!needOriginal || checkJoin(producer, consumers[i], /*asOutput=*/true,
                                                 /*asClone=*/false)))
        home = consumers[i];
    for (size_t i = 0; i < consumers.size(); ++i) {
      if (consumers[i] == home) continue;
      if (copy[i])
        groups_.cloneIntoGroup(producer, consumers[i], producerRole(consumers[i]));
      else
        refuse(producer, consumers[i], copy[i].reason);
    }
  } else {
    // Materialized once: at most one consumer kernel takes it as an output.
    for (size_t i = 0; i < consumers.size() && home < 0; ++i)
      if (copy[i] && checkJoin(producer, consumers[i], /*asOutput=*/true, /*asClone=*/false))
        home = consumers[i];
    for (size_t i = 0; i < consumers.size(); ++i)
      if (consumers[i] != home)
        refuse(producer, consumers[i], copy[i] ? dup.reason : copy[i].reason);
  }
  if (home >= 0) groups_.addToGroup(producer, home, producerRole(home));
}

}  // namespace

StatusOr<bool> FusionPass::run(ir::Graph& graph) {
  DLC_RETURN_IF_ERROR(graph.topoSort());
  std::vector<int> before;
  std::vector<ir::Node*> order;
  for (const auto& n : graph.nodes()) {
    before.push_back(n->kernel);
    order.push_back(n.get());
  }
  std::vector<std::string> refusals;
  if (options_.enabled) {
    Fuser fuser(graph, policy_);
    fuser.fuseEpilogues(order);
    fuser.fuseProducers(order);
    mergeSiblingGroups(graph, fuser.groups(), policy_);
    for (ir::Node* n : order) n->kernel = -1;
    std::vector<int> kernels = fuser.groups().topologicalOrder();
    for (size_t k = 0; k < kernels.size(); ++k)
      for (ir::Node* m : fuser.groups().group(kernels[k]).members) m->kernel = int(k);
    DLC_RETURN_IF_ERROR(graph.topoSort());  // clones were appended
    refusals = fuser.log().lines(graph);
  } else {
    int next = 0;
    for (ir::Node* n : order) n->kernel = ir::isSource(n->op) ? -1 : next++;
  }
  DLC_ASSIGN_OR_RETURN(plan_, ir::buildKernelPlan(graph));
  plan_.refusals = std::move(refusals);
  bool changed = graph.nodes().size() != order.size();
  for (size_t i = 0; i < order.size() && !changed; ++i)
    changed = order[i]->kernel != before[i];
  return changed;
}

}  // namespace dlc::passes
