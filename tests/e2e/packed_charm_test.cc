// Packed charms end to end (issue 11, defect 2 and acceptance 2): `.charm` archives packed by a
// packer that is not skein's (python's zipfile, laid out as charmcraft packs), deployed and
// refreshed through the CLI; what is refused at deploy; and the peak memory of the controller
// and the unit agent while a 200 MiB charm moves through them.

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "tests/e2e/harness.h"
#include "tests/e2e/packed_charms.h"

namespace skein::e2e {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

// The charm's start hook reports, from inside its own charm dir, the mode of `dispatch` and of
// `bin/tool`, where the symlink `lib/blob` points, and the SHA-256 of what it reaches.
constexpr char kReportingDispatch[] =
    "#!/bin/sh\n"
    "hook=\"${JUJU_DISPATCH_PATH#hooks/}\"\n"
    "log=\"$(config-get log-path)\"\n"
    "[ -n \"$log\" ] && echo \"$hook\" >> \"$log\"\n"
    "if [ \"$hook\" = start ]; then\n"
    "  cd \"$JUJU_CHARM_DIR\"\n"
    "  { stat -c %a dispatch; readlink lib/blob; sha256sum lib/blob | cut -d' ' -f1; stat -c %a bin/tool;\n"
    "    cat VERSION; } > \"$(config-get report)\"\n"
    "fi\n"
    "status-set active \"version $(cat \"$JUJU_CHARM_DIR/VERSION\")\"\n";

class PackedCharmTest : public ::testing::Test {
 protected:
  void Ok(const std::vector<std::string>& args) {
    CliResult r = cluster_.Skein(args, std::chrono::minutes(3));
    ASSERT_EQ(r.code, 0) << "skein " << args[0] << " failed:\n" << r.err << r.out;
  }
  std::string Path(const std::string& name) const { return cluster_.scratch_dir() + "/" + name; }

  // The reporting charm as a directory: `VERSION` says which revision of the test charm it is.
  std::string WriteTestdb(const std::string& dir, const std::string& version, bool with_db_endpoint = true) {
    WriteTestFile(dir + "/metadata.yaml",
                  std::string("name: testdb\nsummary: packed charm test\n") +
                      (with_db_endpoint ? "provides:\n  db:\n    interface: kv\n" : ""));
    WriteTestFile(dir + "/config.yaml",
                  "options:\n  report: {type: string, default: \"\"}\n  log-path: {type: string, default: \"\"}\n");
    WriteTestFile(dir + "/dispatch", kReportingDispatch, 0755);
    WriteTestFile(dir + "/bin/tool", "#!/bin/sh\necho tool\n", 0750);
    WriteTestFile(dir + "/VERSION", version + "\n");
    fs::create_directories(dir + "/lib");
    std::error_code ec;
    fs::remove(dir + "/lib/blob", ec);
    fs::create_symlink("../data/blob.bin", dir + "/lib/blob");
    return WriteRandomFile(dir + "/data/blob.bin", 6 * 1000 * 1000, 11);
  }

  std::vector<std::string> Report() const { return ReadLines(Path("report")); }

  bool WaitForActive(const std::string& unit, const std::string& message = "") {
    return cluster_.WaitForStatus(
        [&](const json& s) {
          return UnitSettled(s, unit, "active") && (message.empty() || WorkloadMessage(s, unit) == message);
        },
        std::chrono::minutes(2));
  }

