// Contract tests for relation-get, relation-list, relation-ids against a fake hook context.

#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/agents/hook/fake_hook_context.h"

namespace skein::agent::testing {
namespace {

using ::testing::HasSubstr;

// wordpress/0 in `db-relation-changed` for mysql/0 on relation db:1; also a second db
// relation (db:12), a peer relation and a website relation.
class RelationToolsTest : public ::testing::Test {
 protected:
  RelationToolsTest() : ctx_("wordpress/0", "db-relation-changed") {
    auto& db = ctx_.AddRelation(1, "db", "mysql", {"mysql/0", "mysql/1"});
    db.bags["mysql/0"] = {{"host", "10.0.0.1"}, {"port", "3306"}};
    db.bags["mysql/1"] = {{"host", "10.0.0.2"}};
    db.bags["mysql"] = {{"database", "wp"}};
    db.bags["wordpress/0"] = {{"private-address", "10.0.0.9"}};
    db.bags["wordpress"] = {{"token", "abc"}};
    ctx_.AddRelation(12, "db", "mysql-b", {"mysql-b/0"});
    ctx_.AddRelation(2, "db", "mysql-c", {});
    ctx_.AddRelation(5, "cluster", "wordpress", {"wordpress/1"}, /*peer=*/true);
    ctx_.SetHookRelation(1, "mysql/0", "mysql");
  }
  FakeHookContext ctx_;
};

TEST_F(RelationToolsTest, RelationGetDefaultsToHookRelationAndRemoteUnit) {
  ToolResult r = ctx_.Run("relation-get", {});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, "host: 10.0.0.1\nport: '3306'\n");
  EXPECT_EQ(r.err, "");
}

TEST_F(RelationToolsTest, RelationGetFormats) {
  EXPECT_EQ(ctx_.Run("relation-get", {"--format=json"}).out, "{\"host\":\"10.0.0.1\",\"port\":\"3306\"}\n");
  EXPECT_EQ(ctx_.Run("relation-get", {"--format", "yaml"}).out, "host: 10.0.0.1\nport: '3306'\n");
  EXPECT_EQ(ctx_.Run("relation-get", {"host"}).out, "10.0.0.1\n");
  EXPECT_EQ(ctx_.Run("relation-get", {"--format=json", "host"}).out, "\"10.0.0.1\"\n");
  EXPECT_EQ(ctx_.Run("relation-get", {"--format=yaml", "port"}).out, "'3306'\n");
  // A missing key: null in JSON, nothing otherwise, never an error.
  EXPECT_EQ(ctx_.Run("relation-get", {"--format=json", "nope"}).out, "null\n");
  EXPECT_EQ(ctx_.Run("relation-get", {"nope"}).out, "");
  EXPECT_EQ(ctx_.Run("relation-get", {"--format=yaml", "nope"}).out, "");
  EXPECT_EQ(ctx_.Run("relation-get", {"nope"}).code, 0);
}

TEST_F(RelationToolsTest, RelationGetEmptyBagIsAnEmptyMap) {
  EXPECT_EQ(ctx_.Run("relation-get", {"--format=json", "-r", "12", "-", "mysql-b/0"}).out, "{}\n");
  EXPECT_EQ(ctx_.Run("relation-get", {"-r", "12", "-", "mysql-b/0"}).out, "{}\n");
}

TEST_F(RelationToolsTest, RelationGetOpsArgvBothGenerations) {
  // ops >= 3.4 (flags first, endpoint:id) and ops 2.x (bare id, flags last).
  const std::string unit = "{\"host\":\"10.0.0.2\"}\n";
  const std::string app = "{\"database\":\"wp\"}\n";
  EXPECT_EQ(ctx_.Run("relation-get", {"--format=json", "-r", "db:1", "-", "mysql/1"}).out, unit);
  EXPECT_EQ(ctx_.Run("relation-get", {"-r", "1", "-", "mysql/1", "--format=json"}).out, unit);
  EXPECT_EQ(ctx_.Run("relation-get", {"--format=json", "-r", "db:1", "--app", "-", "mysql"}).out, app);
  EXPECT_EQ(ctx_.Run("relation-get", {"-r", "1", "-", "mysql", "--app", "--format=json"}).out, app);
}

TEST_F(RelationToolsTest, RelationGetTargetResolution) {
  // --app with a unit name reads that unit's application.
  EXPECT_EQ(ctx_.Run("relation-get", {"--format=json", "--app", "-", "mysql/1"}).out, "{\"database\":\"wp\"}\n");
  // Without --app an application name is refused.
  ToolResult r = ctx_.Run("relation-get", {"-", "mysql"});
  EXPECT_EQ(r.code, 2);
  EXPECT_EQ(r.err, "ERROR expected unit name, got application name \"mysql\"\n");
  r = ctx_.Run("relation-get", {"-", "Not_A_Name"});
  EXPECT_EQ(r.code, 2);
  EXPECT_EQ(r.err, "ERROR invalid unit name \"Not_A_Name\"\n");
  // --app alone reads the hook's remote application.
  EXPECT_EQ(ctx_.Run("relation-get", {"--app", "database"}).out, "wp\n");
  // Own unit and own application (leader) bags.
  EXPECT_EQ(ctx_.Run("relation-get", {"private-address", "wordpress/0"}).out, "10.0.0.9\n");
  EXPECT_EQ(ctx_.Run("relation-get", {"--app", "token", "wordpress"}).out, "abc\n");
  // Too many arguments.
  r = ctx_.Run("relation-get", {"host", "mysql/0", "extra"});
  EXPECT_EQ(r.code, 2);
  EXPECT_EQ(r.err, "ERROR unrecognized args: [\"extra\"]\n");
}

TEST_F(RelationToolsTest, RelationGetAppLevelChangeImpliesApp) {
  FakeHookContext ctx("wordpress/0", "db-relation-changed");
  ctx.AddRelation(1, "db", "mysql", {"mysql/0"}).bags["mysql"] = {{"database", "wp"}};
  ctx.SetHookRelation(1, "", "mysql");  // app-level change: no remote unit
  EXPECT_EQ(ctx.Run("relation-get", {"--format=json"}).out, "{\"database\":\"wp\"}\n");
}

TEST_F(RelationToolsTest, RelationGetNoTarget) {
  FakeHookContext ctx("wordpress/0", "install");
  ctx.AddRelation(1, "db", "mysql", {"mysql/0"});
  ToolResult r = ctx.Run("relation-get", {"-r", "db:1"});
  EXPECT_EQ(r.code, 2);
  EXPECT_EQ(r.err, "ERROR no unit or application specified\n");
  r = ctx.Run("relation-get", {"-r", "db:1", "--app"});
  EXPECT_EQ(r.err, "ERROR no unit or application specified\n");
}

TEST_F(RelationToolsTest, RelationSelectorErrors) {
  FakeHookContext ctx("wordpress/0", "install");
  ctx.AddRelation(1, "db", "mysql", {"mysql/0"});
  for (const char* tool : {"relation-get", "relation-list", "relation-set"}) {
    ToolResult r = ctx.Run(tool, {});
    EXPECT_EQ(r.code, 2) << tool;
    EXPECT_EQ(r.err, "ERROR no relation id specified\n") << tool;
    r = ctx.Run(tool, {"-r", "bad"});
    EXPECT_EQ(r.code, 2) << tool;
    EXPECT_EQ(r.err, "ERROR invalid value \"bad\" for option -r: invalid relation id\n") << tool;
    r = ctx.Run(tool, {"-r", "ignored:one"});
    EXPECT_EQ(r.err, "ERROR invalid value \"ignored:one\" for option -r: invalid relation id\n") << tool;
    r = ctx.Run(tool, {"--relation=db:99"});
    EXPECT_EQ(r.code, 2) << tool;
    EXPECT_EQ(r.err, "ERROR invalid value \"db:99\" for option --relation: relation not found\n") << tool;
    r = ctx.Run(tool, {"-r", "unknown:123"});
    EXPECT_EQ(r.err, "ERROR invalid value \"unknown:123\" for option -r: relation not found\n") << tool;
  }
  // Only the number after the last colon counts.
  EXPECT_EQ(ctx.Run("relation-list", {"-r", "whatever:1"}).out, "mysql/0\n");
  EXPECT_EQ(ctx.Run("relation-list", {"-r1"}).out, "mysql/0\n");
}

TEST_F(RelationToolsTest, RelationGetPermissionDeniedForMinionReadingOwnAppBag) {
  ctx_.leader = false;
  ToolResult r = ctx_.Run("relation-get", {"--app", "-", "wordpress"});
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.err, "ERROR permission denied\n");
}

