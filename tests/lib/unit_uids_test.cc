// Privilege separation's building blocks (lib/base/unit_uids.h, runtime_dir.h, file_write.h,
// paths.h, lib/process): the uid range a bootstrap may take, the files it is checked against,
// what root does in a directory a unit owns, and running and stopping processes under a uid.

#include "lib/base/unit_uids.h"

#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "gtest/gtest.h"
#include "lib/base/file_write.h"
#include "lib/base/paths.h"
#include "lib/base/runtime_dir.h"
#include "lib/process/subprocess.h"

namespace skein {
namespace {

namespace fs = std::filesystem;

class TempRoot {
 public:
  TempRoot() {
    char tmpl[] = "/tmp/skein-uids-XXXXXX";
    path_ = ::mkdtemp(tmpl);
  }
  ~TempRoot() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  const std::string& path() const { return path_; }
  std::string Write(const std::string& name, const std::string& text) const {
    std::ofstream(path_ + "/" + name) << text;
    return path_ + "/" + name;
  }

 private:
  std::string path_;
};

TEST(UidRangeTest, FirstUidIsCheckedAgainstTheBounds) {
  auto range = ParseUidRangeFirst("1879048192");
  ASSERT_TRUE(range.ok()) << range.status();
  EXPECT_EQ(range->ToString(), "1879048192-1879113727");
  EXPECT_TRUE(range->Contains(1879048192));
  EXPECT_TRUE(range->Contains(1879113727));
  EXPECT_FALSE(range->Contains(1879113728));
  for (const char* bad : {"0", "1000", "65535", "x", "-5", "2147418112", "4294967295"}) {
    auto parsed = ParseUidRangeFirst(bad);
    EXPECT_EQ(parsed.status().code(), absl::StatusCode::kInvalidArgument) << bad;
    EXPECT_NE(parsed.status().message().find("invalid --unit-uids"), std::string::npos) << bad;
  }
}

TEST(UidRangeTest, DefaultRangesFollowTheDataDirAndStayInTheirSpace) {
  EXPECT_EQ(DefaultUidRangeIndex("/var/lib/skein"), DefaultUidRangeIndex("/var/lib/skein"));
  EXPECT_NE(DefaultUidRangeIndex("/var/lib/skein"), DefaultUidRangeIndex("/tmp/other"));
  EXPECT_EQ(DefaultUidRange(0).first, 0x70000000u);
  EXPECT_EQ(DefaultUidRange(UidRange::kDefaults).first, 0x70000000u);  // wraps around
  const UidRange last = DefaultUidRange(UidRange::kDefaults - 1);
  EXPECT_LT(last.last(), 0x7FFE0000u);  // below systemd's foreign range
  EXPECT_TRUE(ParseUidRangeFirst(std::to_string(last.first)).ok());
}

TEST(UidRangeTest, ARangeMeetingAUserAGroupOrSubordinateIdsIsRefusedWithTheClash) {
  TempRoot root;
  HostIdFiles files{root.Write("passwd", "root:x:0:0:root:/root:/bin/bash\n# a comment\nalice:x:1000:1000::/home/alice:/bin/sh\n"),
                    root.Write("group", "root:x:0:\nbig:x:1879050000:\n"),
                    root.Write("subuid", "alice:100000:65536\n"),
                    root.Write("subgid", "alice:100000:65536\nbob:1879113727:10\n")};
  EXPECT_TRUE(CheckUidRangeIsFree(UidRange{200000}, files).ok());

  absl::Status sub = CheckUidRangeIsFree(UidRange{131072}, files);
  EXPECT_EQ(sub.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(sub.message().find("the subordinate ids of \"alice\" (100000-165535)"), std::string::npos) << sub;
  EXPECT_NE(sub.message().find(files.subuid), std::string::npos) << sub;
  EXPECT_NE(sub.message().find("--unit-uids FIRST"), std::string::npos) << sub;

  absl::Status group = CheckUidRangeIsFree(UidRange{1879048192}, files);
  EXPECT_NE(group.message().find("\"big\" (id 1879050000)"), std::string::npos) << group;
  absl::Status user = CheckUidRangeIsFree(UidRange{65536}, HostIdFiles{files.passwd, "", "", ""});
  EXPECT_TRUE(user.ok()) << user;  // alice is 1000, below the range
  // bob's ids start at the range's last one; the next range is clear of them.
  absl::Status edge = CheckUidRangeIsFree(UidRange{1879048192}, HostIdFiles{"", "", "", files.subgid});
  EXPECT_NE(edge.message().find("\"bob\" (1879113727-1879113736)"), std::string::npos) << edge;
  EXPECT_TRUE(CheckUidRangeIsFree(UidRange{1879113737}, HostIdFiles{"", "", "", files.subgid}).ok());
  EXPECT_TRUE(CheckUidRangeIsFree(UidRange{200000}, HostIdFiles{"/nonexistent", "", "", ""}).ok());
}

TEST(ReachableByOthersTest, NamesTheFirstDirectoryClosedToOthers) {
  TempRoot root;  // mkdtemp makes it 0700
  const std::string inner = root.path() + "/a/b";
  fs::create_directories(inner);
  std::string blocker;
  EXPECT_FALSE(ReachableByOthers(inner, &blocker));
  EXPECT_EQ(blocker, root.path());
  ::chmod(root.path().c_str(), 0711);
  EXPECT_TRUE(ReachableByOthers(inner, &blocker));
  EXPECT_TRUE(ReachableByOthers(inner + "/not/made/yet"));
}

// Root writes a unit's agent.conf in the unit's own dir: a link the unit left at the temporary
// name must not send the write elsewhere.
TEST(WriteFileAtomicTest, ALinkPlantedAtTheTemporaryNameIsNotFollowed) {
  TempRoot root;
  const std::string victim = root.Write("victim", "precious\n");
  const std::string path = root.path() + "/agent.conf";
  fs::create_symlink(victim, path + ".tmp");
  ASSERT_TRUE(WriteFileAtomic(path, "credential: x\n", 0600).ok());
  std::ifstream in(victim);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(text, "precious\n");
  EXPECT_FALSE(fs::is_symlink(path));
}

// The rest needs root: it runs processes under other uids.
class UnderAnotherUidTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (::geteuid() != 0) GTEST_SKIP() << "needs root to run processes under another uid";
  }
  // Uids no process runs as and no user has, from the top of the default space. Each test has
  // its own: ctest runs them at once, and one test's KillAllProcessesOfUid must not reach another's.
  static constexpr uid_t kSpawnUid = 0x7FFDFFF0;
  static constexpr uid_t kKillUid = 0x7FFDFFF1;
  static constexpr uid_t kRuntimeUid = 0x7FFDFFF2;
};

TEST_F(UnderAnotherUidTest, SpawnRunsTheChildAsTheUidWithNoOtherGroups) {
  TempRoot root;
  ::chmod(root.path().c_str(), 0777);
  process::SpawnOptions o;
  o.argv = {"/bin/sh", "-c", "id -u; id -G"};
  o.run_as = process::SpawnOptions::Identity{kSpawnUid, kSpawnUid};
  // Opened after the switch: the file belongs to the uid.
  o.stdout_path = root.path() + "/out";
  auto pid = process::Spawn(o);
  ASSERT_TRUE(pid.ok()) << pid.status();
  auto result = process::Reap(*pid, /*block=*/true);
  ASSERT_TRUE(result.has_value());
  EXPECT_EQ(result->exit_code, 0);
  std::ifstream in(o.stdout_path);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(text, std::to_string(kSpawnUid) + "\n" + std::to_string(kSpawnUid) + "\n");
  struct stat st {};
  ASSERT_EQ(::stat(o.stdout_path.c_str(), &st), 0);
  EXPECT_EQ(st.st_uid, kSpawnUid);
}

TEST_F(UnderAnotherUidTest, KillAllProcessesOfUidStopsProcessesThatLeftTheirSession) {
  ASSERT_FALSE(process::AnyProcessOfUid(kKillUid));
  process::SpawnOptions o;
  // A daemon that escaped into its own session, as a charm's workload might.
  o.argv = {"/bin/sh", "-c", "setsid sleep 600 & exec sleep 600"};
  o.run_as = process::SpawnOptions::Identity{kKillUid, kKillUid};
  auto pid = process::Spawn(o);
  ASSERT_TRUE(pid.ok()) << pid.status();
  EXPECT_TRUE(process::AnyProcessOfUid(kKillUid));
  ASSERT_TRUE(process::KillAllProcessesOfUid(kKillUid).ok());
  auto result = process::Reap(*pid, /*block=*/true);
  ASSERT_TRUE(result.has_value());
  EXPECT_TRUE(result->signaled);
  // The escaped one too (KillAllProcessesOfUid returns once none runs).
  EXPECT_FALSE(process::AnyProcessOfUid(kKillUid));
}

TEST_F(UnderAnotherUidTest, RuntimeBaseOfAUidIsTakenBackFromWhoeverMadeItFirst) {
  const std::string base = RuntimeBaseOfUid(kRuntimeUid);
  std::error_code ec;
  fs::remove_all(base, ec);
  // Someone else got there first, with a link to somewhere precious.
  TempRoot root;
  fs::create_directory_symlink(root.path(), base);
  ASSERT_TRUE(PrepareRuntimeBaseOfUid(kRuntimeUid, kRuntimeUid).ok());
  struct stat st {};
  ASSERT_EQ(::lstat(base.c_str(), &st), 0);
  EXPECT_TRUE(S_ISDIR(st.st_mode));
  EXPECT_EQ(st.st_uid, kRuntimeUid);
  EXPECT_EQ(st.st_mode & 07777, 0700u);
  EXPECT_TRUE(fs::exists(root.path()));  // the link went, not its target
  ASSERT_TRUE(RemoveRuntimeBaseOfUid(kRuntimeUid).ok());
  EXPECT_FALSE(fs::exists(base));
}

}  // namespace
}  // namespace skein
