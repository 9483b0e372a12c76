#include "GoldenFile.h"

#include <sstream>

namespace dlc::passes::testing {

namespace {

std::string trim(const std::string& s) {
  size_t b = s.find_first_not_of(" \t\r");
  if (b == std::string::npos) return "";
  size_t e = s.find_last_not_of(" \t\r");
  return s.substr(b, e - b + 1);
}

bool startsWith(const std::string& s, const std::string& prefix) {
  return s.compare(0, prefix.size(), prefix) == 0;
}

constexpr const char* kRun = "// RUN:";
constexpr const char* kExpect = "// EXPECT:";

}  // namespace

StatusOr<GoldenCase> parseGoldenFile(const std::string& text, const std::string& fileName) {
  GoldenCase c;
  bool haveRun = false, inExpect = false;
  std::istringstream in(text);
  std::string line;
  int lineNo = 0;
  while (std::getline(in, line)) {
    ++lineNo;
    std::string t = trim(line);
    if (startsWith(t, kRun)) {
      if (haveRun) return invalidArgument(fileName, ":", lineNo, ": a second // RUN: line");
      c.passList = trim(t.substr(std::string(kRun).size()));
      haveRun = true;
    } else if (t == kExpect) {
      if (inExpect) return invalidArgument(fileName, ":", lineNo, ": a second // EXPECT: line");
      inExpect = true;
    } else if (startsWith(t, "//")) {
      continue;
    } else {
      (inExpect ? c.expected : c.input) += line + "\n";
    }
  }
  if (!haveRun) return invalidArgument(fileName, ": no // RUN: <passes> line");
  if (!inExpect) return invalidArgument(fileName, ": no // EXPECT: line");
  return c;
}

std::vector<std::string> normalizedLines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    std::string t = trim(line);
    if (!t.empty() && !startsWith(t, "//")) lines.push_back(t);
  }
  return lines;
}

std::string withExpectation(const std::string& text, const std::string& actual) {
  size_t pos = text.find(kExpect);
  if (pos == std::string::npos) return text;
  return text.substr(0, pos) + kExpect + "\n" + actual;
}

}  // namespace dlc::passes::testing