TEST_F(RelationToolsTest, RelationGetWritesOutputFile) {
  char dir_template[] = "/tmp/skein-hooktools-XXXXXX";
  ASSERT_NE(mkdtemp(dir_template), nullptr);
  std::string dir = dir_template;
  ToolResult r = ctx_.Run("relation-get", {"--format=json", "-o", "out.json"}, std::nullopt, dir);
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, "");
  std::ifstream in(dir + "/out.json");
  std::stringstream content;
  content << in.rdbuf();
  EXPECT_EQ(content.str(), "{\"host\":\"10.0.0.1\",\"port\":\"3306\"}\n");
  r = ctx_.Run("relation-get", {"--output", "missing/out.json"}, std::nullopt, dir);
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.err, "ERROR open " + dir + "/missing/out.json: no such file or directory\n");
  unlink((dir + "/out.json").c_str());
  rmdir(dir.c_str());
}

TEST_F(RelationToolsTest, RelationListMembersAndApp) {
  EXPECT_EQ(ctx_.Run("relation-list", {}).out, "mysql/0\nmysql/1\n");
  EXPECT_EQ(ctx_.Run("relation-list", {"--format=json", "-r", "db:1"}).out, "[\"mysql/0\",\"mysql/1\"]\n");
  EXPECT_EQ(ctx_.Run("relation-list", {"-r", "1", "--format=json"}).out, "[\"mysql/0\",\"mysql/1\"]\n");
  EXPECT_EQ(ctx_.Run("relation-list", {"--format=yaml"}).out, "- mysql/0\n- mysql/1\n");
  EXPECT_EQ(ctx_.Run("relation-list", {"--format=json", "--app", "-r", "db:12"}).out, "\"mysql-b\"\n");
  EXPECT_EQ(ctx_.Run("relation-list", {"--app"}).out, "mysql\n");
  // Peers: the other units of the own application; --app is the own application.
  EXPECT_EQ(ctx_.Run("relation-list", {"-r", "cluster:5", "--app"}).out, "wordpress\n");
}

