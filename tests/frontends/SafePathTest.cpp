// SafePath: weight paths stay inside the model folder, and file reads are
// bounded.
#include <gtest/gtest.h>
#include <unistd.h>

#include "support/SafePath.h"
#include "tests/frontends/TestFiles.h"

namespace dlc {
namespace {

using testing::failsWith;

TEST(SafePath, ResolvesFilesInsideTheFolder) {
  testing::TempDir dir;
  dir.write("w.npy", "x");
  dir.write("sub/v.npy", "y");
  auto a = resolveInsideFolder(dir.path(), "w.npy");
  ASSERT_TRUE(a.ok()) << a.status().toString();
  EXPECT_EQ(readFileBytes(*a, 100).value(), "x");
  auto b = resolveInsideFolder(dir.path(), "./sub/v.npy");
  ASSERT_TRUE(b.ok()) << b.status().toString();
  EXPECT_EQ(readFileBytes(*b, 100).value(), "y");
  // A symlink that stays inside the folder is fine.
  ASSERT_EQ(::symlink("sub/v.npy", dir.file("link.npy").c_str()), 0);
  auto c = resolveInsideFolder(dir.path(), "link.npy");
  ASSERT_TRUE(c.ok()) << c.status().toString();
  EXPECT_EQ(*c, *b);
}

TEST(SafePath, RefusesPathsThatLeaveTheFolder) {
  testing::TempDir dir, outside;
  dir.write("sub/w.npy", "x");
  outside.write("secret.npy", "s");
  EXPECT_TRUE(failsWith(resolveInsideFolder(dir.path(), "../secret.npy").status(), {"'..'"}));
  EXPECT_TRUE(failsWith(resolveInsideFolder(dir.path(), "sub/../sub/w.npy").status(), {"'..'"}));
  EXPECT_TRUE(failsWith(resolveInsideFolder(dir.path(), "sub/..").status(), {"'..'"}));
  EXPECT_TRUE(failsWith(resolveInsideFolder(dir.path(), outside.file("secret.npy")).status(),
                        {"absolute"}));
  ASSERT_EQ(::symlink(outside.file("secret.npy").c_str(), dir.file("out.npy").c_str()), 0);
  EXPECT_TRUE(
      failsWith(resolveInsideFolder(dir.path(), "out.npy").status(), {"outside the model folder"}));
  ASSERT_EQ(::symlink(outside.path().c_str(), dir.file("outdir").c_str()), 0);
  EXPECT_TRUE(failsWith(resolveInsideFolder(dir.path(), "outdir/secret.npy").status(),
                        {"outside the model folder"}));
  EXPECT_TRUE(failsWith(resolveInsideFolder(dir.path(), "").status(), {"empty"}));
  auto missing = resolveInsideFolder(dir.path(), "nope.npy");
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  EXPECT_TRUE(failsWith(missing.status(), {"nope.npy", "does not exist"}));
  // "..foo" is an ordinary name, not a parent reference.
  dir.write("..foo.npy", "z");
  EXPECT_TRUE(resolveInsideFolder(dir.path(), "..foo.npy").ok());
}

TEST(SafePath, ReadsAreBounded) {
  testing::TempDir dir;
  std::string p = dir.write("big.bin", std::string(1000, 'a'));
  EXPECT_TRUE(failsWith(readFileBytes(p, 999).status(), {"big.bin", "1000 bytes", "999"}));
  EXPECT_EQ(readFileBytes(p, 1000)->size(), 1000u);
  EXPECT_TRUE(failsWith(readFileBytes(dir.path(), 1000).status(), {"not a regular file"}));
  EXPECT_EQ(readFileBytes(dir.file("none"), 10).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(parentFolder("a/b/model.json"), "a/b");
  EXPECT_EQ(parentFolder("model.json"), ".");
  EXPECT_EQ(parentFolder("/model.json"), "/");
}

}  // namespace
}  // namespace dlc
