// Contract tests for config-get, is-leader, juju-log.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/agents/hook/fake_hook_context.h"

namespace skein::agent::testing {
namespace {

using ::testing::HasSubstr;

class UnitToolsTest : public ::testing::Test {
 protected:
  UnitToolsTest() : ctx_("wordpress/0", "config-changed") {
    ctx_.config = {{"name", "blog"}, {"port", 8080}, {"ratio", 0.5}, {"debug", false}, {"whole", 3.0},
                   {"unset", nullptr}};
  }
  FakeHookContext ctx_;
};

TEST_F(UnitToolsTest, ConfigGetAll) {
  // Typed JSON; options without a value only with --all.
  EXPECT_EQ(ctx_.Run("config-get", {"--format=json"}).out,
            "{\"debug\":false,\"name\":\"blog\",\"port\":8080,\"ratio\":0.5,\"whole\":3}\n");
  EXPECT_EQ(ctx_.Run("config-get", {"--format=json", "--all"}).out,
            "{\"debug\":false,\"name\":\"blog\",\"port\":8080,\"ratio\":0.5,\"unset\":null,\"whole\":3}\n");
  EXPECT_EQ(ctx_.Run("config-get", {"-a", "--format=json"}).out,
            "{\"debug\":false,\"name\":\"blog\",\"port\":8080,\"ratio\":0.5,\"unset\":null,\"whole\":3}\n");
  EXPECT_EQ(ctx_.Run("config-get", {}).out, "debug: false\nname: blog\nport: 8080\nratio: 0.5\nwhole: 3\n");
  EXPECT_EQ(ctx_.Run("config-get", {"--format=yaml"}).out, "debug: false\nname: blog\nport: 8080\nratio: 0.5\nwhole: 3\n");
}

TEST_F(UnitToolsTest, ConfigGetKey) {
  EXPECT_EQ(ctx_.Run("config-get", {"name"}).out, "blog\n");
  EXPECT_EQ(ctx_.Run("config-get", {"port"}).out, "8080\n");
  EXPECT_EQ(ctx_.Run("config-get", {"debug"}).out, "False\n");
  EXPECT_EQ(ctx_.Run("config-get", {"--format=json", "port"}).out, "8080\n");
  EXPECT_EQ(ctx_.Run("config-get", {"name", "--format=yaml"}).out, "blog\n");
  // Unknown keys print null, not an error.
  ToolResult r = ctx_.Run("config-get", {"--format=json", "nope"});
  EXPECT_EQ(r.code, 0);
  EXPECT_EQ(r.out, "null\n");
  EXPECT_EQ(ctx_.Run("config-get", {"nope"}).out, "");
}

TEST_F(UnitToolsTest, ConfigGetErrors) {
  ToolResult r = ctx_.Run("config-get", {"name", "--all"});
  EXPECT_EQ(r.code, 2);
  EXPECT_EQ(r.err, "ERROR cannot use argument --all together with key \"name\"\n");
  r = ctx_.Run("config-get", {"name", "port"});
  EXPECT_EQ(r.code, 2);
  EXPECT_EQ(r.err, "ERROR unrecognized args: [\"port\"]\n");
}

TEST_F(UnitToolsTest, IsLeader) {
  EXPECT_EQ(ctx_.Run("is-leader", {}).out, "True\n");
  EXPECT_EQ(ctx_.Run("is-leader", {"--format=json"}).out, "true\n");
  EXPECT_EQ(ctx_.Run("is-leader", {"--format=yaml"}).out, "true\n");
  ctx_.leader = false;
  EXPECT_EQ(ctx_.Run("is-leader", {}).out, "False\n");
  EXPECT_EQ(ctx_.Run("is-leader", {"--format=json"}).out, "false\n");
  ToolResult r = ctx_.Run("is-leader", {"extra"});
  EXPECT_EQ(r.code, 2);
  EXPECT_EQ(r.err, "ERROR unrecognized args: [\"extra\"]\n");
}

TEST_F(UnitToolsTest, IsLeaderUnknown) {
  ctx_.leader_error = "controller unreachable";
  ToolResult r = ctx_.Run("is-leader", {"--format=json"});
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err, "ERROR leadership status unknown: controller unreachable\n");
  // A context that already says so is not prefixed twice.
  ctx_.leader_error = "leadership status unknown: lease manager down";
  EXPECT_EQ(ctx_.Run("is-leader", {}).err, "ERROR leadership status unknown: lease manager down\n");
}

TEST_F(UnitToolsTest, JujuLogLevelsAndSeparators) {
  EXPECT_EQ(ctx_.Run("juju-log", {"--log-level", "DEBUG", "--", "ops 3.9.0 up and running."}).code, 0);
  EXPECT_EQ(ctx_.Run("juju-log", {"-l", "warning", "a", "b"}).code, 0);
  EXPECT_EQ(ctx_.Run("juju-log", {"--debug", "dbg"}).code, 0);
  EXPECT_EQ(ctx_.Run("juju-log", {"--log-level=TRACE", "--", "-starts with dash\nsecond line"}).code, 0);
  EXPECT_EQ(ctx_.Run("juju-log", {"plain"}).code, 0);
  EXPECT_EQ(ctx_.Run("juju-log", {"-lCRITICAL", "bad"}).code, 0);
  ASSERT_EQ(ctx_.logs.size(), 6u);
  EXPECT_EQ(ctx_.logs[0].level, "DEBUG");
  EXPECT_EQ(ctx_.logs[0].message, "ops 3.9.0 up and running.");
  EXPECT_EQ(ctx_.logs[1].level, "WARNING");
  EXPECT_EQ(ctx_.logs[1].message, "a b");
  EXPECT_EQ(ctx_.logs[2].level, "DEBUG");
  EXPECT_EQ(ctx_.logs[3].level, "TRACE");
  EXPECT_EQ(ctx_.logs[3].message, "-starts with dash\nsecond line");
  EXPECT_EQ(ctx_.logs[4].level, "INFO");
  EXPECT_EQ(ctx_.logs[5].level, "CRITICAL");
}

TEST_F(UnitToolsTest, JujuLogInvalidLevelIsInfoWithAWarning) {
  ToolResult r = ctx_.Run("juju-log", {"--log-level", "LOUD", "--", "msg"});
  EXPECT_EQ(r.code, 0);
  EXPECT_EQ(r.err, "");
  ASSERT_EQ(ctx_.logs.size(), 2u);
  EXPECT_EQ(ctx_.logs[0].level, "WARNING");
  EXPECT_EQ(ctx_.logs[0].message, "Specified log level of \"LOUD\" is not valid");
  EXPECT_EQ(ctx_.logs[1].level, "INFO");
  EXPECT_EQ(ctx_.logs[1].message, "msg");
}

TEST_F(UnitToolsTest, JujuLogPrefixesRelationHooks) {
  FakeHookContext ctx("wordpress/0", "db-relation-changed");
  ctx.AddRelation(7, "db", "mysql", {"mysql/0"});
  ctx.SetHookRelation(7, "mysql/0", "mysql");
  EXPECT_EQ(ctx.Run("juju-log", {"hello"}).code, 0);
  ASSERT_EQ(ctx.logs.size(), 1u);
  EXPECT_EQ(ctx.logs[0].message, "db:7: hello");
}

TEST_F(UnitToolsTest, JujuLogNeedsAMessage) {
  ToolResult r = ctx_.Run("juju-log", {});
  EXPECT_EQ(r.code, 2);
  EXPECT_EQ(r.err, "ERROR no message specified\n");
  r = ctx_.Run("juju-log", {"--format", "json", "m"});
  EXPECT_EQ(r.code, 0);
  EXPECT_EQ(r.err, "--format flag deprecated for command \"juju-log\"");
}

TEST_F(UnitToolsTest, Help) {
  for (const char* tool : {"config-get", "is-leader", "juju-log"}) {
    ToolResult r = ctx_.Run(tool, {"--help"});
    EXPECT_EQ(r.code, 0) << tool;
    EXPECT_THAT(r.out, HasSubstr(std::string("Usage: ") + tool + " [options]")) << tool;
  }
  EXPECT_THAT(ctx_.Run("config-get", {"-h"}).out, HasSubstr("-a, --all  (= false)\n    print all keys\n"));
  EXPECT_THAT(ctx_.Run("is-leader", {"-h"}).out,
              HasSubstr("--format  (= smart)\n    Specify output format (json|smart|yaml)\n"
                        "-o, --output (= \"\")\n    Specify an output file\n"));
}

}  // namespace
}  // namespace skein::agent::testing
