// A team of threads, each pinned to its own CPU, running one function once.
//
// runPinned(cpus, body) starts cpus.size() threads; thread t pins itself to
// cpus[t] and, once every thread is pinned, calls body(t). It returns after
// all threads have finished. If a thread cannot be created or pinned, body
// runs on no thread and the call returns the error. It does not pool
// threads between calls: each measurement phase starts its own team.
#pragma once

#include <functional>
#include <vector>

#include "support/Status.h"

namespace dlc::bench {

Status runPinned(const std::vector<int>& cpus, const std::function<void(int)>& body);

}  // namespace dlc::bench