TEST_F(RelationToolsTest, RelationListEmptyIsNeverNull) {
  EXPECT_EQ(ctx_.Run("relation-list", {"--format=json", "-r", "db:2"}).out, "[]\n");
  EXPECT_EQ(ctx_.Run("relation-list", {"--format=yaml", "-r", "db:2"}).out, "[]\n");
  EXPECT_EQ(ctx_.Run("relation-list", {"-r", "db:2"}).out, "");
  ToolResult r = ctx_.Run("relation-list", {"extra"});
  EXPECT_EQ(r.code, 2);
  EXPECT_EQ(r.err, "ERROR unrecognized args: [\"extra\"]\n");
}

TEST_F(RelationToolsTest, RelationListFollowsTheContextDuringJoinedAndDeparted) {
  // The context reports members as the hook sees them: the joining unit is included in
  // -joined, the departing unit excluded in -departed (whose bag stays readable).
  FakeHookContext joined("wordpress/0", "db-relation-joined");
  joined.AddRelation(1, "db", "mysql", {"mysql/0", "mysql/2"});
  joined.SetHookRelation(1, "mysql/2", "mysql");
  EXPECT_EQ(joined.Run("relation-list", {"--format=json"}).out, "[\"mysql/0\",\"mysql/2\"]\n");

  FakeHookContext departed("wordpress/0", "db-relation-departed");
  departed.AddRelation(1, "db", "mysql", {"mysql/0"}).bags["mysql/2"] = {{"host", "10.0.0.3"}};
  departed.SetHookRelation(1, "mysql/2", "mysql");
  EXPECT_EQ(departed.Run("relation-list", {"--format=json"}).out, "[\"mysql/0\"]\n");
  EXPECT_EQ(departed.Run("relation-get", {"host"}).out, "10.0.0.3\n");
}

