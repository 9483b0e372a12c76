// Zip reader limits: one uncompressed-byte budget per archive (members may
// share compressed bytes), and a member's claimed size never drives an
// allocation beyond what its compressed bytes can inflate to.
#include <gtest/gtest.h>
#include <sys/resource.h>

#include <cstdlib>

#include "support/Npy.h"
#include "support/Zip.h"
#include "tests/frontends/TestFiles.h"
#include "tests/common/Sanitizers.h"

namespace dlc {
namespace {

using testing::failsWith;
using testing::putLE;

// A zip whose `entries` central-directory entries all point at one deflated
// local member holding `data`: the shape of a non-recursive zip bomb.
std::string sharedMemberZip(const std::string& data, int entries) {
  std::string body = testing::deflateBytes(data, /*gzip=*/false);
  uint32_t crc = uint32_t(crc32(0, reinterpret_cast<const Bytef*>(data.data()), uInt(data.size())));
  std::string out, central;
  putLE(out, 0x04034b50, 4);
  putLE(out, 20, 2);
  putLE(out, 0, 2);
  putLE(out, 8, 2);
  putLE(out, 0, 4);
  putLE(out, crc, 4);
  putLE(out, body.size(), 4);
  putLE(out, data.size(), 4);
  putLE(out, 1, 2);
  putLE(out, 0, 2);
  out += "m" + body;
  for (int i = 0; i < entries; ++i) {
    std::string name = "m" + std::to_string(i) + ".npy";
    putLE(central, 0x02014b50, 4);
    putLE(central, 20, 2);
    putLE(central, 20, 2);
    putLE(central, 0, 2);
    putLE(central, 8, 2);
    putLE(central, 0, 4);
    putLE(central, crc, 4);
    putLE(central, body.size(), 4);
    putLE(central, data.size(), 4);
    putLE(central, name.size(), 2);
    putLE(central, 0, 2);
    putLE(central, 0, 2);
    putLE(central, 0, 2);
    putLE(central, 0, 2);
    putLE(central, 0, 4);
    putLE(central, 0, 4);  // every entry: the one local header at offset 0
    central += name;
  }
  uint64_t cdOffset = out.size();
  out += central;
  putLE(out, 0x06054b50, 4);
  putLE(out, 0, 4);
  putLE(out, uint64_t(entries), 2);
  putLE(out, uint64_t(entries), 2);
  putLE(out, central.size(), 4);
  putLE(out, cdOffset, 4);
  putLE(out, 0, 2);
  return out;
}

TEST(Zip, BudgetCoversTheWholeArchive) {
  std::string a(600, 'a'), b(600, 'b');
  std::string zip = testing::handBuiltZip({{"a.npy", a}, {"b.npy", b}});
  auto both = readZip(zip, "two.npz", 1200);
  ASSERT_TRUE(both.ok()) << both.status().toString();
  ASSERT_EQ(both->size(), 2u);
  EXPECT_EQ((*both)[1].data, b);
  // Each member fits 1000 bytes on its own; together they do not.
  auto over = readZip(zip, "two.npz", 1000);
  EXPECT_EQ(over.status().code(), StatusCode::kOutOfRange);
  EXPECT_TRUE(failsWith(over.status(), {"two.npz", "member 'b.npy' is 600 bytes", "only 400",
                                        "limit of 1000"}));
}

TEST(Zip, MembersSharingCompressedBytesStopAtTheBudget) {
  // 64 entries x 1 MiB of zeros from about 1 KiB of deflate data.
  std::string zip = sharedMemberZip(std::string(1 << 20, '\0'), 64);
  EXPECT_LT(zip.size(), 16u << 10);
  auto r = readZip(zip, "bomb.npz", uint64_t(16) << 20);
  EXPECT_EQ(r.status().code(), StatusCode::kOutOfRange);
  EXPECT_TRUE(failsWith(r.status(), {"bomb.npz", "member 'm16.npy'", "only 0"}));
  EXPECT_TRUE(readZip(zip, "bomb.npz", uint64_t(64) << 20).ok());
}

// Runs in a death-test child: limits the address space to 1 GiB, parses
// `npz` and exits 0 when it failed with `expected` in the message.
[[noreturn]] void parseUnderOneGiB(const std::string& npz, const std::string& expected) {
  test::capAddressSpaceUnlessAsan(uint64_t(1) << 30);
  auto r = parseNpz(npz, "lie.npz");
  std::exit(!r.ok() && r.status().message().find(expected) != std::string::npos ? 0 : 1);
}

// A 100-byte deflated member whose central directory claims ~4 GiB must not
// reserve 4 GiB: under a 1 GiB address-space limit the read fails cleanly.
TEST(ZipDeathTest, ClaimedSizeDoesNotDriveAllocation) {
  std::string zip = testing::handBuiltZip({{"w.npy", std::string(100, 'x'), /*deflate=*/true}});
  size_t cd = zip.size() - 22 - 46 - 5;  // the member's central-directory entry
  std::string lie = zip;
  lie[cd + 24] = char(0xf0);
  lie[cd + 25] = lie[cd + 26] = lie[cd + 27] = char(0xff);  // size 0xfffffff0
  EXPECT_EXIT(parseUnderOneGiB(lie, "decompressed to 100 bytes"), ::testing::ExitedWithCode(0),
              "");
}

}  // namespace
}  // namespace dlc
