// Artifact container: round trip, and rejection of every damaged variant
// (every truncation length, random byte flips, wrong version/magic) with the
// file named in the error and no crash.
#include <gtest/gtest.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <unistd.h>

#include "TestArtifact.h"
#include "runtime/src/Artifact.h"
#include "runtime/src/Checksum.h"
#include "tests/common/Sanitizers.h"

namespace dlc::rt {
namespace {

std::string tempPath(const std::string& name) {
  return strCat(::testing::TempDir(), "/dlcrt_", getpid(), "_", name);
}

void writeBytes(const std::string& path, const std::vector<uint8_t>& bytes) {
  std::ofstream out(path, std::ios::binary);
  out.write(reinterpret_cast<const char*>(bytes.data()), std::streamsize(bytes.size()));
}

// A small artifact (tiny code section) so that exhaustive loops stay fast.
std::vector<uint8_t> smallArtifact() {
  std::vector<uint8_t> code = {0x7f, 'E', 'L', 'F', 1, 2, 3, 4};
  auto bytes = serializeArtifact(testing::sumManifest(), testing::sumConstants(), code);
  EXPECT_TRUE(bytes.ok());
  return *bytes;
}

// Recomputes the trailer checksum after a deliberate header edit.
void reseal(std::vector<uint8_t>& b) {
  uint64_t h = checksum64(b.data(), b.size() - 8);
  for (int i = 0; i < 8; ++i) b[b.size() - 8 + size_t(i)] = uint8_t(h >> (8 * i));
}

TEST(Artifact, RoundTripFile) {
  std::string path = tempPath("roundtrip.dlc");
  std::vector<uint8_t> code = testing::kernelCode();
  ASSERT_GT(code.size(), 1000u);
  ASSERT_TRUE(writeArtifact(path, testing::sumManifest(), testing::sumConstants(), code).ok());
  auto art = readArtifact(path);
  ASSERT_TRUE(art.ok()) << art.status().message();
  EXPECT_EQ(art->source, path);
  EXPECT_EQ(art->code, code);
  EXPECT_EQ(art->constants, testing::sumConstants());
  EXPECT_EQ(art->manifest.kernels.size(), 4u);
  std::remove(path.c_str());
}

TEST(Artifact, LayoutIsAligned) {
  std::vector<uint8_t> b = smallArtifact();
  EXPECT_EQ(std::string(reinterpret_cast<const char*>(b.data())), "DLCARTF");
  EXPECT_EQ(b[8], Manifest::kFormatVersion);
  uint32_t n = b[24];
  EXPECT_EQ(n, 3u);
  for (uint32_t i = 0; i < n; ++i) {
    uint64_t off = 0;
    for (int k = 0; k < 8; ++k) off |= uint64_t(b[32 + 24 * i + 8 + size_t(k)]) << (8 * k);
    EXPECT_EQ(off % 64, 0u) << "section " << i;
  }
  uint64_t size = 0;
  for (int k = 0; k < 8; ++k) size |= uint64_t(b[16 + size_t(k)]) << (8 * k);
  EXPECT_EQ(size, b.size());
}

TEST(Artifact, MissingFile) {
  auto art = readArtifact("/nonexistent/model.dlc");
  ASSERT_FALSE(art.ok());
  EXPECT_EQ(art.status().code(), StatusCode::kNotFound);
  EXPECT_NE(art.status().message().find("'/nonexistent/model.dlc' does not exist"),
            std::string::npos)
      << art.status().message();
}

// Runs in a death-test child: reads `path` under a 1 GiB address-space limit
// and exits 0 when readArtifact failed with `expected` in its message.
[[noreturn]] void readUnderOneGiB(const std::string& path, const std::string& expected) {
  test::capAddressSpaceUnlessAsan(uint64_t(1) << 30);
  auto art = readArtifact(path);
  std::exit(!art.ok() && art.status().message().find(expected) != std::string::npos ? 0 : 1);
}

// A symlink to /dev/zero would be read until memory runs out.
TEST(ArtifactDeathTest, SymlinkToDevZeroIsNotRead) {
  std::string link = tempPath("zero.dlc");
  std::remove(link.c_str());
  ASSERT_EQ(symlink("/dev/zero", link.c_str()), 0);
  EXPECT_EXIT(readUnderOneGiB(link, "is not a regular file"), ::testing::ExitedWithCode(0), "");
  std::remove(link.c_str());
}

TEST(Artifact, FifoAndDirectoryAreRefusedWithoutOpening) {
  std::string fifo = tempPath("pipe.dlc");
  std::remove(fifo.c_str());
  ASSERT_EQ(mkfifo(fifo.c_str(), 0600), 0);
  auto art = readArtifact(fifo);  // opening a FIFO with no writer would block forever
  EXPECT_EQ(art.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(art.status().message().find("is not a regular file"), std::string::npos);
  std::remove(fifo.c_str());
  EXPECT_EQ(readArtifact(::testing::TempDir()).status().code(), StatusCode::kInvalidArgument);
}

TEST(Artifact, FileOverTheSizeLimitIsRefusedUnread) {
  std::string path = tempPath("huge.dlc");
  writeBytes(path, smallArtifact());
  ASSERT_EQ(truncate(path.c_str(), off_t(kMaxArtifactBytes + 1)), 0);  // sparse
  auto art = readArtifact(path);
  EXPECT_EQ(art.status().code(), StatusCode::kOutOfRange);
  EXPECT_NE(art.status().message().find("over the limit of 17179869184 bytes"), std::string::npos)
      << art.status().message();
  std::remove(path.c_str());
}

TEST(Artifact, EveryTruncationIsRejected) {
  std::vector<uint8_t> b = smallArtifact();
  for (size_t len = 0; len < b.size(); ++len) {
    auto art = parseArtifact(b.data(), len, "cut.dlc");
    ASSERT_FALSE(art.ok()) << "length " << len;
    std::string msg = art.status().message();
    EXPECT_EQ(msg.rfind("cut.dlc: ", 0), 0u) << msg;
    EXPECT_NE(msg.find("truncated"), std::string::npos) << "length " << len << ": " << msg;
  }
}

TEST(Artifact, TruncatedFileNamesTheFile) {
  std::vector<uint8_t> b = smallArtifact();
  b.resize(b.size() / 2);
  std::string path = tempPath("half.dlc");
  writeBytes(path, b);
  auto art = readArtifact(path);
  ASSERT_FALSE(art.ok());
  EXPECT_EQ(art.status().code(), StatusCode::kDataLoss);
  EXPECT_NE(art.status().message().find(path + ": truncated artifact: header says"), std::string::npos)
      << art.status().message();
  std::remove(path.c_str());
}

TEST(Artifact, EveryByteFlipIsRejected) {
  std::vector<uint8_t> b = smallArtifact();
  std::mt19937 rng(1234);
  for (size_t i = 0; i < b.size(); ++i) {
    std::vector<uint8_t> bad = b;
    bad[i] ^= uint8_t(1u << (rng() % 8));
    auto art = parseArtifact(bad.data(), bad.size(), "flip.dlc");
    ASSERT_FALSE(art.ok()) << "flip at byte " << i;
    EXPECT_EQ(art.status().message().rfind("flip.dlc: ", 0), 0u) << art.status().message();
  }
}

TEST(Artifact, RandomCorruptionNeverCrashes) {
  std::vector<uint8_t> b = smallArtifact();
  std::mt19937 rng(42);
  for (int trial = 0; trial < 2000; ++trial) {
    std::vector<uint8_t> bad = b;
    int flips = 1 + int(rng() % 16);
    for (int f = 0; f < flips; ++f) bad[rng() % bad.size()] = uint8_t(rng());
    if (trial % 2) reseal(bad);  // also exercise the parser behind the checksum
    bad.resize(bad.size() - (trial % 3 == 0 ? rng() % 64 : 0));
    auto art = parseArtifact(bad.data(), bad.size(), "fuzz.dlc");
    if (!art.ok()) {
      EXPECT_EQ(art.status().message().rfind("fuzz.dlc: ", 0), 0u);
    }
  }
}

TEST(Artifact, ResealedCorruptManifestIsRejected) {
  std::vector<uint8_t> b = smallArtifact();
  // The manifest section starts at the first aligned offset after the table.
  size_t manifestAt = 128;
  ASSERT_EQ(b[manifestAt], '{');
  b[manifestAt] = '[';
  reseal(b);
  auto art = parseArtifact(b.data(), b.size(), "m.dlc");
  ASSERT_FALSE(art.ok());
  EXPECT_NE(art.status().message().find("m.dlc: manifest: not valid JSON"), std::string::npos)
      << art.status().message();
}

TEST(Artifact, ChecksumMismatch) {
  std::vector<uint8_t> b = smallArtifact();
  b[b.size() - 20] ^= 0xff;
  auto art = parseArtifact(b.data(), b.size(), "sum.dlc");
  ASSERT_FALSE(art.ok());
  EXPECT_EQ(art.status().code(), StatusCode::kDataLoss);
  EXPECT_NE(art.status().message().find("sum.dlc: corrupt artifact: checksum mismatch"),
            std::string::npos);
}

TEST(Artifact, WrongVersion) {
  std::vector<uint8_t> b = smallArtifact();
  b[8] = 7;
  reseal(b);
  std::string path = tempPath("v7.dlc");
  writeBytes(path, b);
  auto art = readArtifact(path);
  ASSERT_FALSE(art.ok());
  EXPECT_EQ(art.status().message(),
            path + ": artifact format version 7, this runtime reads version 2: rebuild it with this dlc");
  std::remove(path.c_str());
}

TEST(Artifact, WrongMagic) {
  std::vector<uint8_t> b = smallArtifact();
  b[0] = 'X';
  auto art = parseArtifact(b.data(), b.size(), "notdlc.bin");
  ASSERT_FALSE(art.ok());
  EXPECT_EQ(art.status().message(), "notdlc.bin: not a dlc artifact (bad magic; expected \"DLCARTF\")");
  const char text[] = "hello world, this is not an artifact at all";
  art = parseArtifact(reinterpret_cast<const uint8_t*>(text), sizeof text, "hello.txt");
  ASSERT_FALSE(art.ok());
  EXPECT_NE(art.status().message().find("hello.txt: not a dlc artifact"), std::string::npos);
}

TEST(Artifact, TrailingGarbageIsRejected) {
  std::vector<uint8_t> b = smallArtifact();
  b.push_back(0);
  auto art = parseArtifact(b.data(), b.size(), "long.dlc");
  ASSERT_FALSE(art.ok());
  EXPECT_NE(art.status().message().find("long.dlc: corrupt artifact: 1 trailing bytes"),
            std::string::npos);
}

TEST(Artifact, WriterValidates) {
  Manifest m = testing::sumManifest();
  m.kernels[0].args[0] = 99;
  auto bytes = serializeArtifact(m, testing::sumConstants(), {});
  ASSERT_FALSE(bytes.ok());
  EXPECT_NE(bytes.status().message().find("kernels[0].args[0]"), std::string::npos);
  // Constants that do not fit the constants section.
  auto small = serializeArtifact(testing::sumManifest(), std::vector<uint8_t>(8), {});
  ASSERT_FALSE(small.ok());
  EXPECT_NE(small.status().message().find("buffers[2] \"c\": constant bytes [0, 16) outside"),
            std::string::npos)
      << small.status().message();
}

TEST(Artifact, WriteToBadPath) {
  Status st = writeArtifact("/nonexistent/dir/m.dlc", testing::sumManifest(), testing::sumConstants(), {});
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.message().find("cannot write '/nonexistent/dir/m.dlc'"), std::string::npos)
      << st.message();
}

TEST(Artifact, WriteReplacesAtomicallyAndLeavesNoTempFile) {
  std::string dir = tempPath("atomic");
  std::string cmd = "rm -rf '" + dir + "' && mkdir -p '" + dir + "'";
  ASSERT_EQ(std::system(cmd.c_str()), 0);
  std::string path = dir + "/m.dlc";
  writeBytes(path, {1, 2, 3});
  ASSERT_TRUE(writeArtifact(path, testing::sumManifest(), testing::sumConstants(), {}).ok());
  ASSERT_TRUE(readArtifact(path).ok());
  auto entries = std::distance(std::filesystem::directory_iterator(dir),
                               std::filesystem::directory_iterator{});
  EXPECT_EQ(entries, 1);  // m.dlc only, no leftover temp file
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace dlc::rt
