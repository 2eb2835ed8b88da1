#include "agents/unit/charm/charm_dir.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>

#include "gtest/gtest.h"
#include "lib/charm/charm_zip.h"
#include "tests/agents/unit/test_util.h"

namespace skein::agent {
namespace {

charm::PackEntry Entry(const std::string& path, const std::string& content, uint32_t mode, bool link = false) {
  charm::PackEntry e;
  e.path = path;
  e.content = content;
  e.mode = mode;
  e.kind = link ? charm::EntryKind::kSymlink : charm::EntryKind::kFile;
  return e;
}

// Packs `entries` into `<dir>/charm.zip` as the controller would serve them.
std::string Pack(const testing::TempDir& dir, const std::vector<charm::PackEntry>& entries) {
  const std::string path = dir.path() + "/charm.zip";
  EXPECT_TRUE(charm::WriteCharmZip(path, entries).ok());
  return path;
}

mode_t ModeOf(const std::string& path) {
  struct stat st;
  EXPECT_EQ(::stat(path.c_str(), &st), 0) << path;
  return st.st_mode & 07777;
}

TEST(CharmDirTest, ExtractsFilesWithTheirModesAndLinks) {
  testing::TempDir dir;
  const std::string zip = Pack(dir, {Entry("metadata.yaml", "name: app\n", 0644),
                                     Entry("hooks/install", "#!/bin/sh\necho hi\n", 0755),
                                     Entry("hooks/start", "install", 0777, /*link=*/true),
                                     Entry("src/lib/x.py", "x = 1\n", 0600)});
  std::string charm = dir.path() + "/charm";
  ASSERT_TRUE(SwapInCharm(zip, charm).ok());
  EXPECT_EQ(testing::ReadFile(charm + "/metadata.yaml"), "name: app\n");
  EXPECT_EQ(ModeOf(charm + "/hooks/install"), 0755u);
  EXPECT_EQ(ModeOf(charm + "/src/lib/x.py"), 0600u);
  EXPECT_TRUE(std::filesystem::is_symlink(charm + "/hooks/start"));
  EXPECT_EQ(std::filesystem::read_symlink(charm + "/hooks/start"), "install");
  EXPECT_EQ(::access((charm + "/hooks/start").c_str(), X_OK), 0);
}

TEST(CharmDirTest, SwappingKeepsFilesTheCharmWroteItself) {
  testing::TempDir dir;
  std::string charm = dir.path() + "/charm";
  ASSERT_TRUE(SwapInCharm(Pack(dir, {Entry("metadata.yaml", "name: app\n", 0644)}), charm).ok());
  testing::WriteFile(charm + "/.unit-state.db", "ops state");
  ASSERT_TRUE(SwapInCharm(Pack(dir, {Entry("metadata.yaml", "name: app\nsummary: v2\n", 0644)}), charm).ok());
  EXPECT_EQ(testing::ReadFile(charm + "/metadata.yaml"), "name: app\nsummary: v2\n");
  EXPECT_EQ(testing::ReadFile(charm + "/.unit-state.db"), "ops state");
}

TEST(CharmDirTest, SwapDropsTheOldCharmsFilesAndShowsOnlyTheWholeNewCharm) {
  testing::TempDir dir;
  std::string charm = dir.path() + "/charm";
  ASSERT_TRUE(SwapInCharm(Pack(dir, {Entry("metadata.yaml", "name: app\n", 0644),
                                     Entry("hooks/install", "#!/bin/sh\n", 0755)}),
                          charm)
                  .ok());
  testing::WriteFile(charm + "/.unit-state.db", "ops state");
  std::filesystem::create_directories(charm + "/data");
  testing::WriteFile(charm + "/data/kept", "written by a hook");
  bool seen_in_place = false;
  ASSERT_TRUE(SwapInCharm(Pack(dir, {Entry("metadata.yaml", "name: app\nsummary: v2\n", 0644),
                                     Entry("src/charm.py", "print()\n", 0755)}),
                          charm,
                          [&] {
                            // The new charm and the charm's own data are in place, together.
                            seen_in_place = testing::ReadFile(charm + "/metadata.yaml") == "name: app\nsummary: v2\n" &&
                                            testing::ReadFile(charm + "/.unit-state.db") == "ops state";
                          })
                  .ok());
  EXPECT_TRUE(seen_in_place);
  EXPECT_FALSE(std::filesystem::exists(charm + "/hooks")) << "the old charm's files are gone";
  EXPECT_EQ(testing::ReadFile(charm + "/src/charm.py"), "print()\n");
  EXPECT_EQ(testing::ReadFile(charm + "/data/kept"), "written by a hook");
  EXPECT_FALSE(std::filesystem::exists(charm + ".next"));
  EXPECT_FALSE(std::filesystem::exists(charm + ".prev"));
}

TEST(CharmDirTest, SwapCutShortBetweenTwoRenamesIsUndoneByTheNextOne) {
  // Where the filesystem cannot exchange directories, the swap is two renames; a crash between
  // them leaves the old charm aside and no charm dir.
  testing::TempDir dir;
  std::string charm = dir.path() + "/charm";
  ASSERT_TRUE(SwapInCharm(Pack(dir, {Entry("metadata.yaml", "name: app\n", 0644)}), charm).ok());
  testing::WriteFile(charm + "/.unit-state.db", "ops state");
  std::filesystem::rename(charm, charm + ".prev");
  ASSERT_TRUE(SwapInCharm(Pack(dir, {Entry("metadata.yaml", "name: app\nsummary: v2\n", 0644)}), charm).ok());
  EXPECT_EQ(testing::ReadFile(charm + "/metadata.yaml"), "name: app\nsummary: v2\n");
  EXPECT_EQ(testing::ReadFile(charm + "/.unit-state.db"), "ops state");
  EXPECT_FALSE(std::filesystem::exists(charm + ".prev"));
}

// The controller refuses such archives; the agent checks again before writing anything.
TEST(CharmDirTest, RefusesArchivesThatEscapeTheCharmAndWritesNothing) {
  for (const std::string bad : {"/etc/passwd", "../x", "hooks/../../x"}) {
    testing::TempDir dir;
    const std::string zip = Pack(dir, {Entry("metadata.yaml", "name: app\n", 0644), Entry(bad, "evil", 0644)});
    absl::Status s = SwapInCharm(zip, dir.path() + "/charm");
    EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << bad;
    EXPECT_FALSE(std::filesystem::exists(dir.path() + "/charm")) << bad;
  }
  for (const std::string target : {"/etc/passwd", "../../outside", "../.."}) {
    testing::TempDir dir;
    const std::string zip = Pack(dir, {Entry("hooks/install", target, 0777, /*link=*/true)});
    EXPECT_EQ(SwapInCharm(zip, dir.path() + "/charm").code(), absl::StatusCode::kInvalidArgument) << target;
    EXPECT_FALSE(std::filesystem::exists(dir.path() + "/charm")) << target;
  }
  testing::TempDir dir;
  EXPECT_TRUE(SwapInCharm(Pack(dir, {Entry("hooks/install", "../dispatch", 0777, /*link=*/true)}),
                           dir.path() + "/charm")
                  .ok());
}

TEST(CharmDirTest, ToolsDirHoldsExactlyOneLinkPerTool) {
  testing::TempDir dir;
  std::string tools = dir.path() + "/tools";
  ASSERT_TRUE(CreateToolsDir(tools, "/opt/skein/skein-hook-tool", {"relation-get", "status-set", "old-tool"}).ok());
  ASSERT_TRUE(CreateToolsDir(tools, "/opt/skein/skein-hook-tool", {"relation-get", "status-set"}).ok());
  std::vector<std::string> names;
  for (const auto& e : std::filesystem::directory_iterator(tools)) {
    names.push_back(e.path().filename().string());
    EXPECT_EQ(std::filesystem::read_symlink(e.path()), "/opt/skein/skein-hook-tool");
  }
  std::sort(names.begin(), names.end());
  EXPECT_EQ(names, (std::vector<std::string>{"relation-get", "status-set"}));
}

}  // namespace
}  // namespace skein::agent
