#include "agents/unit/charm/charm_dir.h"

#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>

#include "gtest/gtest.h"
#include "tests/agents/unit/test_util.h"

namespace skein::agent {
namespace {

void Add(v1::CharmArchive& a, const std::string& path, const std::string& content, uint32_t mode,
         bool link = false) {
  v1::CharmFile* f = a.add_files();
  f->set_path(path);
  f->set_content(content);
  f->set_mode(mode);
  f->set_is_symlink(link);
}

mode_t ModeOf(const std::string& path) {
  struct stat st;
  EXPECT_EQ(::stat(path.c_str(), &st), 0) << path;
  return st.st_mode & 07777;
}

TEST(CharmDirTest, WritesFilesWithTheirModesAndLinks) {
  testing::TempDir dir;
  v1::CharmArchive a;
  Add(a, "metadata.yaml", "name: app\n", 0644);
  Add(a, "hooks/install", "#!/bin/sh\necho hi\n", 0755);
  Add(a, "hooks/start", "install", 0777, /*link=*/true);
  Add(a, "src/lib/x.py", "x = 1\n", 0600);
  std::string charm = dir.path() + "/charm";
  ASSERT_TRUE(WriteCharmDir(charm, a).ok());
  EXPECT_EQ(testing::ReadFile(charm + "/metadata.yaml"), "name: app\n");
  EXPECT_EQ(ModeOf(charm + "/hooks/install"), 0755u);
  EXPECT_EQ(ModeOf(charm + "/src/lib/x.py"), 0600u);
  EXPECT_TRUE(std::filesystem::is_symlink(charm + "/hooks/start"));
  EXPECT_EQ(std::filesystem::read_symlink(charm + "/hooks/start"), "install");
  EXPECT_EQ(::access((charm + "/hooks/start").c_str(), X_OK), 0);
}

TEST(CharmDirTest, RewritingKeepsFilesTheCharmDoesNotShip) {
  testing::TempDir dir;
  std::string charm = dir.path() + "/charm";
  v1::CharmArchive a;
  Add(a, "metadata.yaml", "name: app\n", 0644);
  ASSERT_TRUE(WriteCharmDir(charm, a).ok());
  testing::WriteFile(charm + "/.unit-state.db", "ops state");
  a.mutable_files(0)->set_content("name: app\nsummary: v2\n");
  ASSERT_TRUE(WriteCharmDir(charm, a).ok());
  EXPECT_EQ(testing::ReadFile(charm + "/metadata.yaml"), "name: app\nsummary: v2\n");
  EXPECT_EQ(testing::ReadFile(charm + "/.unit-state.db"), "ops state");
}

TEST(CharmDirTest, RejectsPathsThatEscapeTheCharmAndWritesNothing) {
  for (const std::string bad : {"/etc/passwd", "../x", "hooks/../../x", "a//b", "./a", ""}) {
    testing::TempDir dir;
    v1::CharmArchive a;
    Add(a, "metadata.yaml", "name: app\n", 0644);
    Add(a, bad, "evil", 0644);
    absl::Status s = WriteCharmDir(dir.path() + "/charm", a);
    EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << bad;
    EXPECT_FALSE(std::filesystem::exists(dir.path() + "/charm/metadata.yaml")) << bad;
  }
  for (const std::string target : {"/etc/passwd", "../../outside", "../.."}) {
    testing::TempDir dir;
    v1::CharmArchive a;
    Add(a, "hooks/install", target, 0777, /*link=*/true);
    EXPECT_EQ(WriteCharmDir(dir.path() + "/charm", a).code(), absl::StatusCode::kInvalidArgument) << target;
  }
  testing::TempDir dir;
  v1::CharmArchive ok;
  Add(ok, "hooks/install", "../dispatch", 0777, /*link=*/true);
  EXPECT_TRUE(WriteCharmDir(dir.path() + "/charm", ok).ok());
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
