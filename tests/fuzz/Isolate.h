// Runs checks in forked child processes, so that a crash or a hang of the
// compiler or of generated code is caught, classified and counted instead of
// ending the campaign.
//
// The parent process only generates graphs and waits: it never loads LLVM or
// starts the runtime's threads before forking. A child returns its
// CheckResult through a pipe and _exits; a child killed by a signal is a
// Crash, one past its deadline is killed (SIGKILL, with the process group
// it leads: a g++ it started goes too) and is a Timeout. The parent removes
// each child's scratch folder (Scratch.h) once it is reaped.
//
// What this deliberately does not do: limit memory, or retry.
#pragma once

#include <functional>

#include "tests/fuzz/Differential.h"

namespace dlc::fuzz {

// Runs `task` in a child; at most `timeoutS` seconds of CPU time (and ten
// times that of wall-clock time, for a child that blocks).
CheckResult runIsolated(const std::function<CheckResult()>& task, double timeoutS);

// Runs task(i) for i in [0, count) in up to `jobs` children at a time and
// calls done(i, result) in the parent as each finishes (in completion
// order). `keepGoing`, when given, is asked before each new start.
void runIsolatedPool(int64_t count, const std::function<CheckResult(int64_t)>& task,
                     const std::function<void(int64_t, const CheckResult&)>& done, int jobs,
                     double timeoutS, const std::function<bool()>& keepGoing = {});

}  // namespace dlc::fuzz
