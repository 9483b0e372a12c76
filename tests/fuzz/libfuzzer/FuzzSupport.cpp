// Shared helpers for the libFuzzer targets (see FuzzSupport.h).
#include "tests/fuzz/libfuzzer/FuzzSupport.h"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "ir/Parser.h"
#include "ir/Printer.h"

namespace dlc::fuzz {

namespace {

std::string makeScratchDir() {
  const char* tmp = std::getenv("TMPDIR");
  std::string pattern = std::string(tmp && *tmp ? tmp : "/tmp") + "/dlc-libfuzzer-XXXXXX";
  if (!mkdtemp(pattern.data())) {
    std::perror("dlc fuzz: mkdtemp");
    std::abort();
  }
  return pattern;
}

// Removes the scratch folder when the process exits normally (libFuzzer
// exits through exit() at -max_total_time / -runs).
struct ScratchDir {
  std::string path = makeScratchDir();
  ~ScratchDir() {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
  }
};

}  // namespace

const std::string& scratchDir() {
  static ScratchDir dir;
  return dir.path;
}

std::string writeScratchFile(const std::string& name, std::string_view bytes) {
  std::string path = scratchDir() + "/" + name;
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), std::streamsize(bytes.size()));
  out.close();
  if (!out) {
    std::fprintf(stderr, "dlc fuzz: cannot write %s\n", path.c_str());
    std::abort();
  }
  return path;
}

void note(const Status& status) {
  static const bool verbose = [] {
    const char* v = std::getenv("DLC_FUZZ_VERBOSE");
    return v && *v && std::string(v) != "0";
  }();
  if (verbose)
    std::fprintf(stderr, "dlc fuzz: %s\n", status.ok() ? "ok" : status.message().c_str());
}

void fuzzCheck(bool ok, const char* what) {
  if (ok) return;
  std::fprintf(stderr, "dlc fuzz: invariant failed: %s\n", what);
  __builtin_trap();
}

bool sameTensor(const Tensor& a, const Tensor& b) {
  return a.dtype() == b.dtype() && a.dims() == b.dims() && a.byteSize() == b.byteSize() &&
         (a.byteSize() == 0 || std::memcmp(a.data(), b.data(), a.byteSize()) == 0);
}

int64_t constantElements(const ir::Graph& graph) {
  int64_t total = 0;
  for (const auto& node : graph.nodes())
    if (node->op == ir::OpKind::Constant) total += node->value.numElements();
  return total;
}

void checkIrRoundTrip(const ir::Graph& graph) {
  if (constantElements(graph) > kMaxRoundTripElements) return;
  ir::PrintOptions options;
  options.maxInlineElements = -1;
  std::string printed = ir::printGraph(graph, options);
  auto reparsed = ir::parseGraph(printed, "<printed>");
  if (!reparsed.ok())
    std::fprintf(stderr, "dlc fuzz: printed graph does not parse: %s\n--- printed:\n%s\n",
                 reparsed.status().message().c_str(), printed.c_str());
  fuzzCheck(reparsed.ok(), "print(graph) parses back");
  std::string again = ir::printGraph(**reparsed, options);
  if (again != printed)
    std::fprintf(stderr, "dlc fuzz: reprint differs\n--- first:\n%s\n--- second:\n%s\n",
                 printed.c_str(), again.c_str());
  fuzzCheck(again == printed, "print(parse(print(graph))) == print(graph)");
}

}  // namespace dlc::fuzz
