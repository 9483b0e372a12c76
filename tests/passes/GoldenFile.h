// The pass golden-file format:
//
//   // RUN: cse,dce
//   // (any other // lines are comments)
//   graph @g(...) { ... }        <- the input graph
//   // EXPECT:
//   graph @g(...) { ... }        <- the graph printed after the passes
//
// Comparison is line by line after trimming whitespace and dropping blank
// and // comment lines.
#pragma once

#include <string>
#include <vector>

#include "support/Status.h"

namespace dlc::passes::testing {

struct GoldenCase {
  std::string passList;  // "cse,dce"
  std::string input;     // the input graph text
  std::string expected;  // the expected printed graph
};

StatusOr<GoldenCase> parseGoldenFile(const std::string& text, const std::string& fileName);

// Trimmed, non-blank, non-comment lines.
std::vector<std::string> normalizedLines(const std::string& text);

// `text` with everything after the "// EXPECT:" line replaced by `actual`
// (used when DLC_UPDATE_GOLDENS=1 regenerates expectations).
std::string withExpectation(const std::string& text, const std::string& actual);

}  // namespace dlc::passes::testing
