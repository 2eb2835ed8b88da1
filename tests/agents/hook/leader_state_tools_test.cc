// Contract tests for leader-get/leader-set, state-get/state-set/state-delete, goal-state,
// relation-model-get and the tools skein does not support yet (secret tools: secret_tools_test.cc).

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/agents/hook/fake_hook_context.h"

namespace skein::agent::testing {
namespace {

class LeaderStateToolsTest : public ::testing::Test {
 protected:
  LeaderStateToolsTest() : ctx_("web/0", "start") {}
  FakeHookContext ctx_;
};

TEST_F(LeaderStateToolsTest, LeaderSetAndGet) {
  ASSERT_EQ(ctx_.Run("leader-set", {"a=1", "b=two words"}).code, 0);
  EXPECT_EQ(ctx_.Run("leader-get", {}).out, "a: '1'\nb: two words\n");
  EXPECT_EQ(ctx_.Run("leader-get", {"--format=json"}).out, "{\"a\":\"1\",\"b\":\"two words\"}\n");
  EXPECT_EQ(ctx_.Run("leader-get", {"-", "--format=json"}).out, "{\"a\":\"1\",\"b\":\"two words\"}\n");
  EXPECT_EQ(ctx_.Run("leader-get", {"b"}).out, "two words\n");
  EXPECT_EQ(ctx_.Run("leader-get", {"missing"}).out, "");
  EXPECT_EQ(ctx_.Run("leader-get", {"missing", "--format=json"}).out, "null\n");
  // An empty value removes the key.
  ASSERT_EQ(ctx_.Run("leader-set", {"a="}).code, 0);
  EXPECT_EQ(ctx_.Run("leader-get", {"--format=json"}).out, "{\"b\":\"two words\"}\n");
}

TEST_F(LeaderStateToolsTest, LeaderSetRefusedToMinions) {
  ctx_.leader = false;
  ToolResult r = ctx_.Run("leader-set", {"a=1"});
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.err, "ERROR cannot write leadership settings: cannot write settings: not the leader\n");
  EXPECT_TRUE(ctx_.leader_settings.empty());
}

TEST_F(LeaderStateToolsTest, LeaderSetUsageErrors) {
  ToolResult r = ctx_.Run("leader-set", {"novalue"});
  EXPECT_EQ(r.code, 2);
  EXPECT_EQ(r.err, "ERROR expected \"key=value\", got \"novalue\"\n");
  r = ctx_.Run("leader-get", {"a", "b"});
  EXPECT_EQ(r.code, 2);
  EXPECT_EQ(r.err, "ERROR unrecognized args: [\"b\"]\n");
}

TEST_F(LeaderStateToolsTest, StateSetFromArgsAndLazyStdin) {
  ASSERT_EQ(ctx_.Run("state-set", {"k=v"}).code, 0);
  // `--file -` asks for stdin first (lazy stdin), then takes the YAML map; args override it.
  ToolResult r = ctx_.Run("state-set", {"--file", "-", "x=arg"});
  EXPECT_TRUE(r.needs_stdin);
  EXPECT_TRUE(ctx_.charm_state.count("x") == 0);
  r = ctx_.Run("state-set", {"--file", "-", "x=arg"}, std::string("x: file\n\"Charm/StoredStateData[_stored]\": |\n  a: 1\n"));
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(ctx_.charm_state.at("x"), "arg");
  EXPECT_EQ(ctx_.charm_state.at("Charm/StoredStateData[_stored]"), "a: 1\n");
  EXPECT_EQ(ctx_.Run("state-get", {"k"}).out, "v\n");
  EXPECT_EQ(ctx_.Run("state-get", {"--format=json", "x"}).out, "\"arg\"\n");
  EXPECT_EQ(ctx_.Run("state-get", {"--format=json"}).out,
            "{\"Charm/StoredStateData[_stored]\":\"a: 1\\n\",\"k\":\"v\",\"x\":\"arg\"}\n");
  // An empty value deletes, as does state-delete.
  ASSERT_EQ(ctx_.Run("state-set", {"k="}).code, 0);
  ASSERT_EQ(ctx_.Run("state-delete", {"x"}).code, 0);
  EXPECT_EQ(ctx_.charm_state.size(), 1u);
}

TEST_F(LeaderStateToolsTest, StateGetMissingKey) {
  EXPECT_EQ(ctx_.Run("state-get", {"--format=json"}).out, "{}\n");
  ToolResult r = ctx_.Run("state-get", {"missing"});
  EXPECT_EQ(r.code, 0);
  EXPECT_EQ(r.out, "");
  r = ctx_.Run("state-get", {"missing", "--strict"});
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.err, "ERROR \"missing\" not found\n");
}