  Cluster cluster_;
};

TEST_F(PackedCharmTest, ZipPackedCharmKeepsModesSymlinkAndBigFile) {
  Ok({"bootstrap"});
  Ok({"add-model", "packed"});
  const std::string blob_sha = WriteTestdb(Path("testdb"), "1");
  const std::string archive = Path("testdb_ubuntu-22.04-amd64.charm");
  ASSERT_TRUE(PackWithZipfile(Path("testdb"), archive, /*stored=*/false).ok());
  ASSERT_GT(fs::file_size(archive), 6u * 1000 * 1000) << "the random file should not compress";

  CliResult r = cluster_.Skein({"deploy", archive, "--config", "report=" + Path("report")}, std::chrono::minutes(3));
  ASSERT_EQ(r.code, 0) << r.err << r.out;
  EXPECT_NE(r.err.find("Located local charm \"testdb\", revision 0"), std::string::npos) << r.err;
  ASSERT_TRUE(WaitForActive("testdb/0", "version 1"));
  // Every hook sets the status, from install on; the report comes from start.
  ASSERT_TRUE(WaitFor([&] { return Report().size() == 5; })) << "no report from the start hook";
  EXPECT_EQ(Report(), (std::vector<std::string>{"755", "../data/blob.bin", blob_sha, "750", "1"}));
  json status = cluster_.Status();
  EXPECT_EQ(status["applications"]["testdb"]["charm"], "local:testdb-0");
}

TEST_F(PackedCharmTest, CharmDirectoryIsPackedWithModesAndSymlink) {
  Ok({"bootstrap"});
  Ok({"add-model", "dir"});
  const std::string blob_sha = WriteTestdb(Path("testdb"), "1");
  Ok({"deploy", Path("testdb"), "--config", "report=" + Path("report")});
  ASSERT_TRUE(WaitForActive("testdb/0", "version 1"));
  // Every hook sets the status, from install on; the report comes from start.
  ASSERT_TRUE(WaitFor([&] { return Report().size() == 5; })) << "no report from the start hook";
  EXPECT_EQ(Report(), (std::vector<std::string>{"755", "../data/blob.bin", blob_sha, "750", "1"}));
}

TEST_F(PackedCharmTest, EscapingSymlinkIsRefusedAtDeployAndTheModelIsUnchanged) {
  Ok({"bootstrap"});
  Ok({"add-model", "refused"});
  WriteTestdb(Path("evil"), "1");
  fs::create_symlink("/etc/passwd", Path("evil/lib/passwd"));
  const std::string archive = Path("evil.charm");
  ASSERT_TRUE(PackWithZipfile(Path("evil"), archive, /*stored=*/false).ok());
  for (const std::string& charm : {archive, Path("evil")}) {
    CliResult r = cluster_.Skein({"deploy", charm});
    EXPECT_EQ(r.code, 1) << r.err << r.out;
    EXPECT_NE(r.err.find("ERROR invalid charm \"" + charm + "\": symlink \"lib/passwd\" -> \"/etc/passwd\" points "
                         "outside the charm"),
              std::string::npos)
        << r.err;
  }
  json status = cluster_.Status();
  EXPECT_TRUE(!status.contains("applications") || status["applications"].empty()) << status.dump();
  EXPECT_TRUE(fs::is_empty(cluster_.data_dir() + "/controller/charms/tmp"));
}

TEST_F(PackedCharmTest, OpsCharmWithItsDependenciesInVenvSettles) {
  const fs::path ops = fs::path(cluster_.BinDir()).parent_path() / "ops3";
  if (!fs::exists(ops / "ops" / "__init__.py")) {
    GTEST_SKIP() << "ops 3.x is not installed in " << ops.string()
                 << " (tools/test installs it: pip install --target build/ops3 'ops==3.*')";
  }
  Ok({"bootstrap"});
  Ok({"add-model", "ops"});
  // As charmcraft packs an ops charm: the charm's own files, and its dependencies in venv/.
  const std::string dir = Path("recorder-ops");
  fs::copy(TestCharm("recorder-ops"), dir, fs::copy_options::recursive);
  fs::copy(ops, dir + "/venv", fs::copy_options::recursive);
  const std::string archive = Path("recorder-ops_ubuntu-22.04-amd64.charm");
  ASSERT_TRUE(PackWithZipfile(dir, archive, /*stored=*/false).ok());
  std::cout << "ops charm archive: " << fs::file_size(archive) << " bytes\n";
  Ok({"deploy", archive, "-n", "2", "--config", "log-path=" + Path("ops.log")});
  ASSERT_TRUE(WaitFor(
      [&] {
        int started = 0;
        for (const std::string& line : ReadLines(Path("ops.log"))) {
          started += line.find(" start ") != std::string::npos ? 1 : 0;
        }
        return started == 2;
      },
      std::chrono::minutes(2)))
      << "ops did not run start on both units; log:\n"
      << ReadFile(Path("ops.log"));
  ASSERT_TRUE(cluster_.WaitForStatus([](const json& s) {
    return AgentStatus(s, "recorder-ops/0") == "idle" && AgentStatus(s, "recorder-ops/1") == "idle";
  }));
}

TEST_F(PackedCharmTest, RefreshPathRunsUpgradeCharmAndRefusesBreakingARelation) {
  Ok({"bootstrap"});
  Ok({"add-model", "refresh"});
  WriteTestdb(Path("v1"), "1");
  Ok({"deploy", Path("v1"), "--config", "report=" + Path("report"), "--config", "log-path=" + Path("hooks.log")});
  Ok({"deploy", TestCharm("kv-requirer"), "client"});
  Ok({"integrate", "client", "testdb"});
  ASSERT_TRUE(WaitForActive("testdb/0", "version 1"));

  WriteTestdb(Path("v2"), "2");
  const std::string archive = Path("testdb-v2.charm");
  ASSERT_TRUE(PackWithZipfile(Path("v2"), archive, /*stored=*/false).ok());
  CliResult r = cluster_.Skein({"refresh", "testdb", "--path", archive}, std::chrono::minutes(3));
  ASSERT_EQ(r.code, 0) << r.err << r.out;
  EXPECT_NE(r.err.find("Added local charm \"testdb\", revision 1, to the model"), std::string::npos) << r.err;
  ASSERT_TRUE(WaitForActive("testdb/0", "version 2"));
  // upgrade-charm sets "version 2"; config-changed follows it in a hook of its own.
  ASSERT_TRUE(WaitFor(
      [&] {
        std::vector<std::string> hooks = ReadLines(Path("hooks.log"));
        auto upgrade = std::find(hooks.begin(), hooks.end(), "upgrade-charm");
        return upgrade != hooks.end() && upgrade + 1 != hooks.end();
      },
      std::chrono::minutes(1)))
      << ReadFile(Path("hooks.log"));
  std::vector<std::string> hooks = ReadLines(Path("hooks.log"));
  auto upgrade = std::find(hooks.begin(), hooks.end(), "upgrade-charm");
  EXPECT_EQ(*(upgrade + 1), "config-changed") << ReadFile(Path("hooks.log"));
  json status = cluster_.Status();
  EXPECT_EQ(status["applications"]["testdb"]["charm"], "local:testdb-1");
  EXPECT_EQ(status["applications"]["testdb"]["charm-rev"], 1);

  // A revision without the `db` endpoint would break the relation: refused, nothing changes.
  WriteTestdb(Path("v3"), "3", /*with_db_endpoint=*/false);
  r = cluster_.Skein({"refresh", "testdb", "--path", Path("v3")});
  EXPECT_EQ(r.code, 1);
  // The check runs on the client before anything is uploaded (MakeRefreshPlan), naming the
  // command that removes the relation.
  EXPECT_NE(r.err.find("ERROR cannot refresh application \"testdb\" to charm \"testdb\""), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("it would break 1 live relation"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("skein remove-relation "), std::string::npos) << r.err;
  EXPECT_EQ(cluster_.Status()["applications"]["testdb"]["charm"], "local:testdb-1");

  // A local charm has no channel to follow: Juju's refusal, and nothing changes.
  r = cluster_.Skein({"refresh", "testdb", "--channel", "2/stable"});
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("ERROR upgrading a local charm requires either --path or --switch"), std::string::npos)
      << r.err;
}

TEST_F(PackedCharmTest, UnitThatCannotGetItsCharmSaysWhyAndRecovers) {
  Ok({"bootstrap"});
  Ok({"add-model", "missing"});
  WriteTestdb(Path("testdb"), "1");
  const std::string archive = Path("testdb.charm");
  ASSERT_TRUE(PackWithZipfile(Path("testdb"), archive, /*stored=*/false).ok());
  Ok({"deploy", archive, "a", "-n", "0"});
  // The archive disappears from the controller's charm store (a disk mishap).
  int removed = 0;
  for (const auto& e : fs::directory_iterator(cluster_.data_dir() + "/controller/charms")) {
    if (e.path().extension() == ".charm") removed += fs::remove(e.path()) ? 1 : 0;
  }
  ASSERT_EQ(removed, 1);
  Ok({"add-unit", "a"});
  ASSERT_TRUE(cluster_.WaitForStatus([](const json& s) {
    return WorkloadStatus(s, "a/0") == "error" &&
           WorkloadMessage(s, "a/0").rfind("cannot download charm \"local:testdb-0\": ", 0) == 0;
  }));
  // Uploading the same archive again (here by deploying it once more) puts it back; the unit,
  // still retrying, installs.
  Ok({"deploy", archive, "b", "-n", "0"});
  ASSERT_TRUE(WaitForActive("a/0", "version 1"));
}

// Acceptance 2: charm content streams with flat memory on both ends.
TEST_F(PackedCharmTest, PeakMemoryStaysFlatFromA1MiBToA200MiBCharm) {
  Ok({"bootstrap"});
  Ok({"add-model", "memory"});
  auto figures = MeasureCharmTransferMemory(cluster_, 1 << 20, 200u << 20);
  ASSERT_TRUE(figures.ok()) << figures.status();
  std::cout << "VmHWM controller: " << figures->controller_small_kib << " KiB after a 1 MiB charm, "
            << figures->controller_large_kib << " KiB after a 200 MiB charm\n"
            << "VmHWM unit agent: " << figures->agent_small_kib << " KiB (1 MiB charm), " << figures->agent_large_kib
            << " KiB (200 MiB charm)\n"
            << "200 MiB charm: deploy to active in " << figures->large_deploy_seconds << " s\n";
  constexpr int64_t kLimitKiB = 32 * 1024;
  EXPECT_LE(figures->controller_large_kib - figures->controller_small_kib, kLimitKiB);
  EXPECT_LE(figures->agent_large_kib - figures->agent_small_kib, kLimitKiB);
}

}  // namespace
}  // namespace skein::e2e
