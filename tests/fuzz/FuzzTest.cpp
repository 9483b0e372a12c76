// The fixed-seed differential batch run by ctest: a few hundred random
// graphs (GraphGen.h), reference vs CPU fused vs CPU unfused, in child
// processes two at a time. Any failure is printed with its seed; reproduce
// and shrink it with `dlc-fuzz --seed S`.
#include <gtest/gtest.h>

#include "tests/fuzz/Campaign.h"
#include "tests/fuzz/GraphGen.h"

namespace dlc::fuzz {
namespace {

TEST(FuzzGenerator, SameSeedSameGraph) {
  for (uint64_t seed : {1, 7, 123}) {
    FuzzCase a = generateCase(seed), b = generateCase(seed);
    ASSERT_EQ(a.graph->nodes().size(), b.graph->nodes().size());
    for (size_t i = 0; i < a.graph->nodes().size(); ++i) {
      EXPECT_EQ(a.graph->nodes()[i]->op, b.graph->nodes()[i]->op);
      EXPECT_EQ(a.graph->nodes()[i]->type, b.graph->nodes()[i]->type);
    }
    ASSERT_EQ(a.runs.size(), b.runs.size());
    EXPECT_EQ(0, memcmp(a.runs[0].values[0].data(), b.runs[0].values[0].data(),
                        a.runs[0].values[0].byteSize()));
  }
}

TEST(FuzzGenerator, GraphsRespectTheLimits) {
  int withBatch = 0;
  for (uint64_t seed = 1; seed <= 300; ++seed) {
    int rejected = 0;
    FuzzCase c = generateCase(seed, &rejected);
    int computations = 0;
    for (const auto& n : c.graph->nodes()) {
      computations += ir::isSource(n->op) ? 0 : 1;
      EXPECT_LE(n->type.shape.numElements(3), kMaxTensorElements) << "seed " << seed;
    }
    EXPECT_GE(computations, 1) << "seed " << seed;
    EXPECT_LE(computations, kMaxNodes + 4) << "seed " << seed;  // a composite may overshoot
    withBatch += c.runs.size() == 2 ? 1 : 0;
  }
  EXPECT_GT(withBatch, 30);
}

TEST(FuzzDifferential, FixedSeedBatch) {
  CampaignOptions options;
  options.start = 1;
  options.count = 300;
  options.jobs = 2;
  CampaignStats stats = runCampaign(options);
  printf("%s\n", stats.summary().c_str());
  EXPECT_EQ(stats.graphs, options.count);
  for (const auto& [seed, r] : stats.failures)
    ADD_FAILURE() << "seed " << seed << ": " << verdictName(r.verdict) << ": " << r.message;
}

}  // namespace
}  // namespace dlc::fuzz
