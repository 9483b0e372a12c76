// PassManager: dump directory contents, "(unchanged)" marking, fixed-point
// iteration counts, verifier failures naming the pass, the registry.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "PassTestUtil.h"
#include "ir/Printer.h"
#include "passes/PassManager.h"

namespace dlc::passes::testing {
namespace {

namespace fs = std::filesystem;
using ir::OpKind;

// x -> a = x+x, b = x+x (duplicate), out = a*b.
std::unique_ptr<ir::Graph> duplicateGraph() {
  auto g = std::make_unique<ir::Graph>();
  ir::Node* x = g->addInput("x", f32({2, 3}));
  ir::Node* a = add(*g, OpKind::Add, "a", {x, x});
  ir::Node* b = add(*g, OpKind::Add, "b", {x, x});
  g->setOutputs({add(*g, OpKind::Mul, "out", {a, b})});
  return g;
}

std::string readFile(const fs::path& p) {
  std::ifstream f(p);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

fs::path freshDir(const std::string& name) {
  fs::path dir = fs::path(::testing::TempDir()) / ("dlc_pm_" + name);
  fs::remove_all(dir);
  return dir / "nested";  // the manager must create missing parents
}

TEST(PassManager, WritesInputAndOneDumpPerPass) {
  auto g = duplicateGraph();
  std::string before = ir::printGraph(*g);
  auto pipeline = parsePassList("cse,dce");
  ASSERT_TRUE(pipeline.ok()) << pipeline.status().toString();
  PassManagerOptions opts;
  opts.verifyEach = true;
  opts.dumpDir = freshDir("dump").string();
  auto timings = runPipeline(*pipeline, *g, opts);
  ASSERT_TRUE(timings.ok()) << timings.status().toString();

  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(opts.dumpDir))
    names.push_back(e.path().filename().string());
  std::sort(names.begin(), names.end());
  EXPECT_EQ(names, (std::vector<std::string>{"00-input.ir", "01-cse.ir", "02-dce.ir"}));

  EXPECT_EQ(readFile(fs::path(opts.dumpDir) / "00-input.ir"), before);
  std::string afterCse = readFile(fs::path(opts.dumpDir) / "01-cse.ir");
  std::string afterDce = readFile(fs::path(opts.dumpDir) / "02-dce.ir");
  // CSE redirects the use of %b but leaves it for DCE.
  EXPECT_NE(afterCse.find("%b = add"), std::string::npos);
  EXPECT_NE(afterCse.find("mul(%a, %a)"), std::string::npos);
  EXPECT_EQ(afterDce.find("%b = add"), std::string::npos);
  EXPECT_EQ(afterDce, ir::printGraph(*g));
}

TEST(PassManager, DumpDirectoryErrorIsAStatus) {
  fs::path dir = freshDir("blocked").parent_path();
  fs::create_directories(dir);
  std::ofstream(dir / "file") << "x";
  auto g = duplicateGraph();
  auto pipeline = parsePassList("dce");
  ASSERT_TRUE(pipeline.ok());
  PassManagerOptions opts;
  opts.dumpDir = (dir / "file" / "sub").string();
  auto timings = runPipeline(*pipeline, *g, opts);
  ASSERT_FALSE(timings.ok());
  EXPECT_NE(timings.status().message().find("file/sub"), std::string::npos)
      << timings.status().toString();
}

std::vector<std::string> lines(const std::string& s) {
  std::vector<std::string> out;
  std::istringstream in(s);
  for (std::string l; std::getline(in, l);) out.push_back(l);
  return out;
}

TEST(PassManager, TimingTableMarksUnchangedPasses) {
  auto g = duplicateGraph();
  auto pipeline = parsePassList("cse,dce,cse");
  ASSERT_TRUE(pipeline.ok());
  PassManagerOptions opts;
  opts.timePasses = true;
  auto timings = runPipeline(*pipeline, *g, opts);
  ASSERT_TRUE(timings.ok()) << timings.status().toString();
  ASSERT_EQ(timings->size(), 3u);
  EXPECT_TRUE((*timings)[0].changed);
  EXPECT_TRUE((*timings)[1].changed);
  EXPECT_FALSE((*timings)[2].changed);
  for (const PassTiming& t : *timings) {
    EXPECT_EQ(t.iterations, 1);
    EXPECT_GE(t.milliseconds, 0.0);
  }

  std::vector<std::string> table = lines(formatPassTimings(*timings));
  ASSERT_EQ(table.size(), 5u);  // header, 3 passes, total
  EXPECT_EQ(table[1].find("(unchanged)"), std::string::npos) << table[1];
  EXPECT_EQ(table[2].find("(unchanged)"), std::string::npos) << table[2];
  EXPECT_NE(table[3].find("(unchanged)"), std::string::npos) << table[3];
  EXPECT_EQ(table[3].rfind("cse", 0), 0u);
  EXPECT_EQ(table[4].rfind("total", 0), 0u);
}

// Rows summed over kernels that compiled in parallel are already inside the
// wall-time row: they are marked and left out of the total.
TEST(PassManager, TimingTableTotalLeavesOutSummedRows) {
  std::vector<PassTiming> timings = {{"fusion", 1.5, true, 1, false},
                                     {"cpu-llvm-opt", 40.0, true, 1, true},
                                     {"cpu-kernels-wall", 25.0, true, 1, false},
                                     {"cpu-link", 3.5, true, 1, false}};
  std::vector<std::string> table = lines(formatPassTimings(timings));
  ASSERT_EQ(table.size(), 6u);
  EXPECT_NE(table[2].find("not in the total"), std::string::npos) << table[2];
  EXPECT_EQ(table[3].find("not in the total"), std::string::npos) << table[3];
  EXPECT_EQ(table[5].rfind("total", 0), 0u);
  EXPECT_NE(table[5].find("30.000"), std::string::npos) << table[5];
}

// Changes the graph on its first `changes` runs.
class CountingPass : public Pass {
 public:
  explicit CountingPass(int changes) : changes_(changes) {}
  std::string_view name() const override { return "counting"; }
  StatusOr<bool> run(ir::Graph&) override { return runs_++ < changes_; }
  int runs() const { return runs_; }

