// The unit agents' socket directories (lib/base/runtime_dir.h): short, stable, private, one per
// (agent dir, model, unit), whatever $SKEIN_DATA and the application name are.

#include "lib/base/runtime_dir.h"

#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <optional>
#include <string>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "tests/scoped_env.h"

namespace skein {
namespace {

namespace fs = std::filesystem;

constexpr char kModelA[] = "0b5c3c7e-6f1a-4c1e-9a43-2f7d2e8b9c10";
constexpr char kModelB[] = "7d0e4b8a-1c2f-4e3a-8b5d-6f7a8b9c0d1e";

mode_t ModeOf(const std::string& path) {
  struct stat st {};
  EXPECT_EQ(::lstat(path.c_str(), &st), 0) << path;
  return st.st_mode & 07777;
}

// Each test gets its own XDG_RUNTIME_DIR (0700, short), restored afterwards.
class RuntimeDirTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/skein-rt-XXXXXX";
    root_ = ::mkdtemp(tmpl);
    xdg_ = root_ + "/xdg";
    ASSERT_EQ(::mkdir(xdg_.c_str(), 0700), 0);
    env_.emplace("XDG_RUNTIME_DIR", xdg_);
  }
  void TearDown() override {
    env_.reset();
    std::error_code ec;
    fs::remove_all(root_, ec);
  }

  std::string root_, xdg_;
  std::optional<testing::ScopedEnv> env_;  // the tests change XDG_RUNTIME_DIR freely within it
};

TEST_F(RuntimeDirTest, SocketPathLengthDependsOnNeitherDataDirNorApplicationName) {
  const std::string short_dir = "/d/machine-0/agents/" + std::string(kModelA) + "/unit-a-0";
  const std::string long_app(40, 'k');
  const std::string long_dir = "/" + std::string(200, 'x') + "/machine-0/agents/" + kModelA + "/unit-" + long_app + "-0";
  std::string a = AgentSocketPath(UnitRuntimeDir(short_dir, kModelA, "a/0"));
  std::string b = AgentSocketPath(UnitRuntimeDir(long_dir, kModelA, long_app + "/0"));
  EXPECT_EQ(a.size(), b.size());
  EXPECT_EQ(a, xdg_ + "/skein/" + fs::path(a).parent_path().filename().string() + "/agent.socket");
  EXPECT_EQ(fs::path(a).parent_path().filename().string().size(), 16u);
  EXPECT_LE(b.size(), kMaxSocketPathLength);
}

TEST_F(RuntimeDirTest, StableForTheSameAgentAndDistinctForAnyOther) {
  const std::string dir = "/data/machine-0/agents/" + std::string(kModelA) + "/unit-app-0";
  std::string path = UnitRuntimeDir(dir, kModelA, "app/0");
  EXPECT_EQ(UnitRuntimeDir(dir, kModelA, "app/0"), path);
  // The same directory spelled differently is the same agent.
  EXPECT_EQ(UnitRuntimeDir("/data/./machine-0//agents/" + std::string(kModelA) + "/unit-app-0/", kModelA, "app/0"),
            path);
  EXPECT_NE(UnitRuntimeDir(dir, kModelB, "app/0"), path);
  EXPECT_NE(UnitRuntimeDir(dir, kModelA, "app/1"), path);
  EXPECT_NE(UnitRuntimeDir("/other/machine-0/agents/" + std::string(kModelA) + "/unit-app-0", kModelA, "app/0"),
            path);
}

