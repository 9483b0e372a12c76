// libFuzzer target fuzz_safetensors: bytes -> support/Safetensors.h
// parseSafetensors. Tensors that decode must survive a round trip:
// serializeSafetensors then parseSafetensors gives the same names, dtypes,
// dims and bytes.
//
// What this deliberately does not do: read files (readSafetensors is
// readFileBytes plus this parser).
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <utility>
#include <vector>

#include "support/Safetensors.h"
#include "tests/fuzz/libfuzzer/FuzzSupport.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  auto tensors = dlc::parseSafetensors(bytes, "fuzz.safetensors");
  dlc::fuzz::note(tensors.status());
  if (!tensors.ok()) return 0;
  std::vector<std::pair<std::string, dlc::Tensor>> ordered(tensors->begin(), tensors->end());
  auto encoded = dlc::serializeSafetensors(ordered);
  dlc::fuzz::fuzzCheck(encoded.ok(), "decoded tensors serialize");
  auto again = dlc::parseSafetensors(*encoded, "reencoded.safetensors");
  dlc::fuzz::fuzzCheck(again.ok(), "serialized tensors parse back");
  dlc::fuzz::fuzzCheck(again->size() == tensors->size(), "round trip keeps every tensor");
  for (const auto& [name, tensor] : *tensors) {
    auto it = again->find(name);
    dlc::fuzz::fuzzCheck(it != again->end() && dlc::fuzz::sameTensor(tensor, it->second),
                         "round trip keeps names, dtypes, dims and bytes");
  }
  return 0;
}
