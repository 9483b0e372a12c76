// AssignDevices: defaults, explicit devices kept, bad names rejected by node.
#include <gtest/gtest.h>

#include "PassTestUtil.h"
#include "passes/AssignDevices.h"

namespace dlc::passes::testing {
namespace {

using ir::OpKind;

TEST(AssignDevices, FillsOnlyEmptyDevices) {
  ir::Graph g;
  ir::Node* x = g.addInput("x", f32({2}));
  ir::Node* a = add(g, OpKind::Relu, "a", {x});
  ir::Node* b = add(g, OpKind::Neg, "b", {a});
  b->device = "/device:GPU:1";
  g.setOutputs({b});
  AssignDevices pass("/device:CPU:0");
  auto changed = pass.run(g);
  ASSERT_TRUE(changed.ok()) << changed.status().toString();
  EXPECT_TRUE(*changed);
  EXPECT_EQ(x->device, "/device:CPU:0");
  EXPECT_EQ(a->device, "/device:CPU:0");
  EXPECT_EQ(b->device, "/device:GPU:1");
  auto again = pass.run(g);
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(*again);
}

TEST(AssignDevices, RejectsMalformedDeviceNamingTheNode) {
  for (const char* bad :
       {"/device:TPU:0", "/device:CPU:", "/device:GPU:x", "cpu", "/device:CPU:0 "}) {
    ir::Graph g;
    g.sourceFile = "model.json";
    ir::Node* x = g.addInput("x", f32({2}));
    ir::Node* a = add(g, OpKind::Relu, "conv7", {x});
    a->location = "nodes[3]";
    a->device = bad;
    g.setOutputs({a});
    auto changed = AssignDevices().run(g);
    ASSERT_FALSE(changed.ok()) << bad;
    EXPECT_EQ(changed.status().code(), StatusCode::kInvalidArgument);
    std::string msg = changed.status().message();
    EXPECT_NE(msg.find("model.json: nodes[3] \"conv7\""), std::string::npos) << msg;
    EXPECT_NE(msg.find(bad), std::string::npos) << msg;
  }
}

TEST(AssignDevices, ValidatesTheDefault) {
  EXPECT_TRUE(isValidDeviceName("/device:GPU:12"));
  EXPECT_FALSE(isValidDeviceName("/device:gpu:0"));
  ir::Graph g;
  g.setOutputs({g.addInput("x", f32({2}))});
  auto changed = AssignDevices("GPU0").run(g);
  ASSERT_FALSE(changed.ok());
  EXPECT_NE(changed.status().message().find("GPU0"), std::string::npos);
}

}  // namespace
}  // namespace dlc::passes::testing
