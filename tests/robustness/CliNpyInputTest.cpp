// `dlc run MODEL --input NAME=FILE.npy` with a hostile .npy: the wrong shape,
// the wrong dtype, the wrong rank, or not a .npy at all. Each is exit code 1
// with one line naming the input (or the file) and both types; no abort.
//
// The runtime API check behind it is tests/runtime/ModelTest.cpp
// InputValidationNamesTheInput; the .npy parser's own hostile headers are
// tests/frontends/NpyTest.cpp RejectsWhatItCannotReadFaithfully.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <string>

#include "support/Npy.h"
#include "tests/frontends/TestFiles.h"

namespace dlc::robust {
namespace {

using dlc::testing::TempDir;

// Runs `command` with stderr merged; returns the exit code.
int run(const std::string& command, std::string* out) {
  FILE* pipe = ::popen((command + " 2>&1").c_str(), "r");
  if (!pipe) return -1;
  std::array<char, 4096> buf;
  size_t n;
  while ((n = std::fread(buf.data(), 1, buf.size(), pipe)) > 0) out->append(buf.data(), n);
  int status = ::pclose(pipe);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

TEST(CliNpyInput, WrongShapeDtypeRankOrFormatIsAnErrorNamingTheInput) {
  TempDir dir;
  std::string model = dir.write("m.json", R"({"format": "dlc.model", "version": 1, "name": "m",
    "inputs": [{"name": "x", "dtype": "f32", "shape": ["N", 4]}],
    "nodes": [{"name": "y", "op": "relu", "inputs": ["x"]}], "outputs": ["y"]})");
  ASSERT_TRUE(writeNpy(dir.file("shape.npy"), Tensor(ir::DType::F32, {2, 5})).ok());
  ASSERT_TRUE(writeNpy(dir.file("dtype.npy"), Tensor(ir::DType::I32, {2, 4})).ok());
  ASSERT_TRUE(writeNpy(dir.file("rank.npy"), Tensor(ir::DType::F32, {2, 4, 1})).ok());
  ASSERT_TRUE(writeNpy(dir.file("good.npy"), Tensor(ir::DType::F32, {2, 4})).ok());
  dir.write("garbage.npy", "garbage");
  struct Case {
    std::string file;
    std::string message;
  };
  for (const Case& c : std::vector<Case>{
           {"shape.npy", "dlc run: input 0 \"x\": expected f32[2,4] (f32[N,4] at N=2), got f32[2,5]"},
           {"dtype.npy", "dlc run: input 0 \"x\": expected f32[2,4] (f32[N,4] at N=2), got i32[2,4]"},
           {"rank.npy", "dlc run: input 0 \"x\": expected f32[1,4] (f32[N,4] at N=1), got f32[2,4,1]"},
           {"garbage.npy", "garbage.npy: not a .npy file (bad magic)"},
       }) {
    std::string out;
    EXPECT_EQ(run(std::string(DLC_CLI) + " run " + model + " --input x=" + dir.file(c.file), &out),
              1)
        << out;
    EXPECT_NE(out.find(c.message), std::string::npos) << out;
    EXPECT_EQ(out.find("terminate"), std::string::npos) << out;
  }
  std::string out;
  EXPECT_EQ(run(std::string(DLC_CLI) + " run " + model + " --input x=" + dir.file("good.npy"), &out),
            0)
      << out;
}

}  // namespace
}  // namespace dlc::robust