TEST_F(RelationToolsTest, RelationIds) {
  EXPECT_EQ(ctx_.Run("relation-ids", {}).out, "db:1\ndb:12\ndb:2\n");
  EXPECT_EQ(ctx_.Run("relation-ids", {"db", "--format=json"}).out, "[\"db:1\",\"db:12\",\"db:2\"]\n");
  EXPECT_EQ(ctx_.Run("relation-ids", {"--format=json", "cluster"}).out, "[\"cluster:5\"]\n");
  EXPECT_EQ(ctx_.Run("relation-ids", {"--format=json", "website"}).out, "[]\n");
  EXPECT_EQ(ctx_.Run("relation-ids", {"--format=yaml", "cluster"}).out, "- cluster:5\n");
  ToolResult r = ctx_.Run("relation-ids", {"db", "cluster"});
  EXPECT_EQ(r.code, 2);
  EXPECT_EQ(r.err, "ERROR unrecognized args: [\"cluster\"]\n");
}

TEST_F(RelationToolsTest, RelationIdsOutsideRelationHooksNeedsAnEndpoint) {
  FakeHookContext ctx("wordpress/0", "install");
  ctx.AddRelation(3, "db", "mysql", {});
  ToolResult r = ctx.Run("relation-ids", {});
  EXPECT_EQ(r.code, 2);
  EXPECT_EQ(r.err, "ERROR no endpoint name specified\n");
  EXPECT_EQ(ctx.Run("relation-ids", {"db"}).out, "db:3\n");
}

TEST_F(RelationToolsTest, RelationIdsHidesTheRelationBeingBroken) {
  FakeHookContext ctx("wordpress/0", "ha-relation-broken");
  ctx.AddRelation(3, "ha", "wordpress", {}, true).broken = true;
  ctx.SetHookRelation(3, "", "wordpress");
  EXPECT_EQ(ctx.Run("relation-ids", {"ha", "--format=json"}).out, "[]\n");
  // relation-list on it still works (ops tolerates either answer).
  EXPECT_EQ(ctx.Run("relation-list", {"--format=json", "-r", "ha:3"}).out, "[]\n");
}

TEST_F(RelationToolsTest, HelpExitsZeroWithUsage) {
  for (const char* tool : {"relation-get", "relation-list", "relation-ids", "relation-set"}) {
    ToolResult r = ctx_.Run(tool, {"--help"});
    EXPECT_EQ(r.code, 0) << tool;
    EXPECT_EQ(r.err, "") << tool;
    EXPECT_EQ(r.out.rfind(std::string("Usage: ") + tool + " [options]", 0), 0u) << r.out;
  }
  ToolResult r = ctx_.Run("relation-get", {"-h"});
  EXPECT_THAT(r.out, HasSubstr("-r, --relation  (= db:1)\n    Specify a relation by id\n"));
  EXPECT_THAT(r.out, HasSubstr("Current default unit id is \"mysql/0\"."));
}

TEST_F(RelationToolsTest, UnknownFlagAndUnknownFormat) {
  ToolResult r = ctx_.Run("relation-get", {"-x"});
  EXPECT_EQ(r.code, 2);
  EXPECT_EQ(r.err, "ERROR option provided but not defined: -x\n");
  r = ctx_.Run("relation-list", {"--format=xml"});
  EXPECT_EQ(r.code, 2);
  EXPECT_EQ(r.err, "ERROR invalid value \"xml\" for option --format: unknown format \"xml\"\n");
}

TEST_F(RelationToolsTest, UnknownCommand) {
  ToolResult r = ctx_.Run("frobnicate", {});
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.err, "ERROR unknown command \"frobnicate\"\n");
}

}  // namespace
}  // namespace skein::agent::testing
