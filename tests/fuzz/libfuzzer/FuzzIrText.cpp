// libFuzzer target fuzz_ir_text: bytes -> ir/Parser (the IR text format of
// ir/Printer.h). A graph that parses must print, parse back and print the
// same text again (FuzzSupport.h's checkIrRoundTrip).
//
// What this deliberately does not do: run the verifier or passes on the
// parsed graph.
#include <cstddef>
#include <cstdint>
#include <string>

#include "ir/Parser.h"
#include "tests/fuzz/libfuzzer/FuzzSupport.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  auto graph = dlc::ir::parseGraph(text, "fuzz.ir");
  dlc::fuzz::note(graph.status());
  if (!graph.ok()) return 0;
  dlc::fuzz::checkIrRoundTrip(**graph);
  return 0;
}