 private:
  int changes_;
  int runs_ = 0;
};

TEST(PassManager, FixedPointRerunsUntilUnchanged) {
  auto g = duplicateGraph();
  Pipeline p;
  p.push_back({std::make_unique<CountingPass>(3), /*fixedPoint=*/true});
  p.push_back({std::make_unique<CountingPass>(1000), /*fixedPoint=*/true});
  p.push_back({std::make_unique<CountingPass>(1000), /*fixedPoint=*/false});
  auto timings = runPipeline(p, *g);
  ASSERT_TRUE(timings.ok());
  EXPECT_EQ((*timings)[0].iterations, 4);  // 3 changing runs + 1 confirming
  EXPECT_EQ((*timings)[1].iterations, kMaxFixedPointIterations);
  EXPECT_EQ((*timings)[2].iterations, 1);
  EXPECT_TRUE((*timings)[0].changed);
}

TEST(PassManager, GroupReportsEachMemberPass) {
  auto g = duplicateGraph();
  Pipeline p = buildSimplifyPipeline();
  PassManagerOptions opts;
  opts.verifyEach = true;
  auto timings = runPipeline(p, *g, opts);
  ASSERT_TRUE(timings.ok()) << timings.status().toString();
  std::vector<std::string> names;
  for (const PassTiming& t : *timings) names.push_back(t.name);
  EXPECT_EQ(names, (std::vector<std::string>{"assign-devices", "constant-fold",
                                             "algebraic-simplify", "fold-batch-norm", "cse", "dce",
                                             "lower-batch-norm", "dce",
                                             "materialize-outputs"}));
  // The loop ran twice: once merging %b, once confirming nothing changes.
  EXPECT_EQ((*timings)[4].iterations, 2);
  EXPECT_TRUE((*timings)[4].changed);
  EXPECT_EQ(g->nodes().size(), 3u);  // x, a, out
  EXPECT_EQ(g->find("out")->inputs[0], g->find("out")->inputs[1]);
  EXPECT_EQ(g->find("a")->device, "/device:CPU:0");
}

class BreakingPass : public Pass {
 public:
  std::string_view name() const override { return "breaker"; }
  StatusOr<bool> run(ir::Graph& g) override {
    g.find("a")->type = f32({7});
    return true;
  }
};

TEST(PassManager, VerifierFailureNamesThePass) {
  auto g = duplicateGraph();
  Pipeline p;
  p.push_back({std::make_unique<BreakingPass>(), /*fixedPoint=*/false});
  PassManagerOptions opts;
  opts.verifyEach = true;
  auto timings = runPipeline(p, *g, opts);
  ASSERT_FALSE(timings.ok());
  EXPECT_EQ(timings.status().code(), StatusCode::kInternal);
  EXPECT_NE(timings.status().message().find("pass \"breaker\""), std::string::npos)
      << timings.status().toString();
}

TEST(PassManager, RegistryCreatesEveryNamedPass) {
  for (const std::string& name : registeredPassNames()) {
    auto pass = createPass(name);
    ASSERT_TRUE(pass.ok()) << name;
    EXPECT_EQ((*pass)->name(), name);
  }
  auto unknown = createPass("fuse-everything");
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.status().code(), StatusCode::kNotFound);
  EXPECT_NE(unknown.status().message().find("fuse-everything"), std::string::npos);
  EXPECT_NE(unknown.status().message().find("constant-fold"), std::string::npos);
  EXPECT_FALSE(parsePassList("cse,,dce").ok());
  auto list = parsePassList(" cse , dce ");
  ASSERT_TRUE(list.ok());
  EXPECT_EQ(list->size(), 2u);
}

}  // namespace
}  // namespace dlc::passes::testing
