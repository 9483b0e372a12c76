#include "bench/limits/ThreadTeam.h"

#include <pthread.h>
#include <sched.h>

#include <atomic>
#include <barrier>
#include <system_error>
#include <thread>

namespace dlc::bench {

Status runPinned(const std::vector<int>& cpus, const std::function<void(int)>& body) {
  const int n = int(cpus.size());
  if (n == 0) return invalidArgument("a thread team needs at least one CPU");
  std::barrier<> pinned(n);
  std::atomic<int> failedCpu{-1};
  auto worker = [&](int t) {
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpus[t], &set);
    if (pthread_setaffinity_np(pthread_self(), sizeof(set), &set) != 0) {
      int expected = -1;
      failedCpu.compare_exchange_strong(expected, cpus[t]);
    }
    pinned.arrive_and_wait();
    if (failedCpu.load() < 0) body(t);
  };
  std::vector<std::thread> threads;
  threads.reserve(n);
  Status status;
  for (int t = 0; t < n; ++t) {
    try {
      threads.emplace_back(worker, t);
    } catch (const std::system_error& e) {
      status = unavailable("cannot start thread ", t, " of ", n, ": ", e.what());
      failedCpu.store(cpus[t]);
      // The threads never started still count in the barrier: drop them.
      for (int missing = t; missing < n; ++missing) pinned.arrive_and_drop();
      break;
    }
  }
  for (std::thread& th : threads) th.join();
  if (!status.ok()) return status;
  if (failedCpu.load() >= 0)
    return unavailable("cannot pin a thread to CPU ", failedCpu.load(),
                       " (pthread_setaffinity_np failed)");
  return Status::OK();
}

}  // namespace dlc::bench
