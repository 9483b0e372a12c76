// Forked children with a pipe and a deadline each (Isolate.h).
#include "tests/fuzz/Isolate.h"

#include <signal.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <thread>

#include "tests/fuzz/Scratch.h"

namespace dlc::fuzz {

namespace {

using Clock = std::chrono::steady_clock;

// A verdict, the counts and at most this many bytes of message: small
// enough that the child's write never blocks on a full pipe.
constexpr size_t kMaxMessage = 8000;
constexpr int kHeaderInts = 9;
// The wall-clock deadline, as a multiple of the CPU-time limit.
constexpr double kWallFactor = 10;

struct Child {
  int64_t index = -1;
  pid_t pid = -1;
  int fd = -1;
  Clock::time_point deadline;
};

[[noreturn]] void childMain(const std::function<CheckResult()>& task, int fd) {
  CheckResult r = task();
  std::string msg = r.message.substr(0, kMaxMessage);
  int32_t header[kHeaderInts] = {int32_t(r.verdict), r.nonFiniteOutputs, r.computations,
                                 r.cudaEmulated,     r.cudaOnGpu,        r.cudaGpuSkipped,
                                 r.cudaNotBuilt,     r.determinismChecks, int32_t(msg.size())};
  std::string buf(reinterpret_cast<const char*>(header), sizeof header);
  buf += msg;
  const char* p = buf.data();
  size_t left = buf.size();
  while (left > 0) {
    ssize_t w = ::write(fd, p, left);
    if (w <= 0) break;
    p += w;
    left -= size_t(w);
  }
  ::close(fd);
  ::_exit(0);
}

Child start(int64_t index, const std::function<CheckResult()>& task, double timeoutS) {
  int fds[2];
  Child c;
  c.index = index;
  if (::pipe(fds) != 0) return c;
  pid_t pid = ::fork();
  if (pid == 0) {
    ::setpgid(0, 0);  // its own group, so that a timeout also ends its g++
    // The time limit counts CPU seconds (SIGXCPU past it), so a campaign on
    // a loaded machine does not report slow graphs as hangs (three seeds of
    // a run at load 10 did); the wall-clock deadline, kWallFactor times
    // longer, catches a child that blocks without using CPU.
    rlim_t cpu = rlim_t(std::ceil(timeoutS));
    rlimit lim{cpu, cpu + 5};
    ::setrlimit(RLIMIT_CPU, &lim);
    ::close(fds[0]);
    childMain(task, fds[1]);
  }
  ::close(fds[1]);
  if (pid > 0) ::setpgid(pid, pid);
  c.pid = pid;
  c.fd = fds[0];
  c.deadline = Clock::now() + std::chrono::milliseconds(int64_t(timeoutS * 1000 * kWallFactor));
  return c;
}

CheckResult readResult(int fd, int status) {
  std::string buf;
  char chunk[4096];
  for (ssize_t n; (n = ::read(fd, chunk, sizeof chunk)) > 0;) buf.append(chunk, size_t(n));
  ::close(fd);
  CheckResult r;
  if (WIFSIGNALED(status) && WTERMSIG(status) == SIGXCPU) {
    r.verdict = Verdict::kTimeout;
    r.message = "ran past its CPU-time limit";
    return r;
  }
  if (WIFSIGNALED(status)) {
    r.verdict = Verdict::kCrash;
    r.message = strCat("killed by signal ", WTERMSIG(status), " (", strsignal(WTERMSIG(status)),
                       ")");
    return r;
  }
  int32_t header[kHeaderInts];
  if (buf.size() < sizeof header) {
    r.verdict = Verdict::kCrash;
    r.message = strCat("exited with status ", WEXITSTATUS(status), " without a verdict");
    return r;
  }
  memcpy(header, buf.data(), sizeof header);
  r.verdict = Verdict(header[0]);
  r.nonFiniteOutputs = header[1];
  r.computations = header[2];
  r.cudaEmulated = header[3];
  r.cudaOnGpu = header[4];
  r.cudaGpuSkipped = header[5];
  r.cudaNotBuilt = header[6];
  r.determinismChecks = header[7];
  r.message = buf.substr(sizeof header, size_t(header[8]));
  return r;
}

// Polls `c`: true (and *result set) once it has finished or was killed.
bool poll(Child& c, CheckResult* result) {
  if (c.pid < 0) {
    *result = {Verdict::kCrash, "could not fork"};
    return true;
  }
  int status = 0;
  pid_t w = ::waitpid(c.pid, &status, WNOHANG);
  if (w == c.pid) {
    *result = readResult(c.fd, status);
    removeScratchDir(c.pid);  // left behind when the child crashed
    return true;
  }
  if (Clock::now() > c.deadline) {
    ::kill(-c.pid, SIGKILL);  // the child's group: it and what it started
    ::waitpid(c.pid, &status, 0);
    ::close(c.fd);
    removeScratchDir(c.pid);
    *result = {Verdict::kTimeout,
               strCat("ran past its wall-clock limit (", kWallFactor,
                      "x the CPU-time limit) without finishing")};
    return true;
  }
  return false;
}

}  // namespace

CheckResult runIsolated(const std::function<CheckResult()>& task, double timeoutS) {
  CheckResult r;
  runIsolatedPool(
      1, [&](int64_t) { return task(); }, [&](int64_t, const CheckResult& got) { r = got; },
      /*jobs=*/1, timeoutS);
  return r;
}

void runIsolatedPool(int64_t count, const std::function<CheckResult(int64_t)>& task,
                     const std::function<void(int64_t, const CheckResult&)>& done, int jobs,
                     double timeoutS, const std::function<bool()>& keepGoing) {
  std::vector<Child> running;
  int64_t next = 0;
  while (true) {
    while (int(running.size()) < std::max(jobs, 1) && next < count &&
           (!keepGoing || keepGoing())) {
      int64_t i = next++;
      running.push_back(start(i, [&task, i] { return task(i); }, timeoutS));
    }
    if (running.empty()) break;
    bool any = false;
    for (size_t k = 0; k < running.size();) {
      CheckResult r;
      if (poll(running[k], &r)) {
        Child c = running[k];
        running.erase(running.begin() + long(k));
        done(c.index, r);
        any = true;
      } else {
        ++k;
      }
    }
    if (!any) std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
}

}  // namespace dlc::fuzz
