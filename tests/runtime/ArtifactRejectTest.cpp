// Rejection of damaged artifacts, with the exact error text for each case:
// truncation at every length (so at every header field boundary and inside
// every section), wrong versions and magics, size and offset fields that
// point past the end (in the header and in the section table, resealed so
// that only the field is wrong), bad section tables, and a flipped byte in
// the code section, which the checksum catches before the code is ever
// written to a memory file or mapped executable.
//
// ArtifactTest holds the round trip and the random-corruption sweeps; this
// file pins the message of each kind of damage. It does not cover manifest
// content (ManifestJsonTest and ModelTest do).
#include <gtest/gtest.h>

#include <cstring>
#include <fstream>
#include <string>

#include "TestArtifact.h"
#include "runtime/src/Artifact.h"
#include "runtime/src/Checksum.h"
#include "runtime/src/Model.h"
#include "support/Endian.h"

namespace dlc::rt {
namespace {

constexpr size_t kEntry0 = 32;  // the first section table entry

// The sum model with a tiny stand-in code section (parse-only tests).
std::vector<uint8_t> smallArtifact() {
  std::vector<uint8_t> code = {0x7f, 'E', 'L', 'F', 1, 2, 3, 4};
  auto bytes = serializeArtifact(testing::sumManifest(), testing::sumConstants(), code);
  EXPECT_TRUE(bytes.ok()) << bytes.status().message();
  return bytes.ok() ? *bytes : std::vector<uint8_t>();
}

// Recomputes the trailer checksum after a deliberate edit.
void reseal(std::vector<uint8_t>& b) {
  storeLE(b.data() + b.size() - 8, checksum64(b.data(), b.size() - 8), 8);
}

std::string parseError(const std::vector<uint8_t>& b, size_t size, const std::string& source) {
  auto art = parseArtifact(b.data(), size, source);
  return art.ok() ? "accepted" : art.status().message();
}
std::string parseError(const std::vector<uint8_t>& b) { return parseError(b, b.size(), "a.dlc"); }

// The table entry of section `kind` (1 manifest, 2 constants, 3 code).
size_t entryOf(const std::vector<uint8_t>& b, uint32_t kind) {
  for (size_t i = 0; i < loadLE32(b.data() + 24); ++i)
    if (loadLE32(b.data() + kEntry0 + 24 * i) == kind) return kEntry0 + 24 * i;
  ADD_FAILURE() << "no section of kind " << kind;
  return kEntry0;
}
uint64_t offsetOf(const std::vector<uint8_t>& b, uint32_t kind) {
  return loadLE64(b.data() + entryOf(b, kind) + 8);
}
uint64_t sizeOf(const std::vector<uint8_t>& b, uint32_t kind) {
  return loadLE64(b.data() + entryOf(b, kind) + 16);
}

TEST(ArtifactReject, EveryTruncationHasItsExactMessage) {
  std::vector<uint8_t> b = smallArtifact();
  // Lengths shorter than header + trailer (40 bytes) end inside a header
  // field: magic 0..8, version ..12, reserved ..16, size ..24, count ..28,
  // reserved ..32, trailer-sized remainder ..40. Longer ones end inside the
  // section table, a section, the padding or the checksum.
  for (size_t len = 0; len < b.size(); ++len) {
    std::string want =
        len < 40
            ? strCat("cut.dlc: truncated artifact: ", len, " bytes is shorter than the header")
            : strCat("cut.dlc: truncated artifact: header says ", b.size(), " bytes, got ", len);
    ASSERT_EQ(parseError(b, len, "cut.dlc"), want) << "length " << len;
  }
}

TEST(ArtifactReject, TruncationInsideEachSectionNamesTheDeclaredSize) {
  std::vector<uint8_t> b = smallArtifact();
  for (uint32_t kind : {1u, 2u, 3u}) {
    size_t cut = size_t(offsetOf(b, kind) + sizeOf(b, kind) / 2);
    EXPECT_EQ(parseError(b, cut, "cut.dlc"),
              strCat("cut.dlc: truncated artifact: header says ", b.size(), " bytes, got ", cut))
        << "section kind " << kind;
  }
}

// A cut file whose header size was rewritten to match: the section table
// still points past the new end.
TEST(ArtifactReject, CutAndResealedFileHasSectionsPastTheEnd) {
  std::vector<uint8_t> b = smallArtifact();
  const uint64_t constAt = offsetOf(b, 2), constSize = sizeOf(b, 2);
  b.resize(size_t(constAt + 8 + 8));  // 8 bytes of constants, then a trailer
  storeLE(b.data() + 16, b.size(), 8);
  reseal(b);
  EXPECT_EQ(parseError(b),
            strCat("a.dlc: truncated artifact: constants section [", constAt, ", +", constSize,
                   ") extends beyond the end of the file (", constAt + 8, " payload bytes)"));
}

TEST(ArtifactReject, WrongVersionsAreRefusedBeforeTheChecksum) {
  // Version 1 is the previous format (FNV-1a checksums): an artifact built
  // by an older dlc says "rebuild", not "corrupt".
  for (uint32_t version : {0u, 1u, 3u, 0xffffffffu}) {
    std::vector<uint8_t> b = smallArtifact();
    storeLE(b.data() + 8, version, 4);
    // Not resealed: another version may checksum differently, so the
    // version is reported, not a checksum mismatch.
    EXPECT_EQ(parseError(b), strCat("a.dlc: artifact format version ", version,
                                    ", this runtime reads version 2: rebuild it with this dlc"));
  }
}

TEST(ArtifactReject, BadMagics) {
  const std::string bad = "a.dlc: not a dlc artifact (bad magic; expected \"DLCARTF\")";
  std::vector<uint8_t> b = smallArtifact();
  b[7] = 'X';  // the terminating NUL of "DLCARTF\0"
  EXPECT_EQ(parseError(b), bad);
  // Short inputs: a prefix of the magic is a truncated artifact, anything
  // else is not an artifact at all.
  std::vector<uint8_t> dlx = {'D', 'L', 'X'};
  EXPECT_EQ(parseError(dlx), bad);
  std::vector<uint8_t> dlc = {'D', 'L', 'C'};
  EXPECT_EQ(parseError(dlc), "a.dlc: truncated artifact: 3 bytes is shorter than the header");
  // The code section's ELF object on its own.
  std::vector<uint8_t> elf = testing::kernelCode();
  ASSERT_GT(elf.size(), 64u);
  EXPECT_EQ(parseError(elf), bad);
}

TEST(ArtifactReject, DeclaredFileSizeThatDisagrees) {
  std::vector<uint8_t> b = smallArtifact();
  const size_t n = b.size();
  storeLE(b.data() + 16, ~uint64_t(0), 8);
  reseal(b);
  EXPECT_EQ(parseError(b),
            strCat("a.dlc: truncated artifact: header says 18446744073709551615 bytes, got ", n));
  storeLE(b.data() + 16, 0, 8);
  reseal(b);
  EXPECT_EQ(parseError(b), strCat("a.dlc: corrupt artifact: ", n,
                                  " trailing bytes after the declared end (0 bytes)"));
}

TEST(ArtifactReject, SectionOffsetsAndSizesPastTheEnd) {
  const std::vector<uint8_t> good = smallArtifact();
  const uint64_t payload = good.size() - 8;
  struct Case {
    uint32_t kind;
    uint64_t offset, size;
  };
  const uint64_t max = ~uint64_t(0);
  for (Case c : {Case{1, payload + 1, 0}, Case{1, offsetOf(good, 1), payload}, Case{2, max, 1},
                 Case{2, 64, max}, Case{3, payload, 1}, Case{3, max, max}}) {
    std::vector<uint8_t> b = good;
    size_t e = entryOf(b, c.kind);
    storeLE(b.data() + e + 8, c.offset, 8);
    storeLE(b.data() + e + 16, c.size, 8);
    reseal(b);
    const char* name = c.kind == 1 ? "manifest" : c.kind == 2 ? "constants" : "code";
    EXPECT_EQ(parseError(b),
              strCat("a.dlc: truncated artifact: ", name, " section [", c.offset, ", +", c.size,
                     ") extends beyond the end of the file (", payload, " payload bytes)"));
  }
  // A section that ends exactly at the trailer is in bounds.
  std::vector<uint8_t> b = good;
  size_t e = entryOf(b, 3);
  storeLE(b.data() + e + 16, payload - offsetOf(b, 3), 8);
  reseal(b);
  auto art = parseArtifact(b.data(), b.size(), "a.dlc");
  ASSERT_TRUE(art.ok()) << art.status().message();
  EXPECT_EQ(art->code.size(), payload - offsetOf(b, 3));
}

TEST(ArtifactReject, ConstantsSectionShorterThanTheManifestSays) {
  std::vector<uint8_t> b = smallArtifact();
  storeLE(b.data() + entryOf(b, 2) + 16, 8, 8);
  reseal(b);
  EXPECT_EQ(parseError(b),
            "a.dlc: manifest: buffers[2] \"c\": constant bytes [0, 16) outside "
            "the constants section of 8 bytes");
}

TEST(ArtifactReject, BadSectionTables) {
  const std::vector<uint8_t> good = smallArtifact();
  auto withCount = [&](uint32_t n) {
    std::vector<uint8_t> b = good;
    storeLE(b.data() + 24, n, 4);
    reseal(b);
    return parseError(b);
  };
  EXPECT_EQ(withCount(17), "a.dlc: corrupt artifact: section table of 17 entries does not fit");
  EXPECT_EQ(withCount(0xffffffffu),
            "a.dlc: corrupt artifact: section table of 4294967295 entries does not fit");
  EXPECT_EQ(withCount(0), "a.dlc: corrupt artifact: no manifest section");
  EXPECT_EQ(withCount(2), "a.dlc: corrupt artifact: no code section");
  // Entries past the three written ones are zero: kind 0.
  EXPECT_EQ(withCount(4), "a.dlc: corrupt artifact: section 3 has unknown kind 0");

  std::vector<uint8_t> b = good;
  storeLE(b.data() + kEntry0 + 48, 5, 4);  // section 2: kind 5
  reseal(b);
  EXPECT_EQ(parseError(b), "a.dlc: corrupt artifact: section 2 has unknown kind 5");
  storeLE(b.data() + kEntry0 + 48, 1, 4);  // section 2: a second manifest
  reseal(b);
  EXPECT_EQ(parseError(b), "a.dlc: corrupt artifact: two manifest sections");

  // A header-only file (no room for the table it declares).
  std::vector<uint8_t> tiny(40, 0);
  std::memcpy(tiny.data(), kArtifactMagic, 8);
  storeLE(tiny.data() + 8, Manifest::kFormatVersion, 4);
  storeLE(tiny.data() + 16, tiny.size(), 8);
  storeLE(tiny.data() + 24, 1, 4);
  reseal(tiny);
  EXPECT_EQ(parseError(tiny), "a.dlc: corrupt artifact: section table of 1 entries does not fit");
}

// The mappings of code sections in this process: the runtime loads one
// through a memory file named "dlc_kernels" (or a dlc_kernels_XXXXXX file).
int kernelMappings() {
  int n = 0;
  std::ifstream maps("/proc/self/maps");
  for (std::string line; std::getline(maps, line);)
    n += line.find("dlc_kernels") != std::string::npos;
  return n;
}

TEST(ArtifactReject, FlippedCodeByteIsCaughtBeforeTheCodeIsMapped) {
  const std::vector<uint8_t> good = testing::sumArtifactBytes();
  ASSERT_FALSE(good.empty());
  const int before = kernelMappings();
  {
    // The probe sees a loaded model's code.
    auto model = Model::loadBytes(good.data(), good.size(), "sum.dlc");
    ASSERT_TRUE(model.ok()) << model.status().message();
    EXPECT_GT(kernelMappings(), before);
  }
  ASSERT_EQ(kernelMappings(), before);
  const uint64_t code = offsetOf(good, 3);
  // The ELF magic (which the code loader itself would refuse), a byte in the
  // middle and the last byte of the code section.
  for (uint64_t at : {code, code + sizeOf(good, 3) / 2, code + sizeOf(good, 3) - 1}) {
    std::vector<uint8_t> b = good;
    b[size_t(at)] ^= 0x01;
    auto model = Model::loadBytes(b.data(), b.size(), "sum.dlc");
    ASSERT_FALSE(model.ok()) << "flip at " << at;
    EXPECT_EQ(model.status().code(), StatusCode::kDataLoss);
    EXPECT_EQ(model.status().message(),
              strCat("sum.dlc: corrupt artifact: checksum mismatch (stored ",
                     loadLE64(b.data() + b.size() - 8), ", computed ",
                     checksum64(b.data(), b.size() - 8), ")"));
    EXPECT_EQ(kernelMappings(), before) << "flip at " << at;
  }
  // Resealed, the same ELF-magic flip passes the checksum and is refused by
  // the code loader instead: the checksum is what stopped it above.
  std::vector<uint8_t> b = good;
  b[size_t(code)] ^= 0x01;
  reseal(b);
  auto model = Model::loadBytes(b.data(), b.size(), "sum.dlc");
  ASSERT_FALSE(model.ok());
  EXPECT_EQ(model.status().message(), "sum.dlc: the code section is not an ELF shared object");
  EXPECT_EQ(kernelMappings(), before);
}

}  // namespace
}  // namespace dlc::rt
