// libFuzzer target fuzz_npy: bytes -> support/Npy.h parseNpy and parseNpz
// (both decoders see every input). A tensor that decodes as .npy must
// survive serializeNpy then parseNpy unchanged (dtype, dims, bytes).
//
// What this deliberately does not do: read files (readNpy/readNpz are
// readFileBytes plus these parsers) or round-trip .npz (writeNpz writes a
// file; its members are .npy encodings checked here).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "support/Npy.h"
#include "tests/fuzz/libfuzzer/FuzzSupport.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  auto tensor = dlc::parseNpy(bytes, "fuzz.npy");
  dlc::fuzz::note(tensor.status());
  if (tensor.ok()) {
    auto encoded = dlc::serializeNpy(*tensor);
    dlc::fuzz::fuzzCheck(encoded.ok(), "a decoded tensor serializes");
    auto again = dlc::parseNpy(*encoded, "reencoded.npy");
    dlc::fuzz::fuzzCheck(again.ok() && dlc::fuzz::sameTensor(*tensor, *again),
                         "npy round trip keeps dtype, dims and bytes");
  }
  dlc::fuzz::note(dlc::parseNpz(bytes, "fuzz.npz").status());
  return 0;
}