TEST_F(RuntimeDirTest, MakeCreatesPrivateDirsAndRemoveTakesThemAway) {
  const std::string dir = root_ + "/agents/" + kModelA + "/unit-app-0";
  auto made = MakeUnitRuntimeDir(dir, kModelA, "app/0");
  ASSERT_TRUE(made.ok()) << made.status();
  EXPECT_EQ(*made, UnitRuntimeDir(dir, kModelA, "app/0"));
  EXPECT_EQ(ModeOf(xdg_ + "/skein"), 0700u);
  EXPECT_EQ(ModeOf(*made), 0700u);
  // Making it again (an agent restart) is fine.
  auto again = MakeUnitRuntimeDir(dir, kModelA, "app/0");
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(*again, *made);

  auto other = MakeUnitRuntimeDir(dir, kModelB, "app/0");
  ASSERT_TRUE(other.ok()) << other.status();
  std::ofstream(AgentSocketPath(*made)) << "stands in for the socket";
  EXPECT_TRUE(RemoveUnitRuntimeDir(dir, kModelA, "app/0").ok());
  EXPECT_FALSE(fs::exists(*made));
  EXPECT_TRUE(fs::is_directory(*other)) << "another model's unit keeps its dir";
  EXPECT_TRUE(RemoveUnitRuntimeDir(dir, kModelA, "app/0").ok()) << "removing what is gone is fine";
}

TEST_F(RuntimeDirTest, UnusableXdgRuntimeDirFallsBackToTmp) {
  const std::string tmp_base = absl::StrCat("/tmp/skein-", ::getuid());
  auto base_of = [](const std::string& path) { return fs::path(path).parent_path().string(); };
  ::unsetenv("XDG_RUNTIME_DIR");
  EXPECT_EQ(base_of(UnitRuntimeDir("/d", kModelA, "a/0")), tmp_base);
  ::setenv("XDG_RUNTIME_DIR", "relative/dir", 1);
  EXPECT_EQ(base_of(UnitRuntimeDir("/d", kModelA, "a/0")), tmp_base);
  ::setenv("XDG_RUNTIME_DIR", (root_ + "/missing").c_str(), 1);
  EXPECT_EQ(base_of(UnitRuntimeDir("/d", kModelA, "a/0")), tmp_base);
  // Open to other users: not a runtime dir.
  std::string open = root_ + "/open";
  ASSERT_EQ(::mkdir(open.c_str(), 0700), 0);
  ASSERT_EQ(::chmod(open.c_str(), 0755), 0);
  ::setenv("XDG_RUNTIME_DIR", open.c_str(), 1);
  EXPECT_EQ(base_of(UnitRuntimeDir("/d", kModelA, "a/0")), tmp_base);
  // So long that the socket would not fit.
  std::string deep = root_ + "/" + std::string(90, 'z');
  ASSERT_EQ(::mkdir(deep.c_str(), 0700), 0);
  ::setenv("XDG_RUNTIME_DIR", deep.c_str(), 1);
  EXPECT_EQ(base_of(UnitRuntimeDir("/d", kModelA, "a/0")), tmp_base);
  // Usable: taken.
  ::setenv("XDG_RUNTIME_DIR", xdg_.c_str(), 1);
  EXPECT_EQ(base_of(UnitRuntimeDir("/d", kModelA, "a/0")), xdg_ + "/skein");
}

TEST_F(RuntimeDirTest, RefusesABaseThatIsASymlinkOrOpenToOthers) {
  std::string elsewhere = root_ + "/elsewhere";
  ASSERT_EQ(::mkdir(elsewhere.c_str(), 0700), 0);
  ASSERT_EQ(::symlink(elsewhere.c_str(), (xdg_ + "/skein").c_str()), 0);
  auto made = MakeUnitRuntimeDir("/d", kModelA, "a/0");
  ASSERT_FALSE(made.ok());
  EXPECT_EQ(made.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(made.status().message(), xdg_ + "/skein is not a directory (a symlink or a file); remove it so skein "
                                            "can create its own");
  EXPECT_TRUE(fs::is_empty(elsewhere)) << "nothing was created through the symlink";

  ASSERT_EQ(::unlink((xdg_ + "/skein").c_str()), 0);
  ASSERT_EQ(::mkdir((xdg_ + "/skein").c_str(), 0700), 0);
  ASSERT_EQ(::chmod((xdg_ + "/skein").c_str(), 0755), 0);
  made = MakeUnitRuntimeDir("/d", kModelA, "a/0");
  ASSERT_FALSE(made.ok());
  EXPECT_EQ(made.status().message(), xdg_ + "/skein is open to other users (mode 0755); run `chmod 700 " + xdg_ +
                                         "/skein` or remove it");
}

}  // namespace
}  // namespace skein
