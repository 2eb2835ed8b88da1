// Bundle deploys, upgrades, history and rollback from the CLI against a real controller in this
// process (127.0.0.1:0): the plan the CLI sends is applied as a job, recorded as a revision of the
// deployment, and `history` and `rollback` read those revisions back. No agents run: the plans
// here have no waits, so the jobs finish as soon as their changes are written.

#include "absl/strings/match.h"
#include "controller/api/server.h"
#include "tests/tools/cli/controller_fixture.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "tests/tools/cli/test_util.h"

namespace skein::cli {
namespace {

using testing::CliRun;

class PlanControllerTest : public testing::ControllerCliTest {
 protected:
  std::string Bundle(const std::string& channel) {
    const std::string path = dir_.path() + "/minio.yaml";
    testing::WriteFile(path, "applications:\n  minio: {charm: minio, channel: " + channel + ", scale: 1}\n");
    return path;
  }
  nlohmann::json Status() {
    CliRun r = Skein({"status", "--format", "json"});
    EXPECT_EQ(r.code, 0) << r.err;
    return nlohmann::json::parse(r.out);
  }
  nlohmann::json History() {
    CliRun r = Skein({"history", "minio.yaml", "--format", "json"});
    EXPECT_EQ(r.code, 0) << r.err;
    return nlohmann::json::parse(r.out);
  }
};

TEST_F(PlanControllerTest, DeployUpgradeHistoryAndRollback) {
  CliRun install = Skein({"deploy", Bundle("ckf-1.7/stable")});
  ASSERT_EQ(install.code, 0) << install.err;
  EXPECT_EQ(Status()["applications"]["minio"]["charm-rev"], 1);

  CliRun upgrade = Skein({"deploy", Bundle("ckf-1.8/stable")});
  ASSERT_EQ(upgrade.code, 0) << upgrade.err;
  EXPECT_TRUE(absl::StrContains(upgrade.out, "- upgrade minio from charm-hub using charm minio from channel "
                                             "ckf-1.8/stable, revision 2 (now ckf-1.7/stable, revision 1)"))
      << upgrade.out;
  EXPECT_TRUE(absl::StrContains(upgrade.err, " ... done\nDeploy of bundle completed.\n")) << upgrade.err;
  nlohmann::json app = Status()["applications"]["minio"];
  EXPECT_EQ(app["charm-rev"], 2);
  EXPECT_EQ(app["charm-channel"], "ckf-1.8/stable");

  nlohmann::json history = History();
  ASSERT_EQ(history.size(), 2u) << history.dump();
  EXPECT_EQ(history[0]["description"], "Install complete");
  EXPECT_EQ(history[0]["status"], "superseded");
  EXPECT_EQ(history[1]["description"], "Upgrade complete");
  EXPECT_EQ(history[1]["status"], "deployed");
  CliRun table = Skein({"history", "minio.yaml"});
  ASSERT_EQ(table.code, 0) << table.err;
  EXPECT_TRUE(absl::StartsWith(table.out, "REVISION  UPDATED")) << table.out;

  CliRun again = Skein({"deploy", Bundle("ckf-1.8/stable")});
  ASSERT_EQ(again.code, 0) << again.err;
  EXPECT_TRUE(absl::StrContains(again.err, "Nothing to do.")) << again.err;

  CliRun dry = Skein({"rollback", "minio.yaml", "--dry-run"});
  ASSERT_EQ(dry.code, 0) << dry.err;
  EXPECT_TRUE(absl::StrContains(dry.out, "warning: downgrade minio")) << dry.out;
  EXPECT_EQ(Status()["applications"]["minio"]["charm-rev"], 2) << "a dry run changes nothing";
  CliRun back = Skein({"rollback", "minio.yaml"});
  ASSERT_EQ(back.code, 0) << back.err;
  EXPECT_EQ(Status()["applications"]["minio"]["charm-rev"], 1);
  history = History();
  ASSERT_EQ(history.size(), 3u) << history.dump();
  EXPECT_EQ(history[2]["description"], "Rollback to 1");
  EXPECT_EQ(history[2]["status"], "deployed");
}

TEST_F(PlanControllerTest, RefreshByChannelAndItsRefusals) {
  ASSERT_EQ(Skein({"deploy", Bundle("ckf-1.7/stable")}).code, 0);
  CliRun same = Skein({"refresh", "minio"});
  EXPECT_EQ(same.code, 1);
  EXPECT_EQ(same.err, "ERROR charm \"minio\": already up-to-date\n");
  CliRun r = Skein({"refresh", "minio", "--channel", "ckf-1.9/stable"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_TRUE(absl::EndsWith(r.err, "Added charm-hub charm \"minio\", revision 3 in channel ckf-1.9/stable, to the "
                                    "model\n"))
      << r.err;
  nlohmann::json app = Status()["applications"]["minio"];
  EXPECT_EQ(app["charm-rev"], 3);
  EXPECT_EQ(app["charm-channel"], "ckf-1.9/stable");
  EXPECT_EQ(History().size(), 1u) << "a refresh is no revision of the deployment";
}

}  // namespace
}  // namespace skein::cli
