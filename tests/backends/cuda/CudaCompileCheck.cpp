// expectCompiles (CudaTestHarness.h): NVRTC compiles the program to PTX, and
// ptxas assembles that PTX for the arch, as the driver would at load time.
// No GPU is needed. ptxas runs as a child process without a shell; its
// output becomes the test failure message.
//
// What this deliberately does not do: run the code (CudaGpuRun.cpp does) or
// compare the source with golden text (CudaTestHarness.cpp does).
#include <fcntl.h>
#include <gtest/gtest.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include "compiler/backends/cuda/CudaCompile.h"
#include "support/SafePath.h"
#include "tests/backends/cuda/CudaTestHarness.h"

#ifndef DLC_PTXAS
#define DLC_PTXAS ""
#endif

extern char** environ;

namespace dlc::cuda::test {

namespace {

// A fresh folder under $TMPDIR (or /tmp), removed with everything in it when
// this goes out of scope.
class TempDir {
 public:
  TempDir() {
    const char* tmp = std::getenv("TMPDIR");
    std::string pattern = std::string(tmp && tmp[0] ? tmp : "/tmp") + "/dlc-cuda-check-XXXXXX";
    std::vector<char> buf(pattern.begin(), pattern.end());
    buf.push_back('\0');
    if (::mkdtemp(buf.data())) path_ = buf.data();
  }
  ~TempDir() {
    if (path_.empty()) return;
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

struct ToolResult {
  int exitCode = -1;   // -1: did not start or died of a signal
  std::string output;  // stdout and stderr together
};

// Runs `argv` (argv[0] a path) with stdout and stderr captured; no shell.
ToolResult runTool(const std::vector<std::string>& argv) {
  ToolResult result;
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) {
    result.output = std::string("pipe failed: ") + std::strerror(errno);
    return result;
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, fds[1], 1);
  posix_spawn_file_actions_adddup2(&actions, fds[1], 2);
  std::vector<char*> args;
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = 0;
  int err = posix_spawn(&pid, argv[0].c_str(), &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  ::close(fds[1]);
  if (err != 0) {
    ::close(fds[0]);
    result.output = "cannot start " + argv[0] + ": " + std::strerror(err);
    return result;
  }
  char buf[4096];
  for (;;) {
    ssize_t n = ::read(fds[0], buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    result.output.append(buf, size_t(n));
  }
  ::close(fds[0]);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (WIFEXITED(status))
    result.exitCode = WEXITSTATUS(status);
  else if (WIFSIGNALED(status))
    result.output += "\n(killed by signal " + std::to_string(WTERMSIG(status)) + ")";
  return result;
}

}  // namespace

void expectCompiles(const RenderedProgram& program, const std::string& arch) {
  TempDir dir;
  ASSERT_FALSE(dir.path().empty()) << "cannot create a temporary folder: " << std::strerror(errno);
  CudaOptions options;
  options.arch = arch;
  options.cacheDir = dir.path() + "/cache";
  CompileLog log;
  StatusOr<rt::CudaCode> code = compileProgram(program, options, &log);
  ASSERT_TRUE(code.ok()) << "NVRTC (" << arch << "): " << code.status().toString()
                         << "\n--- source ---\n"
                         << program.source;

  const std::string ptxas = DLC_PTXAS;
  ASSERT_FALSE(ptxas.empty() || ptxas.find("NOTFOUND") != std::string::npos)
      << "ptxas was not found when CMake configured the tests (DLC_PTXAS is empty): install "
         "the CUDA toolkit (ptxas in /usr/local/cuda/bin or on PATH) and re-run cmake";
  const std::string ptxPath = dir.path() + "/program.ptx";
  Status written = writeFileBytes(ptxPath, code->ptx);
  ASSERT_TRUE(written.ok()) << written.toString();
  ToolResult assembled =
      runTool({ptxas, "-arch=" + arch, "-o", dir.path() + "/program.cubin", ptxPath});
  EXPECT_EQ(assembled.exitCode, 0) << "ptxas -arch=" << arch << " failed on the PTX of "
                                   << program.kernels.size() << " kernels:\n"
                                   << assembled.output;
}

}  // namespace dlc::cuda::test
