// Shared helpers for the libFuzzer targets in this folder.
//
// Each target is one LLVMFuzzerTestOneInput that feeds the bytes to one
// parser. An error Status is the expected answer to most inputs and is
// ignored; a crash, a sanitizer report, a leak or a hang is a bug. Checks
// that must hold for every accepted input (round trips) use fuzzCheck, which
// traps so that libFuzzer records the input as a crash.
//
// What this deliberately does not do: mutate inputs (libFuzzer does), or
// keep state between inputs beyond the fixed scratch folder written once.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "ir/Graph.h"
#include "support/Status.h"
#include "support/Tensor.h"

namespace dlc::fuzz {

// A folder under $TMPDIR (default /tmp) made once per process and removed
// at exit; fixed files the targets read (weights) are written into it.
const std::string& scratchDir();

// Writes `bytes` to scratchDir()/name (replacing it) and returns the path.
std::string writeScratchFile(const std::string& name, std::string_view bytes);

// With DLC_FUZZ_VERBOSE=1 in the environment, prints how each input ended
// ("ok" or the error), to see which seeds load and where they stop.
void note(const Status& status);

// Traps (a libFuzzer crash with a stack) when `ok` is false; prints `what`.
void fuzzCheck(bool ok, const char* what);

// Same dtype, dims and bytes.
bool sameTensor(const Tensor& a, const Tensor& b);

// The total element count of the graph's constants: the round-trip checks
// print constants inline and skip graphs whose constants are large.
int64_t constantElements(const ir::Graph& graph);

// print(g) must parse back, and the parsed graph must print as g does
// (ir/Printer.h's contract). Constants are printed inline; graphs with more
// than kMaxRoundTripElements constant elements are skipped.
inline constexpr int64_t kMaxRoundTripElements = 4096;
void checkIrRoundTrip(const ir::Graph& graph);

}  // namespace dlc::fuzz