// The size caps on state are the hook context's (tests/agents/unit/hook_tool_limits_test.cc).
TEST_F(LeaderStateToolsTest, StateDeleteNeedsAKey) {
  ToolResult r = ctx_.Run("state-delete", {});
  EXPECT_EQ(r.code, 2);
  EXPECT_EQ(r.err, "ERROR no key specified\n");
}

TEST_F(LeaderStateToolsTest, GoalState) {
  ctx_.goal_state = {{"units", {{"web/0", {{"status", "active"}, {"since", "2024-05-01T10:00:00Z"}}}}},
                     {"relations", nlohmann::json::object()}};
  EXPECT_EQ(ctx_.Run("goal-state", {"--format=json"}).out,
            "{\"relations\":{},\"units\":{\"web/0\":{\"since\":\"2024-05-01T10:00:00Z\",\"status\":\"active\"}}}\n");
  EXPECT_EQ(ctx_.Run("goal-state", {}).out,
            "relations: {}\nunits:\n  web/0:\n    since: 2024-05-01T10:00:00Z\n    status: active\n");
  ToolResult r = ctx_.Run("goal-state", {"--format=smart"});
  EXPECT_EQ(r.code, 2);
  EXPECT_THAT(r.err, ::testing::HasSubstr("unknown format \"smart\""));
}

TEST_F(LeaderStateToolsTest, CredentialGetPrintsTheCloudSpecToATrustedApplicationOnly) {
  ToolResult r = ctx_.Run("credential-get", {});
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err, "ERROR permission denied\n");

  ctx_.cloud_spec = nlohmann::json{{"type", "local"}, {"name", "local"}, {"credential", {{"auth-type", "empty"}}}};
  EXPECT_EQ(ctx_.Run("credential-get", {"--format=json"}).out,
            "{\"credential\":{\"auth-type\":\"empty\"},\"name\":\"local\",\"type\":\"local\"}\n");
  EXPECT_EQ(ctx_.Run("credential-get", {}).out, "credential:\n  auth-type: empty\nname: local\ntype: local\n");
  r = ctx_.Run("credential-get", {"extra"});
  EXPECT_EQ(r.code, 2);
  EXPECT_THAT(r.err, ::testing::HasSubstr("unrecognized args: [\"extra\"]"));
}

TEST_F(LeaderStateToolsTest, RelationModelGet) {
  ctx_.AddRelation(3, "db", "mysql", {"mysql/0"});
  EXPECT_EQ(ctx_.Run("relation-model-get", {"--format=json", "-r", "db:3"}).out,
            "{\"uuid\":\"5b2c6f0e-0000-4000-8000-000000000001\"}\n");
  ToolResult r = ctx_.Run("relation-model-get", {"--format=json"});
  EXPECT_EQ(r.code, 2);
  EXPECT_EQ(r.err, "ERROR no relation id specified\n");
  r = ctx_.Run("relation-model-get", {"-r", "db:7"});
  EXPECT_EQ(r.code, 2);
  EXPECT_THAT(r.err, ::testing::HasSubstr("relation not found"));
}

TEST_F(LeaderStateToolsTest, UnsupportedToolsFailClearly) {
  struct Case {
    std::string tool;
    std::vector<std::string> args;
    std::string err;
  } cases[] = {
      {"juju-reboot", {"--now"}, "ERROR juju-reboot is not supported by skein yet\n"},
  };
  for (const Case& c : cases) {
    ToolResult r = ctx_.Run(c.tool, c.args);
    EXPECT_EQ(r.code, 1) << c.tool;
    EXPECT_EQ(r.out, "") << c.tool;
    EXPECT_EQ(r.err, c.err) << c.tool;
  }
  // Their flags are still checked, as Juju's tools check them.
  ToolResult r = ctx_.Run("storage-list", {"--bogus"});
  EXPECT_EQ(r.code, 2);
  EXPECT_EQ(r.err, "ERROR option provided but not defined: --bogus\n");
}

}  // namespace
}  // namespace skein::agent::testing
